/**
 * The stepped engine's lean kernel (`leanKernel` in engine.ts) as a WebAssembly function,
 * emitted here byte by byte (no wasm toolchain is needed or installed).
 *
 * Why: in V8 the TypeScript kernel costs ≈ 9 ns per compartment-step on this machine when its
 * arrays are not compile-time constants (as in the engine, where they belong to one engine
 * instance): every typed-array access carries a bounds check and index arithmetic with overflow
 * checks. WebAssembly addresses one linear memory whose bounds are guarded by virtual memory, so
 * the same loop compiles to plain loads, stores and arithmetic.
 *
 * Same numbers: WebAssembly f64 arithmetic is IEEE 754 binary64 with round-to-nearest and no
 * contraction (f64.mul then f64.add are two roundings, as in JavaScript), comparisons and
 * `select` follow the JavaScript expressions below operation for operation, so the kernel gives
 * the same bits as the TypeScript one (tested: test/emulator/wasm-kernel.test.ts).
 *
 * Memory layout (byte offsets passed as arguments): V (f64 per compartment), I (f64 pairs per
 * circuit), lean (8 f64 per compartment: e^{−λdt}, constant part, κ/C exc, κ/C inh,
 * e^{−dt/τ} exc, e^{−dt/τ} inh, threshold, unused), active (i32), mode (u8), circ0 (i32),
 * awake (u8), flagged (i32), other (i32), count (i32 ×8).
 */

import { EMPTY, F64, I32, f64, functionBody, name, s32, section, u32, vec } from './wasm-encode.ts';

/** A WebAssembly.Memory (the project's TypeScript lib has no WebAssembly types). */
export interface WasmMemory { readonly buffer: ArrayBuffer }

// Opcodes (WebAssembly core specification 1.0, §5.4).
const OP = {
  block: 0x02, loop: 0x03, if: 0x04, else: 0x05, end: 0x0b, br: 0x0c, brIf: 0x0d, return: 0x0f,
  select: 0x1b, get: 0x20, set: 0x21, tee: 0x22,
  i32load: 0x28, f64load: 0x2b, i32load8u: 0x2d, i32store: 0x36, f64store: 0x39, i32store8: 0x3a,
  i32const: 0x41, f64const: 0x44,
  f64eq: 0x61, f64lt: 0x63, f64gt: 0x64, f64ge: 0x66,
  i32geS: 0x4e, i32add: 0x6a, i32and: 0x71, i32shl: 0x74,
  f64add: 0xa0, f64mul: 0xa2,
} as const;

/**
 * The kernel takes no arguments (a JS→wasm call with many arguments goes through V8's generic
 * wrapper, ≈ 1 µs per call here): it reads them from a header at address 0, written once by
 * `writeLeanHeader` — i32 at 4·k: sleep, oV, oI, oL, oA, oM, oC, oW, oF, oO, oCnt; f64 at 64 + 8·k:
 * rail high, rail low, flush, −flush — and the count of active compartments from count[0].
 */
export const LEAN_HEADER_BYTES = 128;
const HEADER_I32 = ['sleep', 'oV', 'oI', 'oL', 'oA', 'oM', 'oC', 'oW', 'oF', 'oO', 'oCnt'] as const;
const HEADER_F64 = ['high', 'low', 'flush', 'negFlush'] as const;

export interface LeanHeader {
  sleep: number; oV: number; oI: number; oL: number; oA: number; oM: number; oC: number; oW: number; oF: number; oO: number; oCnt: number;
  high: number; low: number; flush: number; negFlush: number;
}

export function writeLeanHeader(memory: WasmMemory, h: LeanHeader): void {
  const i32 = new Int32Array(memory.buffer, 0, HEADER_I32.length);
  HEADER_I32.forEach((k, j) => { i32[j] = h[k]; });
  const f = new Float64Array(memory.buffer, 64, HEADER_F64.length);
  HEADER_F64.forEach((k, j) => { f[j] = h[k]; });
}

// Locals of the kernel function (all loaded from the header, or working variables).
const P = { n: 0, sleep: 1, oV: 2, oI: 3, oL: 4, oA: 5, oM: 6, oC: 7, oW: 8, oF: 9, oO: 10, oCnt: 11, high: 12, low: 13, flush: 14, negFlush: 15 } as const;
const L = { k: 16, c: 17, te: 18, q: 19, va: 20, nf: 21, no: 22, slept: 23, ie: 24, ii: 25, v0: 26, v: 27, x: 28 } as const;

function code(): number[] {
  const c: number[] = [];
  const get = (i: number): void => { c.push(OP.get, ...u32(i)); };
  const set = (i: number): void => { c.push(OP.set, ...u32(i)); };
  const i32c = (v: number): void => { c.push(OP.i32const, ...s32(v)); };
  const f64c = (v: number): void => { c.push(OP.f64const, ...f64(v)); };
  const ldF = (offset: number): void => { c.push(OP.f64load, 3, ...u32(offset)); };
  const stF = (offset: number): void => { c.push(OP.f64store, 3, ...u32(offset)); };
  const ldI = (offset: number): void => { c.push(OP.i32load, 2, ...u32(offset)); };
  const stI = (offset: number): void => { c.push(OP.i32store, 2, ...u32(offset)); };
  /** base + (index << shift) */
  const addr = (base: number, index: number, shift: number): void => {
    get(base); get(index);
    if (shift > 0) { i32c(shift); c.push(OP.i32shl); }
    c.push(OP.i32add);
  };
  const inc = (i: number): void => { get(i); i32c(1); c.push(OP.i32add); set(i); };
  /** x < FLUSH && x > −FLUSH ? 0 : x, from local x. */
  const flushX = (): void => {
    f64c(0); get(L.x);
    get(L.x); get(P.flush); c.push(OP.f64lt);
    get(L.x); get(P.negFlush); c.push(OP.f64gt);
    c.push(OP.i32and, OP.select);
  };

  // Header → locals: P.sleep..P.oCnt are i32 at 4·(k−1), P.high.. f64 at 64 + 8·k; n = count[0].
  HEADER_I32.forEach((_, j) => { i32c(0); ldI(4 * j); set(P.sleep + j); });
  HEADER_F64.forEach((_, j) => { i32c(0); ldF(64 + 8 * j); set(P.high + j); });
  get(P.oCnt); ldI(0); set(P.n);
  c.push(OP.block, EMPTY);
  c.push(OP.loop, EMPTY);
  //   if (k >= n) break
  get(L.k); get(P.n); c.push(OP.i32geS, OP.brIf, ...u32(1));
  //   c = active[k]; k++
  addr(P.oA, L.k, 2); ldI(0); set(L.c);
  inc(L.k);
  //   if (mode[c] !== 0) { other[no++] = c; continue; }
  get(P.oM); get(L.c); c.push(OP.i32add, OP.i32load8u, 0, 0);
  c.push(OP.if, EMPTY);
  addr(P.oO, L.no, 2); get(L.c); stI(0);
  inc(L.no);
  c.push(OP.br, ...u32(1));
  c.push(OP.end);
  //   te = byte offset of I[2·circ0[c]], q of lean[8c], va of V[c]
  get(P.oI); addr(P.oC, L.c, 2); ldI(0); i32c(4); c.push(OP.i32shl, OP.i32add); set(L.te);
  addr(P.oL, L.c, 6); set(L.q);
  addr(P.oV, L.c, 3); set(L.va);
  get(L.te); ldF(0); set(L.ie);
  get(L.te); ldF(8); set(L.ii);
  get(L.va); ldF(0); set(L.v0);
  //   v = v0·lean[q] + lean[q+1] + ie·lean[q+2] + ii·lean[q+3]   (left to right, as in JS)
  get(L.v0); get(L.q); ldF(0); c.push(OP.f64mul);
  get(L.q); ldF(8); c.push(OP.f64add);
  get(L.ie); get(L.q); ldF(16); c.push(OP.f64mul, OP.f64add);
  get(L.ii); get(L.q); ldF(24); c.push(OP.f64mul, OP.f64add);
  set(L.v);
  //   v = v > HIGH ? HIGH : v < LOW ? LOW : v
  get(P.high);
  get(P.low); get(L.v); get(L.v); get(P.low); c.push(OP.f64lt, OP.select);
  get(L.v); get(P.high); c.push(OP.f64gt, OP.select);
  set(L.v);
  get(L.va); get(L.v); stF(0);
  //   I[te] = flush(ie·lean[q+4]); I[te+1] = flush(ii·lean[q+5])
  get(L.ie); get(L.q); ldF(32); c.push(OP.f64mul); set(L.x);
  get(L.te); flushX(); stF(0);
  get(L.ii); get(L.q); ldF(40); c.push(OP.f64mul); set(L.x);
  get(L.te); flushX(); stF(8);
  //   if (v >= threshold) flagged[nf++] = c
  get(L.v); get(L.q); ldF(48); c.push(OP.f64ge);
  c.push(OP.if, EMPTY);
  addr(P.oF, L.nf, 2); get(L.c); stI(0);
  inc(L.nf);
  c.push(OP.else);
  //   else if (v === v0 && ie === 0 && ii === 0 && sleep === 1) { awake[c] = 0; slept++ }
  get(L.v); get(L.v0); c.push(OP.f64eq);
  get(L.ie); f64c(0); c.push(OP.f64eq, OP.i32and);
  get(L.ii); f64c(0); c.push(OP.f64eq, OP.i32and);
  get(P.sleep); c.push(OP.i32and);
  c.push(OP.if, EMPTY);
  get(P.oW); get(L.c); c.push(OP.i32add); i32c(0); c.push(OP.i32store8, 0, 0);
  inc(L.slept);
  c.push(OP.end);
  c.push(OP.end);
  c.push(OP.br, ...u32(0));
  c.push(OP.end); // loop
  c.push(OP.end); // block
  //   count[1] = nf; count[2] = slept; count[3] = no
  get(P.oCnt); get(L.nf); stI(4);
  get(P.oCnt); get(L.slept); stI(8);
  get(P.oCnt); get(L.no); stI(12);
  c.push(OP.end);
  // Locals 0..11 and 16..23 i32, 12..15 and 24..28 f64.
  const locals = vec([[...u32(12), I32], [...u32(4), F64], [...u32(8), I32], [...u32(5), F64]]);
  const body = [...locals, ...c];
  return [...u32(body.length), ...body];
}

// ------------------------------------------------------------------------------------------------
// The step functions beside the lean kernel (same module, same memory): a dense SIMD variant of
// the lean kernel, the delivery of a step's events through the routing tables, and the
// application of the accumulated pulses. Their arguments sit in a second header at byte 128.

/** i32 fields of the step header, at 128 + 4·k. */
export const STEP_HEADER_I32 = [
  'nPairs', 'tail', 'oD',
  'oRowPtr', 'oEntry', 'oApw', 'oNodePtr', 'oNodes', 'oAccA', 'oAccB', 'oTouched', 'oMarked',
  'oEvIn', 'oEvLabel', 'oEvH', 'nEv', 'pulses', 'nTouched',
  'oCompOf', 'oTauS', 'oCap', 'woke',
  'oBgTime', 'oBgLabel', 'oBgPos', 'oBgFill', 'oBgInput', 'nBg', 'bgK', 'status', 'bgEvents', 'evCap', 'scratch',
  'oNs', 'oRc', 'oPause',
] as const;
/** f64 fields of the step header, at STEP_F64_OFFSET + 8·k. */
export const STEP_HEADER_F64 = ['tb', 'tEnd', 'latency', 'tLate', 'tEndK'] as const;
export const STEP_F64_OFFSET = 272;
/** Slots per background source in the event blocks (engine.ts `BackgroundBlocks`). */
export const BACKGROUND_BLOCK = 256;
export type StepHeaderField = (typeof STEP_HEADER_I32)[number];
export const STEP_HEADER_OFFSET = 128;
/** Byte address of a step-header field (for Int32Array views on it). */
export function stepHeaderAddress(field: StepHeaderField): number {
  return STEP_HEADER_OFFSET + 4 * STEP_HEADER_I32.indexOf(field);
}
/** Bytes before the first array: both headers. */
export const HEADER_BYTES = 320;
/** Bytes of the dense kernel's constants per pair of compartments (see `denseBody`). */
export const DENSE_PAIR_BYTES = 112;

export function writeStepHeader(memory: WasmMemory, h: Partial<Record<StepHeaderField, number>>): void {
  const i32 = new Int32Array(memory.buffer, STEP_HEADER_OFFSET, STEP_HEADER_I32.length);
  STEP_HEADER_I32.forEach((k, j) => { const v = h[k]; if (v !== undefined) i32[j] = v; });
}

const V128 = 0x7b;
// SIMD opcodes (WebAssembly 2.0 §5.4.8, prefix 0xfd, LEB128 sub-opcode).
const SIMD = {
  load: 0x00, store: 0x0b, shuffle: 0x0d, splat: 0x14,
  and: 0x4e, andnot: 0x4f, anyTrue: 0x53,
  lt: 0x49, gt: 0x4a, ge: 0x4c, bitmask64: 0xc4,
  add: 0xf0, mul: 0xf2, pmin: 0xf6, pmax: 0xf7,
} as const;

/** A function body under construction: locals by index, typed in order of creation. */
class Fn {
  readonly c: number[] = [];
  private readonly types: number[] = [];
  local(type: number): number { this.types.push(type); return this.types.length - 1; }
  op(...b: number[]): void { this.c.push(...b); }
  get(l: number): void { this.c.push(OP.get, ...u32(l)); }
  set(l: number): void { this.c.push(OP.set, ...u32(l)); }
  i32(v: number): void { this.c.push(OP.i32const, ...s32(v)); }
  f64(v: number): void { this.c.push(OP.f64const, ...f64(v)); }
  simd(op: number, ...imm: number[]): void { this.c.push(0xfd, ...u32(op), ...imm); }
  ldI(off = 0): void { this.c.push(OP.i32load, 2, ...u32(off)); }
  ldU8(off = 0): void { this.c.push(OP.i32load8u, 0, ...u32(off)); }
  ldU16(off = 0): void { this.c.push(0x2f, 1, ...u32(off)); }
  ldF(off = 0): void { this.c.push(OP.f64load, 3, ...u32(off)); }
  ldV(off = 0): void { this.simd(SIMD.load, 3, ...u32(off)); }
  stI(off = 0): void { this.c.push(OP.i32store, 2, ...u32(off)); }
  stU8(off = 0): void { this.c.push(OP.i32store8, 0, ...u32(off)); }
  stF(off = 0): void { this.c.push(OP.f64store, 3, ...u32(off)); }
  stV(off = 0): void { this.simd(SIMD.store, 3, ...u32(off)); }
  /** local ← base + (index << shift) */
  addr(dst: number, base: number, index: number, shift: number): void {
    this.get(base); this.get(index);
    if (shift > 0) { this.i32(shift); this.op(OP.i32shl); }
    this.op(OP.i32add);
    this.set(dst);
  }
  inc(l: number, by = 1): void { this.get(l); this.i32(by); this.op(OP.i32add); this.set(l); }
  /** local ← i32 header field at byte `at`. */
  hdr(dst: number, at: number): void { this.i32(0); this.ldI(at); this.set(dst); }
  /** while (i < n) { body; } — `body` must advance i. */
  whileLt(i: number, n: number, body: () => void): void {
    this.op(OP.block, EMPTY, OP.loop, EMPTY);
    this.get(i); this.get(n); this.op(OP.i32geS, OP.brIf, 1);
    body();
    this.op(OP.br, 0, OP.end, OP.end);
  }
  body(): number[] {
    return functionBody(this.types, this.c);
  }
}

const leanAt = (field: (typeof HEADER_I32)[number]): number => 4 * HEADER_I32.indexOf(field);
const stepAt = (field: StepHeaderField): number => stepHeaderAddress(field);

/**
 * The lean kernel over every compartment at once, two per f64x2 (the full die's case: every
 * compartment scalar, compartment c = circuit c, most of them awake). Per pair (c, c+1) with
 * both modes 0, the same expressions as `leanKernel` lane by lane, in the same order:
 *   v = ((V·e + k₀) + I_exc·κ_exc) + I_inh·κ_inh, clamped to the rails; I ← flush(I·decay);
 *   v ≥ threshold → flagged.
 * The inputs stay in the engine's layout (I_exc, I_inh per circuit): each circuit's pair is one
 * f64x2, multiplied by its (κ_exc, κ_inh) and (decay_exc, decay_inh) vectors, and the products
 * are regrouped by a shuffle into (c, c+1) lanes for the membrane sum. Constants per pair, 112
 * bytes at oD + 112·p: (e_c, e_c+1), (k₀_c, k₀_c+1), (κe_c, κi_c), (κe_c+1, κi_c+1),
 * (de_c, di_c), (de_c+1, di_c+1), (θ_c, θ_c+1).
 * Lane semantics: pmax(v, LOW) = v < LOW ? LOW : v and pmin(w, HIGH) = HIGH < w ? HIGH : w give
 * the rails' ternary (NaN and −0 included); the flush is v128.andnot with the mask
 * (x < FLUSH & x > −FLUSH). A pair with a mode ≠ 0 goes through the scalar body (lean kernel's,
 * with `other` for the mode ≠ 0 one), as does the last compartment of an odd count. A sleeping
 * compartment (mode 0, no input, at its fixed point) is stepped to the same bits; nothing is put
 * to sleep here (the engine runs the sparse kernel now and then for that).
 */
function denseBody(): number[] {
  const f = new Fn();
  const [np, p, c, oV, oI, oM, oL, oD, oF, oO, oCnt, nf, no, dq, ia, va, te, q, bm] = Array.from({ length: 19 }, () => f.local(I32));
  const [high, low, flush, negFlush, ie, ii, v0, vs, x] = Array.from({ length: 9 }, () => f.local(F64));
  const [x0, x1, v, p0, p1, y, lowV, highV, flushV, negFlushV, ge] = Array.from({ length: 11 }, () => f.local(V128));
  f.hdr(oV, leanAt('oV')); f.hdr(oI, leanAt('oI')); f.hdr(oM, leanAt('oM')); f.hdr(oL, leanAt('oL'));
  f.hdr(oF, leanAt('oF')); f.hdr(oO, leanAt('oO')); f.hdr(oCnt, leanAt('oCnt'));
  f.hdr(np, stepAt('nPairs')); f.hdr(oD, stepAt('oD'));
  [high, low, flush, negFlush].forEach((l, j) => { f.i32(0); f.ldF(64 + 8 * j); f.set(l); });
  const splat = (src: number, dst: number): void => { f.get(src); f.simd(SIMD.splat); f.set(dst); };
  splat(low, lowV); splat(high, highV); splat(flush, flushV); splat(negFlush, negFlushV);
  const push = (list: number, counter: number, value: number): void => {
    f.get(list); f.get(counter); f.i32(2); f.op(OP.i32shl, OP.i32add); f.get(value); f.stI(0);
    f.inc(counter);
  };
  const flushX = (): void => {
    f.f64(0); f.get(x);
    f.get(x); f.get(flush); f.op(OP.f64lt);
    f.get(x); f.get(negFlush); f.op(OP.f64gt);
    f.op(OP.i32and, OP.select);
  };
  /**
   * The scalar body for compartment `cl` (circuit cl) of a pair with a mode ≠ 0: mode 0 the lean
   * kernel's (without the sleep test); not simple (bit 1) → `other`; otherwise `scalarKernel`'s
   * (engine.ts) for a simple compartment with a switch pending (bit 4), in reset or not (bit 2):
   * a switch inside the step (nextSwitch < tLate) → flagged untouched (the general path);
   * else the full step with the reset's constants (e_R, k₀_R, κ_R; the inputs gated by the
   * pause) or the free ones, flagged when v ≥ θ or the switch is due (nextSwitch ≤ tEnd).
   */
  const [va1, md, rq, oNs, oRc, oPause] = Array.from({ length: 6 }, () => f.local(I32));
  const [ns, tLate, tEndK] = Array.from({ length: 3 }, () => f.local(F64));
  f.hdr(oNs, stepAt('oNs')); f.hdr(oRc, stepAt('oRc')); f.hdr(oPause, stepAt('oPause'));
  f.i32(0); f.ldF(STEP_F64_OFFSET + 8 * STEP_HEADER_F64.indexOf('tLate')); f.set(tLate);
  f.i32(0); f.ldF(STEP_F64_OFFSET + 8 * STEP_HEADER_F64.indexOf('tEndK')); f.set(tEndK);
  const scalarOne = (cl: number): void => {
    f.get(oM); f.get(cl); f.op(OP.i32add); f.ldU8(0); f.set(md);
    f.op(OP.block, EMPTY);
    // not simple → other
    f.get(md); f.i32(1); f.op(OP.i32and);
    f.op(OP.if, EMPTY); push(oO, no, cl); f.op(OP.br, 1, OP.end);
    // a switch pending: inside the step → flagged for the general path
    f.get(md);
    f.op(OP.if, EMPTY);
    f.addr(rq, oNs, cl, 3); f.get(rq); f.ldF(0); f.set(ns);
    f.get(ns); f.get(tLate); f.op(OP.f64lt);
    f.op(OP.if, EMPTY); push(oF, nf, cl); f.op(OP.br, 2, OP.end);
    f.op(OP.end);
    f.addr(te, oI, cl, 4); f.addr(q, oL, cl, 6); f.addr(va1, oV, cl, 3);
    f.get(te); f.ldF(0); f.set(ie);
    f.get(te); f.ldF(8); f.set(ii);
    f.get(va1); f.ldF(0); f.set(v0);
    f.get(md); f.i32(2); f.op(OP.i32and);
    f.op(OP.if, EMPTY);
    // in reset: v = v0·e_R + k₀_R; if (!pause) v += I_exc·κ_R,exc + I_inh·κ_R,inh
    f.addr(rq, oRc, cl, 5);
    f.get(v0); f.get(rq); f.ldF(0); f.op(OP.f64mul); f.get(rq); f.ldF(8); f.op(OP.f64add); f.set(vs);
    f.get(oPause); f.get(cl); f.op(OP.i32add); f.ldU8(0); f.op(0x45 /* i32.eqz */);
    f.op(OP.if, EMPTY);
    f.get(vs);
    f.get(ie); f.get(rq); f.ldF(16); f.op(OP.f64mul);
    f.get(ii); f.get(rq); f.ldF(24); f.op(OP.f64mul);
    f.op(OP.f64add, OP.f64add); f.set(vs);
    f.op(OP.end);
    f.op(OP.else);
    f.get(v0); f.get(q); f.ldF(0); f.op(OP.f64mul);
    f.get(q); f.ldF(8); f.op(OP.f64add);
    f.get(ie); f.get(q); f.ldF(16); f.op(OP.f64mul, OP.f64add);
    f.get(ii); f.get(q); f.ldF(24); f.op(OP.f64mul, OP.f64add);
    f.set(vs);
    f.op(OP.end);
    f.get(high);
    f.get(low); f.get(vs); f.get(vs); f.get(low); f.op(OP.f64lt, OP.select);
    f.get(vs); f.get(high); f.op(OP.f64gt, OP.select);
    f.set(vs);
    f.get(va1); f.get(vs); f.stF(0);
    f.get(ie); f.get(q); f.ldF(32); f.op(OP.f64mul); f.set(x);
    f.get(te); flushX(); f.stF(0);
    f.get(ii); f.get(q); f.ldF(40); f.op(OP.f64mul); f.set(x);
    f.get(te); flushX(); f.stF(8);
    // flagged: v ≥ θ, or (a switch pending) the switch due at the step's end
    f.get(vs); f.get(q); f.ldF(48); f.op(OP.f64ge);
    f.get(md); f.i32(0); f.op(0x47 /* i32.ne */); f.get(ns); f.get(tEndK); f.op(0x65 /* f64.le */); f.op(OP.i32and);
    f.op(0x72 /* i32.or */);
    f.op(OP.if, EMPTY);
    push(oF, nf, cl);
    f.op(OP.end);
    f.op(OP.end);
  };
  const flushY = (): void => {
    // y & ~(y < FLUSH & y > −FLUSH)
    f.get(y);
    f.get(y); f.get(flushV); f.simd(SIMD.lt);
    f.get(y); f.get(negFlushV); f.simd(SIMD.gt);
    f.simd(SIMD.and);
    f.simd(SIMD.andnot);
  };
  // Running addresses (pair p: c = 2p, its V at va, its inputs at ia, its constants at dq, its
  // modes at mp), advanced at the end of each pair.
  const mp = f.local(I32);
  f.get(oV); f.set(va); f.get(oI); f.set(ia); f.get(oD); f.set(dq); f.get(oM); f.set(mp);
  // Runs of pairs whose modes are both 0 go through a tight f64x2 loop without a mode test
  // (a test with the scalar body inline in the same loop cost ≈ 25 %: register pressure);
  // the pair that ends a run goes through the scalar body.
  const runEnd = f.local(I32);
  f.whileLt(p, np, () => {
    // runEnd = first pair ≥ p with a mode ≠ 0 (or np)
    f.get(p); f.set(runEnd);
    // four pairs at a time (eight mode bytes as one i64), then pair by pair
    f.op(OP.block, EMPTY, OP.loop, EMPTY);
    f.get(runEnd); f.i32(4); f.op(OP.i32add); f.get(np); f.op(0x4a /* i32.gt_s */, OP.brIf, 1);
    f.get(oM); f.get(runEnd); f.i32(1); f.op(OP.i32shl, OP.i32add); f.op(0x29 /* i64.load */, 3, 0); f.op(0x50 /* i64.eqz */, 0x45 /* i32.eqz */, OP.brIf, 1);
    f.inc(runEnd, 4);
    f.op(OP.br, 0, OP.end, OP.end);
    f.op(OP.block, EMPTY, OP.loop, EMPTY);
    f.get(runEnd); f.get(np); f.op(OP.i32geS, OP.brIf, 1);
    f.get(oM); f.get(runEnd); f.i32(1); f.op(OP.i32shl, OP.i32add); f.ldU16(0); f.op(OP.brIf, 1);
    f.inc(runEnd);
    f.op(OP.br, 0, OP.end, OP.end);
    f.whileLt(p, runEnd, () => {
      f.get(ia); f.ldV(0); f.set(x0);
      f.get(ia); f.ldV(16); f.set(x1);
      f.get(va); f.ldV(0); f.get(dq); f.ldV(0); f.simd(SIMD.mul); f.get(dq); f.ldV(16); f.simd(SIMD.add); f.set(v);
      f.get(x0); f.get(dq); f.ldV(32); f.simd(SIMD.mul); f.set(p0);
      f.get(x1); f.get(dq); f.ldV(48); f.simd(SIMD.mul); f.set(p1);
      f.get(v); f.get(p0); f.get(p1); f.simd(SIMD.shuffle, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23); f.simd(SIMD.add);
      f.get(p0); f.get(p1); f.simd(SIMD.shuffle, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31); f.simd(SIMD.add);
      f.get(lowV); f.simd(SIMD.pmax); f.get(highV); f.simd(SIMD.pmin); f.set(v);
      f.get(va); f.get(v); f.stV(0);
      f.get(x0); f.get(dq); f.ldV(64); f.simd(SIMD.mul); f.set(y);
      f.get(ia); flushY(); f.stV(0);
      f.get(x1); f.get(dq); f.ldV(80); f.simd(SIMD.mul); f.set(y);
      f.get(ia); flushY(); f.stV(16);
      f.get(v); f.get(dq); f.ldV(96); f.simd(SIMD.ge); f.set(ge);
      f.get(ge); f.simd(SIMD.anyTrue);
      f.op(OP.if, EMPTY);
      f.get(p); f.i32(1); f.op(OP.i32shl); f.set(c);
      f.get(ge); f.simd(SIMD.bitmask64); f.set(bm);
      f.get(bm); f.i32(1); f.op(OP.i32and);
      f.op(OP.if, EMPTY); push(oF, nf, c); f.op(OP.end);
      f.get(bm); f.i32(2); f.op(OP.i32and);
      f.op(OP.if, EMPTY); f.get(c); f.i32(1); f.op(OP.i32add); f.set(q); push(oF, nf, q); f.op(OP.end);
      f.op(OP.end);
      f.inc(p);
      f.inc(va, 16); f.inc(ia, 32); f.inc(dq, DENSE_PAIR_BYTES); f.inc(mp, 2);
    });
    f.get(p); f.get(np); f.op(0x48 /* i32.lt_s */);
    f.op(OP.if, EMPTY);
    {
      f.get(p); f.i32(1); f.op(OP.i32shl); f.set(c);
      scalarOne(c);
      f.get(c); f.i32(1); f.op(OP.i32add); f.set(c);
      scalarOne(c);
      f.inc(p);
      f.inc(va, 16); f.inc(ia, 32); f.inc(dq, DENSE_PAIR_BYTES); f.inc(mp, 2);
    }
    f.op(OP.end);
  });
  // The last compartment of an odd count.
  f.i32(0); f.ldI(stepAt('tail'));
  f.op(OP.if, EMPTY);
  f.get(np); f.i32(1); f.op(OP.i32shl); f.set(c);
  scalarOne(c);
  f.op(OP.end);
  f.get(oCnt); f.get(nf); f.stI(4);
  f.get(oCnt); f.i32(0); f.stI(8);
  f.get(oCnt); f.get(no); f.stI(12);
  return f.body();
}

/**
 * The events of one step through the routing tables (`deliverEvent` in engine.ts, the same
 * operations in the same order): for each event (crossbar input, label, offset h before the
 * step's end) in list order, every crossbar node of the input that passes the label → bus → the
 * CSR row of (bus, label), one i32 per synapse (target input | weight << 16: a third of the
 * bytes of target + amplitude, which matters because each event's row is a cache miss) → each
 * synapse's current jump accumulated into accA[target] (ΣΔI) and
 * accB[target] (ΣΔI·h), the target appended to `touched` on its first pulse of the step.
 * Adds the pulses to header `pulses`; keeps `nTouched` in the header.
 */
interface RouteLocals {
  input: number; label: number; h: number; k: number; kEnd: number; out: number; key: number; s: number; end: number; tgt: number;
  nt: number; pulses: number; amp: number; at: number; acc: number;
  oRowPtr: number; oEntry: number; oApw: number; oNodePtr: number; oNodes: number; oAccA: number; oAccB: number; oTouched: number; oMarked: number;
}

/** Locals of the routing code and the header fields it needs, loaded at the function's entry. */
function routeLocals(f: Fn): RouteLocals {
  const i = (): number => f.local(I32);
  const r: RouteLocals = {
    input: i(), label: i(), h: f.local(F64), k: i(), kEnd: i(), out: i(), key: i(), s: i(), end: i(), tgt: i(), nt: i(), pulses: i(),
    amp: f.local(F64), at: i(), acc: f.local(F64), oRowPtr: i(), oEntry: i(), oApw: i(), oNodePtr: i(), oNodes: i(), oAccA: i(), oAccB: i(), oTouched: i(), oMarked: i(),
  };
  const fields: StepHeaderField[] = ['oRowPtr', 'oEntry', 'oApw', 'oNodePtr', 'oNodes', 'oAccA', 'oAccB', 'oTouched', 'oMarked'];
  for (const name of fields) f.hdr(r[name as keyof RouteLocals], stepAt(name));
  f.hdr(r.nt, stepAt('nTouched'));
  f.hdr(r.pulses, stepAt('pulses'));
  return r;
}

/** Store the touched count and the pulses back to the header. */
function routeStore(f: Fn, r: RouteLocals): void {
  f.i32(0); f.get(r.nt); f.stI(stepAt('nTouched'));
  f.i32(0); f.get(r.pulses); f.stI(stepAt('pulses'));
}

/**
 * One event (locals input, label, h) through the routing tables (`deliverEvent` in engine.ts, the
 * same operations in the same order): every crossbar node of the input that passes the label →
 * bus → the CSR row of (bus, label), one i32 per synapse (target input | weight << 16: a third of
 * the bytes of target + amplitude, which matters because each event's row is a cache miss) →
 * each synapse's current jump accumulated into accA[target] (ΣΔI) and accB[target] (ΣΔI·h), the
 * target appended to `touched` on its first pulse of the step (`marked` is not used: accA = 0).
 */
function emitRoute(f: Fn, r: RouteLocals): void {
  const { input, label, h, k, kEnd, out, key, s, end, tgt, nt, pulses, amp, at, acc } = r;
  f.addr(at, r.oNodePtr, input, 2);
  f.get(at); f.ldI(0); f.set(k);
  f.get(at); f.ldI(4); f.set(kEnd);
  f.whileLt(k, kEnd, () => {
    f.addr(at, r.oNodes, k, 2);
    f.get(at); f.ldI(0); f.set(out);
    f.inc(k, 3);
    // out < 8 (a synapse-driver bus) && (label & mask) === target
    f.get(out); f.i32(8); f.op(0x48 /* i32.lt_s */);
    f.get(label); f.get(at); f.ldI(4); f.op(OP.i32and); f.get(at); f.ldI(8); f.op(0x46 /* i32.eq */);
    f.op(OP.i32and);
    f.op(OP.if, EMPTY);
    f.get(out); f.i32(11); f.op(OP.i32shl); f.get(label); f.i32(0x7ff); f.op(OP.i32and); f.op(OP.i32add); f.set(key);
    f.addr(at, r.oRowPtr, key, 2);
    f.get(at); f.ldI(0); f.set(s);
    f.get(at); f.ldI(4); f.set(end);
    f.get(pulses); f.get(end); f.op(OP.i32add); f.get(s); f.op(0x6b /* i32.sub */); f.set(pulses);
    f.whileLt(s, end, () => {
      // entry = target | weight << 16; amp = weight · (jump per unit weight of the target),
      // the product that defines RoutingTable.amplitude (same bits).
      f.addr(at, r.oEntry, s, 2); f.get(at); f.ldI(0); f.set(key);
      f.get(key); f.i32(0xffff); f.op(OP.i32and); f.set(tgt);
      f.get(key); f.i32(16); f.op(0x76 /* i32.shr_u */, 0xb8 /* f64.convert_i32_u */);
      f.addr(at, r.oApw, tgt, 3); f.get(at); f.ldF(0); f.op(OP.f64mul); f.set(amp);
      f.inc(s);
      // accA = 0 marks an input without a pulse in this step: every jump of an input has the
      // input's sign and is non-zero (the engine checks), so a touched input's sum never is 0.
      f.addr(at, r.oAccA, tgt, 3); f.get(at); f.ldF(0); f.set(acc);
      f.get(acc); f.f64(0); f.op(0x61 /* f64.eq */);
      f.op(OP.if, EMPTY);
      f.addr(r.key, r.oTouched, nt, 2); f.get(r.key); f.get(tgt); f.stI(0);
      f.inc(nt);
      f.op(OP.end);
      f.get(at); f.get(acc); f.get(amp); f.op(OP.f64add); f.stF(0);
      f.addr(at, r.oAccB, tgt, 3); f.get(at); f.get(at); f.ldF(0); f.get(amp); f.get(h); f.op(OP.f64mul, OP.f64add); f.stF(0);
    });
    f.op(OP.end);
  });
}

/**
 * The event list of one step (crossbar input, label, offset h before the step's end; header nEv
 * events), in list order, through `emitRoute`. Adds to header `pulses` and `nTouched`; nEv ← 0.
 */
function deliverBody(): number[] {
  const f = new Fn();
  const r = routeLocals(f);
  const [nEv, e, oEvIn, oEvLabel, oEvH] = Array.from({ length: 5 }, () => f.local(I32));
  f.hdr(nEv, stepAt('nEv')); f.hdr(oEvIn, stepAt('oEvIn')); f.hdr(oEvLabel, stepAt('oEvLabel')); f.hdr(oEvH, stepAt('oEvH'));
  // First pass: each event's row pointer and its row's first entry loaded (into a scratch sum),
  // so that the cache misses of all the events' rows overlap instead of each event's chain
  // (label → row pointer → entries) stalling the routing in turn (the load is the prefetch
  // WebAssembly lacks; the result is stored so that it is not dead code).
  const seen = f.local(I32);
  f.whileLt(e, nEv, () => {
    f.addr(r.at, oEvIn, e, 2); f.get(r.at); f.ldI(0); f.set(r.input);
    f.addr(r.at, oEvLabel, e, 2); f.get(r.at); f.ldI(0); f.set(r.label);
    f.inc(e);
    f.addr(r.at, r.oNodePtr, r.input, 2);
    f.get(r.at); f.ldI(0); f.set(r.k);
    f.get(r.at); f.ldI(4); f.set(r.kEnd);
    f.whileLt(r.k, r.kEnd, () => {
      f.addr(r.at, r.oNodes, r.k, 2);
      f.get(r.at); f.ldI(0); f.set(r.out);
      f.inc(r.k, 3);
      f.get(r.out); f.i32(8); f.op(0x48 /* i32.lt_s */);
      f.op(OP.if, EMPTY);
      f.get(r.out); f.i32(11); f.op(OP.i32shl); f.get(r.label); f.i32(0x7ff); f.op(OP.i32and); f.op(OP.i32add); f.set(r.key);
      f.addr(r.at, r.oRowPtr, r.key, 2); f.get(r.at); f.ldI(0); f.set(r.s);
      f.get(seen); f.addr(r.at, r.oEntry, r.s, 2); f.get(r.at); f.ldI(0); f.op(0x73 /* i32.xor */); f.set(seen);
      f.op(OP.end);
    });
  });
  f.i32(0); f.get(seen); f.stI(stepAt('scratch'));
  f.i32(0); f.set(e);
  f.whileLt(e, nEv, () => {
    f.addr(r.at, oEvIn, e, 2); f.get(r.at); f.ldI(0); f.set(r.input);
    f.addr(r.at, oEvLabel, e, 2); f.get(r.at); f.ldI(0); f.set(r.label);
    f.addr(r.at, oEvH, e, 3); f.get(r.at); f.ldF(0); f.set(r.h);
    f.inc(e);
    emitRoute(f, r);
  });
  routeStore(f, r);
  f.i32(0); f.i32(0); f.stI(stepAt('nEv'));
  return f.body();
}

/**
 * The background sources' events due by the step's end, taken from their blocks into the event
 * list (`deliverAll` in engine.ts: sources in order, each source's events in time order): for
 * source k from header bgK on, while its next event's arrival ta = t_entry + latency satisfies
 * ta ≤ tEnd, (crossbar input, label, h = tb > ta ? tb − ta : 0) is appended at nEv. A source
 * whose block is used up stops the function with status 1 and bgK = k (the engine draws the next
 * block, `refillBackground`, and calls again); a full list (evCap) with status 2 (the engine
 * delivers it and calls again); status 0 when done. Counts the events in bgEvents.
 */
function backgroundBody(): number[] {
  const f = new Fn();
  const [nb, kk, pos, slot, ev, oTime, oLabel, oPos, oFill, oInput, ne, cap, oEvIn, oEvLabel, oEvH, at] = Array.from({ length: 16 }, () => f.local(I32));
  const [tb, tEnd, lat, ta] = Array.from({ length: 4 }, () => f.local(F64));
  f.hdr(nb, stepAt('nBg')); f.hdr(kk, stepAt('bgK')); f.hdr(ev, stepAt('bgEvents'));
  f.hdr(oTime, stepAt('oBgTime')); f.hdr(oLabel, stepAt('oBgLabel')); f.hdr(oPos, stepAt('oBgPos')); f.hdr(oFill, stepAt('oBgFill')); f.hdr(oInput, stepAt('oBgInput'));
  f.hdr(ne, stepAt('nEv')); f.hdr(cap, stepAt('evCap'));
  f.hdr(oEvIn, stepAt('oEvIn')); f.hdr(oEvLabel, stepAt('oEvLabel')); f.hdr(oEvH, stepAt('oEvH'));
  [tb, tEnd, lat].forEach((l, j) => { f.i32(0); f.ldF(STEP_F64_OFFSET + 8 * j); f.set(l); });
  const status = f.local(I32);
  f.op(OP.block, EMPTY); // exit with `status` set (1: block used up, 2: list full)
  f.whileLt(kk, nb, () => {
    f.op(OP.block, EMPTY, OP.loop, EMPTY);
    // the list is full → status 2 (the engine delivers it and calls again)
    f.i32(2); f.set(status);
    f.get(ne); f.get(cap); f.op(OP.i32geS, OP.brIf, 4);
    // pos = pos[k]; if (pos === fill[k]) → status 1
    f.i32(1); f.set(status);
    f.addr(at, oPos, kk, 2); f.get(at); f.ldI(0); f.set(pos);
    f.get(pos); f.addr(at, oFill, kk, 2); f.get(at); f.ldI(0); f.op(0x46 /* i32.eq */, OP.brIf, 4);
    // slot = k·BLOCK + pos; ta = time[slot] + latency; if (!(ta <= tEnd)) next source
    f.get(kk); f.i32(BACKGROUND_BLOCK); f.op(0x6c /* i32.mul */); f.get(pos); f.op(OP.i32add); f.set(slot);
    f.addr(at, oTime, slot, 3); f.get(at); f.ldF(0); f.get(lat); f.op(OP.f64add); f.set(ta);
    f.get(ta); f.get(tEnd); f.op(0x65 /* f64.le */, 0x45 /* i32.eqz */, OP.brIf, 1);
    f.addr(at, oPos, kk, 2); f.get(at); f.get(pos); f.i32(1); f.op(OP.i32add); f.stI(0);
    // event list ← (crossbar input, label, h = tb > ta ? tb − ta : 0)
    f.addr(at, oEvIn, ne, 2); f.get(at); f.addr(slot, oInput, kk, 2); f.get(slot); f.ldI(0); f.stI(0);
    f.get(kk); f.i32(BACKGROUND_BLOCK); f.op(0x6c /* i32.mul */); f.get(pos); f.op(OP.i32add); f.set(slot);
    f.addr(at, oEvLabel, ne, 2); f.get(at); f.addr(slot, oLabel, slot, 2); f.get(slot); f.ldI(0); f.stI(0);
    f.addr(at, oEvH, ne, 3); f.get(at);
    f.get(tb); f.get(ta); f.op(0xa1 /* f64.sub */); f.f64(0); f.get(tb); f.get(ta); f.op(OP.f64gt, OP.select); f.stF(0);
    f.inc(ne);
    f.inc(ev);
    f.op(OP.br, 0, OP.end, OP.end);
    f.inc(kk);
  });
  f.i32(0); f.set(status);
  f.op(OP.end);
  f.i32(0); f.get(ne); f.stI(stepAt('nEv'));
  f.i32(0); f.get(ev); f.stI(stepAt('bgEvents'));
  f.i32(0); f.get(kk); f.stI(stepAt('bgK'));
  f.i32(0); f.get(status); f.stI(stepAt('status'));
  return f.body();
}

/**
 * The accumulated pulses applied at the step's end (`applyInputs` in engine.ts without COBA and
 * pause, the engine's condition for calling this): per touched input t of circuit i in
 * compartment c, in touched order,
 *   I[t] += accA − accB/τ_s[t];  V[c] += accB/C[c];  accA = accB = 0; awake[c] = 1,
 * header `woke` set when a sleeping compartment woke, `nTouched` reset.
 */
function applyBody(): number[] {
  const f = new Fn();
  const [n, kk, t, c, oTouched, oAccA, oAccB, oCompOf, oTauS, oCap, oV, oI, oW, woke, at, bt] = Array.from({ length: 16 }, () => f.local(I32));
  const [a, b] = [f.local(F64), f.local(F64)];
  const fields: [number, StepHeaderField][] = [[n, 'nTouched'], [oTouched, 'oTouched'], [oAccA, 'oAccA'], [oAccB, 'oAccB'], [oCompOf, 'oCompOf'], [oTauS, 'oTauS'], [oCap, 'oCap']];
  for (const [l, name] of fields) f.hdr(l, stepAt(name));
  f.hdr(oV, leanAt('oV')); f.hdr(oI, leanAt('oI')); f.hdr(oW, leanAt('oW'));
  f.whileLt(kk, n, () => {
    f.addr(at, oTouched, kk, 2); f.get(at); f.ldI(0); f.set(t);
    f.inc(kk);
    f.get(t); f.i32(1); f.op(0x75 /* i32.shr_s */); f.set(c);
    f.addr(at, oCompOf, c, 2); f.get(at); f.ldI(0); f.set(c);
    f.addr(at, oAccA, t, 3); f.get(at); f.ldF(0); f.set(a); f.get(at); f.f64(0); f.stF(0);
    f.addr(at, oAccB, t, 3); f.get(at); f.ldF(0); f.set(b); f.get(at); f.f64(0); f.stF(0);
    f.get(oW); f.get(c); f.op(OP.i32add); f.ldU8(0); f.op(0x45 /* i32.eqz */);
    f.op(OP.if, EMPTY);
    f.get(oW); f.get(c); f.op(OP.i32add); f.i32(1); f.stU8(0);
    f.i32(1); f.set(woke);
    f.op(OP.end);
    // I[t] += a − b / τ_s[t]
    f.addr(at, oI, t, 3); f.addr(bt, oTauS, t, 3);
    f.get(at); f.get(at); f.ldF(0); f.get(a); f.get(b); f.get(bt); f.ldF(0); f.op(0xa3 /* f64.div */, 0xa1 /* f64.sub */, OP.f64add); f.stF(0);
    // V[c] += b / C[c]
    f.addr(at, oV, c, 3); f.addr(bt, oCap, c, 3);
    f.get(at); f.get(at); f.ldF(0); f.get(b); f.get(bt); f.ldF(0); f.op(0xa3 /* f64.div */, OP.f64add); f.stF(0);
  });
  f.i32(0); f.i32(0); f.stI(stepAt('nTouched'));
  f.i32(0); f.get(woke); f.stI(stepAt('woke'));
  return f.body();
}

/** The module's bytes: imports memory env.mem, exports lean, dense, deliver and apply. */
export function leanKernelWasmBytes(): Uint8Array {
  const type = section(1, vec([[0x60, ...vec([]), ...vec([])]]));
  const imports = section(2, vec([[...name('env'), ...name('mem'), 0x02, 0x00, ...u32(1)]]));
  const names = ['lean', 'dense', 'deliver', 'apply', 'background'];
  const funcs = section(3, vec(names.map(() => u32(0))));
  const exports = section(7, vec(names.map((n, k) => [...name(n), 0x00, ...u32(k)])));
  const codeSec = section(10, vec([code(), denseBody(), deliverBody(), applyBody(), backgroundBody()]));
  return Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...type, ...imports, ...funcs, ...exports, ...codeSec]);
}

/** One pass of the lean kernel over the memory's arrays (arguments in its header). */
export type LeanKernelWasm = () => void;

/** The module's functions over one memory (arguments and results in the headers). */
export interface StepKernelsWasm {
  /** The lean kernel over the active list (`leanKernel`). */
  lean: () => void;
  /** The lean kernel over all compartments, two per f64x2 (`denseBody`). */
  dense: () => void;
  /** The step's event list through the routing tables into the accumulators (`deliverBody`). */
  deliver: () => void;
  /** The accumulated pulses onto I and V (`applyBody`). */
  apply: () => void;
  /** The background sources' due events from their blocks through the routing (`backgroundBody`). */
  background: () => void;
}

/**
 * The part of the WebAssembly JS API used here. The project's TypeScript configuration (lib
 * ES2023, types node) declares no WebAssembly types; Node has the API at run time.
 */
interface WasmApi {
  Memory: new (desc: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** A linear memory of at least `bytes` bytes (zeroed; never grown, so views on it stay valid). */
export function wasmMemory(bytes: number): WasmMemory {
  return new WA.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) });
}

let compiled: object | null = null;

/** Instantiate the kernel over `memory` (the module is compiled once per thread). */
export function instantiateLeanKernel(memory: WasmMemory): LeanKernelWasm {
  return instantiateStepKernels(memory).lean;
}

/** Instantiate the module's functions over `memory` (compiled once per thread). */
export function instantiateStepKernels(memory: WasmMemory): StepKernelsWasm {
  compiled ??= new WA.Module(leanKernelWasmBytes());
  const inst = new WA.Instance(compiled, { env: { mem: memory } });
  const x = inst.exports as Record<string, () => void>;
  return { lean: x.lean, dense: x.dense, deliver: x.deliver, apply: x.apply, background: x.background };
}

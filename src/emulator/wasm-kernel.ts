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

/** A WebAssembly.Memory (the project's TypeScript lib has no WebAssembly types). */
export interface WasmMemory { readonly buffer: ArrayBuffer }

const I32 = 0x7f;
const F64 = 0x7c;

/** Unsigned LEB128. */
function u32(n: number): number[] {
  const out: number[] = [];
  let v = n >>> 0;
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 (i32). */
function s32(n: number): number[] {
  const out: number[] = [];
  let v = n | 0;
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

function f64(x: number): number[] {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, x, true);
  return [...b];
}

function vec(items: number[][]): number[] {
  return [...u32(items.length), ...items.flat()];
}

function name(s: string): number[] {
  const b = [...new TextEncoder().encode(s)];
  return [...u32(b.length), ...b];
}

function section(id: number, body: number[]): number[] {
  return [id, ...u32(body.length), ...body];
}

// Opcodes (WebAssembly core specification 1.0, §5.4).
const OP = {
  block: 0x02, loop: 0x03, if: 0x04, else: 0x05, end: 0x0b, br: 0x0c, brIf: 0x0d,
  select: 0x1b, get: 0x20, set: 0x21, tee: 0x22,
  i32load: 0x28, f64load: 0x2b, i32load8u: 0x2d, i32store: 0x36, f64store: 0x39, i32store8: 0x3a,
  i32const: 0x41, f64const: 0x44,
  f64eq: 0x61, f64lt: 0x63, f64gt: 0x64, f64ge: 0x66,
  i32geS: 0x4e, i32add: 0x6a, i32and: 0x71, i32shl: 0x74,
  f64add: 0xa0, f64mul: 0xa2,
} as const;
const EMPTY = 0x40;

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

/** The module's bytes: imports memory env.mem, exports lean(...). */
export function leanKernelWasmBytes(): Uint8Array {
  const type = section(1, vec([[0x60, ...vec([]), ...vec([])]]));
  const imports = section(2, vec([[...name('env'), ...name('mem'), 0x02, 0x00, ...u32(1)]]));
  const funcs = section(3, vec([u32(0)]));
  const exports = section(7, vec([[...name('lean'), 0x00, ...u32(0)]]));
  const codeSec = section(10, vec([code()]));
  return Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...type, ...imports, ...funcs, ...exports, ...codeSec]);
}

/** One pass of the lean kernel over the memory's arrays (arguments in its header). */
export type LeanKernelWasm = () => void;

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
  compiled ??= new WA.Module(leanKernelWasmBytes());
  const inst = new WA.Instance(compiled, { env: { mem: memory } });
  return inst.exports.lean as LeanKernelWasm;
}

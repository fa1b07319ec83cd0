/**
 * The τ_m = τ_s layer kernel of ./layer.ts (`argsortBucketed` + `equalLayerFirstSpikes`, with
 * `fastExp`, `lambertW0Neg`, `peakBelow` and the two crossing solvers) as one WebAssembly
 * module, emitted here byte by byte (no toolchain; as ../wasm-kernel.ts does for the stepped
 * engine), and a feed-forward network runner over it: every layer's output is written straight
 * into the next layer's input region of the linear memory, whose tail holds the fixed (bias)
 * input times, so a forward pass copies nothing between layers, and a batch of samples runs in
 * one call.
 *
 * Why: in V8 the TypeScript kernel pays a bounds check and index arithmetic on every typed-array
 * access, converts comparisons through `Number(...)`, and keeps few doubles in registers; the
 * same loops in WebAssembly compile to plain loads, stores and arithmetic.
 *
 * Same numbers: WebAssembly f64 arithmetic is IEEE 754 binary64, round to nearest, no
 * contraction; `f64.floor`/`f64.sqrt` are exact as `Math.floor`/`Math.sqrt`; every expression
 * below is written operation for operation (and association) as its TypeScript counterpart, the
 * tables are the TypeScript ones, and the two rare paths that call `Math.exp` in TypeScript
 * (`fastExp` outside (−708, 709), and `firstCrossing` for a membrane that turns over below θ at
 * an interval's end) are imported from JavaScript. So the kernel gives the TypeScript kernel's
 * spike times bit for bit (tested: test/emulator/event-wasm.test.ts), and with them its stated
 * agreement with the per-neuron reference path.
 *
 * Memory: header at 0 (network), table region at TABLE_BASE, then per layer a 64-byte
 * descriptor, weights, thresholds, sort and interval scratch, its input region; then the batch
 * input and output slots. Computed once; the memory is never grown (views stay valid).
 */
import { EXP_HEAD, EXP_INV, EXP_P2, EXP_T, EXP_TAIL } from './exp.ts';
import { FINE_C, FINE_INV_H, FINE_N } from './lambertw.ts';
import * as lif from './lif.ts';
import { EMPTY, F64, I32, f64, functionBody, name, s32, section, u32, vec, type Code } from '../wasm-encode.ts';

// ---- Expressions (operands first, then the opcode: WebAssembly core spec 1.0 §5.4) ----------
const op = (code: number) => (...args: Code[]): Code => [...args.flat(), code];
const fc = (x: number): Code => [0x44, ...f64(x)];
const ic = (n: number): Code => [0x41, ...s32(n)];
const fadd = op(0xa0);
const fsub = op(0xa1);
const fmul = op(0xa2);
const fdiv = op(0xa3);
const fneg = op(0x9a);
const fsqrt = op(0x9f);
const ffloor = op(0x9c);
const feq = op(0x61);
const fne = op(0x62);
const flt = op(0x63);
const fgt = op(0x64);
const fle = op(0x65);
const fge = op(0x66);
const iadd = op(0x6a);
const isub = op(0x6b);
const imul = op(0x6c);
const iand = op(0x71);
const ior = op(0x72);
const ishl = op(0x74);
const ishr = op(0x75);
const ieqz = op(0x45);
const ieq = op(0x46);
const ilt = op(0x48);
const igt = op(0x4a);
const ige = op(0x4e);
/** i32.trunc_f64_s (the operand is known to be in range) and f64.convert_i32_s. */
const trunc = op(0xaa);
const toF = op(0xb7);
/** cond ? a : b (both evaluated). */
const select = (a: Code, b: Code, cond: Code): Code => [...a, ...b, ...cond, 0x1b];
const ldf = (addr: Code, offset = 0): Code => [...addr, 0x2b, 3, ...u32(offset)];
const ldi = (addr: Code, offset = 0): Code => [...addr, 0x28, 2, ...u32(offset)];
const stf = (addr: Code, val: Code, offset = 0): Code => [...addr, ...val, 0x39, 3, ...u32(offset)];
const sti = (addr: Code, val: Code, offset = 0): Code => [...addr, ...val, 0x36, 2, ...u32(offset)];
/** base + 8·index, base + 4·index. */
const at8 = (base: Code, index: Code): Code => iadd(base, ishl(index, ic(3)));
const at4 = (base: Code, index: Code): Code => iadd(base, ishl(index, ic(2)));
const call = (fn: number, ...args: Code[]): Code => [...args.flat(), 0x10, ...u32(fn)];

/** One function body: named locals, statements with structured control flow by label. */
class Fn {
  private readonly index = new Map<string, number>();
  private readonly localTypes: number[] = [];
  private readonly labels: Array<string | null> = [];
  readonly code: Code = [];
  readonly nParams: number;
  constructor(readonly params: Array<[string, number]>, readonly results: number[]) {
    for (const [n] of params) this.index.set(n, this.index.size);
    this.nParams = params.length;
  }

  locals(type: number, ...names: string[]): void {
    for (const n of names) {
      this.index.set(n, this.index.size);
      this.localTypes.push(type);
    }
  }

  g(n: string): Code {
    const i = this.index.get(n);
    if (i === undefined) throw new Error(`wasm-layer: unknown local ${n}`);
    return [0x20, ...u32(i)];
  }

  set(n: string, e: Code): void {
    const i = this.index.get(n);
    if (i === undefined) throw new Error(`wasm-layer: unknown local ${n}`);
    this.code.push(...e, 0x21, ...u32(i));
  }

  inc(n: string): void {
    this.set(n, iadd(this.g(n), ic(1)));
  }

  emit(...e: Code[]): void {
    for (const x of e) this.code.push(...x);
  }

  private depth(label: string): number {
    const d = this.labels.lastIndexOf(label);
    if (d < 0) throw new Error(`wasm-layer: unknown label ${label}`);
    return this.labels.length - 1 - d;
  }

  block(label: string, body: () => void): void {
    this.code.push(0x02, EMPTY);
    this.labels.push(label);
    body();
    this.labels.pop();
    this.code.push(0x0b);
  }

  loop(label: string, body: () => void): void {
    this.code.push(0x03, EMPTY);
    this.labels.push(label);
    body();
    this.labels.pop();
    this.code.push(0x0b);
  }

  /** while (true) { body } with `exit` after and `next` at the top (br next continues). */
  forever(exit: string, next: string, body: () => void): void {
    this.block(exit, () => this.loop(next, () => {
      body();
      this.br(next);
    }));
  }

  if(cond: Code, then: () => void, otherwise?: () => void): void {
    this.code.push(...cond, 0x04, EMPTY);
    this.labels.push(null);
    then();
    if (otherwise) {
      this.code.push(0x05);
      otherwise();
    }
    this.labels.pop();
    this.code.push(0x0b);
  }

  br(label: string): void {
    this.code.push(0x0c, ...u32(this.depth(label)));
  }

  brIf(label: string, cond: Code): void {
    this.code.push(...cond, 0x0d, ...u32(this.depth(label)));
  }

  ret(e: Code = []): void {
    this.code.push(...e, 0x0f);
  }

  type(): Code {
    return [0x60, ...vec(this.params.map(([, t]) => [t])), ...vec(this.results.map((t) => [t]))];
  }

  body(): Code {
    // A function with a result ends unreachable after its last return.
    return functionBody(this.localTypes, this.results.length > 0 ? [...this.code, 0x00] : this.code);
  }
}

// ---- Memory layout ---------------------------------------------------------------------------
/** Header (i32): nLayers, batch input and output base, their strides (bytes); per layer l
 * (≤ MAX_LAYERS) its descriptor at 32 + 4l and its input region at 96 + 4l. */
const H_LAYERS = 0;
const H_BATCH_IN = 4;
const H_BATCH_OUT = 8;
const H_IN_STRIDE = 12;
const H_OUT_STRIDE = 16;
const H_DESC = 32;
const H_INPUT = 96;
export const MAX_LAYERS = 16;
const TABLE_BASE = 1024;
const T_EXP = TABLE_BASE; // 64 f64
const T_P2 = T_EXP + 8 * 64; // 2046 f64
const T_FINE = T_P2 + 8 * 2046; // 6·FINE_N f64
const DYNAMIC_BASE = (T_FINE + 8 * 6 * FINE_N + 63) & ~63;
/** Layer descriptor: i32 fields at 4·k, f64 at 48 and 56. */
const D = { nIn: 0, nOut: 4, w: 8, th: 12, order: 16, tmp: 20, bucketOf: 24, counts: 28, sorted: 32, fk: 36, hK: 40, emK: 44, tau: 48, cap: 56 } as const;
const DESC_BYTES = 64;

const INV_E = 0.36787944117144233;

// Function indices: imports first.
const F_EXP = 0;
const F_TURNOVER = 1;
const F_SORT = 2;
const F_LAYER = 3;
const F_RUN = 4;

// The helpers below are emitted inline at every use (a wasm call per spike-time solve was a
// measurable share of the kernel): each writes its result into the local `dst`, with working
// locals named after the prefix `p` (unique per use site).

/** dst = fastExp(x) of ./exp.ts. */
function fastExpInto(f: Fn, dst: string, x: Code, p: string): void {
  f.locals(F64, `${p}x`, `${p}m`, `${p}r`);
  f.locals(I32, `${p}mi`);
  f.set(`${p}x`, x);
  const xv = f.g(`${p}x`);
  f.if(iand(fgt(xv, fc(-708)), flt(xv, fc(709))), () => {
    f.set(`${p}m`, ffloor(fadd(fmul(xv, fc(EXP_INV)), fc(0.5))));
    const m = f.g(`${p}m`);
    f.set(`${p}r`, fsub(fsub(xv, fmul(m, fc(EXP_HEAD))), fmul(m, fc(EXP_TAIL))));
    f.set(`${p}mi`, trunc(m));
    const r = f.g(`${p}r`);
    const poly = fadd(fc(1), fmul(r, fadd(fc(1), fmul(r, fadd(fc(0.5), fmul(r, fadd(fc(1 / 6), fmul(r, fadd(fc(1 / 24), fmul(r, fc(1 / 120)))))))))));
    const p2 = ldf(ishl(iadd(ishr(f.g(`${p}mi`), ic(6)), ic(1022)), ic(3)), T_P2);
    const t = ldf(ishl(iand(f.g(`${p}mi`), ic(63)), ic(3)), T_EXP);
    f.set(dst, fmul(fmul(p2, t), poly));
  }, () => f.set(dst, call(F_EXP, xv)));
}

/** dst = lambertW0Neg(x) of ./lambertw.ts. */
function lambertInto(f: Fn, dst: string, x: Code, p: string): void {
  f.locals(F64, `${p}x`, `${p}q`, `${p}pu`, `${p}kf`, `${p}u`, `${p}u2`);
  f.locals(I32, `${p}o`);
  f.set(`${p}x`, x);
  const g = (n: string): Code => f.g(p + n);
  f.if(feq(g('x'), fc(0)), () => f.set(dst, fc(0)), () => {
    f.set(`${p}q`, fmul(fc(2), fadd(fmul(fc(2.718281828459045), g('x')), fc(1))));
    f.set(`${p}pu`, fmul(fsqrt(select(g('q'), fc(0), fgt(g('q'), fc(0)))), fc(FINE_INV_H)));
    f.set(`${p}kf`, ffloor(g('pu')));
    f.if(fge(g('kf'), fc(FINE_N)), () => f.set(`${p}kf`, fc(FINE_N - 1)));
    f.set(`${p}u`, fsub(g('pu'), g('kf')));
    // Byte offset of FINE_C[6k] = 48k.
    f.set(`${p}o`, imul(trunc(g('kf')), ic(48)));
    f.set(`${p}u2`, fmul(g('u'), g('u')));
    const C = (k: number): Code => ldf(g('o'), T_FINE + 8 * k);
    const u = g('u');
    const u2 = g('u2');
    f.set(dst, fadd(fadd(C(0), fmul(u, C(1))), fmul(u2, fadd(fadd(C(2), fmul(u, C(3))), fmul(u2, fadd(C(4), fmul(u, C(5))))))));
  });
}

/** peakBelow(v0, a, θ, τ) of ./layer.ts as an i32 expression (a, at, d held in locals). */
function peakBelowInto(f: Fn, dst: string, v0: Code, a: Code, theta: Code, tau: Code, p: string): void {
  f.locals(F64, `${p}a`, `${p}at`, `${p}d`);
  f.set(`${p}a`, a);
  f.if(ieqz(fgt(f.g(`${p}a`), fc(0))), () => f.set(dst, ic(1)), () => {
    f.set(`${p}at`, fmul(f.g(`${p}a`), tau));
    f.set(`${p}d`, fsub(v0, f.g(`${p}at`)));
    const at = f.g(`${p}at`);
    const d = f.g(`${p}d`);
    f.set(dst, flt(fmul(fmul(at, at), at), fmul(fmul(theta, fadd(fsub(fmul(at, at), fmul(at, d)), fmul(fmul(fc(0.5), d), d))), fc(1 - 1e-9))));
  });
}

/**
 * dst = equalBracketedCrossing(v0, a, θ, τ) (bracketed) or equalCrossing (not bracketed) of
 * ./layer.ts.
 */
function crossingInto(f: Fn, dst: string, bracketed: boolean, v0: Code, a: Code, theta: Code, tau: Code, p: string): void {
  f.locals(F64, `${p}r`, `${p}vr`, `${p}e`, `${p}x`, `${p}w`, `${p}s`);
  const g = (n: string): Code => f.g(p + n);
  f.set(`${p}r`, fdiv(fc(1), fmul(a, tau)));
  f.set(`${p}vr`, fmul(v0, g('r')));
  fastExpInto(f, `${p}e`, fneg(g('vr')), `${p}fe`);
  f.set(`${p}x`, fmul(fmul(fneg(theta), g('r')), g('e')));
  const solve = (): void => {
    lambertInto(f, `${p}w`, g('x'), `${p}lw`);
    f.set(`${p}s`, fmul(tau, fsub(fneg(g('w')), g('vr'))));
    f.set(dst, select(g('s'), fc(0), fge(g('s'), fc(0))));
  };
  if (bracketed) {
    f.if(flt(g('x'), fc(-INV_E)), () => f.set(`${p}x`, fc(-INV_E)));
    solve();
  } else {
    f.if(ieqz(fge(g('x'), fc(-INV_E))), () => f.set(dst, fc(Infinity)), solve);
  }
}

/** argsortBucketed of ./layer.ts over key[0..n) (f64 at `key`), scratch from descriptor `desc`. */
function sortFn(): Fn {
  const f = new Fn([['key', I32], ['n', I32], ['desc', I32]], []);
  f.locals(I32, 'order', 'tmp', 'bucketOf', 'counts', 'sorted', 'fk', 'i', 'j', 'oi', 'nf', 'back', 'nb', 'q', 'b', 'run', 'cnt', 'pos', 'bkt', 'oa');
  f.locals(F64, 'ki', 'lo', 'hi', 'k', 'span', 'scale', 'ka');
  const g = (n: string): Code => f.g(n);
  const desc = g('desc');
  f.set('order', ldi(desc, D.order));
  f.set('tmp', ldi(desc, D.tmp));
  f.set('bucketOf', ldi(desc, D.bucketOf));
  f.set('counts', ldi(desc, D.counts));
  f.set('sorted', ldi(desc, D.sorted));
  f.set('fk', ldi(desc, D.fk));
  f.if(ige(ic(24), g('n')), () => {
    // for (i < n) order[i] = i; insertionSort(key, order, n)
    f.set('i', ic(0));
    f.forever('e0', 'l0', () => {
      f.brIf('e0', ige(g('i'), g('n')));
      f.emit(sti(at4(g('order'), g('i')), g('i')));
      f.inc('i');
    });
    f.set('i', ic(1));
    f.forever('e1', 'l1', () => {
      f.brIf('e1', ige(g('i'), g('n')));
      f.set('oi', ldi(at4(g('order'), g('i'))));
      f.set('ki', ldf(at8(g('key'), g('oi'))));
      f.set('j', isub(g('i'), ic(1)));
      f.forever('e2', 'l2', () => {
        f.brIf('e2', ilt(g('j'), ic(0)));
        f.brIf('e2', ieqz(fgt(ldf(at8(g('key'), ldi(at4(g('order'), g('j'))))), g('ki'))));
        f.emit(sti(at4(g('order'), g('j')), ldi(at4(g('order'), g('j'))), 4));
        f.set('j', isub(g('j'), ic(1)));
      });
      f.emit(sti(at4(g('order'), g('j')), g('oi'), 4));
      f.inc('i');
    });
    f.ret();
  });
  f.set('lo', fc(Infinity));
  f.set('hi', fc(-Infinity));
  f.set('nf', ic(0));
  f.set('back', g('n'));
  f.set('i', ic(0));
  f.forever('e3', 'l3', () => {
    f.brIf('e3', ige(g('i'), g('n')));
    f.set('k', ldf(at8(g('key'), g('i'))));
    f.if(flt(g('k'), fc(Infinity)), () => {
      f.emit(sti(at4(g('tmp'), g('nf')), g('i')));
      f.emit(stf(at8(g('fk'), g('nf')), g('k')));
      f.inc('nf');
      f.if(flt(g('k'), g('lo')), () => f.set('lo', g('k')));
      f.if(fgt(g('k'), g('hi')), () => f.set('hi', g('k')));
    }, () => {
      f.set('back', isub(g('back'), ic(1)));
      f.emit(sti(at4(g('tmp'), g('back')), g('i')));
    });
    f.inc('i');
  });
  // for (q < n − nf) order[nf + q] = tmp[n − 1 − q]
  f.set('q', ic(0));
  f.forever('e4', 'l4', () => {
    f.brIf('e4', ige(g('q'), isub(g('n'), g('nf'))));
    f.emit(sti(at4(g('order'), iadd(g('nf'), g('q'))), ldi(at4(g('tmp'), isub(isub(g('n'), ic(1)), g('q'))))));
    f.inc('q');
  });
  f.set('nb', imul(ic(2), g('nf')));
  f.set('span', fsub(g('hi'), g('lo')));
  f.if(iand(iand(igt(g('nf'), ic(24)), fgt(g('span'), fc(0))), flt(g('span'), fc(Infinity))), () => {
    f.set('scale', fdiv(toF(isub(g('nb'), ic(1))), g('span')));
    f.set('b', ic(0));
    f.forever('e5', 'l5', () => {
      f.brIf('e5', ige(g('b'), g('nb')));
      f.emit(sti(at4(g('counts'), g('b')), ic(0)));
      f.inc('b');
    });
    f.set('q', ic(0));
    f.forever('e6', 'l6', () => {
      f.brIf('e6', ige(g('q'), g('nf')));
      f.set('bkt', trunc(fmul(fsub(ldf(at8(g('fk'), g('q'))), g('lo')), g('scale'))));
      f.emit(sti(at4(g('bucketOf'), g('q')), g('bkt')));
      f.emit(sti(at4(g('counts'), g('bkt')), iadd(ldi(at4(g('counts'), g('bkt'))), ic(1))));
      f.inc('q');
    });
    f.set('run', ic(0));
    f.set('b', ic(0));
    f.forever('e7', 'l7', () => {
      f.brIf('e7', ige(g('b'), g('nb')));
      f.set('cnt', ldi(at4(g('counts'), g('b'))));
      f.emit(sti(at4(g('counts'), g('b')), g('run')));
      f.set('run', iadd(g('run'), g('cnt')));
      f.inc('b');
    });
    f.set('q', ic(0));
    f.forever('e8', 'l8', () => {
      f.brIf('e8', ige(g('q'), g('nf')));
      f.set('bkt', ldi(at4(g('bucketOf'), g('q'))));
      f.set('pos', ldi(at4(g('counts'), g('bkt'))));
      f.emit(sti(at4(g('counts'), g('bkt')), iadd(g('pos'), ic(1))));
      f.emit(sti(at4(g('order'), g('pos')), ldi(at4(g('tmp'), g('q')))));
      f.emit(stf(at8(g('sorted'), g('pos')), ldf(at8(g('fk'), g('q')))));
      f.inc('q');
    });
  }, () => {
    f.set('q', ic(0));
    f.forever('e9', 'l9', () => {
      f.brIf('e9', ige(g('q'), g('nf')));
      f.emit(sti(at4(g('order'), g('q')), ldi(at4(g('tmp'), g('q')))));
      f.emit(stf(at8(g('sorted'), g('q')), ldf(at8(g('fk'), g('q')))));
      f.inc('q');
    });
  });
  // Stable insertion sort on the bucketed copy (only repairs inside buckets).
  f.set('i', ic(1));
  f.forever('e10', 'l10', () => {
    f.brIf('e10', ige(g('i'), g('nf')));
    f.set('ka', ldf(at8(g('sorted'), g('i'))));
    f.if(fgt(ldf(at8(g('sorted'), isub(g('i'), ic(1)))), g('ka')), () => {
      f.set('oa', ldi(at4(g('order'), g('i'))));
      f.set('b', isub(g('i'), ic(1)));
      f.forever('e11', 'l11', () => {
        f.brIf('e11', ilt(g('b'), ic(0)));
        f.brIf('e11', ieqz(fgt(ldf(at8(g('sorted'), g('b'))), g('ka'))));
        f.emit(stf(at8(g('sorted'), g('b')), ldf(at8(g('sorted'), g('b'))), 8));
        f.emit(sti(at4(g('order'), g('b')), ldi(at4(g('order'), g('b'))), 4));
        f.set('b', isub(g('b'), ic(1)));
      });
      f.emit(stf(at8(g('sorted'), g('b')), g('ka'), 8));
      f.emit(sti(at4(g('order'), g('b')), g('oa'), 4));
    });
    f.inc('i');
  });
  return f;
}

/**
 * One layer: sort the arrivals (f64 at `arr`, nIn of them), then `equalLayerFirstSpikes` of
 * ./layer.ts writing nOut spike times at `out`.
 */
function layerFn(): Fn {
  const f = new Fn([['desc', I32], ['arr', I32], ['out', I32]], []);
  f.locals(I32, 'nIn', 'nOut', 'w', 'th', 'order', 'hK', 'emK', 'nFin', 'last', 'nDone', 'j', 'off', 'k');
  f.locals(F64, 'tau', 'cap', 'invTau', 'gain', 'thj', 'v', 'c', 'h', 'em', 'vN', 'cN', 'hn', 'sx');
  f.locals(I32, 'below');
  const g = (n: string): Code => f.g(n);
  const desc = g('desc');
  f.set('nIn', ldi(desc, D.nIn));
  f.set('nOut', ldi(desc, D.nOut));
  f.set('w', ldi(desc, D.w));
  f.set('th', ldi(desc, D.th));
  f.set('order', ldi(desc, D.order));
  f.set('hK', ldi(desc, D.hK));
  f.set('emK', ldi(desc, D.emK));
  f.set('tau', ldf(desc, D.tau));
  f.set('cap', ldf(desc, D.cap));
  f.set('invTau', fdiv(fc(1), g('tau')));
  f.set('gain', fdiv(fc(1), g('cap')));
  f.emit(call(F_SORT, g('arr'), g('nIn'), desc));
  /** arrival[order[k]] */
  const arrAt = (k: Code): Code => ldf(at8(g('arr'), ldi(at4(g('order'), k))));
  f.set('nFin', g('nIn'));
  f.forever('e0', 'l0', () => {
    f.brIf('e0', ige(ic(0), g('nFin')));
    f.brIf('e0', ieqz(feq(arrAt(isub(g('nFin'), ic(1))), fc(Infinity))));
    f.set('nFin', isub(g('nFin'), ic(1)));
  });
  f.set('j', ic(0));
  f.forever('e1', 'l1', () => {
    f.brIf('e1', ige(g('j'), g('nOut')));
    f.emit(stf(at8(g('out'), g('j')), fc(Infinity)));
    f.inc('j');
  });
  f.if(ieqz(g('nFin')), () => f.ret());
  f.set('last', isub(g('nFin'), ic(1)));
  f.set('nDone', ic(0));
  f.set('j', ic(0));
  f.forever('ej', 'lj', () => {
    f.brIf('ej', ige(g('j'), g('nOut')));
    f.set('off', imul(g('j'), g('nIn')));
    f.set('thj', ldf(at8(g('th'), g('j'))));
    f.set('v', fc(0));
    f.set('c', fc(0));
    f.set('k', ic(0));
    /** w[off + order[k]] */
    const wAt = (): Code => ldf(at8(g('w'), iadd(g('off'), ldi(at4(g('order'), g('k'))))));
    f.forever('ek', 'lk', () => {
      f.brIf('ek', ige(g('k'), g('last')));
      f.set('c', fadd(g('c'), wAt()));
      f.if(ieq(g('k'), g('nDone')), () => {
        f.set('hn', fsub(arrAt(iadd(g('k'), ic(1))), arrAt(g('k'))));
        f.emit(stf(at8(g('hK'), g('k')), g('hn')));
        fastExpInto(f, 'em', fmul(fneg(g('hn')), g('invTau')), 'x0');
        f.emit(stf(at8(g('emK'), g('k')), g('em')));
        f.inc('nDone');
      });
      f.set('h', ldf(at8(g('hK'), g('k'))));
      f.set('em', ldf(at8(g('emK'), g('k'))));
      // vN = em·(v + c·gain·h), cN = c·em
      f.set('vN', fmul(g('em'), fadd(g('v'), fmul(fmul(g('c'), g('gain')), g('h')))));
      f.set('cN', fmul(g('c'), g('em')));
      const rising = fgt(fsub(fmul(g('c'), g('tau')), fmul(g('cap'), g('v'))), fc(0));
      const above = fge(g('vN'), g('thj'));
      const turning = fle(fsub(fmul(g('cN'), g('tau')), fmul(g('cap'), g('vN'))), fc(0));
      f.if(iand(rising, ior(above, turning)), () => {
        f.if(fge(g('vN'), g('thj')), () => {
          crossingInto(f, 'sx', true, g('v'), fmul(g('c'), g('gain')), g('thj'), g('tau'), 'b0');
          f.emit(stf(at8(g('out'), g('j')), fadd(arrAt(g('k')), g('sx'))));
          f.br('ek');
        });
        peakBelowInto(f, 'below', g('v'), fmul(g('c'), g('gain')), g('thj'), g('tau'), 'p1');
        f.if(ieqz(g('below')), () => {
          f.set('sx', call(F_TURNOVER, g('v'), g('c'), g('h'), g('thj'), g('tau'), g('cap')));
          f.if(fne(g('sx'), fc(Infinity)), () => {
            f.emit(stf(at8(g('out'), g('j')), fadd(arrAt(g('k')), g('sx'))));
            f.br('ek');
          });
        });
      });
      f.set('v', g('vN'));
      f.set('c', g('cN'));
      f.inc('k');
    });
    f.if(ieq(g('k'), g('last')), () => {
      f.set('c', fadd(g('c'), wAt()));
      f.if(fgt(fsub(fmul(g('c'), g('tau')), fmul(g('cap'), g('v'))), fc(0)), () => {
        peakBelowInto(f, 'below', g('v'), fmul(g('c'), g('gain')), g('thj'), g('tau'), 'p2');
        f.if(ieqz(g('below')), () => {
          crossingInto(f, 'sx', false, g('v'), fmul(g('c'), g('gain')), g('thj'), g('tau'), 'c2');
          f.if(fne(g('sx'), fc(Infinity)), () => f.emit(stf(at8(g('out'), g('j')), fadd(arrAt(g('k')), g('sx')))));
        });
      });
    });
    f.inc('j');
  });
  return f;
}

/** run(nSamples): every sample of the batch through every layer (header at 0). */
function runFn(): Fn {
  const f = new Fn([['n', I32]], []);
  f.locals(I32, 's', 'l', 'nl', 'inp', 'out');
  const g = (n: string): Code => f.g(n);
  f.set('nl', ldi(ic(0), H_LAYERS));
  f.set('s', ic(0));
  f.forever('es', 'ls', () => {
    f.brIf('es', ige(g('s'), g('n')));
    f.set('inp', iadd(ldi(ic(0), H_BATCH_IN), imul(g('s'), ldi(ic(0), H_IN_STRIDE))));
    f.set('l', ic(0));
    f.forever('el', 'll', () => {
      f.brIf('el', ige(g('l'), g('nl')));
      f.if(ieq(g('l'), isub(g('nl'), ic(1))), () => {
        f.set('out', iadd(ldi(ic(0), H_BATCH_OUT), imul(g('s'), ldi(ic(0), H_OUT_STRIDE))));
      }, () => {
        f.set('out', ldi(ishl(g('l'), ic(2)), H_INPUT + 4));
      });
      f.emit(call(F_LAYER, ldi(ishl(g('l'), ic(2)), H_DESC), g('inp'), g('out')));
      f.set('inp', g('out'));
      f.inc('l');
    });
    f.inc('s');
  });
  return f;
}

/** The module's bytes: imports env.mem, env.exp (Math.exp), env.turnover; exports run. */
export function ttfsWasmBytes(): Uint8Array {
  const fns = [sortFn(), layerFn(), runFn()];
  const expType = [0x60, ...vec([[F64]]), ...vec([[F64]])];
  const turnType = [0x60, ...vec(Array.from({ length: 6 }, () => [F64])), ...vec([[F64]])];
  const types = [expType, turnType, ...fns.map((f) => f.type())];
  const typeSec = section(1, vec(types));
  const importSec = section(2, vec([
    [...name('env'), ...name('mem'), 0x02, 0x00, ...u32(1)],
    [...name('env'), ...name('exp'), 0x00, ...u32(0)],
    [...name('env'), ...name('turnover'), 0x00, ...u32(1)],
  ]));
  const funcSec = section(3, vec(fns.map((_, k) => u32(k + 2))));
  const exportSec = section(7, vec([[...name('run'), 0x00, ...u32(F_RUN)]]));
  const codeSec = section(10, vec(fns.map((f) => f.body())));
  return Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...typeSec, ...importSec, ...funcSec, ...exportSec, ...codeSec]);
}

// ---- JavaScript side ---------------------------------------------------------------------------
interface WasmMemory { readonly buffer: ArrayBuffer }
interface WasmApi {
  Memory: new (desc: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const firstCrossing = lif.firstCrossing;
const KIND_EQUAL = lif.KIND_EQUAL;
/** The turnover path of `equalLayerFirstSpikes`, as it calls `firstCrossing` (gain = 1/C). */
function turnover(v: number, c: number, h: number, th: number, tau: number, capacitance: number): number {
  return firstCrossing(v, c, h, th, tau, tau, capacitance, 1 / capacitance, KIND_EQUAL, false);
}

let compiled: object | null = null;

/** Shape of one layer of neurons sharing τ_m = τ_s = τ and C (thresholds per neuron). */
export interface EqualLayerShape {
  nIn: number;
  nOut: number;
  tau: number;
  capacitance: number;
}

/**
 * A feed-forward first-spike-time network of τ_m = τ_s layers on the WebAssembly kernel.
 * Layer l + 1's inputs are layer l's nOut outputs followed by `nIn − nOut` fixed inputs (bias
 * spikes), set once with `setFixedInputs`. Weights row-major nOut × nIn, as `layerForward`.
 */
export class WasmFeedForward {
  readonly shapes: EqualLayerShape[];
  readonly maxBatch: number;
  private readonly run: (n: number) => void;
  private readonly weights: Float64Array[];
  private readonly thresholds: Float64Array[];
  /** Layer l's input times (l ≥ 1: its own region; l = 0: batch slot 0). */
  private readonly inputs: Float64Array[];
  /** Layer l's output times of the last `forward` (views, made once: no allocation per pass). */
  private readonly outputs: Float64Array[];
  /** Batch input (maxBatch × nIn of layer 0) and output (maxBatch × nOut of the last layer). */
  readonly batchInput: Float64Array;
  readonly batchOutput: Float64Array;

  constructor(shapes: EqualLayerShape[], maxBatch = 256) {
    if (shapes.length === 0 || shapes.length > MAX_LAYERS) throw new RangeError(`WasmFeedForward: 1..${MAX_LAYERS} layers, got ${shapes.length}`);
    shapes.forEach((s, l) => {
      if (!(Number.isInteger(s.nIn) && s.nIn > 0 && Number.isInteger(s.nOut) && s.nOut > 0)) throw new RangeError(`WasmFeedForward: layer ${l} needs positive integer nIn, nOut, got ${s.nIn}, ${s.nOut}`);
      if (!(s.tau > 0 && s.tau < Infinity && s.capacitance > 0 && s.capacitance < Infinity)) throw new RangeError(`WasmFeedForward: layer ${l} needs finite τ > 0 and C > 0, got ${s.tau}, ${s.capacitance}`);
    });
    for (let l = 1; l < shapes.length; l++) {
      if (shapes[l].nIn < shapes[l - 1].nOut) throw new RangeError(`WasmFeedForward: layer ${l} has ${shapes[l].nIn} inputs, fewer than layer ${l - 1}'s ${shapes[l - 1].nOut} outputs`);
    }
    this.shapes = shapes.map((s) => ({ ...s }));
    this.maxBatch = maxBatch;
    let p = DYNAMIC_BASE;
    const alloc = (bytes: number): number => {
      const at = p;
      p = (p + bytes + 63) & ~63;
      return at;
    };
    const plan = shapes.map((s) => {
      const n = s.nIn;
      return {
        desc: alloc(DESC_BYTES), w: alloc(8 * n * s.nOut), th: alloc(8 * s.nOut),
        order: alloc(4 * n), tmp: alloc(4 * n), bucketOf: alloc(4 * n), counts: alloc(4 * (2 * n + 2)),
        sorted: alloc(8 * n), fk: alloc(8 * n), hK: alloc(8 * n), emK: alloc(8 * n), input: alloc(8 * n),
      };
    });
    const last = shapes[shapes.length - 1];
    const batchIn = alloc(8 * maxBatch * shapes[0].nIn);
    const batchOut = alloc(8 * maxBatch * last.nOut);
    const memory = new WA.Memory({ initial: Math.ceil(p / 65536) });
    const buf = memory.buffer;
    compiled ??= new WA.Module(ttfsWasmBytes());
    const inst = new WA.Instance(compiled, { env: { mem: memory, exp: Math.exp, turnover } });
    this.run = inst.exports.run as (n: number) => void;
    new Float64Array(buf, T_EXP, 64).set(EXP_T);
    new Float64Array(buf, T_P2, 2046).set(EXP_P2);
    new Float64Array(buf, T_FINE, 6 * FINE_N).set(FINE_C);
    const hdr = new Int32Array(buf, 0, 64);
    hdr[H_LAYERS / 4] = shapes.length;
    hdr[H_BATCH_IN / 4] = batchIn;
    hdr[H_BATCH_OUT / 4] = batchOut;
    hdr[H_IN_STRIDE / 4] = 8 * shapes[0].nIn;
    hdr[H_OUT_STRIDE / 4] = 8 * last.nOut;
    this.weights = [];
    this.thresholds = [];
    this.inputs = [];
    shapes.forEach((s, l) => {
      const q = plan[l];
      hdr[H_DESC / 4 + l] = q.desc;
      hdr[H_INPUT / 4 + l] = q.input;
      const di = new Int32Array(buf, q.desc, 12);
      di.set([s.nIn, s.nOut, q.w, q.th, q.order, q.tmp, q.bucketOf, q.counts, q.sorted, q.fk, q.hK, q.emK]);
      const df = new Float64Array(buf, q.desc + D.tau, 2);
      df[0] = s.tau;
      df[1] = s.capacitance;
      this.weights.push(new Float64Array(buf, q.w, s.nIn * s.nOut));
      this.thresholds.push(new Float64Array(buf, q.th, s.nOut));
      this.inputs.push(l === 0 ? new Float64Array(buf, batchIn, s.nIn) : new Float64Array(buf, q.input, s.nIn));
    });
    this.batchInput = new Float64Array(buf, batchIn, maxBatch * shapes[0].nIn);
    this.batchOutput = new Float64Array(buf, batchOut, maxBatch * last.nOut);
    this.outputs = shapes.map((s, l) => (l + 1 < shapes.length ? this.inputs[l + 1].subarray(0, s.nOut) : this.batchOutput.subarray(0, s.nOut)));
  }

  setWeights(l: number, w: Float64Array): void {
    this.weights[l].set(w.subarray(0, this.weights[l].length));
  }

  setThresholds(l: number, th: Float64Array): void {
    this.thresholds[l].set(th.subarray(0, this.thresholds[l].length));
  }

  /** The inputs of layer l ≥ 1 after the previous layer's outputs (bias spike times). */
  setFixedInputs(l: number, times: ArrayLike<number>): void {
    if (!(l >= 1 && l < this.shapes.length)) throw new RangeError(`WasmFeedForward.setFixedInputs: layer 1..${this.shapes.length - 1}, got ${l}`);
    const from = this.shapes[l - 1].nOut;
    if (from + times.length !== this.shapes[l].nIn) throw new RangeError(`WasmFeedForward.setFixedInputs: layer ${l} takes ${this.shapes[l].nIn - from} fixed inputs`);
    for (let k = 0; k < times.length; k++) this.inputs[l][from + k] = times[k];
  }

  /** Input times of layer l for the last sample run with `forward` (layer 0: batch slot 0). */
  layerInput(l: number): Float64Array {
    return this.inputs[l];
  }

  /** Output times of layer l for the last sample run with `forward` (a view). */
  layerOutput(l: number): Float64Array {
    return this.outputs[l];
  }

  /** Forward pass of the sample in `batchInput` slot 0; returns the last layer's output (a view). */
  forward(): Float64Array {
    this.run(1);
    return this.outputs[this.outputs.length - 1];
  }

  /** Forward passes of `n ≤ maxBatch` samples in `batchInput`; outputs in `batchOutput`. */
  forwardBatch(n: number): void {
    if (!(n >= 0 && n <= this.maxBatch)) throw new RangeError(`WasmFeedForward.forwardBatch: 0..${this.maxBatch} samples, got ${n}`);
    this.run(n);
  }
}

/**
 * e^x for the spike-time kernels, inlinable by the JIT (V8's Math.exp is a call into the
 * runtime's fdlibm port; in the layer kernel it was a quarter of the time).
 *
 * Table method (Tang 1989, "Table-driven implementation of the exponential function in IEEE
 * floating-point arithmetic", ACM TOMS 15(2)): m = ⌊x·64/ln 2⌉ = 64n + j, r = x − m·ln2/64
 * with ln2/64 split into a head and a tail (Cody–Waite),
 * |r| ≤ ln2/128; e^x = 2ⁿ · 2^{j/64} · e^r with e^r by its Taylor polynomial of degree 5
 * (truncation ≤ r⁶/720 < 4e-17 relative). Tested against Math.exp to ≤ 1e-15 relative over
 * [−700, 700]. Outside (−708, 709), and for NaN, it defers to Math.exp (overflow, subnormals).
 */
export const EXP_T = new Float64Array(64);
for (let j = 0; j < 64; j++) EXP_T[j] = Math.pow(2, j / 64);
/** 2ⁿ for n = −1022 … 1023 at index n + 1022 (normal numbers only). */
export const EXP_P2 = new Float64Array(2046);
for (let n = -1022; n <= 1023; n++) EXP_P2[n + 1022] = Math.pow(2, n);
export const EXP_INV = 64 / Math.LN2;
// fdlibm's split of ln 2: a head with 32 significant bits (m·head exact for |m| < 2²¹) and a
// tail carrying the next 53 bits; /64 is exact.
export const EXP_HEAD = 6.93147180369123816490e-01 / 64;
export const EXP_TAIL = 1.90821492927058770002e-10 / 64;

export function fastExp(x: number): number {
  if (x > -708 && x < 709) {
    // floor(· + 0.5), not Math.round: V8 inlines floor, Math.round was a call here (measured).
    const m = Math.floor(x * EXP_INV + 0.5);
    const r = (x - m * EXP_HEAD) - m * EXP_TAIL;
    const mi = m | 0; // |m| < 2¹⁷
    const p = 1 + r * (1 + r * (0.5 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120)))));
    return EXP_P2[(mi >> 6) + 1022] * EXP_T[mi & 63] * p;
  }
  return Math.exp(x);
}

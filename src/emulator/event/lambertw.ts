/**
 * Principal branch W₀ of the Lambert W function on [−1/e, ∞) (W·e^W = x), by Halley iteration
 * (Corless et al. 1996, eq. 5.9) from a series start near the branch point and a log start for
 * large x. Accurate to a few ulp; W₀(−1/e) = −1. Returns NaN below −1/e.
 */
const INV_E = 0.36787944117144233;

export function lambertW0(x: number): number {
  if (!(x >= -INV_E)) {
    // Round-off can put an argument meant to be exactly −1/e a few ulp below it.
    if (x > -INV_E - 1e-15) return -1;
    return NaN;
  }
  if (x === 0) return 0;
  if (x === Infinity) return Infinity;
  let w: number;
  if (x < -0.32) {
    // Branch-point series in p = √(2(e·x + 1)) (Corless et al. 1996, eq. 4.22).
    const p = Math.sqrt(2 * (2.718281828459045 * x + 1));
    w = -1 + p * (1 + p * (-1 / 3 + p * (11 / 72 + p * (-43 / 540 + p * (769 / 17280)))));
  } else if (x < 0.5) {
    // Padé approximant at 0: W ≈ x (1 + 4/3 x) / (1 + 7/3 x + 5/6 x²).
    w = (x * (1 + (4 / 3) * x)) / (1 + x * (7 / 3 + (5 / 6) * x));
  } else if (x < 3) {
    w = Math.log1p(x) * 0.8;
  } else {
    const l = Math.log(x);
    w = l - Math.log(l);
  }
  for (let it = 0; it < 30; it++) {
    const ew = Math.exp(w);
    const f = w * ew - x;
    const wp1 = w + 1;
    if (wp1 === 0 || f === 0) break;
    // Halley: w ← w − f / (e^w (w+1) − (w+2) f / (2(w+1))).
    const dw = f / (ew * wp1 - ((w + 2) * f) / (2 * wp1));
    w -= dw;
    // Cubic convergence: once a step is below 1e-6, the remaining error is below ~1e-17.
    if (Math.abs(dw) <= 1e-6 * (1 + Math.abs(w))) break;
  }
  return w;
}

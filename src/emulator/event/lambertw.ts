/**
 * Principal branch W₀ of the Lambert W function on [−1/e, ∞) (W·e^W = x), by Halley iteration
 * (Corless et al. 1996, eq. 5.9): on [−1/e, 0) (where first-spike times need it) from a cubic
 * Hermite table in p = √(2(e·x + 1)), so that one step reaches round-off; elsewhere from log
 * starts. Accurate to a few ulp; W₀(−1/e) = −1. Returns NaN below −1/e.
 */
const INV_E = 0.36787944117144233;

/**
 * Start values on [−1/e, 0): cubic Hermite table of W₀ in p = √(2(e·x + 1)) ∈ [0, √2], where W₀
 * is smooth (W = −1 + p − p²/3 + …, Corless et al. eq. 4.22). Nodes are solved once by the
 * iteration below; the interpolation error (≈ 1e-10) leaves one Halley step to round-off.
 */
const TABLE_N = 64;
const P_MAX = Math.SQRT2;
const TABLE_H = P_MAX / TABLE_N;
const TABLE_W = new Float64Array(TABLE_N + 1);
const TABLE_D = new Float64Array(TABLE_N + 1); // dW/dp at the nodes

function halleySolve(x: number, start: number): number {
  let w = start;
  for (let it = 0; it < 60; it++) {
    const ew = Math.exp(w);
    const f = w * ew - x;
    const wp1 = w + 1;
    if (wp1 === 0 || f === 0) break;
    const dw = f / (ew * wp1 - ((w + 2) * f) / (2 * wp1));
    w -= dw;
    if (Math.abs(dw) <= 1e-15 * (1 + Math.abs(w))) break;
  }
  return w;
}

for (let k = 0; k <= TABLE_N; k++) {
  const p = k * TABLE_H;
  const x = (p * p / 2 - 1) * INV_E;
  const series = -1 + p * (1 + p * (-1 / 3 + p * (11 / 72 + p * (-43 / 540 + p * (769 / 17280)))));
  const w = k === 0 ? -1 : k === TABLE_N ? 0 : halleySolve(x, p < 0.8 ? series : x);
  TABLE_W[k] = w;
  // dW/dp = dW/dx · dx/dp = W/(x(1+W)) · p/e; limits 1 at p = 0 and p/e at x = 0 (W/x → 1).
  TABLE_D[k] = k === 0 ? 1 : k === TABLE_N ? p * INV_E : (w / (x * (1 + w))) * p * INV_E;
}

export function lambertW0(x: number): number {
  if (!(x >= -INV_E)) {
    // Round-off can put an argument meant to be exactly −1/e a few ulp below it.
    if (x > -INV_E - 1e-15) return -1;
    return NaN;
  }
  if (x === 0) return 0;
  if (x === Infinity) return Infinity;
  if (x < 0) return lambertW0Neg(x);
  let w: number;
  if (x < 3) {
    w = Math.log1p(x) * 0.8;
  } else {
    const l = Math.log(x);
    w = l - Math.log(l);
  }
  return halleyPolish(x, w);
}

/**
 * W₀(x) for x ∈ [−1/e, 0] (first-spike times; the caller guarantees the range): the branch
 * of `lambertW0` without its range dispatch, so that it stays small enough for the JIT to inline
 * into the spike-time kernels. Same operations, same result bit for bit.
 */
export function lambertW0Neg(x: number): number {
  if (x === 0) return 0; // −0 from an exp that underflowed, as in `lambertW0`
  const p = Math.sqrt(2 * (2.718281828459045 * x + 1));
  let k = Math.floor(p / TABLE_H);
  if (k >= TABLE_N) k = TABLE_N - 1;
  const u = p / TABLE_H - k;
  const u2 = u * u;
  const u3 = u2 * u;
  // Cubic Hermite basis on [p_k, p_k+1].
  const w = (2 * u3 - 3 * u2 + 1) * TABLE_W[k] + (u3 - 2 * u2 + u) * TABLE_H * TABLE_D[k]
    + (-2 * u3 + 3 * u2) * TABLE_W[k + 1] + (u3 - u2) * TABLE_H * TABLE_D[k + 1];
  // One Halley step reaches round-off from the table (the loop below is for safety only).
  const ew = Math.exp(w);
  const f = w * ew - x;
  const wp1 = w + 1;
  if (wp1 === 0 || f === 0) return w;
  const dw = f / (ew * wp1 - ((w + 2) * f) / (2 * wp1));
  const w1 = w - dw;
  if (Math.abs(dw) <= 1e-6 * Math.abs(w1)) return w1;
  return halleyPolish(x, w1, 29);
}

function halleyPolish(x: number, start: number, iterations = 30): number {
  let w = start;
  for (let it = 0; it < iterations; it++) {
    const ew = Math.exp(w);
    const f = w * ew - x;
    const wp1 = w + 1;
    if (wp1 === 0 || f === 0) break;
    // Halley: w ← w − f / (e^w (w+1) − (w+2) f / (2(w+1))).
    const dw = f / (ew * wp1 - ((w + 2) * f) / (2 * wp1));
    w -= dw;
    // Cubic convergence: once a step is below 1e-6 relative, the remaining error is ~1e-17.
    if (Math.abs(dw) <= 1e-6 * Math.abs(w)) break;
  }
  return w;
}

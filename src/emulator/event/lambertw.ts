/**
 * Principal branch W₀ of the Lambert W function on [−1/e, ∞) (W·e^W = x).
 *
 * `lambertW0`: Halley iteration (Corless et al. 1996, eq. 5.9): on [−1/e, 0) (where first-spike
 * times need it) from a cubic Hermite table in p = √(2(e·x + 1)), so that one step reaches
 * round-off; elsewhere from log starts. Accurate to a few ulp; W₀(−1/e) = −1; NaN below −1/e.
 *
 * `lambertW0Neg`: [−1/e, 0] only, for the spike-time kernels: a quintic Hermite table in p, no
 * iteration and no exp; agrees with `lambertW0` to round-off (see its comment).
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
  if (x < 0) return negativeHalley(x);
  let w: number;
  if (x < 3) {
    w = Math.log1p(x) * 0.8;
  } else {
    const l = Math.log(x);
    w = l - Math.log(l);
  }
  return halleyPolish(x, w);
}

/** W₀ on [−1/e, 0): coarse-table start, then Halley to round-off (the reference path). */
function negativeHalley(x: number): number {
  const p = Math.sqrt(2 * (2.718281828459045 * x + 1));
  let k = Math.floor(p / TABLE_H);
  if (k >= TABLE_N) k = TABLE_N - 1;
  const u = p / TABLE_H - k;
  const u2 = u * u;
  const u3 = u2 * u;
  // Cubic Hermite basis on [p_k, p_k+1].
  const w = (2 * u3 - 3 * u2 + 1) * TABLE_W[k] + (u3 - 2 * u2 + u) * TABLE_H * TABLE_D[k]
    + (-2 * u3 + 3 * u2) * TABLE_W[k + 1] + (u3 - u2) * TABLE_H * TABLE_D[k + 1];
  // One Halley step reaches round-off from the table (the loop is for safety only).
  return halleyPolish(x, w);
}

/**
 * Fine table for `lambertW0Neg`: quintic Hermite (value, first and second derivative at the
 * nodes) in p with FINE_N intervals. Its interpolation error, ≤ h⁶/46080 · max|d⁶W/dp⁶|, is
 * below 4e-16 at 256 intervals (measured against the nodes' solver at 5 points per interval):
 * round-off of the evaluation itself, so no Newton/Halley step (and no exp) is needed.
 * 6 × 256 doubles = 12 KB.
 */
export const FINE_N = 256;
const FINE_H = P_MAX / FINE_N;
export const FINE_INV_H = FINE_N / P_MAX;
/** Per interval k: the six coefficients of c0 + c1 u + … + c5 u⁵, u = (p − p_k)/h ∈ [0, 1]. */
export const FINE_C = new Float64Array(6 * FINE_N);

/**
 * Nodes solved in p itself, not through x (x = (p²/2 − 1)/e loses a small p to round-off):
 * with W = ω − 1, W e^W = x becomes g(ω) = 1 − (1 − ω)e^ω = p²/2, and
 * g(ω) = Σ_{k≥2} (k − 1) ωᵏ / k! has only positive terms on ω ∈ [0, 1] (no cancellation);
 * Newton with g′(ω) = ω e^ω.
 */
function omegaOfP(p: number): number {
  const target = 0.5 * p * p;
  let om = p < 0.5 ? p - p * p / 3 : lambertW0((p * p / 2 - 1) * INV_E) + 1;
  for (let it = 0; it < 50; it++) {
    let term = om * om / 2; // ωᵏ / k! for k = 2
    let g = term;
    for (let k = 3; k < 40; k++) {
      term *= om / k;
      g += (k - 1) * term;
    }
    const step = (g - target) / (om * Math.exp(om));
    om -= step;
    if (Math.abs(step) <= 1e-17 * (1 + om)) break;
  }
  return om;
}

{
  // dW/dp = p / g′(ω); d²W/dp² = (g′ − p g″ W′) / g′², g″ = (1 + ω) e^ω; at p = 0 the series
  // W = −1 + p − p²/3 + … gives 1 and −2/3.
  const wv = new Float64Array(FINE_N + 1);
  const d1 = new Float64Array(FINE_N + 1);
  const d2 = new Float64Array(FINE_N + 1);
  for (let k = 0; k <= FINE_N; k++) {
    const p = k * FINE_H;
    const om = k === 0 ? 0 : k === FINE_N ? 1 : omegaOfP(p);
    wv[k] = om - 1;
    if (k === 0) {
      d1[k] = 1;
      d2[k] = -2 / 3;
    } else {
      const e = Math.exp(om);
      const g1 = om * e;
      const w1 = p / g1;
      d1[k] = w1;
      d2[k] = (g1 - p * (1 + om) * e * w1) / (g1 * g1);
    }
  }
  const h = FINE_H;
  for (let k = 0; k < FINE_N; k++) {
    // Quintic Hermite on [p_k, p_k+1] in u, derivatives scaled to u (× h, × h²).
    const f0 = wv[k];
    const f1 = wv[k + 1];
    const a0 = d1[k] * h;
    const a1 = d1[k + 1] * h;
    const b0 = d2[k] * h * h;
    const b1 = d2[k + 1] * h * h;
    const df = f1 - f0;
    const o = 6 * k;
    FINE_C[o] = f0;
    FINE_C[o + 1] = a0;
    FINE_C[o + 2] = 0.5 * b0;
    FINE_C[o + 3] = 10 * df - 6 * a0 - 4 * a1 - 1.5 * b0 + 0.5 * b1;
    FINE_C[o + 4] = -15 * df + 8 * a0 + 7 * a1 + 1.5 * b0 - b1;
    FINE_C[o + 5] = 6 * df - 3 * a0 - 3 * a1 - 0.5 * b0 + 0.5 * b1;
  }
}

/**
 * W₀(x) for x ∈ [−1/e, 0] (first-spike times; the caller guarantees the range), without an
 * iteration: a quintic in p = √(2(e·x + 1)) from the fine table. Both this and `lambertW0`
 * evaluate W at the rounded x, whose half-ulp error is amplified by dW/dx ≈ e/p near the branch
 * point: they agree to 1e-15 + 5e-16/p (tested; ≈ 2e-16/p measured, ≤ 2.3e-15 for p ≥ 0.1).
 * Small enough for the JIT to inline into the spike-time kernels.
 */
export function lambertW0Neg(x: number): number {
  if (x === 0) return 0; // −0 from an exp that underflowed, as in `lambertW0`
  const q = 2 * (2.718281828459045 * x + 1);
  const pu = Math.sqrt(q > 0 ? q : 0) * FINE_INV_H;
  let k = Math.floor(pu);
  if (k >= FINE_N) k = FINE_N - 1;
  const u = pu - k;
  const o = 6 * k;
  // Estrin's scheme: three independent pairs, a shorter dependency chain than Horner's.
  const u2 = u * u;
  return (FINE_C[o] + u * FINE_C[o + 1]) + u2 * ((FINE_C[o + 2] + u * FINE_C[o + 3]) + u2 * (FINE_C[o + 4] + u * FINE_C[o + 5]));
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

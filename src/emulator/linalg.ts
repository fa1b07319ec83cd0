/**
 * Small dense linear algebra for the exponential integrator: the propagators of a linear,
 * time-invariant system dx/dt = A x + f over a step h,
 *
 *   x(h) = E x(0) + Φ f,   E = exp(A h),   Φ = ∫₀ʰ exp(A s) ds = h φ₁(A h),
 *
 * computed together from the block matrix M = [[A h, h I], [0, 0]], whose exponential is
 * [[E, Φ], [0, I]] (Van Loan 1978, "Computing integrals involving the matrix exponential").
 * The exponential uses scaling and squaring with a Taylor series: M is scaled by 2^-s so that
 * its 1-norm is ≤ 0.5, the series is summed to degree 18 (truncation ≤ 0.5^19/19! ≈ 2e-23,
 * far below double rounding), then squared s times. A stiff A (large conductances) only adds
 * squarings; the result stays bounded because every squaring is of a contraction.
 *
 * Matrices are row-major Float64Array.
 */

export interface Propagator {
  n: number;
  /** exp(A h), n×n row-major. */
  E: Float64Array;
  /** ∫₀ʰ exp(A s) ds, n×n row-major. */
  Phi: Float64Array;
}

function matmul(a: Float64Array, b: Float64Array, out: Float64Array, n: number): void {
  out.fill(0);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const aik = a[i * n + k];
      if (aik === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j] += aik * b[k * n + j];
    }
  }
}

function norm1(a: Float64Array, n: number): number {
  let best = 0;
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.abs(a[i * n + j]);
    if (s > best) best = s;
  }
  return best;
}

/** exp(M) of an n×n matrix by scaling and squaring of a degree-18 Taylor series. */
export function expm(m: Float64Array, n: number): Float64Array {
  const nrm = norm1(m, n);
  const s = nrm > 0.5 ? Math.ceil(Math.log2(nrm / 0.5)) : 0;
  const scale = 2 ** -s;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) a[i] = m[i] * scale;
  // Horner form: I + a(I + a/2(I + a/3(...)))
  let acc = new Float64Array(n * n);
  for (let i = 0; i < n; i++) acc[i * n + i] = 1;
  let tmp = new Float64Array(n * n);
  for (let k = 18; k >= 1; k--) {
    matmul(a, acc, tmp, n);
    for (let i = 0; i < n * n; i++) tmp[i] /= k;
    for (let i = 0; i < n; i++) tmp[i * n + i] += 1;
    const t = acc;
    acc = tmp;
    tmp = t;
  }
  for (let k = 0; k < s; k++) {
    matmul(acc, acc, tmp, n);
    const t = acc;
    acc = tmp;
    tmp = t;
  }
  return acc;
}

/**
 * E = exp(A h) and Φ = ∫₀ʰ exp(A s) ds for an n×n matrix A.
 *
 * `scale` (optional, length n) is a diagonal similarity x = D y applied before exponentiating:
 * states in mixed units (volts next to amperes) give entries like h/C ≈ 10⁴ that would force
 * many squarings and lose digits; with D the scaled matrix D⁻¹ A D has entries of order λh,
 * and E = D E_y D⁻¹, Φ = D Φ_y D⁻¹ are recovered exactly (up to rounding).
 */
export function propagator(A: Float64Array, n: number, h: number, scale?: Float64Array): Propagator {
  const N = 2 * n;
  const m = new Float64Array(N * N);
  const d = (i: number): number => (scale ? scale[i] : 1);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) m[i * N + j] = (A[i * n + j] * h * d(j)) / d(i);
    m[i * N + n + i] = h;
  }
  const x = expm(m, N);
  const E = new Float64Array(n * n);
  const Phi = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      E[i * n + j] = (x[i * N + j] * d(i)) / d(j);
      Phi[i * n + j] = (x[i * N + n + j] * d(i)) / d(j);
    }
  }
  return { n, E, Phi };
}

/**
 * φ(λ, h) = ∫₀ʰ e^{-λ s} ds = (1 − e^{-λh})/λ, stable for λ → 0 (then h).
 */
export function phiDecay(lambda: number, h: number): number {
  const x = lambda * h;
  if (Math.abs(x) < 1e-12) return h;
  return -Math.expm1(-x) / lambda;
}

/**
 * κ(λ, μ, h) = ∫₀ʰ e^{-λ(h−s)} e^{-μ s} ds: the response at h of a state decaying with rate λ
 * to a unit input decaying with rate μ, = (e^{-μh} − e^{-λh})/(λ − μ), and h e^{-λh} when
 * λ = μ. Written as e^{-λh}·expm1((λ−μ)h)/(λ−μ) so that nearly equal rates lose no digits.
 */
export function kappaDecay(lambda: number, mu: number, h: number): number {
  const d = (lambda - mu) * h;
  const el = Math.exp(-lambda * h);
  if (Math.abs(d) < 1e-12) return h * el;
  return (el * Math.expm1(d)) / (lambda - mu);
}

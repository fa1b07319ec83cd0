/**
 * Fit of a relaxation y(t) = offset + amplitude · exp(−(t − t0)/τ), t0 = first time in the
 * window (membrane time constant from a step response, synaptic decay, ...).
 *
 * Method: Levenberg–Marquardt (Marquardt 1963, diagonal scaling) on the parameters
 * (offset, amplitude, k = T/τ) with time rescaled to s = (t − t0)/T ∈ [0, 1] and values scaled by
 * their spread, so that the 3×3 normal equations are well conditioned whatever the units.
 * Start values from the three-point formula on the interpolant at s = 0, ½, 1:
 *   r = (y₁ − y½)/(y½ − y₀) = exp(−k/2),  offset = (y₀y₁ − y½²)/(y₀ + y₁ − 2y½).
 * Optional Huber weights (iteratively reweighted, tuning constant 1.345·σ, σ from the median
 * absolute residual) make the fit robust against spikes or glitches in the window.
 */
import { inputError } from '../util/errors.ts';
import { checkWaveform, lowerBound, valueAt, type Samples } from './waveform.ts';

export interface ExpFitOptions {
  /** Window [from, to]; default the whole waveform. */
  from?: number;
  to?: number;
  /** Known asymptote (e.g. the leak potential): then only amplitude and τ are fitted. */
  offset?: number;
  /** Huber-weighted robust fit. Default false (plain least squares). */
  robust?: boolean;
  maxIterations?: number;
}

export interface ExpFit {
  tau: number;
  amplitude: number;
  offset: number;
  /** Reference time of the amplitude (first sample in the window). */
  t0: number;
  /** Root-mean-square residual (unweighted), in the units of y. */
  rmse: number;
  iterations: number;
  converged: boolean;
}

export function fitExponential(t: Samples, y: Samples, opts: ExpFitOptions = {}): ExpFit {
  checkWaveform(t, y, 'fitExponential');
  const i0 = opts.from === undefined ? 0 : lowerBound(t, opts.from);
  let i1 = t.length;
  if (opts.to !== undefined) {
    i1 = lowerBound(t, opts.to);
    while (i1 < t.length && t[i1] <= opts.to) i1++;
  }
  const n = i1 - i0;
  const fixedOffset = opts.offset !== undefined;
  if (n < (fixedOffset ? 3 : 4)) throw inputError('fitExponential needs at least 4 samples in the window', {}, { value: { from: opts.from, to: opts.to, samples: n } });
  const t0 = t[i0];
  const T = t[i1 - 1] - t0;
  if (!(T > 0)) throw inputError('fitExponential: window has zero duration', {}, { value: { t0 } });
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = i0; k < i1; k++) { lo = Math.min(lo, y[k]); hi = Math.max(hi, y[k]); }
  const Y = hi - lo || 1;
  const s = new Float64Array(n);
  const z = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    s[k] = (t[i0 + k] - t0) / T;
    z[k] = (y[i0 + k] - lo) / Y;
  }

  // Start values (scaled units).
  const ya = (valueAt(t, y, t0) - lo) / Y;
  const yb = (valueAt(t, y, t0 + T / 2) - lo) / Y;
  const yc = (valueAt(t, y, t0 + T) - lo) / Y;
  let c: number;
  let A: number;
  let kk: number;
  if (fixedOffset) {
    c = ((opts.offset as number) - lo) / Y;
    const r0 = (ya - c) !== 0 ? (yc - c) / (ya - c) : NaN;
    kk = r0 > 0 && r0 < 1 ? -Math.log(r0) : 1;
    A = ya - c;
  } else {
    const r = (yc - yb) / (yb - ya);
    if (r > 0 && r < 1) {
      kk = -2 * Math.log(r);
      const den = ya + yc - 2 * yb;
      c = den !== 0 ? (ya * yc - yb * yb) / den : yc;
      A = ya - c;
    } else {
      kk = 1;
      c = yc;
      A = ya - yc;
    }
  }

  const w = new Float64Array(n).fill(1);
  const maxIt = opts.maxIterations ?? 200;
  let iterations = 0;
  let converged = false;
  const outer = opts.robust ? 6 : 1;
  for (let pass = 0; pass < outer; pass++) {
    const res = lm(s, z, w, [c, A, kk], fixedOffset, maxIt);
    [c, A, kk] = res.p;
    iterations += res.iterations;
    converged = res.converged;
    if (!opts.robust) break;
    // Huber weights from the current residuals.
    const r = new Float64Array(n);
    for (let k = 0; k < n; k++) r[k] = Math.abs(z[k] - (c + A * Math.exp(-kk * s[k])));
    const sorted = Float64Array.from(r).sort();
    const sigma = 1.4826 * sorted[n >> 1] || 1e-12;
    const h = 1.345 * sigma;
    for (let k = 0; k < n; k++) w[k] = r[k] <= h ? 1 : h / r[k];
  }

  let sse = 0;
  for (let k = 0; k < n; k++) {
    const e = z[k] - (c + A * Math.exp(-kk * s[k]));
    sse += e * e;
  }
  return {
    tau: T / kk,
    amplitude: A * Y,
    offset: c * Y + lo,
    t0,
    rmse: Math.sqrt(sse / n) * Y,
    iterations,
    converged,
  };
}

/** Levenberg–Marquardt for z ≈ c + A e^{−k s}, weights w; c held fixed when `fixC`. */
function lm(s: Float64Array, z: Float64Array, w: Float64Array, p0: number[], fixC: boolean, maxIt: number): { p: number[]; iterations: number; converged: boolean } {
  const n = s.length;
  let [c, A, k] = p0;
  const sseOf = (cc: number, AA: number, kk: number): number => {
    let e2 = 0;
    for (let i = 0; i < n; i++) {
      const e = z[i] - (cc + AA * Math.exp(-kk * s[i]));
      e2 += w[i] * e * e;
    }
    return e2;
  };
  let sse = sseOf(c, A, k);
  let lambda = 1e-3;
  let it = 0;
  let converged = false;
  for (; it < maxIt; it++) {
    // Normal equations JᵀWJ δ = JᵀW r, J columns ∂/∂c = 1, ∂/∂A = e, ∂/∂k = −A s e.
    const M = [0, 0, 0, 0, 0, 0, 0, 0, 0];
    const g = [0, 0, 0];
    for (let i = 0; i < n; i++) {
      const e = Math.exp(-k * s[i]);
      const r = z[i] - (c + A * e);
      const J = [fixC ? 0 : 1, e, -A * s[i] * e];
      for (let a = 0; a < 3; a++) {
        g[a] += w[i] * J[a] * r;
        for (let b = 0; b < 3; b++) M[3 * a + b] += w[i] * J[a] * J[b];
      }
    }
    if (fixC) { M[0] = 1; M[1] = M[2] = M[3] = M[6] = 0; g[0] = 0; }
    let improved = false;
    for (let tries = 0; tries < 30; tries++) {
      const D = M.slice();
      for (let a = 0; a < 3; a++) D[4 * a] += lambda * (M[4 * a] || 1);
      const d = solve3(D, g);
      if (d === undefined) { lambda *= 10; continue; }
      const nc = c + d[0];
      const nA = A + d[1];
      const nk = Math.max(k + d[2], 1e-9);
      const nsse = sseOf(nc, nA, nk);
      if (nsse <= sse) {
        const rel = (sse - nsse) / Math.max(sse, 1e-300);
        const step = Math.abs(d[0]) + Math.abs(d[1]) + Math.abs(d[2]) / Math.max(1, Math.abs(k));
        c = nc; A = nA; k = nk; sse = nsse;
        lambda = Math.max(lambda / 3, 1e-12);
        improved = true;
        if (rel < 1e-14 || step < 1e-13) converged = true;
        break;
      }
      lambda *= 4;
    }
    if (!improved) { converged = true; break; }
    if (converged) break;
  }
  return { p: [c, A, k], iterations: it + 1, converged };
}

/** Solve a 3×3 system by Gaussian elimination with partial pivoting. */
function solve3(M: number[], b: number[]): number[] | undefined {
  const a = [
    [M[0], M[1], M[2], b[0]],
    [M[3], M[4], M[5], b[1]],
    [M[6], M[7], M[8], b[2]],
  ];
  for (let col = 0; col < 3; col++) {
    let piv = col;
    for (let r = col + 1; r < 3; r++) if (Math.abs(a[r][col]) > Math.abs(a[piv][col])) piv = r;
    if (Math.abs(a[piv][col]) < 1e-300) return undefined;
    [a[col], a[piv]] = [a[piv], a[col]];
    for (let r = col + 1; r < 3; r++) {
      const f = a[r][col] / a[col][col];
      for (let c = col; c < 4; c++) a[r][c] -= f * a[col][c];
    }
  }
  const x = [0, 0, 0];
  for (let r = 2; r >= 0; r--) {
    let v = a[r][3];
    for (let c = r + 1; c < 3; c++) v -= a[r][c] * x[c];
    x[r] = v / a[r][r];
  }
  return x.every(Number.isFinite) ? x : undefined;
}

/**
 * Small dense linear systems (Newton steps of rest solves over a handful of nodes).
 */

/**
 * Solve J·x = b in place (Gaussian elimination with partial pivoting; J row-major n×n, b becomes
 * x); false, with J and b undefined, when a pivot is zero.
 */
export function solveDense(J: Float64Array, b: Float64Array, n: number): boolean {
  for (let k = 0; k < n; k++) {
    let piv = k;
    for (let r = k + 1; r < n; r++) if (Math.abs(J[r * n + k]) > Math.abs(J[piv * n + k])) piv = r;
    if (!(Math.abs(J[piv * n + k]) > 0)) return false;
    if (piv !== k) {
      for (let j = 0; j < n; j++) { const t = J[k * n + j]; J[k * n + j] = J[piv * n + j]; J[piv * n + j] = t; }
      const t = b[k]; b[k] = b[piv]; b[piv] = t;
    }
    for (let r = k + 1; r < n; r++) {
      const f = J[r * n + k] / J[k * n + k];
      if (f === 0) continue;
      for (let j = k; j < n; j++) J[r * n + j] -= f * J[k * n + j];
      b[r] -= f * b[k];
    }
  }
  for (let k = n - 1; k >= 0; k--) {
    let s = b[k];
    for (let j = k + 1; j < n; j++) s -= J[k * n + j] * b[j];
    b[k] = s / J[k * n + k];
  }
  return true;
}

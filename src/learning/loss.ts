/**
 * Losses on output first-spike times (time in units of τ_s). Each returns the loss of one sample
 * and writes ∂L/∂t_k into `grad`. A missing spike is t = Infinity.
 */

/**
 * Fast & Deep (Göltz et al. 2021, v1.0.0 code): cross-entropy on softmax(−t/ξ) plus the
 * regulariser α·exp(t_c/β) that pulls the correct output early:
 *   L = log Σ_k e^{−t_k/ξ} + t_c/ξ + α e^{t_c/β}.
 * L = 100 with zero gradient when the correct output is silent (as the reference code).
 */
export function ttfsCrossEntropy(times: Float64Array, n: number, label: number, xi: number, alpha: number, beta: number, grad: Float64Array): number {
  const tc = times[label];
  if (!(tc < Infinity)) {
    grad.fill(0, 0, n);
    return 100;
  }
  let tMin = Infinity;
  for (let k = 0; k < n; k++) if (times[k] < tMin) tMin = times[k];
  let z = 0;
  for (let k = 0; k < n; k++) z += times[k] < Infinity ? Math.exp(-(times[k] - tMin) / xi) : 0;
  for (let k = 0; k < n; k++) {
    const p = times[k] < Infinity ? Math.exp(-(times[k] - tMin) / xi) / z : 0;
    grad[k] = -p / xi;
  }
  const reg = alpha * Math.exp(tc / beta);
  grad[label] += 1 / xi + reg / beta;
  return -tMin / xi + Math.log(z) + tc / xi + reg;
}

/**
 * DelGrad's shift-invariant MSE (`LossFunctionShiftInvariantMSE`): every wrong output should
 * fire Δt after the correct one, L = ½ Σ_{k≠c} (t_k − t_c − Δt)². Silent wrong outputs add
 * nothing (no gradient exists for them); a silent correct output gives L = 100, zero gradient
 * (the missing-spike handling of the training loop takes over).
 */
export function shiftInvariantMse(times: Float64Array, n: number, label: number, deltaT: number, grad: Float64Array): number {
  grad.fill(0, 0, n);
  const tc = times[label];
  if (!(tc < Infinity)) return 100;
  let loss = 0;
  for (let k = 0; k < n; k++) {
    if (k === label || !(times[k] < Infinity)) continue;
    const e = times[k] - tc - deltaT;
    loss += 0.5 * e * e;
    grad[k] += e;
    grad[label] -= e;
  }
  return loss;
}

/** Index of the earliest output, or −1 when the earliest is silent/NaN (counted as wrong). */
export function classify(times: Float64Array, n: number): number {
  let best = -1;
  let tBest = Infinity;
  for (let k = 0; k < n; k++) {
    if (times[k] < tBest) {
      tBest = times[k];
      best = k;
    }
  }
  return best;
}

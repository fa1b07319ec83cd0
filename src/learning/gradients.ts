/**
 * Exact gradients of first-spike times (Göltz et al. 2021; DelGrad, Göltz et al. 2025) by the
 * implicit function theorem at the threshold crossing v(t*; w, t) = θ:
 *
 *   ∂t* / ∂w_i = −K(t* − t̃_i) / v̇(t*),      ∂t* / ∂t̃_i = w_i K′(t* − t̃_i) / v̇(t*),
 *   v̇(t*) = I(t*)/C − θ/τ_m,   I(t*) = Σ_{t̃_i < t*} w_i e^{−(t* − t̃_i)/τ_s},
 *
 * with K the PSP kernel (./../emulator/event/lif.ts) and t̃_i = t_i + a_i + s_ji + d_j the
 * arrival time. For τ_m = τ_s these are the paper's closed forms −(t* − t_i) e^{t_i/τ}/(A(1+W))
 * and −w_i e^{t_i/τ}(t* − t_i − τ)/(τA(1+W)), since C v̇(t*) e^{t* / τ} = A(1 + W); the tests check
 * both forms and finite differences. A delay enters only through t̃, so ∂t* / ∂d = ∂t* / ∂t̃
 * summed over the synapses sharing the delay (axonal: over j, dendritic: over i).
 *
 * Evaluated with the ideal model at the given (possibly measured) spike times: in the loop on
 * the die the forward times come from the die, the gradient from this formula.
 */
import * as lif from '../emulator/event/lif.ts';
import type { LayerDelays } from '../emulator/event/layer.ts';

export interface NeuronModel {
  tauMem: number;
  tauSyn: number;
  capacitance: number;
  /** θ = ϑ − E_l. */
  threshold: number;
}

export interface LayerGradients {
  weights: Float64Array;
  axonal?: Float64Array;
  dendritic?: Float64Array;
  synaptic?: Float64Array;
}

/**
 * Accumulate ∂L/∂w, ∂L/∂delays and ∂L/∂t_in of one layer for one sample, given ∂L/∂t*_j in
 * `gOut`. A neuron whose weight gradient for this sample (with `gOut` already carrying the
 * 1/batch factor of a batch-mean loss, as in the reference code) exceeds `maxDwNorm` in any
 * component has its weight gradient dropped (Fast & Deep safeguard against the divergence of 1/v̇
 * near a grazing threshold crossing; its error still propagates to the inputs); a neuron whose
 * membrane slope at t* is not positive contributes nothing. Returns the number of such neurons.
 * `rowBuf` and `esBuf` are scratch of nIn entries.
 */
export function layerBackward(
  input: Float64Array, nIn: number, weights: Float64Array, delays: LayerDelays | null,
  outTimes: Float64Array, gOut: Float64Array, nOut: number, model: NeuronModel,
  grads: LayerGradients, gIn: Float64Array | null, maxDwNorm: number, rowBuf: Float64Array, esBuf: Float64Array,
): number {
  const { tauMem, tauSyn, capacitance, threshold } = model;
  const kind = lif.kernelKind(tauMem, tauSyn);
  const gain = lif.kernelGain(tauMem, tauSyn, capacitance, kind);
  const ax = delays?.axonal;
  const syn = delays?.synaptic;
  const den = delays?.dendritic;
  const equal = kind === lif.KIND_EQUAL;
  const em = rowBuf; // e^{−s/τ_m} per input (0 for non-causal), reused below
  const es = esBuf;
  let skipped = 0;
  for (let j = 0; j < nOut; j++) {
    const tStar = outTimes[j];
    const g = gOut[j];
    if (tStar === Infinity || g === 0 || Number.isNaN(tStar)) continue;
    const off = j * nIn;
    const dj = den ? den[j] : 0;
    let cur = 0;
    for (let i = 0; i < nIn; i++) {
      const s = tStar - (input[i] + (ax ? ax[i] : 0) + (syn ? syn[off + i] : 0) + dj);
      if (s > 0) {
        const m = Math.exp(-s / tauMem);
        const e = equal ? m : Math.exp(-s / tauSyn);
        em[i] = m;
        es[i] = e;
        cur += weights[off + i] * e;
      } else {
        em[i] = 0;
        es[i] = 0;
      }
    }
    const vdot = cur / capacitance - threshold / tauMem;
    if (!(vdot > 0)) {
      skipped++;
      continue;
    }
    // K(s) = gain·s·e^{−s/τ} (τ_m = τ_s) or gain·(e^{−s/τ_m} − e^{−s/τ_s});
    // K′(s) = gain·(1 − s/τ)e^{−s/τ} or gain·(e^{−s/τ_s}/τ_s − e^{−s/τ_m}/τ_m).
    const c = -g / vdot;
    let maxAbs = 0;
    for (let i = 0; i < nIn; i++) {
      if (em[i] === 0) continue;
      const s = tStar - (input[i] + (ax ? ax[i] : 0) + (syn ? syn[off + i] : 0) + dj);
      const k = equal ? gain * s * em[i] : gain * (em[i] - es[i]);
      const a = Math.abs(c * k);
      if (a > maxAbs) maxAbs = a;
    }
    // As the reference code: a neuron's weight gradient is dropped, its error still propagates.
    const keepW = maxAbs <= maxDwNorm;
    if (!keepW) skipped++;
    const gw = grads.weights;
    for (let i = 0; i < nIn; i++) {
      if (em[i] === 0) continue;
      const s = tStar - (input[i] + (ax ? ax[i] : 0) + (syn ? syn[off + i] : 0) + dj);
      if (keepW) gw[off + i] += c * (equal ? gain * s * em[i] : gain * (em[i] - es[i]));
      const kp = equal ? gain * (1 - s / tauMem) * em[i] : gain * (es[i] / tauSyn - em[i] / tauMem);
      const gt = (g * weights[off + i] * kp) / vdot;
      if (gIn) gIn[i] += gt;
      if (grads.axonal) grads.axonal[i] += gt;
      if (grads.synaptic) grads.synaptic[off + i] += gt;
      if (grads.dendritic) grads.dendritic[j] += gt;
    }
  }
  return skipped;
}

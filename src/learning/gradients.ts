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
import { kernelGain, kernelKind, psp, pspSlope } from '../emulator/event/lif.ts';
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
 * `rowBuf` needs nIn entries.
 */
export function layerBackward(
  input: Float64Array, nIn: number, weights: Float64Array, delays: LayerDelays | null,
  outTimes: Float64Array, gOut: Float64Array, nOut: number, model: NeuronModel,
  grads: LayerGradients, gIn: Float64Array | null, maxDwNorm: number, rowBuf: Float64Array,
): number {
  const { tauMem, tauSyn, capacitance, threshold } = model;
  const kind = kernelKind(tauMem, tauSyn);
  const gain = kernelGain(tauMem, tauSyn, capacitance, kind);
  const ax = delays?.axonal;
  const syn = delays?.synaptic;
  const den = delays?.dendritic;
  let skipped = 0;
  for (let j = 0; j < nOut; j++) {
    const tStar = outTimes[j];
    const g = gOut[j];
    if (tStar === Infinity || g === 0 || Number.isNaN(tStar)) continue;
    const off = j * nIn;
    const dj = den ? den[j] : 0;
    let cur = 0;
    for (let i = 0; i < nIn; i++) {
      const te = input[i] + (ax ? ax[i] : 0) + (syn ? syn[off + i] : 0) + dj;
      if (te < tStar) cur += weights[off + i] * Math.exp(-(tStar - te) / tauSyn);
    }
    const vdot = cur / capacitance - threshold / tauMem;
    if (!(vdot > 0)) {
      skipped++;
      continue;
    }
    let maxAbs = 0;
    for (let i = 0; i < nIn; i++) {
      const te = input[i] + (ax ? ax[i] : 0) + (syn ? syn[off + i] : 0) + dj;
      const dw = te < tStar ? (-g * psp(tStar - te, tauMem, tauSyn, gain, kind)) / vdot : 0;
      rowBuf[i] = dw;
      const a = dw < 0 ? -dw : dw;
      if (a > maxAbs) maxAbs = a;
    }
    // As the reference code: a neuron's weight gradient is dropped, its error still propagates.
    const keepW = maxAbs <= maxDwNorm;
    if (!keepW) skipped++;
    const gw = grads.weights;
    for (let i = 0; i < nIn; i++) {
      if (keepW) gw[off + i] += rowBuf[i];
      const te = input[i] + (ax ? ax[i] : 0) + (syn ? syn[off + i] : 0) + dj;
      if (!(te < tStar)) continue;
      const gt = (g * weights[off + i] * pspSlope(tStar - te, tauMem, tauSyn, gain, kind)) / vdot;
      if (gIn) gIn[i] += gt;
      if (grads.axonal) grads.axonal[i] += gt;
      if (grads.synaptic) grads.synaptic[off + i] += gt;
      if (grads.dendritic) grads.dendritic[j] += gt;
    }
  }
  return skipped;
}

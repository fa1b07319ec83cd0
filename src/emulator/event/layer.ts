/**
 * Exact first-spike times of a feed-forward layer of current-based LIF neurons (each neuron
 * fires at most once, as in time-to-first-spike coding). Every post neuron j integrates its
 * inputs in order of arrival; between two arrivals the membrane is advanced in closed form and
 * the interval is searched for the first threshold crossing (see ./lif.ts).
 *
 * Arrival time of input i at neuron j: t_i + a_i + s_ji + d_j (axonal, synaptic and dendritic
 * delays, each optional). Without synaptic delays one sort of the inputs serves the whole layer
 * (a dendritic delay shifts neuron j's output by d_j: the dynamics are time invariant).
 */
import { firstCrossing, kernelGain, kernelKind, KIND_EQUAL } from './lif.ts';

/** Per-neuron physical parameters of one layer (relative to rest: threshold θ = ϑ − E_l). */
export interface LayerNeurons {
  size: number;
  tauMem: Float64Array;
  tauSyn: Float64Array;
  capacitance: Float64Array;
  threshold: Float64Array;
}

/** Delays of one layer; absent arrays mean zero. Synaptic is row-major nOut × nIn. */
export interface LayerDelays {
  axonal?: Float64Array;
  dendritic?: Float64Array;
  synaptic?: Float64Array;
}

/** Homogeneous neurons (the ideal model): every neuron gets the same parameters. */
export function uniformNeurons(size: number, p: { tauMem: number; tauSyn: number; capacitance: number; threshold: number }): LayerNeurons {
  return {
    size,
    tauMem: new Float64Array(size).fill(p.tauMem),
    tauSyn: new Float64Array(size).fill(p.tauSyn),
    capacitance: new Float64Array(size).fill(p.capacitance),
    threshold: new Float64Array(size).fill(p.threshold),
  };
}

/** Reusable scratch for `layerForward` (no allocation per call). */
export class LayerScratch {
  order: Int32Array;
  arrival: Float64Array;
  tmpOrder: Int32Array;
  base: Float64Array;
  baseOrder: Int32Array;
  constructor(nIn: number) {
    this.order = new Int32Array(nIn);
    this.arrival = new Float64Array(nIn);
    this.tmpOrder = new Int32Array(nIn);
    this.base = new Float64Array(nIn);
    this.baseOrder = new Int32Array(nIn);
  }
}

/** Sort `order[0..n)` by `key[order[k]]` ascending (stable; insertion sort for short or nearly sorted runs, merge sort otherwise). */
export function argsortInto(key: Float64Array, order: Int32Array, tmp: Int32Array, n: number, presorted = false): void {
  if (!presorted) for (let i = 0; i < n; i++) order[i] = i;
  if (n <= 24 || presorted) {
    for (let i = 1; i < n; i++) {
      const oi = order[i];
      const ki = key[oi];
      let j = i - 1;
      while (j >= 0 && key[order[j]] > ki) {
        order[j + 1] = order[j];
        j--;
      }
      order[j + 1] = oi;
    }
    return;
  }
  // Bottom-up merge sort between order and tmp.
  let src = order;
  let dst = tmp;
  for (let width = 1; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let a = lo;
      let b = mid;
      let k = lo;
      while (a < mid && b < hi) dst[k++] = key[src[b]] < key[src[a]] ? src[b++] : src[a++];
      while (a < mid) dst[k++] = src[a++];
      while (b < hi) dst[k++] = src[b++];
    }
    const t = src;
    src = dst;
    dst = t;
  }
  if (src !== order) order.set(src.subarray(0, n));
}

/**
 * First spike of one neuron: inputs `arrival[order[k]]` ascending, weights `w[wOff + i]`.
 * Returns the spike time or Infinity.
 */
export function neuronFirstSpike(
  arrival: Float64Array, order: Int32Array, nIn: number, w: Float64Array, wOff: number,
  theta: number, tauMem: number, tauSyn: number, capacitance: number,
): number {
  const kind = kernelKind(tauMem, tauSyn);
  const gain = kernelGain(tauMem, tauSyn, capacitance, kind);
  let v = 0;
  let cur = 0;
  let tPrev = 0;
  for (let k = 0; k < nIn; k++) {
    const i = order[k];
    const t = arrival[i];
    if (t === Infinity) break;
    if (k > 0 && t > tPrev) {
      const s = t - tPrev;
      const em = Math.exp(-s / tauMem);
      const es = kind === KIND_EQUAL ? em : Math.exp(-s / tauSyn);
      v = kind === KIND_EQUAL ? em * (v + cur * gain * s) : v * em + cur * gain * (em - es);
      cur *= es;
    }
    tPrev = t;
    cur += w[wOff + i];
    const tNext = k + 1 < nIn ? arrival[order[k + 1]] : Infinity;
    const sx = firstCrossing(v, cur, tNext - t, theta, tauMem, tauSyn, capacitance, gain, kind);
    if (sx !== Infinity) return t + sx;
  }
  return Infinity;
}

/**
 * First-spike times of a layer: `out[j]` for j < nOut (Infinity = no spike).
 * `weights` row-major nOut × nIn.
 */
export function layerForward(
  input: Float64Array, nIn: number, weights: Float64Array, neurons: LayerNeurons,
  delays: LayerDelays | null, out: Float64Array, scratch: LayerScratch,
): void {
  const nOut = neurons.size;
  const { order, arrival, tmpOrder, base, baseOrder } = scratch;
  const ax = delays?.axonal;
  const syn = delays?.synaptic;
  const den = delays?.dendritic;
  for (let i = 0; i < nIn; i++) arrival[i] = ax ? input[i] + ax[i] : input[i];
  argsortInto(arrival, order, tmpOrder, nIn);
  if (!syn) {
    for (let j = 0; j < nOut; j++) {
      const t = neuronFirstSpike(arrival, order, nIn, weights, j * nIn, neurons.threshold[j], neurons.tauMem[j], neurons.tauSyn[j], neurons.capacitance[j]);
      out[j] = den ? t + den[j] : t;
    }
    return;
  }
  // Synaptic delays: each neuron sees its own arrival order; start from the shared order, which
  // is nearly sorted when delays are small compared with the spread of input times.
  base.set(arrival);
  baseOrder.set(order);
  for (let j = 0; j < nOut; j++) {
    const off = j * nIn;
    for (let i = 0; i < nIn; i++) arrival[i] = base[i] + syn[off + i] + (den ? den[j] : 0);
    order.set(baseOrder);
    argsortInto(arrival, order, tmpOrder, nIn, true);
    out[j] = neuronFirstSpike(arrival, order, nIn, weights, off, neurons.threshold[j], neurons.tauMem[j], neurons.tauSyn[j], neurons.capacitance[j]);
  }
}

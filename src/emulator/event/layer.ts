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
import * as lif from './lif.ts';

// Local bindings: imported bindings can compile to property getters under the tsx/esbuild
// loader, which costs a call per use in the hot loops below.
const firstCrossing = lif.firstCrossing;
const kernelGain = lif.kernelGain;
const kernelKind = lif.kernelKind;
const KIND_EQUAL = lif.KIND_EQUAL;

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
  decM: Float64Array;
  decS: Float64Array;
  packed: Float64Array;
  /** The same memory as `packed`, as 32-bit words (little-endian: low word first). */
  packedWords: Uint32Array;
  constructor(nIn: number) {
    this.packed = new Float64Array(nIn);
    this.packedWords = new Uint32Array(this.packed.buffer);
    this.decM = new Float64Array(nIn);
    this.decS = new Float64Array(nIn);
    this.order = new Int32Array(nIn);
    this.arrival = new Float64Array(nIn);
    this.tmpOrder = new Int32Array(nIn);
    this.base = new Float64Array(nIn);
    this.baseOrder = new Int32Array(nIn);
  }
}

/**
 * Sort `order[0..n)` by `key[order[k]]` ascending. Short or nearly sorted runs: insertion sort.
 * Otherwise the finite keys are copied with their index packed into the lowest mantissa bits and
 * sorted with the native numeric typed-array sort (no comparator calls); this perturbs a key by
 * at most 2^b ulp (b = bits of n), so only keys equal to ~1e-13 relative may swap, which changes
 * no spike time (the interval between such inputs is zero to that precision). Infinite keys
 * (silent inputs) go last.
 */
export function argsortInto(key: Float64Array, order: Int32Array, tmp: Int32Array, n: number, presorted = false, packed?: Float64Array, words?: Uint32Array): void {
  if (!presorted) for (let i = 0; i < n; i++) order[i] = i;
  if (n <= 24 || presorted || packed === undefined || words === undefined || n > 4096) {
    if (n <= 24 || presorted) {
      insertionSort(key, order, n);
      return;
    }
    mergeSort(key, order, tmp, n);
    return;
  }
  const bits = 32 - Math.clz32(n - 1);
  const mask = (1 << bits) - 1;
  let m = 0;
  let tail = n;
  for (let i = 0; i < n; i++) {
    const k = key[i];
    if (k === Infinity || k !== k) {
      order[--tail] = i;
      continue;
    }
    packed[m] = k === 0 ? 0 : k; // fold −0 into +0 so the packed bits order correctly
    words[2 * m] = ((words[2 * m] & ~mask) | i) >>> 0; // little-endian: low word first
    m++;
  }
  const view = packed.subarray(0, m);
  view.sort();
  for (let k = 0; k < m; k++) order[k] = words[2 * k] & mask;
  // The silent tail was filled backwards: restore ascending index order for stability.
  for (let a = tail, b = n - 1; a < b; a++, b--) {
    const t = order[a];
    order[a] = order[b];
    order[b] = t;
  }
}

function insertionSort(key: Float64Array, order: Int32Array, n: number): void {
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
}

function mergeSort(key: Float64Array, order: Int32Array, tmp: Int32Array, n: number): void {
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
 * Returns the spike time or Infinity. `decM[k]`, `decS[k]` may hold the decay factors
 * e^{−h/τ_m}, e^{−h/τ_s} over the interval after the k-th input (shared by all neurons of a
 * homogeneous layer); pass null to compute them here.
 *
 * Only intervals that can contain a crossing are solved exactly: the membrane has at most one
 * extremum, so if it is rising at both ends of an interval and below θ at its end, or falling at
 * its start, there is no crossing in it (no transcendental function needed).
 */
export function neuronFirstSpike(
  arrival: Float64Array, order: Int32Array, nIn: number, w: Float64Array, wOff: number,
  theta: number, tauMem: number, tauSyn: number, capacitance: number,
  decM: Float64Array | null, decS: Float64Array | null,
): number {
  const kind = kernelKind(tauMem, tauSyn);
  const gain = kernelGain(tauMem, tauSyn, capacitance, kind);
  const equal = kind === KIND_EQUAL;
  let v = 0;
  let cur = 0;
  for (let k = 0; k < nIn; k++) {
    const i = order[k];
    const t = arrival[i];
    if (t === Infinity) break;
    cur += w[wOff + i];
    const tNext = k + 1 < nIn ? arrival[order[k + 1]] : Infinity;
    const h = tNext - t;
    if (h === Infinity) {
      const sx = firstCrossing(v, cur, Infinity, theta, tauMem, tauSyn, capacitance, gain, kind);
      return sx === Infinity ? Infinity : t + sx;
    }
    if (h === 0) continue; // simultaneous inputs: add them all before looking for a crossing
    let em: number;
    let es: number;
    if (decM !== null && decS !== null) {
      em = decM[k];
      es = decS[k];
    } else {
      em = Math.exp(-h / tauMem);
      es = equal ? em : Math.exp(-h / tauSyn);
    }
    const vN = equal ? em * (v + cur * gain * h) : v * em + cur * gain * (em - es);
    const cN = cur * es;
    if (cur * tauMem - capacitance * v > 0 && (vN >= theta || cN * tauMem - capacitance * vN <= 0)) {
      const sx = firstCrossing(v, cur, h, theta, tauMem, tauSyn, capacitance, gain, kind);
      if (sx !== Infinity) return t + sx;
    }
    v = vN;
    cur = cN;
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
  argsortInto(arrival, order, tmpOrder, nIn, false, scratch.packed, scratch.packedWords);
  if (!syn) {
    // A layer whose neurons share τ_m and τ_s shares the decay factors of every interval.
    const tm = neurons.tauMem[0];
    const ts = neurons.tauSyn[0];
    let shared = nOut > 1;
    for (let j = 1; j < nOut && shared; j++) shared = neurons.tauMem[j] === tm && neurons.tauSyn[j] === ts;
    const { decM, decS } = scratch;
    if (shared) {
      for (let k = 0; k + 1 < nIn; k++) {
        const h = arrival[order[k + 1]] - arrival[order[k]];
        decM[k] = Math.exp(-h / tm);
        decS[k] = ts === tm ? decM[k] : Math.exp(-h / ts);
      }
    }
    for (let j = 0; j < nOut; j++) {
      const t = neuronFirstSpike(arrival, order, nIn, weights, j * nIn, neurons.threshold[j], neurons.tauMem[j], neurons.tauSyn[j], neurons.capacitance[j], shared ? decM : null, shared ? decS : null);
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
    out[j] = neuronFirstSpike(arrival, order, nIn, weights, off, neurons.threshold[j], neurons.tauMem[j], neurons.tauSyn[j], neurons.capacitance[j], null, null);
  }
}

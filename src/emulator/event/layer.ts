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
import * as lw from './lambertw.ts';
import * as ex from './exp.ts';

// Local bindings: imported bindings can compile to property getters under the tsx/esbuild
// loader, which costs a call per use in the hot loops below.
const firstCrossing = lif.firstCrossing;
const kernelGain = lif.kernelGain;
const kernelKind = lif.kernelKind;
const KIND_EQUAL = lif.KIND_EQUAL;
const lambertW0Neg = lw.lambertW0Neg;
const fastExp = ex.fastExp;

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
  counts: Int32Array;
  sortedArrival: Float64Array;
  finiteKeys: Float64Array;
  /** Lock-step membrane and current of up to `maxOut` neurons. */
  vState: Float64Array;
  iState: Float64Array;
  /** Indices of the neurons that have not fired; candidates of one interval and their start state. */
  active: Int32Array;
  candidate: Int32Array;
  candidateV: Float64Array;
  candidateI: Float64Array;
  /** Per input interval k of the shared order: its length and decay factor (filled lazily). */
  intervalLength: Float64Array;
  intervalDecay: Float64Array;
  constructor(nIn: number, maxOut = 256) {
    this.intervalLength = new Float64Array(nIn);
    this.intervalDecay = new Float64Array(nIn);
    this.vState = new Float64Array(maxOut);
    this.iState = new Float64Array(maxOut);
    this.active = new Int32Array(maxOut);
    this.candidate = new Int32Array(maxOut);
    this.candidateV = new Float64Array(maxOut);
    this.candidateI = new Float64Array(maxOut);
    this.counts = new Int32Array(2 * nIn + 2);
    this.sortedArrival = new Float64Array(nIn);
    this.finiteKeys = new Float64Array(nIn);
    this.order = new Int32Array(nIn);
    this.arrival = new Float64Array(nIn);
    this.tmpOrder = new Int32Array(nIn);
    this.base = new Float64Array(nIn);
    this.baseOrder = new Int32Array(nIn);
  }

  /** Grow the per-neuron buffers to `maxOut` neurons. */
  resize(maxOut: number): void {
    this.vState = new Float64Array(maxOut);
    this.iState = new Float64Array(maxOut);
    this.active = new Int32Array(maxOut);
    this.candidate = new Int32Array(maxOut);
    this.candidateV = new Float64Array(maxOut);
    this.candidateI = new Float64Array(maxOut);
  }
}

/**
 * Sort `order[0..n)` by `key[order[k]]` ascending (stable for equal keys). Short or nearly
 * sorted runs: insertion sort. Otherwise a bucket pass (n buckets spread over [min, max] of the
 * finite keys, counting sort on the bucket index) followed by insertion sort, which then only
 * has to repair the order inside buckets: O(n) for spike times spread over an interval.
 * Infinite keys (silent inputs) go last. `counts` needs n + 1 entries; without it, merge sort.
 */
export function argsortInto(key: Float64Array, order: Int32Array, tmp: Int32Array, n: number, presorted = false, counts?: Int32Array): void {
  if (!presorted) for (let i = 0; i < n; i++) order[i] = i;
  if (n <= 24 || presorted) {
    insertionSort(key, order, n);
    return;
  }
  if (counts === undefined) {
    mergeSort(key, order, tmp, n);
    return;
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const k = key[i];
    if (k < lo) lo = k;
    if (k > hi && k < Infinity) hi = k;
  }
  const nb = n; // buckets 0..n−1 for finite keys, bucket n for +Infinity / NaN
  const scale = hi > lo ? (nb - 1) / (hi - lo) : 0;
  counts.fill(0, 0, nb + 2);
  for (let i = 0; i < n; i++) {
    const k = key[i];
    const bucket = k <= hi ? Math.floor((k - lo) * scale) : nb;
    tmp[i] = bucket;
    counts[bucket + 1]++;
  }
  for (let bkt = 0; bkt <= nb; bkt++) counts[bkt + 1] += counts[bkt];
  for (let i = 0; i < n; i++) order[counts[tmp[i]]++] = i;
  insertionSort(key, order, n);
}

/**
 * `argsortInto` for the layer kernel's shared order: the same permutation (a stable sort by key
 * has only one), computed as follows. Silent inputs (+∞, and NaN) are set aside in index order
 * for the end; the finite keys go through a bucket pass (twice as many buckets as keys, counting
 * sort on the bucket index) and a stable insertion sort that only repairs the order inside
 * buckets, run on a copy of the keys in bucket order (`sorted`: one indirection fewer per
 * comparison). `counts` needs 2n + 2 entries, `tmp`, `bucketOf` and `fk` (the finite keys, compacted) n.
 */
function argsortBucketed(key: Float64Array, order: Int32Array, tmp: Int32Array, n: number, counts: Int32Array, sorted: Float64Array, bucketOf: Int32Array, fk: Float64Array): void {
  if (n <= 24) {
    for (let i = 0; i < n; i++) order[i] = i;
    insertionSort(key, order, n);
    return;
  }
  // Finite keys' indices from the front of tmp, silent ones from its back (reversed).
  let lo = Infinity;
  let hi = -Infinity;
  let nf = 0;
  let back = n;
  for (let i = 0; i < n; i++) {
    const k = key[i];
    if (k < Infinity) {
      tmp[nf] = i;
      fk[nf] = k;
      nf++;
      if (k < lo) lo = k;
      if (k > hi) hi = k;
    } else {
      tmp[--back] = i;
    }
  }
  for (let q = 0; q < n - nf; q++) order[nf + q] = tmp[n - 1 - q];
  const nb = 2 * nf;
  const span = hi - lo;
  if (nf > 24 && span > 0 && span < Infinity) {
    const scale = (nb - 1) / span;
    counts.fill(0, 0, nb);
    for (let q = 0; q < nf; q++) {
      const bkt = ((fk[q] - lo) * scale) | 0; // ≥ 0 and < nb: truncation is the floor
      bucketOf[q] = bkt;
      counts[bkt]++;
    }
    // Exclusive prefix sums with the running total in a register (no load of the entry just
    // stored in the previous iteration).
    let run = 0;
    for (let bkt = 0; bkt < nb; bkt++) {
      const cnt = counts[bkt];
      counts[bkt] = run;
      run += cnt;
    }
    for (let q = 0; q < nf; q++) {
      const pos = counts[bucketOf[q]]++;
      order[pos] = tmp[q];
      sorted[pos] = fk[q];
    }
  } else {
    for (let q = 0; q < nf; q++) {
      order[q] = tmp[q];
      sorted[q] = fk[q];
    }
  }
  for (let a = 1; a < nf; a++) {
    const ka = sorted[a];
    if (!(sorted[a - 1] > ka)) continue;
    const oa = order[a];
    let b = a - 1;
    while (b >= 0 && sorted[b] > ka) {
      sorted[b + 1] = sorted[b];
      order[b + 1] = order[b];
      b--;
    }
    sorted[b + 1] = ka;
    order[b + 1] = oa;
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
      const sx = firstCrossing(v, cur, h, theta, tauMem, tauSyn, capacitance, gain, kind, vN >= theta);
      if (sx !== Infinity) return t + sx;
    }
    v = vN;
    cur = cN;
  }
  return Infinity;
}

/**
 * s* = −τ W₀(−(θ/(aτ)) e^{−v₀/(aτ)}) − v₀/a = τ(−W₀(·) − v₀/(aτ)), a = I₀/C > 0 (see
 * `firstCrossing`), with one division (r = 1/(aτ)) and the iteration-free W₀ of ./lambertw.ts.
 */
function equalBracketedCrossing(v0: number, a: number, theta: number, tau: number): number {
  const r = 1 / (a * tau);
  const vr = v0 * r;
  let x = -theta * r * fastExp(-vr);
  if (x < -INV_E) x = -INV_E; // grazing crossing known to exist: round-off only
  // x ≤ 0 here (θ > 0, a > 0): the negative branch of W₀ directly.
  const s = tau * (-lambertW0Neg(x) - vr);
  return s >= 0 ? s : 0;
}

/** As `equalBracketedCrossing` with an unbounded interval: Infinity when the peak stays below θ. */
function equalCrossing(v0: number, a: number, theta: number, tau: number): number {
  const r = 1 / (a * tau);
  const vr = v0 * r;
  const x = -theta * r * fastExp(-vr);
  if (!(x >= -INV_E)) return Infinity;
  const s = tau * (-lambertW0Neg(x) - vr);
  return s >= 0 ? s : 0;
}

const INV_E = 0.36787944117144233;

/**
 * τ_m = τ_s, membrane rising at 0 (v₀ < aτ): true when its peak is certainly below θ, without an
 * exp. The peak of v(s) = e^{−s/τ}(v₀ + a s) is aτ e^{y}, y = v₀/(aτ) − 1 < 0, and
 * e^{y} ≤ 1/(1 − y + y²/2) for y ≤ 0 (e^{−y} ≥ its first three Taylor terms). The factor
 * (1 − 1e-9) keeps the test far from round-off: where it answers true, the Lambert argument of
 * `equalCrossing`/`firstCrossing` is below −(1/e)(1 + 1e-9), so they would return Infinity too
 * (the same results, bit for bit, with one exp fewer). With a ≤ 0 a rising membrane
 * (v₀ < aτ ≤ 0) stays below 0 < θ: certainly no crossing (this also removes a spurious spike at
 * the last input's time that the closed form gave such a membrane; docs/learning.md).
 */
function peakBelow(v0: number, a: number, theta: number, tau: number): boolean {
  if (!(a > 0)) return true;
  // at < θ(1 − y + y²/2)(1 − 1e-9) multiplied by at² > 0, with at·y = v₀ − at: no division.
  const at = a * tau;
  const d = v0 - at;
  return at * at * at < theta * (at * at - at * d + 0.5 * d * d) * (1 - 1e-9);
}

/**
 * τ_m = τ_s = τ and shared C (Fast & Deep's model): neuron by neuron over the shared input
 * intervals. The interval lengths h_k and decay factors e^{−h_k/τ} are shared by all neurons and
 * computed on first use (a layer whose neurons all fire early never needs the late ones). Per
 * neuron (v, I) stay in registers and the loop stops at the first spike. The candidate test of
 * an interval (rising at its start, and ending above θ or turning over inside it: the membrane
 * has at most one extremum) is computed without branches, as its outcome is unpredictable; only
 * candidates take the branch to the Lambert solve (or, when the membrane turns over below θ, to
 * the exp-free peak bound first). Simultaneous inputs need no case of their own: h = 0 gives a
 * decay of exactly 1, an unchanged state, and no candidate (rising at the start means not
 * falling at the end). (Recording the crossings and solving them in a second, branch-free loop
 * measured 15 % slower.)
 */
function equalLayerFirstSpikes(
  arrival: Float64Array, order: Int32Array, nIn: number, w: Float64Array, threshold: Float64Array,
  tau: number, capacitance: number, nOut: number, out: Float64Array, scratch: LayerScratch,
): void {
  const hK = scratch.intervalLength;
  const emK = scratch.intervalDecay;
  const invTau = 1 / tau;
  const gain = 1 / capacitance;
  // Finite inputs: the shared order puts silent ones (Infinity) last.
  let nFin = nIn;
  while (nFin > 0 && arrival[order[nFin - 1]] === Infinity) nFin--;
  out.fill(Infinity, 0, nOut);
  if (nFin === 0) return;
  const last = nFin - 1; // the interval after the last input is unbounded
  let nDone = 0; // bounded intervals whose h and decay are filled
  for (let j = 0; j < nOut; j++) {
    const off = j * nIn;
    const th = threshold[j];
    let v = 0;
    let c = 0;
    let k = 0;
    for (; k < last; k++) {
      c += w[off + order[k]];
      if (k === nDone) {
        const hn = arrival[order[k + 1]] - arrival[order[k]];
        hK[k] = hn;
        emK[k] = fastExp(-hn * invTau);
        nDone++;
      }
      const h = hK[k];
      const em = emK[k];
      const vN = em * (v + c * gain * h);
      const cN = c * em;
      const candidate = Number(c * tau - capacitance * v > 0) & (Number(vN >= th) | Number(cN * tau - capacitance * vN <= 0));
      if (candidate !== 0) {
        if (vN >= th) {
          out[j] = arrival[order[k]] + equalBracketedCrossing(v, c * gain, th, tau);
          break;
        }
        if (!peakBelow(v, c * gain, th, tau)) {
          // Turns over inside the interval below θ at its end, peak possibly above θ.
          const sx = firstCrossing(v, c, h, th, tau, tau, capacitance, gain, KIND_EQUAL, false);
          if (sx !== Infinity) {
            out[j] = arrival[order[k]] + sx;
            break;
          }
        }
      }
      v = vN;
      c = cN;
    }
    if (k === last) {
      // After the last input: rising at the start and the Lambert argument ≥ −1/e (the peak
      // reaches θ) is the whole existence test (see ./lif.ts).
      c += w[off + order[k]];
      if (c * tau - capacitance * v > 0 && !peakBelow(v, c * gain, th, tau)) {
        const sx = equalCrossing(v, c * gain, th, tau);
        if (sx !== Infinity) out[j] = arrival[order[k]] + sx;
      }
    }
  }
}

/**
 * All neurons of a layer that share τ_m, τ_s and C, advanced in lock step over the common input
 * intervals: the same arithmetic as `neuronFirstSpike` per neuron (identical results), but one
 * decay factor per interval and tight loops over typed arrays instead of a call per neuron.
 */
function sharedLayerFirstSpikes(
  arrival: Float64Array, order: Int32Array, nIn: number, w: Float64Array, threshold: Float64Array,
  tauMem: number, tauSyn: number, capacitance: number, nOut: number, out: Float64Array, scratch: LayerScratch,
): void {
  const kind = kernelKind(tauMem, tauSyn);
  const gain = kernelGain(tauMem, tauSyn, capacitance, kind);
  const equal = kind === KIND_EQUAL;
  if (scratch.vState.length < nOut) scratch.resize(nOut);
  const v = scratch.vState;
  const cur = scratch.iState;
  v.fill(0, 0, nOut);
  cur.fill(0, 0, nOut);
  out.fill(Infinity, 0, nOut);
  // Neurons that have not fired yet, as a compact index list: the loops below touch only them.
  const act = scratch.active;
  for (let j = 0; j < nOut; j++) act[j] = j;
  let nAct = nOut;
  const candJ = scratch.candidate;
  const candV = scratch.candidateV;
  const candC = scratch.candidateI;
  for (let k = 0; k < nIn && nAct > 0; k++) {
    const i = order[k];
    const t = arrival[i];
    if (t === Infinity) break;
    const tNext = k + 1 < nIn ? arrival[order[k + 1]] : Infinity;
    const h = tNext - t;
    if (h === Infinity) {
      for (let q = 0; q < nAct; q++) {
        const j = act[q];
        const c0 = cur[j] + w[j * nIn + i];
        const v0 = v[j];
        // τ_m = τ_s after the last input: rising at the start and the Lambert argument ≥ −1/e
        // (the peak reaches θ) is the whole existence test (see ./lif.ts).
        let sx: number;
        if (!equal) sx = firstCrossing(v0, c0, Infinity, threshold[j], tauMem, tauSyn, capacitance, gain, kind);
        else if (!(c0 * tauMem - capacitance * v0 > 0)) sx = Infinity;
        else if (peakBelow(v0, c0 * gain, threshold[j], tauMem)) sx = Infinity;
        else sx = equalCrossing(v0, c0 * gain, threshold[j], tauMem);
        if (sx !== Infinity) out[j] = t + sx;
      }
      return;
    }
    if (h === 0) {
      // Simultaneous inputs: add them all before looking for a crossing.
      for (let q = 0; q < nAct; q++) {
        const j = act[q];
        cur[j] += w[j * nIn + i];
      }
      continue;
    }
    const em = Math.exp(-h / tauMem);
    const es = equal ? em : Math.exp(-h / tauSyn);
    // Pass 1: advance every open neuron over the interval and list those whose interval may hold
    // a crossing (rising at its start, and ending above θ or turning over inside it), with their
    // state at the start. Pass 2 solves only those. Same arithmetic as the per-neuron path; two
    // passes keep the advance loop small; the candidate test is branch-free (always write the
    // slot, advance the count by the test's 0/1), as firing is unpredictable from neuron to neuron.
    let nc = 0;
    if (equal) {
      for (let q = 0; q < nAct; q++) {
        const j = act[q];
        const v0 = v[j];
        const c0 = cur[j] + w[j * nIn + i];
        const vN = em * (v0 + c0 * gain * h);
        const cN = c0 * es;
        candJ[nc] = j;
        candV[nc] = v0;
        candC[nc] = c0;
        nc += Number(c0 * tauMem - capacitance * v0 > 0) & (Number(vN >= threshold[j]) | Number(cN * tauMem - capacitance * vN <= 0));
        v[j] = vN;
        cur[j] = cN;
      }
    } else {
      for (let q = 0; q < nAct; q++) {
        const j = act[q];
        const v0 = v[j];
        const c0 = cur[j] + w[j * nIn + i];
        const vN = v0 * em + c0 * gain * (em - es);
        const cN = c0 * es;
        candJ[nc] = j;
        candV[nc] = v0;
        candC[nc] = c0;
        nc += Number(c0 * tauMem - capacitance * v0 > 0) & (Number(vN >= threshold[j]) | Number(cN * tauMem - capacitance * vN <= 0));
        v[j] = vN;
        cur[j] = cN;
      }
    }
    if (nc === 0) continue;
    let fired = 0;
    for (let q = 0; q < nc; q++) {
      const j = candJ[q];
      const v0 = candV[q];
      const c0 = candC[q];
      const th = threshold[j];
      const above = v[j] >= th;
      // τ_m = τ_s with the crossing bracketed: the Lambert W closed form of ./lif.ts inline.
      // Turning over inside the interval below θ at its end: the exp-free peak bound rules out
      // most of these before the Lambert W solve.
      const sx = equal
        ? (above ? equalBracketedCrossing(v0, c0 * gain, th, tauMem) : peakBelow(v0, c0 * gain, th, tauMem) ? Infinity : firstCrossing(v0, c0, h, th, tauMem, tauSyn, capacitance, gain, kind, false))
        : firstCrossing(v0, c0, h, th, tauMem, tauSyn, capacitance, gain, kind, above);
      if (sx !== Infinity) {
        out[j] = t + sx;
        fired++;
      }
    }
    if (fired > 0) {
      let m = 0;
      for (let q = 0; q < nAct; q++) {
        const j = act[q];
        act[m] = j;
        m += Number(out[j] === Infinity);
      }
      nAct = m;
    }
  }
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
  // Without axonal or synaptic delays the arrival times are the input times: no copy.
  let arr = input;
  if (ax || syn) {
    arr = arrival;
    for (let i = 0; i < nIn; i++) arrival[i] = ax ? input[i] + ax[i] : input[i];
  }
  argsortBucketed(arr, order, tmpOrder, nIn, scratch.counts, scratch.sortedArrival, baseOrder, scratch.finiteKeys);
  if (!syn) {
    // A layer whose neurons share τ_m and τ_s shares the decay factors of every interval.
    const tm = neurons.tauMem[0];
    const ts = neurons.tauSyn[0];
    const cm = neurons.capacitance[0];
    let shared = nOut > 1;
    for (let j = 1; j < nOut && shared; j++) shared = neurons.tauMem[j] === tm && neurons.tauSyn[j] === ts && neurons.capacitance[j] === cm;
    if (shared && kernelKind(tm, ts) === KIND_EQUAL) {
      equalLayerFirstSpikes(arr, order, nIn, weights, neurons.threshold, tm, cm, nOut, out, scratch);
      if (den) for (let j = 0; j < nOut; j++) out[j] += den[j];
      return;
    }
    if (shared) {
      sharedLayerFirstSpikes(arr, order, nIn, weights, neurons.threshold, tm, ts, cm, nOut, out, scratch);
      if (den) for (let j = 0; j < nOut; j++) out[j] += den[j];
      return;
    }
    for (let j = 0; j < nOut; j++) {
      const t = neuronFirstSpike(arr, order, nIn, weights, j * nIn, neurons.threshold[j], neurons.tauMem[j], neurons.tauSyn[j], neurons.capacitance[j], null, null);
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

/**
 * Event-driven simulation of a general network (recurrent, with per-synapse delays) of
 * current-based LIF neurons with one exponential synaptic current each, exact to round-off:
 * between events every neuron evolves in closed form (./lif.ts); the next spike of a neuron is
 * its exact first threshold crossing given no further input, kept in an indexed min-heap and
 * recomputed whenever an input reaches the neuron; deliveries wait in a second heap.
 *
 * After a spike the membrane is held at the reset potential for the refractory time while the
 * synaptic current keeps integrating (the chip's reset/refractory behaviour); `refractory =
 * Infinity` gives one spike per neuron (time-to-first-spike networks). At equal times a spike is
 * processed before a delivery (a spike at t depends only on input before t). With a comparator
 * delay law (`EventNeurons.comparatorDelay`) a crossing at t_c becomes the spike at t_c + d(s),
 * s the exact slope there; inputs arriving meanwhile still move the membrane but not the spike.
 *
 * Units: any consistent set (SI hardware time in the emulator). Potentials are relative to rest.
 */
import * as lif from './lif.ts';
import { inputError } from '../../util/errors.ts';
import { comparatorDelay, type ComparatorDelayLaw } from '../../circuits/blocks/spike.ts';

const firstCrossing = lif.firstCrossing;

export interface EventNeurons {
  size: number;
  tauMem: Float64Array;
  tauSyn: Float64Array;
  capacitance: Float64Array;
  /** θ = ϑ − E_l > 0. */
  threshold: Float64Array;
  /** Reset potential relative to rest (< θ). */
  reset: Float64Array;
  /** Refractory time; Infinity = at most one spike. */
  refractory: Float64Array;
  /**
   * Optional comparator delay law per neuron (CircuitParameters.comparatorDelay): the spike, and
   * the reset, come d(s) after the crossing, s = dV/dt there (exact: −V/τ_m + I/C); the membrane
   * integrates its input meanwhile. Absent (or undefined for a neuron): the spike at the crossing.
   */
  comparatorDelay?: ReadonlyArray<ComparatorDelayLaw | undefined>;
}

/**
 * Synapses in compressed rows by source. Sources 0..size−1 are the neurons, size..size+nExternal−1
 * the external inputs. Weight = jump of the synaptic current (A in SI); delay ≥ 0.
 */
export interface EventSynapses {
  nExternal: number;
  /** Length size + nExternal + 1. */
  start: Int32Array;
  target: Int32Array;
  weight: Float64Array;
  delay: Float64Array;
}

export interface EventNetwork {
  neurons: EventNeurons;
  synapses: EventSynapses;
}

/** External spikes: `source[k]` (0..nExternal−1) fires at `time[k]`. */
export interface ExternalSpikes {
  source: Int32Array;
  time: Float64Array;
}

export interface SpikeRecord {
  neuron: Int32Array;
  time: Float64Array;
  count: number;
  /** Events processed (deliveries + spikes), for throughput figures. */
  events: number;
}

export interface SimulateOptions {
  /** Stop after this many spikes (guards against runaway recurrent activity). */
  maxSpikes?: number;
}

/** Build synapses from (source, target, weight, delay) lists. */
export function synapsesFromList(size: number, nExternal: number, source: ArrayLike<number>, target: ArrayLike<number>, weight: ArrayLike<number>, delay: ArrayLike<number>): EventSynapses {
  const nSrc = size + nExternal;
  const n = source.length;
  const start = new Int32Array(nSrc + 1);
  for (let k = 0; k < n; k++) {
    const s = source[k];
    if (!Number.isInteger(s) || s < 0 || s >= nSrc) throw inputError('synapse source out of range', { path: `synapses[${k}].source` }, { value: s, allowed: `0..${nSrc - 1}` });
    const t = target[k];
    if (!Number.isInteger(t) || t < 0 || t >= size) throw inputError('synapse target out of range', { path: `synapses[${k}].target` }, { value: t, allowed: `0..${size - 1}` });
    if (!(delay[k] >= 0) || !Number.isFinite(delay[k])) throw inputError('synapse delay must be finite and ≥ 0', { path: `synapses[${k}].delay` }, { value: delay[k] });
    if (!Number.isFinite(weight[k])) throw inputError('synapse weight must be finite', { path: `synapses[${k}].weight` }, { value: weight[k] });
    start[s + 1]++;
  }
  for (let s = 0; s < nSrc; s++) start[s + 1] += start[s];
  const fill = start.slice(0, nSrc);
  const tgt = new Int32Array(n);
  const w = new Float64Array(n);
  const d = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const p = fill[source[k]]++;
    tgt[p] = target[k];
    w[p] = weight[k];
    d[p] = delay[k];
  }
  return { nExternal, start, target: tgt, weight: w, delay: d };
}

function validate(net: EventNetwork): void {
  const nr = net.neurons;
  for (let j = 0; j < nr.size; j++) {
    const where = { path: `neurons[${j}]` };
    if (!(nr.tauMem[j] > 0 && nr.tauSyn[j] > 0 && nr.capacitance[j] > 0)) throw inputError('time constants and capacitance must be > 0', where, { value: [nr.tauMem[j], nr.tauSyn[j], nr.capacitance[j]] });
    if (!(nr.threshold[j] > 0)) throw inputError('threshold must lie above rest', where, { value: nr.threshold[j], allowed: '> 0 (relative to rest)' });
    if (!(nr.reset[j] < nr.threshold[j])) throw inputError('reset must lie below threshold', where, { value: nr.reset[j] });
    if (!(nr.refractory[j] >= 0)) throw inputError('refractory time must be ≥ 0', where, { value: nr.refractory[j] });
  }
}

/** Growable binary min-heap of deliveries (time, target, weight) in typed arrays. */
class DeliveryHeap {
  time = new Float64Array(1024);
  target = new Int32Array(1024);
  weight = new Float64Array(1024);
  seq = new Float64Array(1024);
  size = 0;
  private counter = 0;

  private less(a: number, b: number): boolean {
    const ta = this.time[a];
    const tb = this.time[b];
    return ta < tb || (ta === tb && this.seq[a] < this.seq[b]);
  }

  private swap(a: number, b: number): void {
    let t = this.time[a]; this.time[a] = this.time[b]; this.time[b] = t;
    t = this.weight[a]; this.weight[a] = this.weight[b]; this.weight[b] = t;
    t = this.seq[a]; this.seq[a] = this.seq[b]; this.seq[b] = t;
    const g = this.target[a]; this.target[a] = this.target[b]; this.target[b] = g;
  }

  push(time: number, target: number, weight: number): void {
    if (this.size === this.time.length) {
      const n = this.size * 2;
      const grow = <T extends Float64Array | Int32Array>(a: T, b: T): T => { b.set(a); return b; };
      this.time = grow(this.time, new Float64Array(n));
      this.target = grow(this.target, new Int32Array(n));
      this.weight = grow(this.weight, new Float64Array(n));
      this.seq = grow(this.seq, new Float64Array(n));
    }
    let i = this.size++;
    this.time[i] = time;
    this.target[i] = target;
    this.weight[i] = weight;
    this.seq[i] = this.counter++; // FIFO among equal times: deterministic order
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  pop(): void {
    this.size--;
    if (this.size === 0) return;
    this.swap(0, this.size);
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.size && this.less(l, m)) m = l;
      if (r < this.size && this.less(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
  }
}

/** Indexed min-heap over neurons keyed by predicted spike time (ties: lower index first). */
class PredictionHeap {
  readonly key: Float64Array;
  readonly heap: Int32Array;
  readonly pos: Int32Array;
  constructor(n: number) {
    this.key = new Float64Array(n).fill(Infinity);
    this.heap = new Int32Array(n);
    this.pos = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      this.heap[i] = i;
      this.pos[i] = i;
    }
  }

  private less(a: number, b: number): boolean {
    const ka = this.key[a];
    const kb = this.key[b];
    return ka < kb || (ka === kb && a < b);
  }

  private place(i: number, node: number): void {
    this.heap[i] = node;
    this.pos[node] = i;
  }

  update(node: number, key: number): void {
    this.key[node] = key;
    let i = this.pos[node];
    const n = this.heap.length;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pn = this.heap[p];
      if (!this.less(node, pn)) break;
      this.place(i, pn);
      i = p;
    }
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = node;
      let mi = i;
      if (l < n && this.less(this.heap[l], m)) { m = this.heap[l]; mi = l; }
      if (r < n && this.less(this.heap[r], m)) { m = this.heap[r]; mi = r; }
      if (mi === i) break;
      this.place(i, m);
      i = mi;
    }
    this.place(i, node);
  }

  top(): number {
    return this.heap[0];
  }
}

/** Simulate from rest until `tEnd`; returns every spike in time order. */
export function simulateEventNetwork(net: EventNetwork, input: ExternalSpikes, tEnd: number, opts: SimulateOptions = {}): SpikeRecord {
  validate(net);
  const nr = net.neurons;
  const syn = net.synapses;
  const N = nr.size;
  const maxSpikes = opts.maxSpikes ?? 10_000_000;
  const kind = new Int32Array(N);
  const gain = new Float64Array(N);
  for (let j = 0; j < N; j++) {
    kind[j] = lif.kernelKind(nr.tauMem[j], nr.tauSyn[j]);
    gain[j] = lif.kernelGain(nr.tauMem[j], nr.tauSyn[j], nr.capacitance[j], kind[j]);
  }
  const v = new Float64Array(N);
  const cur = new Float64Array(N);
  const lastT = new Float64Array(N);
  const refEnd = new Float64Array(N).fill(-Infinity);
  const pred = new PredictionHeap(N);
  // 1 while a neuron's crossing waits out its comparator delay (its heap key is the spike time).
  const pending = new Uint8Array(N);
  const delays = nr.comparatorDelay;
  const q = new DeliveryHeap();

  for (let k = 0; k < input.source.length; k++) {
    const s = input.source[k];
    if (!Number.isInteger(s) || s < 0 || s >= syn.nExternal) throw inputError('external spike source out of range', { path: `input[${k}].source` }, { value: s, allowed: `0..${syn.nExternal - 1}` });
    const t = input.time[k];
    if (!Number.isFinite(t) || t < 0) throw inputError('external spike time must be finite and ≥ 0', { path: `input[${k}].time` }, { value: t });
    const src = N + s;
    for (let p = syn.start[src]; p < syn.start[src + 1]; p++) q.push(t + syn.delay[p], syn.target[p], syn.weight[p]);
  }

  const advance = (j: number, t: number): void => {
    let t0 = lastT[j];
    if (t <= t0) return;
    if (refEnd[j] > t0) {
      const tr = t < refEnd[j] ? t : refEnd[j];
      cur[j] *= Math.exp(-(tr - t0) / nr.tauSyn[j]);
      v[j] = nr.reset[j];
      t0 = tr;
      lastT[j] = tr;
      if (t <= refEnd[j]) return;
    }
    const s = t - t0;
    const tm = nr.tauMem[j];
    const ts = nr.tauSyn[j];
    const em = Math.exp(-s / tm);
    if (kind[j] === lif.KIND_EQUAL) {
      v[j] = em * (v[j] + cur[j] * gain[j] * s);
      cur[j] *= em;
    } else {
      const es = Math.exp(-s / ts);
      v[j] = v[j] * em + cur[j] * gain[j] * (em - es);
      cur[j] *= es;
    }
    lastT[j] = t;
  };

  const predict = (j: number): void => {
    let start = lastT[j];
    let v0 = v[j];
    let i0 = cur[j];
    if (refEnd[j] > start) {
      if (refEnd[j] === Infinity) {
        pred.update(j, Infinity);
        return;
      }
      i0 *= Math.exp(-(refEnd[j] - start) / nr.tauSyn[j]);
      v0 = nr.reset[j];
      start = refEnd[j];
    }
    const s = firstCrossing(v0, i0, Infinity, nr.threshold[j], nr.tauMem[j], nr.tauSyn[j], nr.capacitance[j], gain[j], kind[j]);
    pred.update(j, start + s);
  };

  let outN = new Int32Array(256);
  let outT = new Float64Array(256);
  let count = 0;
  let events = 0;
  for (;;) {
    const j = pred.top();
    const tSpike = pred.key[j];
    const tDel = q.size > 0 ? q.time[0] : Infinity;
    if (tSpike <= tDel) {
      if (!(tSpike <= tEnd)) break;
      advance(j, tSpike);
      const law = delays?.[j];
      if (law !== undefined && pending[j] === 0) {
        // The crossing: the spike follows after the comparator's delay at the exact slope.
        pending[j] = 1;
        pred.update(j, tSpike + comparatorDelay(law, -v[j] / nr.tauMem[j] + cur[j] / nr.capacitance[j]));
        continue;
      }
      pending[j] = 0;
      if (count === outN.length) {
        const n2 = new Int32Array(count * 2); n2.set(outN); outN = n2;
        const t2 = new Float64Array(count * 2); t2.set(outT); outT = t2;
      }
      outN[count] = j;
      outT[count] = tSpike;
      count++;
      events++;
      v[j] = nr.reset[j];
      lastT[j] = tSpike;
      refEnd[j] = tSpike + nr.refractory[j];
      for (let p = syn.start[j]; p < syn.start[j + 1]; p++) q.push(tSpike + syn.delay[p], syn.target[p], syn.weight[p]);
      predict(j);
      if (count >= maxSpikes) break;
    } else {
      if (!(tDel <= tEnd)) break;
      const tgt = q.target[0];
      const w = q.weight[0];
      q.pop();
      events++;
      advance(tgt, tDel);
      cur[tgt] += w;
      // A neuron waiting out its comparator delay keeps its spike time.
      if (pending[tgt] === 0) predict(tgt);
    }
  }
  return { neuron: outN.slice(0, count), time: outT.slice(0, count), count, events };
}

/** The fields of `CircuitParameters` (src/circuits/params.ts) the event engine uses. */
export interface EventCircuitParameters {
  capacitance: number;
  gLeak: number;
  eLeak: number;
  vThreshold: number;
  vReset: number;
  refractoryTime: number;
  synapseChargePerWeight: number;
  synapticInput: ReadonlyArray<{ tau: number; gain: number }>;
  comparatorDelay?: ComparatorDelayLaw;
}

/**
 * Event-engine neurons (SI, hardware time) from circuit parameters: τ_m = C/g_l, τ_s of the
 * excitatory input, θ = ϑ − E_l, reset relative to E_l, refractory time. The engine has one
 * synaptic time constant per neuron (closed forms and exact gradients need one); the inhibitory
 * input's τ is not represented. Holdoff, adaptation, exponential term and conductance-based
 * inputs are outside the event-driven model (use the time-stepped emulator for them).
 */
export function eventNeuronsFromCircuits(params: readonly EventCircuitParameters[]): EventNeurons {
  const n = params.length;
  const out: EventNeurons = {
    size: n,
    tauMem: new Float64Array(n), tauSyn: new Float64Array(n), capacitance: new Float64Array(n),
    threshold: new Float64Array(n), reset: new Float64Array(n), refractory: new Float64Array(n),
  };
  for (let j = 0; j < n; j++) {
    const p = params[j];
    out.tauMem[j] = p.capacitance / p.gLeak;
    out.tauSyn[j] = p.synapticInput[0].tau;
    out.capacitance[j] = p.capacitance;
    out.threshold[j] = p.vThreshold - p.eLeak;
    out.reset[j] = p.vReset - p.eLeak;
    out.refractory[j] = p.refractoryTime;
  }
  if (params.some((p) => p.comparatorDelay !== undefined)) out.comparatorDelay = params.map((p) => p.comparatorDelay);
  return out;
}

/**
 * Jump of the synaptic current for a synapse of weight code `w` (signed: negative on an
 * inhibitory row) onto a circuit: a pulse of charge Q = w·Q_w gives I = (Q/τ_s)·gain
 * (CircuitParameters.synapticInput), in A.
 */
export function synapticJump(p: EventCircuitParameters, w: number, inhibitory = false): number {
  const inp = p.synapticInput[inhibitory ? 1 : 0] ?? p.synapticInput[0];
  return (w * p.synapseChargePerWeight * inp.gain) / inp.tau;
}

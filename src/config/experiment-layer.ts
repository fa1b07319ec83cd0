/**
 * The `experiment` layer: neurons with compartments and physical parameters, stimuli,
 * projections and recordings, in SI units and hardware time. Quantities in the file may carry
 * units ("10 us") or be biological ({bio: "10 ms"}); here everything becomes plain SI numbers.
 */
import { ANALOG_SUPPLY_V, BACKGROUND_MAX_RATE_HZ } from '../chip/constants.ts';
import { neuron as neuronCoord, type NeuronCoordinate } from '../chip/coordinates.ts';
import type { Issue } from '../util/errors.ts';
import { parseQuantity, QuantityError, type Unit } from './quantity.ts';
import type { PathSegment, YamlSource } from './source.ts';

export interface AdaptationParameters { a?: number; b?: number; tau_w?: number }
export interface ExponentialParameters { delta_t?: number; v_t?: number }

/** Physical parameters of a compartment; absent fields take DEFAULT_PARAMETERS. */
export interface CompartmentParameters {
  v_leak?: number;
  v_reset?: number;
  v_threshold?: number;
  tau_mem?: number;
  membrane_capacitance?: number;
  tau_syn_exc?: number;
  tau_syn_inh?: number;
  e_rev_exc?: number;
  e_rev_inh?: number;
  refractory?: number;
  holdoff?: number;
  i_offset?: number;
  spiking?: boolean;
  /**
   * Source degeneration of the leak (and the reset's variant) OTA: leak.enable_degeneration
   * with R_D = 1 MΩ, a wider linear range at a capped leak conductance (docs/circuits.md,
   * docs/mapping.md). Default false.
   */
  leak_degeneration?: boolean;
  adaptation?: AdaptationParameters;
  exponential?: ExponentialParameters;
}

/**
 * Defaults: the calibration targets the reference software uses by default (leak 80, reset 70,
 * threshold 125 CADC LSB at ≈ 4.5 mV/LSB with 20 LSB at 0.15 V; τ_mem = τ_syn = 10 µs;
 * refractory 2 µs; holdoff 0), see docs/chip-model.md.
 */
export const DEFAULT_PARAMETERS = {
  v_leak: 0.42,
  v_reset: 0.375,
  v_threshold: 0.6225,
  tau_mem: 10e-6,
  tau_syn_exc: 10e-6,
  tau_syn_inh: 10e-6,
  refractory: 2e-6,
  holdoff: 0,
  i_offset: 0,
} as const;

export interface ExperimentCompartment {
  id: string;
  /** Neuron circuits shorted into this compartment. */
  circuits: number;
  parameters: CompartmentParameters;
}

export interface CompartmentConnection {
  from: string;
  to: string;
  tau_icc?: number;
  g_icc?: number;
}

/** A population of `size` identical neurons (PyNN's Population); size 1 is a single neuron. */
export interface ExperimentNeuron {
  id: string;
  size: number;
  model: 'lif' | 'adex';
  circuit?: NeuronCoordinate;
  compartments: ExperimentCompartment[];
  connections: CompartmentConnection[];
}

export interface SynapticTarget {
  neuron: string;
  compartment: string;
  receptor: 'excitatory' | 'inhibitory';
  /** Integer weight; > 63 is split over several synapse rows. */
  weight: number;
}

export type Stimulus =
  | { type: 'spike_train'; id: string; times: number[]; targets: SynapticTarget[] }
  | { type: 'poisson'; id: string; rate: number; start: number; stop: number; seed: number; targets: SynapticTarget[] }
  | { type: 'background'; id: string; mode: 'regular' | 'poisson'; rate: number; seed: number; targets: SynapticTarget[] }
  | { type: 'current'; id: string; neuron: string; compartment: string; amplitude: number };

export type Connector =
  | { type: 'all_to_all' | 'one_to_one'; allow_self_connections: boolean }
  | { type: 'fixed_probability'; probability: number; seed: number; allow_self_connections: boolean };

export interface Projection {
  from: string;
  to: string;
  compartment: string;
  receptor: 'excitatory' | 'inhibitory';
  weight: number;
  connector: Connector;
}

export type Observable = 'v' | 'spikes' | 'exc_synin' | 'inh_synin' | 'adaptation';

export interface Recording {
  neuron: string;
  /** Index of the neuron in its population. */
  index: number;
  compartment: string;
  observable: Observable;
  readout: 'madc' | 'cadc' | 'ideal';
}

export interface Experiment {
  name: string;
  description: string;
  duration: number;
  seed: number;
  dt?: number;
  neurons: ExperimentNeuron[];
  stimuli: Stimulus[];
  projections: Projection[];
  recordings: Recording[];
}

const PARAM_UNITS: Record<string, Unit> = {
  v_leak: 'V', v_reset: 'V', v_threshold: 'V', tau_mem: 's', membrane_capacitance: 'F', tau_syn_exc: 's', tau_syn_inh: 's',
  e_rev_exc: 'V', e_rev_inh: 'V', refractory: 's', holdoff: 's', i_offset: 'A',
};

type Raw = Record<string, unknown>;

class Reader {
  readonly issues: Issue[] = [];
  constructor(readonly source: YamlSource) {}

  q(value: unknown, unit: Unit, path: PathSegment[]): number {
    try {
      return parseQuantity(value, unit);
    } catch (e) {
      if (!(e instanceof QuantityError)) throw e;
      this.issues.push({ message: e.message, location: this.source.location(path), value, allowed: `a quantity in ${unit}` });
      return NaN;
    }
  }

  issue(message: string, path: PathSegment[], extra: { value?: unknown; allowed?: string } = {}): void {
    this.issues.push({ message, location: this.source.location(path), ...extra });
  }

  params(raw: Raw | undefined, path: PathSegment[]): CompartmentParameters {
    const out: CompartmentParameters = {};
    if (!raw) return out;
    const o = out as Record<string, unknown>;
    for (const [k, v] of Object.entries(raw)) {
      const p = [...path, k];
      if (k === 'spiking') out.spiking = v as boolean;
      else if (k === 'leak_degeneration') out.leak_degeneration = v as boolean;
      else if (k === 'adaptation') {
        const a = v as Raw;
        out.adaptation = {};
        if (a.a !== undefined) out.adaptation.a = this.q(a.a, 'S', [...p, 'a']);
        if (a.b !== undefined) out.adaptation.b = this.q(a.b, 'A', [...p, 'b']);
        if (a.tau_w !== undefined) out.adaptation.tau_w = this.positive(this.q(a.tau_w, 's', [...p, 'tau_w']), [...p, 'tau_w']);
      } else if (k === 'exponential') {
        const x = v as Raw;
        out.exponential = {};
        if (x.delta_t !== undefined) out.exponential.delta_t = this.positive(this.q(x.delta_t, 'V', [...p, 'delta_t']), [...p, 'delta_t']);
        if (x.v_t !== undefined) out.exponential.v_t = this.voltage(this.q(x.v_t, 'V', [...p, 'v_t']), [...p, 'v_t']);
      } else {
        const unit = PARAM_UNITS[k];
        let val = this.q(v, unit, p);
        if (unit === 'V') val = this.voltage(val, p);
        if (k.startsWith('tau_') || k === 'membrane_capacitance') val = this.positive(val, p);
        if ((k === 'refractory' || k === 'holdoff') && val < 0) this.issue('must not be negative', p, { value: v, allowed: '≥ 0 s' });
        o[k] = val;
      }
    }
    if (out.holdoff !== undefined && out.refractory !== undefined && out.holdoff > out.refractory) {
      this.issue('holdoff is longer than the refractory period it is part of', [...path, 'holdoff'], { value: raw.holdoff, allowed: `≤ refractory (${raw.refractory})` });
    }
    return out;
  }

  voltage(v: number, path: PathSegment[]): number {
    if (Number.isNaN(v)) return v;
    if (v < 0 || v > ANALOG_SUPPLY_V) this.issue('potential outside the analog supply range', path, { value: v, allowed: `0..${ANALOG_SUPPLY_V} V (calibrated range ≈ 0.15–1.05 V)` });
    return v;
  }

  positive(v: number, path: PathSegment[]): number {
    if (Number.isNaN(v)) return v; // already reported as a unit or format error
    if (!(v > 0)) this.issue('must be positive', path, { value: v, allowed: '> 0' });
    return v;
  }
}

/** Build the Experiment of a schema-valid experiment document; semantic issues are appended. */
export function buildExperiment(root: unknown, source: YamlSource, issues: Issue[]): Experiment {
  const raw = root as Raw;
  const r = new Reader(source);
  const duration = r.positive(r.q(raw.duration, 's', ['duration']), ['duration']);
  const dt = raw.dt !== undefined ? r.positive(r.q(raw.dt, 's', ['dt']), ['dt']) : undefined;

  const neurons: ExperimentNeuron[] = [];
  const neuronIds = new Map<string, ExperimentNeuron>();
  (raw.neurons as Raw[]).forEach((n, i) => {
    const path: PathSegment[] = ['neurons', i];
    const id = n.id as string;
    if (neuronIds.has(id)) r.issue(`duplicate neuron id "${id}"`, [...path, 'id'], { allowed: 'unique ids' });
    const shared = r.params(n.parameters as Raw | undefined, [...path, 'parameters']);
    const comps: ExperimentCompartment[] = [];
    const rawComps = (n.compartments as Raw[] | undefined) ?? [{ id: 'soma' }];
    const compIds = new Set<string>();
    rawComps.forEach((c, j) => {
      const cid = c.id as string;
      if (compIds.has(cid)) r.issue(`duplicate compartment id "${cid}" in neuron "${id}"`, [...path, 'compartments', j, 'id']);
      compIds.add(cid);
      const own = r.params(c.parameters as Raw | undefined, [...path, 'compartments', j, 'parameters']);
      comps.push({
        id: cid,
        circuits: (c.circuits as number | undefined) ?? 1,
        parameters: {
          ...shared, ...own,
          adaptation: own.adaptation || shared.adaptation ? { ...shared.adaptation, ...own.adaptation } : undefined,
          exponential: own.exponential || shared.exponential ? { ...shared.exponential, ...own.exponential } : undefined,
        },
      });
    });
    const connections: CompartmentConnection[] = [];
    ((n.connections as Raw[] | undefined) ?? []).forEach((c, j) => {
      const p: PathSegment[] = [...path, 'connections', j];
      for (const end of ['from', 'to'] as const) {
        if (!compIds.has(c[end] as string)) r.issue(`unknown compartment "${c[end]}" in neuron "${id}"`, [...p, end], { value: c[end], allowed: [...compIds].join(', ') });
      }
      if (c.from === c.to) r.issue('a compartment cannot be connected to itself', [...p, 'to'], { value: c.to });
      if ((c.tau_icc === undefined) === (c.g_icc === undefined)) r.issue('give exactly one of tau_icc and g_icc', p);
      connections.push({
        from: c.from as string, to: c.to as string,
        tau_icc: c.tau_icc !== undefined ? r.positive(r.q(c.tau_icc, 's', [...p, 'tau_icc']), [...p, 'tau_icc']) : undefined,
        g_icc: c.g_icc !== undefined ? r.positive(r.q(c.g_icc, 'S', [...p, 'g_icc']), [...p, 'g_icc']) : undefined,
      });
    });
    if (comps.length > 1 && connections.length < comps.length - 1) {
      r.issue(`neuron "${id}" has ${comps.length} compartments but ${connections.length} connection(s): every compartment must be connected`, [...path, 'connections'], { allowed: `at least ${comps.length - 1} connections forming a tree` });
    }
    const circ = n.circuit as { row: number; column: number } | undefined;
    const neuronObj: ExperimentNeuron = {
      id, size: (n.size as number | undefined) ?? 1, model: (n.model as 'lif' | 'adex' | undefined) ?? 'lif',
      circuit: circ ? neuronCoord(circ.row, circ.column) : undefined,
      compartments: comps, connections,
    };
    neuronIds.set(id, neuronObj);
    neurons.push(neuronObj);
  });

  const compartmentOf = (neuronId: unknown, compartment: unknown, path: PathSegment[]): string => {
    const n = neuronIds.get(neuronId as string);
    if (!n) {
      r.issue(`unknown neuron "${neuronId}"`, [...path, 'neuron'], { value: neuronId, allowed: [...neuronIds.keys()].join(', ') });
      return String(compartment ?? 'soma');
    }
    const cid = (compartment as string | undefined) ?? n.compartments[0].id;
    if (!n.compartments.some((c) => c.id === cid)) {
      r.issue(`neuron "${n.id}" has no compartment "${cid}"`, [...path, 'compartment'], { value: cid, allowed: n.compartments.map((c) => c.id).join(', ') });
    }
    return cid;
  };

  const targets = (list: Raw[], path: PathSegment[]): SynapticTarget[] => list.map((t, k) => ({
    neuron: t.neuron as string,
    compartment: compartmentOf(t.neuron, t.compartment, [...path, k]),
    receptor: (t.receptor as 'excitatory' | 'inhibitory' | undefined) ?? 'excitatory',
    weight: (t.weight as number | undefined) ?? 63,
  }));

  const stimuli: Stimulus[] = [];
  const stimIds = new Set<string>();
  ((raw.stimuli as Raw[] | undefined) ?? []).forEach((s, i) => {
    const path: PathSegment[] = ['stimuli', i];
    const sid = (s.id as string | undefined) ?? `stimulus${i}`;
    if (stimIds.has(sid)) r.issue(`duplicate stimulus id "${sid}"`, [...path, 'id']);
    stimIds.add(sid);
    switch (s.type) {
      case 'spike_train': {
        const times = (s.times as unknown[]).map((t, k) => r.q(t, 's', [...path, 'times', k]));
        times.forEach((t, k) => {
          if (t < 0) r.issue('spike time before the start of the run', [...path, 'times', k], { value: t, allowed: '≥ 0' });
          if (k > 0 && t < times[k - 1]) r.issue('spike times must be sorted', [...path, 'times', k], { value: t, allowed: `≥ ${times[k - 1]}` });
        });
        stimuli.push({ type: 'spike_train', id: sid, times, targets: targets(s.targets as Raw[], [...path, 'targets']) });
        break;
      }
      case 'poisson': {
        const rate = r.positive(r.q(s.rate, 'Hz', [...path, 'rate']), [...path, 'rate']);
        const start = s.start !== undefined ? r.q(s.start, 's', [...path, 'start']) : 0;
        const stop = s.stop !== undefined ? r.q(s.stop, 's', [...path, 'stop']) : duration;
        if (stop < start) r.issue('stop before start', [...path, 'stop'], { value: s.stop, allowed: `≥ start` });
        stimuli.push({ type: 'poisson', id: sid, rate, start, stop, seed: (s.seed as number | undefined) ?? i, targets: targets(s.targets as Raw[], [...path, 'targets']) });
        break;
      }
      case 'background': {
        const rate = r.positive(r.q(s.rate, 'Hz', [...path, 'rate']), [...path, 'rate']);
        if (rate > BACKGROUND_MAX_RATE_HZ) r.issue('rate above what an on-chip background source can emit', [...path, 'rate'], { value: s.rate, allowed: `≤ ${BACKGROUND_MAX_RATE_HZ / 1e6} MHz` });
        stimuli.push({ type: 'background', id: sid, mode: (s.mode as 'regular' | 'poisson' | undefined) ?? 'poisson', rate, seed: (s.seed as number | undefined) ?? i, targets: targets(s.targets as Raw[], [...path, 'targets']) });
        break;
      }
      case 'current': {
        stimuli.push({ type: 'current', id: sid, neuron: s.neuron as string, compartment: compartmentOf(s.neuron, s.compartment, path), amplitude: r.q(s.amplitude, 'A', [...path, 'amplitude']) });
        break;
      }
    }
  });

  const projections: Projection[] = ((raw.projections as Raw[] | undefined) ?? []).map((p, i) => {
    const path: PathSegment[] = ['projections', i];
    if (!neuronIds.has(p.from as string)) r.issue(`unknown neuron "${p.from}"`, [...path, 'from'], { value: p.from, allowed: [...neuronIds.keys()].join(', ') });
    const c = (p.connector as Raw | undefined) ?? { type: 'all_to_all' };
    const self = (c.allow_self_connections as boolean | undefined) ?? false;
    const connector: Connector = c.type === 'fixed_probability'
      ? { type: 'fixed_probability', probability: c.probability as number, seed: (c.seed as number | undefined) ?? i, allow_self_connections: self }
      : { type: c.type as 'all_to_all' | 'one_to_one', allow_self_connections: self };
    const from = neuronIds.get(p.from as string);
    const to = neuronIds.get(p.to as string);
    if (connector.type === 'one_to_one' && from && to && from.size !== to.size) {
      r.issue(`one_to_one needs populations of equal size (${from.size} vs ${to.size})`, [...path, 'connector'], { allowed: 'equal sizes, or all_to_all / fixed_probability' });
    }
    return {
      from: p.from as string, to: p.to as string,
      compartment: compartmentOf(p.to, p.compartment, [...path, 'to']),
      receptor: (p.receptor as 'excitatory' | 'inhibitory' | undefined) ?? 'excitatory',
      weight: p.weight as number,
      connector,
    };
  });

  const recordings: Recording[] = ((raw.recordings as Raw[] | undefined) ?? []).map((rec, i) => {
    const n = neuronIds.get(rec.neuron as string);
    const index = (rec.index as number | undefined) ?? 0;
    if (n && index >= n.size) r.issue(`population "${n.id}" has ${n.size} neuron(s)`, ['recordings', i, 'index'], { value: index, allowed: `0..${n.size - 1}` });
    return {
    neuron: rec.neuron as string,
    index,
    compartment: compartmentOf(rec.neuron, rec.compartment, ['recordings', i]),
    observable: (rec.observable as Observable | undefined) ?? 'v',
    readout: (rec.readout as 'madc' | 'cadc' | 'ideal' | undefined) ?? ((rec.observable ?? 'v') === 'spikes' ? 'ideal' : 'madc'),
    };
  });
  const madc = recordings.map((rec, i) => ({ rec, i })).filter(({ rec }) => rec.observable !== 'spikes' && rec.readout === 'madc');
  if (madc.length > 2) {
    r.issue(`${madc.length} traces recorded with the MADC`, ['recordings', madc[2].i, 'readout'], { allowed: 'at most two MADC traces at once (one even, one odd column); use readout: cadc or ideal for the others' });
  }

  issues.push(...r.issues);
  return {
    name: (raw.name as string | undefined) ?? source.file.replace(/^.*\//, '').replace(/\.ya?ml$/, ''),
    description: (raw.description as string | undefined) ?? '',
    duration, dt, seed: (raw.seed as number | undefined) ?? 0,
    neurons, stimuli, projections, recordings,
  };
}

/** Parse a parameter block (used by the calibration layer's targets too). */
export function buildExperimentParams(raw: Record<string, unknown> | undefined, path: PathSegment[], source: YamlSource, issues: Issue[]): CompartmentParameters {
  const r = new Reader(source);
  const out = r.params(raw, path);
  issues.push(...r.issues);
  return out;
}

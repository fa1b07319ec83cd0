/**
 * An experiment on the emulator: lower it for a die, derive the circuits' parameters on that
 * die, run the stepped engine, and report spikes and traces by the experiment's own names.
 */
import { deriveCircuitParameters } from '../circuits/derive.ts';
import type { Die } from '../circuits/die.ts';
import type { CircuitParameters } from '../circuits/params.ts';
import type { Calibration } from '../config/calibration-layer.ts';
import type { Experiment, Observable } from '../config/experiment-layer.ts';
import { emulate, type EmulationResult } from '../emulator/index.ts';
import { madcVoltage, cadcVoltage } from '../emulator/readout.ts';
import { lowerExperiment, type Lowered, type ResolvedRecording } from '../mapping/lower.ts';
import { compartmentKey } from '../mapping/place.ts';

/** A recorded trace: the recording as lowered (which circuit, which readout) plus its samples. */
export interface ExperimentTrace extends ResolvedRecording {
  /** Name as in the results: `pop`, `pop[3]`, with `.compartment` unless it is the first. */
  id: string;
  times: Float64Array;
  /** Volts for membrane traces; amperes for synaptic inputs and adaptation (ideal readout). */
  values: Float64Array;
  /** Raw ADC codes (MADC 10 bit, CADC 8 bit), absent for ideal traces. */
  codes?: Uint16Array | Uint8Array;
}

export interface ExperimentRun {
  experiment: string;
  die: Die;
  seed: number;
  /** Spike times per spiking compartment, by result id. */
  spikes: Record<string, number[]>;
  traces: ExperimentTrace[];
  wallSeconds: number;
  simulatedSeconds: number;
  lowered: Lowered;
  raw: EmulationResult;
}

/** Result id of one compartment of one neuron of a population. */
export function resultId(exp: Experiment, neuron: string, index: number, compartment: string): string {
  const pop = exp.neurons.find((n) => n.id === neuron)!;
  let id = pop.size > 1 ? `${neuron}[${index}]` : neuron;
  if (pop.compartments[0].id !== compartment) id += `.${compartment}`;
  return id;
}

export interface EmulateExperimentOptions {
  die: Die;
  seed?: number;
  /** Trial-to-trial and readout noise (default: on unless the die is ideal). */
  noise?: boolean;
  dt?: number;
  inverse?: 'nominal' | 'die';
  calibration?: Calibration;
  /** Use these circuit parameters instead of deriving them from the die (tests, what-if runs). */
  params?: CircuitParameters[];
}

export function emulateExperiment(exp: Experiment, opts: EmulateExperimentOptions): ExperimentRun {
  const lowered = lowerExperiment(exp, { die: opts.die, inverse: opts.inverse, calibration: opts.calibration });
  return emulateLowered(lowered, opts);
}

/**
 * The circuits a lowered experiment places its compartments on. `deriveCircuitParameters` with
 * `{ circuits: placedCircuits(lowered) }` derives only these (and any other circuit the lowering
 * configured); the rest of the die stays in the reset configuration and gets the reset circuit's
 * parameters: the results of the placed circuits are the same bytes as with all 512 derived.
 */
export function placedCircuits(lowered: Lowered): number[] {
  return lowered.placement.neurons.flatMap((pn) => pn.compartments.flatMap((c) => c.circuits));
}

export function emulateLowered(lowered: Lowered, opts: EmulateExperimentOptions): ExperimentRun {
  const exp = lowered.experiment;
  const params = opts.params ?? deriveCircuitParameters(lowered.chip, opts.die, { circuits: placedCircuits(lowered) });
  const seed = opts.seed ?? exp.seed;
  const ideal = lowered.recordings.filter((r) => r.observable !== 'spikes' && r.readout === 'ideal');
  const sourceOf = (o: Observable) => (o === 'v' || o === 'spikes' ? 'membrane' : o);
  const raw = emulate(lowered.chip, params, {
    duration: exp.duration,
    dt: opts.dt ?? exp.dt,
    seed,
    noise: opts.noise ?? opts.die !== 'ideal',
    externalSpikes: lowered.externalEvents.map((e) => ({ time: e.time, input: e.input - 8, label: e.label })),
    record: { ideal: ideal.map((r) => ({ circuit: r.circuit, source: sourceOf(r.observable) as 'membrane' })) },
  });

  const spikes: Record<string, number[]> = {};
  for (const [key, circuit] of lowered.spikeCircuits) {
    const [neuron, index, compartment] = key.split('/');
    spikes[resultId(exp, neuron, Number(index), compartment)] = raw.spikeTrains[circuit].slice();
  }

  const traces: ExperimentTrace[] = [];
  for (const r of lowered.recordings) {
    if (r.observable === 'spikes') continue;
    const base = { id: resultId(exp, r.neuron, r.index, r.compartment), neuron: r.neuron, index: r.index, compartment: r.compartment, observable: r.observable, readout: r.readout, circuit: r.circuit };
    if (r.readout === 'ideal') {
      const t = raw.traces.ideal.find((x) => x.circuit === r.circuit && x.source === sourceOf(r.observable));
      if (t) traces.push({ ...base, times: t.times, values: t.values });
    } else if (r.readout === 'madc') {
      const t = raw.traces.madc.find((x) => x.circuit === r.circuit);
      if (t) traces.push({ ...base, times: t.times, values: Float64Array.from(t.codes, madcVoltage), codes: t.codes });
    } else if (raw.traces.cadc) {
      const c = raw.traces.cadc;
      const n = c.times.length;
      const codes = new Uint8Array(n);
      for (let i = 0; i < n; i++) codes[i] = c.codes[i * 512 + r.circuit];
      traces.push({ ...base, times: c.times, values: Float64Array.from(codes, cadcVoltage), codes });
    }
  }
  void compartmentKey;
  return { experiment: exp.name, die: opts.die, seed, spikes, traces, wallSeconds: raw.wallSeconds, simulatedSeconds: raw.simulatedSeconds, lowered, raw };
}

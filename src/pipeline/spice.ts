/**
 * An experiment at transistor level: lower it (the same lowering as the emulator), build the deck
 * of one neuron's circuits on the die, stimulate it with the spikes its external inputs deliver
 * (FPGA spike trains and Poisson sources, through the synapses the routing placed) and run
 * ngspice. Inputs from on-chip background sources and from other neurons are not part of a
 * one-neuron deck; they are listed in `omittedInputs`.
 */
import { spikeTimes } from '../analysis/spikes.ts';
import { meanOver } from '../analysis/waveform.ts';
import { neuronFromEnum } from '../chip/coordinates.ts';
import { VDD } from '../circuits/technology.ts';
import type { Die } from '../circuits/die.ts';
import type { Experiment } from '../config/experiment-layer.ts';
import { lowerExperiment, type Lowered } from '../mapping/lower.ts';
import { compartmentKey } from '../mapping/place.ts';
import { buildDeck, type Deck, type DeckStimulus } from '../netlist/deck.ts';
import { getVector, runSpice, type SpiceBackendChoice, type SpiceResult } from '../netlist/runner.ts';
import { writeNetlist } from '../netlist/writer.ts';
import { inputError } from '../util/errors.ts';
import { resultId } from './emulate.ts';

export interface NeuronDeck {
  neuron: string;
  index: number;
  deck: Deck;
  /** Result id → membrane save name. */
  membranes: Record<string, string>;
  /** Result id → refractory save name (spiking compartments). */
  refractory: Record<string, string>;
  omittedInputs: string[];
}

/** The deck of one neuron (`pop` or `pop[i]`, default the first neuron) of a lowered experiment. */
export function neuronDeck(lowered: Lowered, die: Die, neuronRef?: string): NeuronDeck {
  const exp = lowered.experiment;
  const { neuron, index } = parseNeuronRef(exp, neuronRef);
  const placed = lowered.placement.neurons.find((n) => n.population === neuron && n.index === index)!;
  const circuits = placed.compartments.flatMap((c) => c.circuits);
  const inDeck = new Set(circuits);
  const stimuli: DeckStimulus[] = [];
  for (const syn of lowered.routing.externalSynapses) {
    if (!inDeck.has(syn.circuit)) continue;
    const times = lowered.externalEvents.filter((e) => e.input === syn.input && e.label === syn.label).map((e) => e.time);
    if (times.length) stimuli.push({ kind: 'spikes', circuit: neuronFromEnum(syn.circuit), input: syn.receptor, times, weight: syn.weight });
  }
  const omitted: string[] = [];
  for (const s of exp.stimuli) {
    if (s.type === 'background' && s.targets.some((t) => t.neuron === neuron)) omitted.push(`background stimulus "${s.id}"`);
  }
  for (const p of exp.projections) if (p.to === neuron) omitted.push(`projection from "${p.from}"`);
  const deck = buildDeck({ chip: lowered.chip, die, circuits: circuits.map(neuronFromEnum), stimuli, duration: exp.duration, title: `${exp.name}: ${neuron}${index ? `[${index}]` : ''}` });
  const membranes: Record<string, string> = {};
  const refractory: Record<string, string> = {};
  for (const pc of placed.compartments) {
    const id = resultId(exp, neuron, index, pc.id);
    membranes[id] = deck.membrane[pc.circuits[0]];
    const head = lowered.spikeCircuits.get(compartmentKey(neuron, index, pc.id));
    if (head !== undefined && deck.refractory[head]) refractory[id] = deck.refractory[head];
  }
  return { neuron, index, deck, membranes, refractory, omittedInputs: omitted };
}

function parseNeuronRef(exp: Experiment, ref?: string): { neuron: string; index: number } {
  if (ref === undefined) return { neuron: exp.neurons[0].id, index: 0 };
  const m = /^([^[\]]+)(?:\[(\d+)\])?$/.exec(ref);
  const pop = m ? exp.neurons.find((n) => n.id === m[1]) : undefined;
  const index = m?.[2] !== undefined ? Number(m[2]) : 0;
  if (!pop || index >= pop.size) {
    throw inputError(`no neuron "${ref}" in the experiment`, { path: 'neuron' }, { value: ref, allowed: exp.neurons.map((n) => (n.size > 1 ? `${n.id}[0..${n.size - 1}]` : n.id)).join(', ') });
  }
  return { neuron: pop.id, index };
}

export interface SpiceRun {
  backend: SpiceResult['backend'];
  neuron: string;
  spikes: Record<string, number[]>;
  restingPotential: Record<string, number>;
  traces: Array<{ id: string; times: Float64Array; values: Float64Array }>;
  omittedInputs: string[];
  wallSeconds: number;
  netlist: string;
}

export interface SpiceExperimentOptions {
  die: Die;
  neuron?: string;
  backend?: SpiceBackendChoice;
  timeoutSeconds?: number;
  inverse?: 'nominal' | 'die';
}

export async function spiceExperiment(exp: Experiment, opts: SpiceExperimentOptions): Promise<SpiceRun> {
  const lowered = lowerExperiment(exp, { die: opts.die, inverse: opts.inverse });
  return spiceLowered(lowered, opts);
}

export async function spiceLowered(lowered: Lowered, opts: SpiceExperimentOptions): Promise<SpiceRun> {
  const nd = neuronDeck(lowered, opts.die, opts.neuron);
  const result = await runSpice(nd.deck.netlist, { backend: opts.backend ?? 'auto', timeoutSeconds: opts.timeoutSeconds });
  const time = getVector(result, 'time');
  const firstInput = Math.min(lowered.experiment.duration, ...nd.deck.netlist.elements.length ? lowered.externalEvents.map((e) => e.time) : []);
  const spikes: Record<string, number[]> = {};
  const rest: Record<string, number> = {};
  const traces: SpiceRun['traces'] = [];
  for (const [id, save] of Object.entries(nd.membranes)) {
    const v = getVector(result, save);
    traces.push({ id, times: time, values: v });
    const refr = nd.refractory[id];
    const sp = refr ? Array.from(spikeTimes(time, getVector(result, refr), VDD / 2)) : [];
    spikes[id] = sp;
    // Resting potential: the mean over the quiet part before the first input and first spike,
    // after the first 20 % of it (the operating point has settled by then).
    const end = Math.min(firstInput, sp[0] ?? Infinity, lowered.experiment.duration);
    rest[id] = meanOver(time, v, 0.2 * end, end);
  }
  return {
    backend: result.backend, neuron: nd.index ? `${nd.neuron}[${nd.index}]` : nd.neuron, spikes, restingPotential: rest, traces,
    omittedInputs: nd.omittedInputs, wallSeconds: result.wallSeconds, netlist: writeNetlist(nd.deck.netlist).text,
  };
}

/**
 * Transistor-level decks of selected neuron circuits: a `ChipConfig`, a die and a selection of
 * circuits → a `Netlist` (written by writer.ts, run by runner.ts). The selection is closed
 * over the multi-compartment wiring: circuits shorted by connect_right / connect_vertical share
 * one membrane node; shared-line segments joined by connect_soma_right are one node; a circuit
 * with connect_soma ties its membrane to its segment, one with enable_conductance attaches
 * through its inter-compartment conductance (src/circuits/blocks/icc.ts). Stimuli: synaptic
 * spikes as 4 ns DAC current pulses onto a circuit's synaptic-input line, constant or stepped
 * currents onto a membrane. Same inputs (and die seed) → byte-identical netlist text.
 */
import type { ChipConfig } from '../chip/chip.ts';
import { NEURON_COLUMNS, NEURON_CIRCUITS, WEIGHT_MAX } from '../chip/constants.ts';
import { neuronEnum, formatNeuron, type NeuronCoordinate } from '../chip/coordinates.ts';
import { inputError, InputError, type Issue } from '../util/errors.ts';
import type { Element, Netlist, Subcircuit } from './model.ts';
import { checkDie, type Die } from '../circuits/die.ts';
import { circuitElements, circuitParameters, resolveCircuit } from '../circuits/circuit.ts';
import { otaSubcircuit } from '../circuits/blocks/ota.ts';
import { syninResistorSubcircuit } from '../circuits/blocks/synin.ts';
import { bufferSubcircuit } from '../circuits/blocks/spike.ts';
import { exponentialSubcircuit } from '../circuits/blocks/exponential.ts';
import { SYNAPSE_PULSE_WIDTH, synapsePulseAmplitude } from '../circuits/blocks/synapse-dac.ts';
import { VDD } from '../circuits/technology.ts';
import { UnionFind } from '../util/union-find.ts';
import { solveCoupledRest, type RestLink } from '../circuits/neuron-rest.ts';
import type { CircuitParameters } from '../circuits/params.ts';

export type DeckStimulus =
  | {
    kind: 'spikes';
    circuit: NeuronCoordinate;
    input: 'excitatory' | 'inhibitory';
    /** Spike arrival times, s (hardware time). */
    times: number[];
    /** 6-bit weight 0..63: pulse amplitude (w / 63) · I_dac of the circuit's quadrant. */
    weight: number;
  }
  | {
    kind: 'current';
    circuit: NeuronCoordinate;
    /** A, positive onto the membrane. */
    amplitude: number;
    /** On from `start` (default 0) until `stop` (default: the end), s. */
    start?: number;
    stop?: number;
  };

export interface DeckRequest {
  chip: ChipConfig;
  die: Die;
  /** Circuits to simulate; the selection is extended to everything wired to them. */
  circuits: NeuronCoordinate[];
  stimuli?: DeckStimulus[];
  /** Transient length, s; omit for an operating point only. */
  duration?: number;
  /** Output step of the transient, s (default duration / 2000). */
  step?: number;
  title?: string;
}

export interface DeckCompartment {
  /** Membrane node name; save name `v(<node>)`. */
  node: string;
  circuits: number[];
}

export interface Deck {
  netlist: Netlist;
  /** Every circuit in the deck (enum order). */
  circuits: number[];
  compartments: DeckCompartment[];
  /** Save names of the refractory output per circuit enum (threshold enabled). */
  refractory: Record<number, string>;
  /** Save names of the adaptation state per circuit enum (adaptation enabled). */
  adaptation: Record<number, string>;
  /** Save names of the membrane per circuit enum. */
  membrane: Record<number, string>;
  /** Save names of the synaptic-input lines per circuit enum (enabled inputs). */
  synapticLines: Record<number, { exc?: string; inh?: string }>;
}

interface Wiring {
  /** Membrane group root per circuit. */
  mem: UnionFind;
  /** Shared-line segment group root per circuit (row·256 + column index of the segment). */
  seg: UnionFind;
}

function wiring(chip: ChipConfig): Wiring {
  const mem = new UnionFind(NEURON_CIRCUITS);
  const seg = new UnionFind(NEURON_CIRCUITS);
  for (let e = 0; e < NEURON_CIRCUITS; e++) {
    const mc = chip.neurons[e].multicompartment;
    const col = e % NEURON_COLUMNS;
    if (mc.connect_right && col + 1 < NEURON_COLUMNS) mem.union(e, e + 1);
    if (mc.connect_vertical) mem.union(e, (e + NEURON_COLUMNS) % NEURON_CIRCUITS);
    if (mc.connect_soma_right && col + 1 < NEURON_COLUMNS) seg.union(e, e + 1);
  }
  // connect_soma ties the membrane to the segment: the segment joins the membrane's group.
  return { mem, seg };
}

function segmentUsed(chip: ChipConfig, w: Wiring, root: number): boolean {
  for (let e = 0; e < NEURON_CIRCUITS; e++) {
    if (w.seg.find(e) !== root) continue;
    const mc = chip.neurons[e].multicompartment;
    if (mc.connect_soma || mc.enable_conductance) return true;
  }
  return false;
}

/** Close a selection over membranes and used segments. */
function closeSelection(chip: ChipConfig, w: Wiring, start: number[]): number[] {
  const inSel = new Uint8Array(NEURON_CIRCUITS);
  const stack = [...start];
  while (stack.length > 0) {
    const e = stack.pop() as number;
    if (inSel[e]) continue;
    inSel[e] = 1;
    const mc = chip.neurons[e].multicompartment;
    for (let k = 0; k < NEURON_CIRCUITS; k++) {
      if (inSel[k]) continue;
      if (w.mem.find(k) === w.mem.find(e)) { stack.push(k); continue; }
      const kc = chip.neurons[k].multicompartment;
      if ((mc.connect_soma || mc.enable_conductance) && (kc.connect_soma || kc.enable_conductance) && w.seg.find(k) === w.seg.find(e)) stack.push(k);
    }
  }
  const out: number[] = [];
  for (let e = 0; e < NEURON_CIRCUITS; e++) if (inSel[e]) out.push(e);
  return out;
}

/** The library's subcircuits every deck may use. */
export function librarySubcircuits(): Subcircuit[] {
  return [otaSubcircuit(), syninResistorSubcircuit(), bufferSubcircuit(), exponentialSubcircuit()];
}

function pulsePoints(times: number[], amplitude: number): Array<[number, number]> {
  // Trapezoid: 0.5 ns rise, flat until 4 ns, 0.5 ns fall: area = amplitude · 4 ns (the DAC pulse).
  const edge = 0.5e-9;
  const pts: Array<[number, number]> = [[0, 0]];
  for (const t of [...times].sort((a, b) => a - b)) {
    const last = pts[pts.length - 1][0];
    if (t <= last) continue;
    pts.push([t, 0], [t + edge, amplitude], [t + SYNAPSE_PULSE_WIDTH, amplitude], [t + SYNAPSE_PULSE_WIDTH + edge, 0]);
  }
  return pts;
}

/** Build the deck. Throws InputError listing every problem of the request. */
export function buildDeck(req: DeckRequest): Deck {
  checkDie(req.die);
  const issues: Issue[] = [];
  const chip = req.chip;
  if (req.circuits.length === 0) issues.push({ message: 'select at least one circuit', location: { path: 'circuits' } });
  const start = req.circuits.map((c) => neuronEnum(c));
  const w = wiring(chip);
  const sel = closeSelection(chip, w, start);
  for (const e of sel) {
    const cfg = chip.neurons[e];
    const where = { circuit: formatNeuron({ row: (e >= NEURON_COLUMNS ? 1 : 0) as 0 | 1, column: e % NEURON_COLUMNS }) };
    if (cfg.multicompartment.connect_soma && cfg.multicompartment.enable_conductance) {
      issues.push({ message: 'connect_soma and enable_conductance closed at once', location: where, allowed: 'at most one of them' });
    }
  }
  if (req.duration !== undefined && !(req.duration > 0)) issues.push({ message: 'duration must be positive', location: { path: 'duration' }, value: req.duration });
  if (issues.length > 0) throw new InputError(issues, 'cannot build the deck');

  // Node names: membrane groups `m<root>`; a segment tied to a membrane (connect_soma) is that
  // membrane's node, otherwise `s<root>`.
  const segNode = new Map<number, string>();
  for (const e of sel) {
    if (chip.neurons[e].multicompartment.connect_soma) {
      const r = w.seg.find(e);
      const node = `m${w.mem.find(e)}`;
      const prev = segNode.get(r);
      if (prev !== undefined && prev !== node) {
        throw inputError('a shared-line segment ties two compartments directly (they would be shorted)', { circuit: `enum ${e}` }, { allowed: 'one connect_soma compartment per segment' });
      }
      segNode.set(r, node);
    }
  }
  const lineOf = (e: number): string => segNode.get(w.seg.find(e)) ?? `s${w.seg.find(e)}`;

  const elements: Element[] = [{ kind: 'V', name: 'vdd', p: 'vdd', n: '0', value: VDD }];
  const compartments = new Map<number, DeckCompartment>();
  const refractory: Record<number, string> = {};
  const adaptation: Record<number, string> = {};
  const membrane: Record<number, string> = {};
  const synapticLines: Record<number, { exc?: string; inh?: string }> = {};
  const nodeset: Record<string, number> = {};
  const lineNodes = new Map<number, string>();
  for (const e of sel) {
    const root = w.mem.find(e);
    const mem = `m${root}`;
    membrane[e] = `v(${mem})`;
    const comp = compartments.get(root) ?? { node: mem, circuits: [] };
    comp.circuits.push(e);
    compartments.set(root, comp);
    const mc = chip.neurons[e].multicompartment;
    const line = mc.enable_conductance && segmentUsed(chip, w, w.seg.find(e)) ? lineOf(e) : undefined;
    if (line !== undefined && chip.neurons[e].multicompartment.i_bias_nmda > 0) lineNodes.set(e, line);
    const part = circuitElements(chip, req.die, e, {
      mem, line, excLine: `n${e}_exc_line`, inhLine: `n${e}_inh_line`,
    });
    elements.push(...part.elements);
    if (part.refr !== undefined) refractory[e] = `v(${part.refr})`;
    if (part.vw !== undefined) adaptation[e] = `v(${part.vw})`;
    synapticLines[e] = {
      exc: part.lines.exc !== undefined ? `v(${part.lines.exc})` : undefined,
      inh: part.lines.inh !== undefined ? `v(${part.lines.inh})` : undefined,
    };
  }
  // Start (or hint) every membrane and shared line at the behavioural resting state.
  const memNodes = new Map<number, string>();
  for (const c of compartments.values()) for (const e of c.circuits) memNodes.set(e, c.node);
  Object.assign(nodeset, solveRest(chip, req.die, memNodes, lineNodes));

  for (const [k, s] of (req.stimuli ?? []).entries()) {
    const e = neuronEnum(s.circuit);
    if (!sel.includes(e)) throw inputError('stimulus targets a circuit outside the deck', { path: `stimuli[${k}]` }, { value: s.circuit });
    if (s.kind === 'spikes') {
      if (!Number.isInteger(s.weight) || s.weight < 0 || s.weight > WEIGHT_MAX) {
        throw inputError('weight out of range', { path: `stimuli[${k}].weight` }, { value: s.weight, allowed: `integer 0..${WEIGHT_MAX}` });
      }
      const cfg = chip.neurons[e];
      const enabled = s.input === 'excitatory' ? cfg.excitatory_input.enable : cfg.inhibitory_input.enable;
      if (!enabled) throw inputError(`the circuit's ${s.input} input is disabled`, { path: `stimuli[${k}]` }, { value: s.input });
      if (s.times.some((t) => !(t >= 0))) throw inputError('spike times must be non-negative', { path: `stimuli[${k}].times` }, { value: s.times });
      const amp = synapsePulseAmplitude(resolveCircuit(chip, req.die, e).iDac, s.weight);
      const line = `n${e}_${s.input === 'excitatory' ? 'exc' : 'inh'}_line`;
      if (s.times.length > 0) elements.push({ kind: 'I', name: `stim${k}`, p: '0', n: line, value: { fn: 'pwl', points: pulsePoints(s.times, amp) } });
    } else {
      const mem = `m${w.mem.find(e)}`;
      const t0 = s.start ?? 0;
      if (!Number.isFinite(s.amplitude)) throw inputError('current amplitude must be finite', { path: `stimuli[${k}].amplitude` }, { value: s.amplitude });
      const pts: Array<[number, number]> = t0 > 0 ? [[0, 0], [t0, 0], [t0 + 1e-9, s.amplitude]] : [[0, s.amplitude]];
      if (s.stop !== undefined) pts.push([s.stop, s.amplitude], [s.stop + 1e-9, 0]);
      elements.push({ kind: 'I', name: `stim${k}`, p: '0', n: mem, value: { fn: 'pwl', points: pts } });
    }
  }

  const comps = [...compartments.values()];
  const lineSaves = Object.values(synapticLines).flatMap((l) => [l.exc, l.inh].filter((x): x is string => x !== undefined));
  const save = [...comps.map((c) => `v(${c.node})`), ...Object.values(refractory), ...Object.values(adaptation), ...lineSaves];
  const duration = req.duration;
  const netlist: Netlist = {
    title: req.title ?? `plateau circuits ${sel.join(' ')}`,
    includes: [],
    models: [],
    subcircuits: librarySubcircuits(),
    elements,
    // OP decks (the self-test) only hint the membranes (.nodeset); transients start them at the
    // predicted rest (.ic: held during the initial operating point), because a circuit with the
    // exponential term is bistable and the operating point may otherwise land on the upper state.
    ...(duration === undefined ? { nodeset } : { ic: nodeset }),
    options: { method: 'gear', reltol: 1e-4, abstol: 1e-14, vntol: 1e-7, chgtol: 1e-16 },
    analysis: duration === undefined ? { kind: 'op' } : { kind: 'tran', step: req.step ?? duration / 2000, stop: duration, maxStep: Math.min(req.step ?? duration / 2000, 50e-9) },
    save,
  };
  return { netlist, circuits: sel, compartments: comps, refractory, adaptation, membrane, synapticLines };
}

/**
 * Resting state of membranes and shared lines by the behavioural parameters
 * (`solveCoupledRest`: each circuit's static current, the inter-compartment conductances with
 * their line-side offsets; damped Newton inside [0, VDD]). A membrane without a rest below its
 * threshold starts at its leak potential. `memNodes`: circuit enum → membrane node;
 * `lineNodes`: circuit enum → the line its conductance attaches to.
 */
export function solveRest(chip: ChipConfig, die: Die, memNodes: Map<number, string>, lineNodes: Map<number, string>): Record<string, number> {
  const params = new Map([...memNodes.keys()].map((e) => [e, circuitParameters(chip, die, e)]));
  const names = [...new Set([...memNodes.values(), ...lineNodes.values()])];
  const idx = new Map(names.map((nm, k) => [nm, k]));
  const members: number[][] = names.map(() => []);
  const list: CircuitParameters[] = [];
  const links: RestLink[] = [];
  for (const [e, node] of memNodes) {
    const p = params.get(e) as CircuitParameters;
    const local = list.push(p) - 1;
    members[idx.get(node) as number].push(local);
    const ln = lineNodes.get(e);
    if (ln !== undefined) links.push({ circuit: local, mem: idx.get(node) as number, line: idx.get(ln) as number });
  }
  const v = solveCoupledRest(list, members, links);
  // A membrane with no rest below its threshold fires from the start: there is no resting state
  // to start it in. Start it where the emulator starts a membrane (its leak potential, the
  // conductance-weighted mean over the compartment's circuits), so both levels begin alike.
  const byNode = new Map<string, { g: number; gE: number; vTh: number }>();
  for (const [e, node] of memNodes) {
    const p = params.get(e);
    if (p === undefined) continue;
    const acc = byNode.get(node) ?? { g: 0, gE: 0, vTh: Infinity };
    acc.g += p.gLeak;
    acc.gE += p.gLeak * p.eLeak;
    acc.vTh = Math.min(acc.vTh, p.vThreshold);
    byNode.set(node, acc);
  }
  for (const [node, a] of byNode) {
    const k = idx.get(node) as number;
    if (v[k] >= a.vTh && a.g > 0) v[k] = Math.max(0, Math.min(VDD, a.gE / a.g));
  }
  const out: Record<string, number> = {};
  names.forEach((nm, k) => { out[nm] = v[k]; });
  return out;
}

/**
 * DC self-test: an operating-point deck of the selection with no stimuli, and the resting
 * potential of each compartment the behavioural parameters predict (`solveRest`). Compare
 * `v(<node>)` of the run with `expected`.
 */
export function restingSelfTest(chip: ChipConfig, die: Die, circuits: NeuronCoordinate[]): { deck: Deck; expected: Record<string, number> } {
  const deck = buildDeck({ chip, die, circuits, title: 'plateau resting self-test' });
  const expected: Record<string, number> = {};
  for (const c of deck.compartments) expected[`v(${c.node})`] = deck.netlist.nodeset?.[c.node] ?? NaN;
  return { deck, expected };
}

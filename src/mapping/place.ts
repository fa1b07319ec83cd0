/**
 * Placement: which neuron circuits each compartment of each neuron occupies, and the
 * multi-compartment switches that wire them. A simple, correct placement (a later mapping issue
 * improves it): neurons are placed one after another along row 0, then row 1, each inside one
 * backend half; a compartment is a run of adjacent circuits shorted with connect_right.
 *
 * Compartment links use the shared line: the parent compartment ties its last circuit to its
 * segment (connect_soma), the segment is extended with connect_soma_right to the child's first
 * circuit, which attaches through the inter-compartment conductance (enable_conductance). Each
 * link needs its own isolated segment, so a compartment in the middle of a chain needs two
 * circuits. Chains and stars (a parent whose children are leaves) are placed; deeper trees are
 * left to the mapping issue and reported.
 */
import type { ChipConfig } from '../chip/chip.ts';
import { COLUMNS_PER_BACKEND_HALF, NEURON_COLUMNS } from '../chip/constants.ts';
import { formatNeuron, madcParityOf, neuronEnum, neuronFromEnum, type NeuronCoordinate } from '../chip/coordinates.ts';
import type { Experiment, ExperimentNeuron } from '../config/experiment-layer.ts';
import { InputError, type Issue } from '../util/errors.ts';

export interface PlacedCompartment {
  id: string;
  /** Circuit enums, left to right. */
  circuits: number[];
  /** The circuit holding the conductance towards the parent (first circuit), if any. */
  conductanceCircuit?: number;
  parent?: string;
}

export interface PlacedNeuron {
  population: string;
  index: number;
  compartments: PlacedCompartment[];
}

export interface Placement {
  neurons: PlacedNeuron[];
  /** `population/index/compartment` → compartment. */
  byKey: Map<string, PlacedCompartment>;
}

export function compartmentKey(population: string, index: number, compartment: string): string {
  return `${population}/${index}/${compartment}`;
}

/** Order of compartments along the row, with each one's parent; throws for unsupported trees. */
function layout(n: ExperimentNeuron): Array<{ id: string; parent?: string; width: number }> {
  const comps = n.compartments;
  if (comps.length === 1) return [{ id: comps[0].id, width: comps[0].circuits }];
  const adj = new Map<string, string[]>(comps.map((c) => [c.id, []]));
  for (const c of n.connections) {
    adj.get(c.from)!.push(c.to);
    adj.get(c.to)!.push(c.from);
  }
  if (n.connections.length !== comps.length - 1) {
    throw new InputError({ message: `neuron "${n.id}": compartments must form a tree (${comps.length} compartments need ${comps.length - 1} connections, got ${n.connections.length})`, location: { path: `neurons.${n.id}.connections` } });
  }
  const degrees = [...adj.values()].map((a) => a.length);
  const width = new Map(comps.map((c) => [c.id, c.circuits]));
  const isChain = degrees.every((d) => d <= 2);
  if (isChain) {
    // Start at the first declared compartment if it is an end, else at any end.
    const ends = comps.filter((c) => adj.get(c.id)!.length === 1).map((c) => c.id);
    const start = ends.includes(comps[0].id) ? comps[0].id : ends[0];
    const order: Array<{ id: string; parent?: string; width: number }> = [];
    let prev: string | undefined;
    let cur: string | undefined = start;
    while (cur !== undefined) {
      order.push({ id: cur, parent: prev, width: width.get(cur)! });
      const next: string | undefined = adj.get(cur)!.find((x) => x !== prev);
      prev = cur;
      cur = next;
    }
    if (order.length !== comps.length) throw new InputError({ message: `neuron "${n.id}": compartments are not connected into one tree`, location: { path: `neurons.${n.id}.connections` } });
    return order;
  }
  const hubs = comps.filter((c) => adj.get(c.id)!.length > 1);
  if (hubs.length === 1) {
    const hub = hubs[0].id;
    return [{ id: hub, width: width.get(hub)! }, ...adj.get(hub)!.map((leaf) => ({ id: leaf, parent: hub, width: width.get(leaf)! }))];
  }
  throw new InputError({
    message: `neuron "${n.id}": this compartment tree (neither a chain nor a star) is not supported by the simple placement yet`,
    location: { path: `neurons.${n.id}.connections` }, allowed: 'a chain, or one compartment with leaf children',
  });
}

/** Circuits needed by one neuron: a compartment with both a parent and children needs ≥ 2. */
function widths(order: Array<{ id: string; parent?: string; width: number }>): Issue[] {
  const issues: Issue[] = [];
  const hasChildren = new Set(order.filter((o) => o.parent).map((o) => o.parent!));
  for (const o of order) {
    if (o.parent !== undefined && hasChildren.has(o.id) && o.width < 2) {
      issues.push({ message: `compartment "${o.id}" sits inside a chain: it needs at least 2 circuits (one per shared-line segment)`, location: { path: `compartments.${o.id}.circuits` }, value: o.width, allowed: '≥ 2' });
    }
  }
  return issues;
}

/** Place every neuron of the experiment and set the multi-compartment switches on `chip`. */
export function place(exp: Experiment, chip: ChipConfig): Placement {
  const neurons: PlacedNeuron[] = [];
  const byKey = new Map<string, PlacedCompartment>();
  const used = new Uint8Array(2 * NEURON_COLUMNS);
  let cursor = { row: 0, column: 0 };
  const issues: Issue[] = [];

  const fits = (row: number, col: number, width: number): boolean => {
    if (col + width > NEURON_COLUMNS) return false;
    const half = Math.floor(col / COLUMNS_PER_BACKEND_HALF);
    if (Math.floor((col + width - 1) / COLUMNS_PER_BACKEND_HALF) !== half) return false;
    for (let c = col; c < col + width; c++) if (used[row * NEURON_COLUMNS + c]) return false;
    return true;
  };

  for (const pop of exp.neurons) {
    const order = layout(pop);
    issues.push(...widths(order).map((i) => ({ ...i, location: { path: `neurons.${pop.id}.${i.location.path}` } })));
    const width = order.reduce((s, o) => s + o.width, 0);
    for (let index = 0; index < pop.size; index++) {
      let start: NeuronCoordinate | undefined;
      if (pop.circuit && index === 0) {
        if (!fits(pop.circuit.row, pop.circuit.column, width)) {
          throw new InputError({ message: `neuron "${pop.id}" needs ${width} free circuits from ${formatNeuron(pop.circuit)} inside one backend half`, location: { path: `neurons.${pop.id}.circuit` } });
        }
        start = pop.circuit;
      } else {
        // Next free run: continue after the last placement, row 0 then row 1.
        let { row, column } = pop.circuit && index > 0 ? { row: pop.circuit.row, column: 0 } : cursor;
        while (row < 2 && !fits(row, column, width)) {
          column++;
          if (column >= NEURON_COLUMNS) {
            row++;
            column = 0;
          }
        }
        if (row >= 2) {
          throw new InputError({ message: `not enough free neuron circuits for neuron "${pop.id}" #${index} (${width} circuits inside one backend half)`, location: { path: `neurons.${pop.id}` }, allowed: '512 circuits in all' });
        }
        start = { row: row as 0 | 1, column };
      }
      const placed: PlacedNeuron = { population: pop.id, index, compartments: [] };
      let col = start.column;
      for (const o of order) {
        const circuits: number[] = [];
        for (let k = 0; k < o.width; k++) circuits.push(neuronEnum({ row: start.row, column: col + k }));
        col += o.width;
        const pc: PlacedCompartment = { id: o.id, circuits, parent: o.parent };
        placed.compartments.push(pc);
        byKey.set(compartmentKey(pop.id, index, o.id), pc);
      }
      for (let c = start.column; c < start.column + width; c++) used[start.row * NEURON_COLUMNS + c] = 1;
      wire(placed, chip);
      neurons.push(placed);
      const next = start.column + width;
      cursor = next >= NEURON_COLUMNS ? { row: start.row + 1, column: 0 } : { row: start.row, column: next };
    }
  }
  if (issues.length) throw new InputError(issues);
  return { neurons, byKey };
}

function wire(n: PlacedNeuron, chip: ChipConfig): void {
  for (const c of n.compartments) {
    for (let k = 0; k + 1 < c.circuits.length; k++) chip.neurons[c.circuits[k]].multicompartment.connect_right = true;
  }
  const byId = new Map(n.compartments.map((c) => [c.id, c]));
  for (const child of n.compartments) {
    if (child.parent === undefined) continue;
    const parent = byId.get(child.parent)!;
    // Parent's tie: its last circuit, unless that circuit already holds the parent's own
    // conductance towards its parent (then the chain needs the wider compartment; checked above).
    const tie = parent.circuits[parent.circuits.length - 1];
    const attach = child.circuits[0];
    child.conductanceCircuit = attach;
    chip.neurons[tie].multicompartment.connect_soma = true;
    chip.neurons[attach].multicompartment.enable_conductance = true;
    // Extend the segment from the tie to the attaching circuit (columns are increasing).
    for (let e = tie; e < attach; e++) chip.neurons[e].multicompartment.connect_soma_right = true;
  }
}

/** MADC channels for the traces: pick circuits of the compartments so that parities differ. */
export function chooseMadcCircuits(compartments: PlacedCompartment[]): number[] {
  if (compartments.length === 0) return [];
  if (compartments.length > 2) throw new InputError({ message: 'at most two MADC traces at once', location: { path: 'recordings' } });
  const first = compartments[0].circuits;
  if (compartments.length === 1) return [first[0]];
  const second = compartments[1].circuits;
  for (const a of first) {
    for (const b of second) {
      if (a !== b && madcParityOf(neuronFromEnum(a)) !== madcParityOf(neuronFromEnum(b))) return [a, b];
    }
  }
  throw new InputError({
    message: `the two MADC traces sit on ${madcParityOf(neuronFromEnum(first[0]))} columns only (${formatNeuron(neuronFromEnum(first[0]))}, ${formatNeuron(neuronFromEnum(second[0]))})`,
    location: { path: 'recordings' }, allowed: 'one trace in an even and one in an odd column: record the other with readout: cadc or ideal, or place the neurons differently',
  });
}

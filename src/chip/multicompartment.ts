/**
 * Compartment topology from the multi-compartment switches of a chip configuration.
 *
 * - Circuits shorted by connect_right (to the right neighbour, same row) or connect_vertical
 *   (to the other row, same column) form one isopotential compartment.
 * - Each row has a shared line, segmented per column; connect_soma_right joins the segment of a
 *   column to the right neighbour's. A circuit ties its membrane to its segment directly
 *   (connect_soma) or through the inter-compartment conductance (enable_conductance).
 *
 * Rules checked here (see docs/chip-model.md): no circuit closes connect_soma and
 * enable_conductance at once; no switch reaches past column 255 or across the boundary of the two
 * backend halves (a multi-compartment neuron must fit inside one half); a joined segment must
 * connect at least two circuits (no open-ended line); a segment must not tie two different
 * compartments directly (that shorts them).
 */
import { COLUMNS_PER_BACKEND_HALF, NEURON_CIRCUITS, NEURON_COLUMNS } from './constants.ts';
import { formatNeuron, neuronFromEnum } from './coordinates.ts';
import type { ChipConfig } from './chip.ts';
import type { Issue } from '../util/errors.ts';
import { UnionFind } from '../util/union-find.ts';

export interface CompartmentTopology {
  /** Compartment index of each circuit (enum order). */
  compartmentOf: Int32Array;
  /** Circuits of each compartment, sorted by enum. Every circuit belongs to exactly one. */
  compartments: { circuits: number[] }[];
  /** Shared-line segments that something attaches to. */
  segments: SharedSegment[];
}

export interface SharedSegment {
  row: number;
  /** Circuit enums whose column segment belongs to this joined segment. */
  circuits: number[];
  /** Compartments tied to the segment directly (connect_soma); at most one in a valid config. */
  direct: number[];
  /** Circuit enums attached to the segment through their inter-compartment conductance. */
  conductance: number[];
}

function crossesRight(column: number): string | null {
  if (column === NEURON_COLUMNS - 1) return 'column 255 has no right neighbour';
  if (column === COLUMNS_PER_BACKEND_HALF - 1) return 'the right neighbour is in the other backend half (a multi-compartment neuron must fit inside one half: columns 0–127 or 128–255)';
  return null;
}

/** Analyse the switches; structural problems are returned as issues (path `neurons[enum]...`). */
export function analyzeCompartments(chip: ChipConfig): { topology: CompartmentTopology; issues: Issue[] } {
  const issues: Issue[] = [];
  const membranes = new UnionFind(NEURON_CIRCUITS);
  const segments = new UnionFind(NEURON_CIRCUITS); // segment of (row, column) indexed like circuits

  for (let e = 0; e < NEURON_CIRCUITS; e++) {
    const c = neuronFromEnum(e);
    const mc = chip.neurons[e].multicompartment;
    const where = (field: string) => ({ path: `neurons[${e}].multicompartment.${field}`, circuit: formatNeuron(c) });
    if (mc.connect_right) {
      const bad = crossesRight(c.column);
      if (bad) issues.push({ message: `connect_right: ${bad}`, location: where('connect_right'), value: true, allowed: 'false here' });
      else membranes.union(e, e + 1);
    }
    if (mc.connect_vertical) membranes.union(e, (e + NEURON_COLUMNS) % NEURON_CIRCUITS);
    if (mc.connect_soma_right) {
      const bad = crossesRight(c.column);
      if (bad) issues.push({ message: `connect_soma_right: ${bad}`, location: where('connect_soma_right'), value: true, allowed: 'false here' });
      else segments.union(e, e + 1);
    }
    if (mc.connect_soma && mc.enable_conductance) {
      issues.push({
        message: 'connect_soma and enable_conductance are both closed: the conductance would be shorted',
        location: where('enable_conductance'), value: true, allowed: 'at most one of connect_soma, enable_conductance per circuit',
      });
    }
  }

  // Compartments in order of their lowest circuit enum.
  const compartmentOf = new Int32Array(NEURON_CIRCUITS).fill(-1);
  const compartments: { circuits: number[] }[] = [];
  for (let e = 0; e < NEURON_CIRCUITS; e++) {
    const root = membranes.find(e);
    if (compartmentOf[root] === -1) {
      compartmentOf[root] = compartments.length;
      compartments.push({ circuits: [] });
    }
    compartmentOf[e] = compartmentOf[root];
    compartments[compartmentOf[e]].circuits.push(e);
  }

  // Joined segments, keeping only those something attaches to or that are extended.
  const byRoot = new Map<number, SharedSegment>();
  const extended = new Set<number>();
  for (let e = 0; e < NEURON_CIRCUITS; e++) {
    const mc = chip.neurons[e].multicompartment;
    const root = segments.find(e);
    if (mc.connect_soma_right && crossesRight(neuronFromEnum(e).column) === null) extended.add(root);
    let seg = byRoot.get(root);
    if (!seg) {
      seg = { row: neuronFromEnum(e).row, circuits: [], direct: [], conductance: [] };
      byRoot.set(root, seg);
    }
    seg.circuits.push(e);
    if (mc.connect_soma && !mc.enable_conductance) {
      if (!seg.direct.includes(compartmentOf[e])) seg.direct.push(compartmentOf[e]);
    }
    if (mc.enable_conductance && !mc.connect_soma) seg.conductance.push(e);
  }
  const used: SharedSegment[] = [];
  for (const [root, seg] of byRoot) {
    const attachments = seg.direct.length + seg.conductance.length;
    const first = neuronFromEnum(seg.circuits[0]);
    const last = neuronFromEnum(seg.circuits[seg.circuits.length - 1]);
    const span = `row ${first.row} columns ${first.column}–${last.column}`;
    if (extended.has(root) && attachments < 2) {
      issues.push({
        message: `shared-line segment ${span} is joined by connect_soma_right but connects ${attachments} circuit(s): an open-ended line`,
        location: { path: `neurons[${seg.circuits[0]}].multicompartment.connect_soma_right`, circuit: formatNeuron(first) },
        allowed: 'a joined segment ties at least two circuits (connect_soma or enable_conductance)',
      });
    }
    if (seg.direct.length > 1) {
      issues.push({
        message: `shared-line segment ${span} ties compartments ${seg.direct.join(', ')} directly (connect_soma): they are shorted together`,
        location: { path: `neurons[${seg.circuits[0]}].multicompartment.connect_soma`, circuit: formatNeuron(first) },
        allowed: 'one compartment tied directly per segment; the others attach through enable_conductance',
      });
    }
    for (const e of seg.conductance) {
      if (seg.direct.includes(compartmentOf[e])) {
        issues.push({
          message: 'this circuit attaches through the conductance to a segment its own compartment is tied to directly: the conductance is shorted',
          location: { path: `neurons[${e}].multicompartment.enable_conductance`, circuit: formatNeuron(neuronFromEnum(e)) },
          allowed: 'conductance links between different compartments',
        });
      }
    }
    if (attachments > 0) used.push(seg);
  }
  used.sort((a, b) => a.circuits[0] - b.circuits[0]);
  return { topology: { compartmentOf, compartments, segments: used }, issues };
}

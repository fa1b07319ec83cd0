/**
 * Routing: synapse rows, drivers, crossbar nodes and labels for every input of an experiment
 * (external spike trains and Poisson sources from the FPGA, on-chip background sources, and
 * on-chip neurons of projections).
 *
 * Scheme (plateau's simple, correct allocation; docs/mapping.md):
 * - Drivers accept every event of their bus (row-select mask 0); synapses filter by the 6-bit
 *   label, so labels are unique per bus among every source forwarded to it.
 * - On-chip neuron n (column c, event output c/32) that is a projection source gets address
 *   0x80 | label; the crossbar node (event output → bus 4·h + event output mod 4) passes only
 *   labels with bit 7 set (mask 0x80), so non-source neurons do not use up labels.
 * - External input k (FPGA, crossbar inputs 8–11) feeds buses k and 4 + k; background source j
 *   (inputs 12–19) feeds buses j mod 4 and 4 + j mod 4, whichever hemispheres it targets.
 * - Each source × receptor gets synapse rows on its bus's 32 drivers (64 rows) of the right row
 *   mode; several sources share a row where their target columns do not overlap (first fit);
 *   weights above 63 are split over several rows of the same column.
 */
import type { ChipConfig, RowMode } from '../chip/chip.ts';
import {
  BACKGROUND_MAX_RATE_HZ, BACKGROUND_SOURCES, COLUMNS_PER_EVENT_OUTPUT, NEURON_COLUMNS, SYNAPSE_COLUMNS,
  SYNAPSE_ROWS, WEIGHT_MAX,
} from '../chip/constants.ts';
import { neuronFromEnum } from '../chip/coordinates.ts';
import type { Experiment, SynapticTarget } from '../config/experiment-layer.ts';
import { InputError } from '../util/errors.ts';
import { hashWords, Rng } from '../util/random.ts';
import { compartmentKey, type Placement } from './place.ts';

/** An event injected from outside the chip (FPGA): time in hardware seconds. */
export interface ExternalEvent {
  time: number;
  /** Crossbar input 8..11. */
  input: number;
  /** 14-bit label (row select in bits 6–10, synapse label in bits 0–5). */
  label: number;
}

/** A synapse fed by an external (FPGA) input: what a transistor-level deck needs to stimulate. */
export interface ExternalSynapse {
  input: number;
  label: number;
  circuit: number;
  receptor: 'excitatory' | 'inhibitory';
  weight: number;
}

export interface RoutingSummary {
  externalEvents: ExternalEvent[];
  externalSynapses: ExternalSynapse[];
  /** Synapse rows in use per bus. */
  rowsPerBus: number[];
  labelsPerBus: number[];
  synapsesUsed: number;
  backgroundSources: number;
}

interface Need {
  /** Hemisphere (synapse array) → column → weight, per receptor. */
  targets: Map<number, Map<'excitatory' | 'inhibitory', Map<number, number>>>;
}

const FLAG_SOURCE = 0x80;

class Allocator {
  /** labels used per bus (bit set of 64). */
  readonly labels: boolean[][] = Array.from({ length: 8 }, () => new Array(64).fill(false));
  /** For each bus, the rows opened: driver row index in its array, mode, occupied columns. */
  readonly rows: Array<Array<{ row: number; driver: number; mode: RowMode; used: Uint8Array }>> = Array.from({ length: 8 }, () => []);
  synapses = 0;
  constructor(private readonly chip: ChipConfig) {}

  freeLabel(buses: number[], align = 1, count = 1): number {
    for (let base = 0; base + count <= 64; base += align) {
      let ok = true;
      for (const b of buses) for (let l = base; l < base + count && ok; l++) if (this.labels[b][l]) ok = false;
      if (ok) {
        for (const b of buses) for (let l = base; l < base + count; l++) this.labels[b][l] = true;
        return base;
      }
    }
    throw new InputError({ message: `no free synapse labels on bus(es) ${buses.join(', ')}: at most 64 sources per bus`, location: { path: 'stimuli/projections' }, allowed: 'fewer distinct sources per hemisphere (the mapping issue will use row select to go further)' });
  }

  readonly external: ExternalSynapse[] = [];

  /** Put one source's weights (column → weight) for one receptor onto rows of bus `bus`. */
  place(bus: number, receptor: 'excitatory' | 'inhibitory', label: number, columns: Map<number, number>, input?: number): void {
    const array = bus >= 4 ? 1 : 0;
    // Split weights above 63 into chunks of at most 63, one row per chunk level.
    let remaining = new Map(columns);
    while (remaining.size > 0) {
      const chunk = new Map<number, number>();
      const next = new Map<number, number>();
      for (const [c, w] of remaining) {
        chunk.set(c, Math.min(WEIGHT_MAX, w));
        if (w > WEIGHT_MAX) next.set(c, w - WEIGHT_MAX);
      }
      const row = this.rowFor(bus, receptor, [...chunk.keys()]);
      for (const [c, w] of chunk) {
        const idx = (array * SYNAPSE_ROWS + row.row) * SYNAPSE_COLUMNS + c;
        this.chip.weights[idx] = w;
        this.chip.labels[idx] = label & 0x3f;
        row.used[c] = 1;
        this.synapses++;
        if (input !== undefined) this.external.push({ input, label, circuit: array * NEURON_COLUMNS + c, receptor, weight: w });
      }
      remaining = next;
    }
  }

  private rowFor(bus: number, receptor: 'excitatory' | 'inhibitory', columns: number[]) {
    for (const r of this.rows[bus]) {
      if (r.mode === receptor && columns.every((c) => !r.used[c])) return r;
    }
    // Open a new row: the bus's drivers are those with driver mod 4 == bus mod 4 in its block.
    const n = this.rows[bus].length;
    if (n >= 64) {
      throw new InputError({ message: `bus ${bus} needs more than 64 synapse rows`, location: { path: 'projections' }, allowed: 'fewer overlapping sources per hemisphere' });
    }
    const slot = Math.floor(n / 2);
    const driverInBlock = (bus % 4) + 4 * slot;
    const block = bus >= 4 ? 1 : 0;
    const rowInArray = 2 * driverInBlock + (n % 2);
    const d = this.chip.drivers[block * 128 + driverInBlock];
    d.enable_receiver = true;
    d.row_address_compare_mask = 0;
    if (n % 2 === 0) d.row_mode_top = receptor;
    else d.row_mode_bottom = receptor;
    const r = { row: rowInArray, driver: block * 128 + driverInBlock, mode: receptor as RowMode, used: new Uint8Array(NEURON_COLUMNS) };
    this.rows[bus].push(r);
    return r;
  }
}

/** Target columns of a list of synaptic targets, by hemisphere and receptor. */
function collect(targets: SynapticTarget[], placement: Placement, exp: Experiment): Need {
  const need: Need = { targets: new Map() };
  for (const t of targets) {
    const pop = exp.neurons.find((n) => n.id === t.neuron)!;
    for (let i = 0; i < pop.size; i++) addTarget(need, placement, t.neuron, i, t.compartment, t.receptor, t.weight);
  }
  return need;
}

function addTarget(need: Need, placement: Placement, pop: string, index: number, compartment: string, receptor: 'excitatory' | 'inhibitory', weight: number): void {
  const pc = placement.byKey.get(compartmentKey(pop, index, compartment))!;
  const circuit = neuronFromEnum(pc.circuits[0]);
  let h = need.targets.get(circuit.row);
  if (!h) need.targets.set(circuit.row, (h = new Map()));
  let r = h.get(receptor);
  if (!r) h.set(receptor, (r = new Map()));
  r.set(circuit.column, (r.get(circuit.column) ?? 0) + weight);
}

export function route(exp: Experiment, placement: Placement, chip: ChipConfig): RoutingSummary {
  const alloc = new Allocator(chip);
  const external: ExternalEvent[] = [];
  let externalInput = 0;
  let background = 0;
  const crossbar = new Set<string>();
  const node = (input: number, output: number, mask: number, target: number) => {
    const k = `${input}/${output}/${mask}/${target}`;
    if (!crossbar.has(k)) {
      crossbar.add(k);
      chip.crossbar.push({ input, output, mask, target });
    }
  };

  // On-chip neuron sources first: their buses are fixed by their event output.
  const sourcePops = new Set(exp.projections.map((p) => p.from));
  const sourceLabel = new Map<string, number>();
  for (const pn of placement.neurons) {
    if (!sourcePops.has(pn.population)) continue;
    const soma = pn.compartments[0];
    const circuit = neuronFromEnum(soma.circuits[0]);
    const eo = Math.floor(circuit.column / COLUMNS_PER_EVENT_OUTPUT);
    const hemis = new Set<number>();
    for (const p of exp.projections.filter((x) => x.from === pn.population)) {
      const to = placement.neurons.filter((x) => x.population === p.to);
      for (const t of to) hemis.add(neuronFromEnum(t.compartments[0].circuits[0]).row);
    }
    const buses = [...hemis].map((h) => 4 * h + (eo % 4));
    const label = alloc.freeLabel(buses);
    sourceLabel.set(`${pn.population}/${pn.index}`, label);
    const cfg = chip.neurons[soma.circuits[0]];
    cfg.event_routing.enable_digital = true;
    cfg.event_routing.address = FLAG_SOURCE | label;
    for (const b of buses) node(eo, b, FLAG_SOURCE, FLAG_SOURCE);
  }

  // Projections: each source neuron's targets, through its connector.
  for (const p of exp.projections) {
    const fromPop = exp.neurons.find((n) => n.id === p.from)!;
    const toPop = exp.neurons.find((n) => n.id === p.to)!;
    const rng = p.connector.type === 'fixed_probability' ? new Rng(p.connector.seed) : undefined;
    for (let i = 0; i < fromPop.size; i++) {
      const pn = placement.neurons.find((x) => x.population === p.from && x.index === i)!;
      const eo = Math.floor(neuronFromEnum(pn.compartments[0].circuits[0]).column / COLUMNS_PER_EVENT_OUTPUT);
      const need: Need = { targets: new Map() };
      for (let j = 0; j < toPop.size; j++) {
        if (p.from === p.to && i === j && !p.connector.allow_self_connections) continue;
        if (p.connector.type === 'one_to_one' && i !== j) continue;
        if (rng && rng.uniform() >= (p.connector as { probability: number }).probability) continue;
        addTarget(need, placement, p.to, j, p.compartment, p.receptor, p.weight);
      }
      const label = sourceLabel.get(`${p.from}/${i}`)!;
      for (const [h, byReceptor] of need.targets) {
        for (const [receptor, cols] of byReceptor) alloc.place(4 * h + (eo % 4), receptor, label, cols);
      }
    }
  }

  // Stimuli.
  for (const s of exp.stimuli) {
    if (s.type === 'current') continue;
    const need = collect(s.targets, placement, exp);
    const hemis = [...need.targets.keys()];
    if (s.type === 'spike_train' || s.type === 'poisson') {
      const k = externalInput++ % 4;
      const buses = hemis.map((h) => 4 * h + k);
      const label = alloc.freeLabel(buses);
      for (const b of buses) node(8 + k, b, 0, 0);
      for (const [h, byReceptor] of need.targets) for (const [receptor, cols] of byReceptor) alloc.place(4 * h + k, receptor, label, cols, 8 + k);
      const times = s.type === 'spike_train' ? s.times : poissonTimes(s.rate, s.start, Math.min(s.stop, exp.duration), new Rng(hashWords(exp.seed, s.seed, 'poisson')));
      for (const t of times) external.push({ time: t, input: 8 + k, label });
    } else {
      // On-chip background source: one label per target neuron where labels allow, spread by
      // randomising the low label bits; each label then sees `rate`.
      if (background >= BACKGROUND_SOURCES) throw new InputError({ message: 'more than 8 background stimuli', location: { path: 'stimuli' }, allowed: '8 on-chip background sources' });
      const j = background++;
      const buses = hemis.map((h) => 4 * h + (j % 4));
      const columns: Array<{ h: number; receptor: 'excitatory' | 'inhibitory'; column: number; weight: number }> = [];
      for (const [h, byReceptor] of need.targets) for (const [receptor, cols] of byReceptor) for (const [column, weight] of cols) columns.push({ h, receptor, column, weight });
      const distinct = new Set(columns.map((c) => `${c.h}/${c.column}`)).size;
      let bits = 0;
      while ((1 << bits) < distinct && bits < 5) bits++;
      const base = alloc.freeLabel(buses, 1 << bits, 1 << bits);
      const rate = s.rate * (1 << bits);
      if (rate > BACKGROUND_MAX_RATE_HZ) throw new InputError({ message: `background stimulus "${s.id}" needs ${rate / 1e6} MHz from one source (${1 << bits} labels × rate)`, location: { path: `stimuli.${s.id}.rate` }, allowed: `≤ ${BACKGROUND_MAX_RATE_HZ / 1e6} MHz` });
      const slot = new Map<string, number>();
      for (const c of columns) {
        const key = `${c.h}/${c.column}`;
        if (!slot.has(key)) slot.set(key, slot.size % (1 << bits));
        const label = base + slot.get(key)!;
        alloc.place(4 * c.h + (j % 4), c.receptor, label, new Map([[c.column, c.weight]]));
      }
      chip.background[j] = { enable: true, mode: s.mode, rate_hz: rate, label: base, label_random_mask: (1 << bits) - 1, seed: s.seed };
      for (const b of buses) node(12 + j, b, 0, 0);
    }
  }
  external.sort((a, b) => a.time - b.time || a.input - b.input || a.label - b.label);
  return {
    externalEvents: external,
    externalSynapses: alloc.external,
    rowsPerBus: alloc.rows.map((r) => r.length),
    labelsPerBus: alloc.labels.map((l) => l.filter(Boolean).length),
    synapsesUsed: alloc.synapses,
    backgroundSources: background,
  };
}

/** Homogeneous Poisson spike times in [start, stop). */
export function poissonTimes(rate: number, start: number, stop: number, rng: Rng): number[] {
  const out: number[] = [];
  let t = start + rng.exponential(rate);
  while (t < stop) {
    out.push(t);
    t += rng.exponential(rate);
  }
  return out;
}

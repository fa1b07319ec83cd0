/**
 * The `chip` layer: raw codes and switches, applied in order over the chip's reset state.
 */
import { defaultChipConfig, type ChipConfig, type RowMode } from '../chip/chip.ts';
import { NEURON_COLUMNS, SYNAPSE_COLUMNS, SYNAPSE_ROWS } from '../chip/constants.ts';
import { madcParityOf, neuron, neuronEnum, formatNeuron, type NeuronCoordinate } from '../chip/coordinates.ts';
import { analyzeCompartments } from '../chip/multicompartment.ts';
import type { NeuronCircuitConfig } from '../chip/neuron.ts';
import type { QuadrantCellName } from '../chip/capmem.ts';
import type { Issue } from '../util/errors.ts';
import type { PathSegment, YamlSource } from './source.ts';

type Range = number | { from: number; to: number };

/** Expand an index or inclusive range; an issue if from > to. */
export function expandRange(r: Range, path: PathSegment[], source: YamlSource, issues: Issue[]): number[] {
  if (typeof r === 'number') return [r];
  if (r.from > r.to) {
    issues.push({ message: 'empty range: from is larger than to', location: source.location(path), value: r, allowed: 'from ≤ to' });
    return [];
  }
  const out: number[] = [];
  for (let i = r.from; i <= r.to; i++) out.push(i);
  return out;
}

export function selectCircuits(sel: Record<string, Range>, path: PathSegment[], source: YamlSource, issues: Issue[]): number[] {
  if ('enum' in sel) return expandRange(sel.enum, [...path, 'enum'], source, issues);
  const rows = expandRange(sel.row, [...path, 'row'], source, issues);
  const cols = expandRange(sel.column, [...path, 'column'], source, issues);
  const out: number[] = [];
  for (const r of rows) for (const c of cols) out.push(r * NEURON_COLUMNS + c);
  return out;
}

/** Deep-assign the groups of a neuron entry onto a circuit's configuration. */
export function applyNeuronPatch(cfg: NeuronCircuitConfig, patch: Record<string, unknown>): void {
  const target = cfg as unknown as Record<string, Record<string, unknown>>;
  for (const [group, members] of Object.entries(patch)) {
    if (group === 'circuits' || typeof members !== 'object' || members === null) continue;
    Object.assign(target[group], members);
  }
}

interface RawChip {
  neurons?: Array<Record<string, unknown> & { circuits: Record<string, Range> }>;
  quadrants?: Array<Record<string, number> & { quadrant: number }>;
  backends?: Array<{ half: number; clock_scale_slow?: number; clock_scale_fast?: number; clock_scale_adaptation_pulse?: number; enable_clocks?: boolean }>;
  synapse_drivers?: Array<{ drivers: { enum: Range } | { block: Range; driver: Range }; enable_receiver?: boolean; row_mode_top?: RowMode; row_mode_bottom?: RowMode; row_address_compare_mask?: number }>;
  synapses?: Array<{ array: number; rows: Range; columns: Range; weight?: number; label?: number }>;
  crossbar?: Array<{ input: number; output: number; mask?: number; target?: number }>;
  background_sources?: Array<{ source: number; enable?: boolean; mode?: 'regular' | 'poisson'; rate_hz?: number; label?: number; label_random_mask?: number; seed?: number }>;
  readout?: { madc?: Array<{ circuit: { row: number; column: number }; source?: 'membrane' | 'exc_synin' | 'inh_synin' | 'adaptation' }>; cadc?: { enable?: boolean; period_s?: number } };
}

/** Build the ChipConfig of a schema-valid chip document; semantic issues are appended. */
export function buildChip(root: unknown, source: YamlSource, issues: Issue[]): ChipConfig {
  const raw = root as RawChip;
  const chip = defaultChipConfig();
  // Which `neurons` entry last set each circuit's field: semantic issues found on the circuit are
  // reported at that entry's line.
  const origin = new Map<string, number>();
  (raw.neurons ?? []).forEach((entry, i) => {
    for (const e of selectCircuits(entry.circuits, ['neurons', i, 'circuits'], source, issues)) {
      applyNeuronPatch(chip.neurons[e], entry);
      for (const [g, members] of Object.entries(entry)) {
        if (g === 'circuits' || typeof members !== 'object' || members === null) continue;
        for (const m of Object.keys(members)) origin.set(`${e}.${g}.${m}`, i);
      }
    }
  });
  for (const q of raw.quadrants ?? []) {
    for (const [k, v] of Object.entries(q)) if (k !== 'quadrant') chip.quadrants[q.quadrant][k as QuadrantCellName] = v;
  }
  for (const b of raw.backends ?? []) {
    const { half, ...rest } = b;
    Object.assign(chip.backends[half], rest);
  }
  (raw.synapse_drivers ?? []).forEach((d, i) => {
    const path: PathSegment[] = ['synapse_drivers', i, 'drivers'];
    let ids: number[];
    if ('enum' in d.drivers) ids = expandRange(d.drivers.enum, [...path, 'enum'], source, issues);
    else {
      const blocks = expandRange(d.drivers.block, [...path, 'block'], source, issues);
      const drivers = expandRange(d.drivers.driver, [...path, 'driver'], source, issues);
      ids = blocks.flatMap((b) => drivers.map((x) => b * 128 + x));
    }
    const { drivers: _d, ...rest } = d;
    for (const id of ids) Object.assign(chip.drivers[id], rest);
  });
  (raw.synapses ?? []).forEach((s, i) => {
    const rows = expandRange(s.rows, ['synapses', i, 'rows'], source, issues);
    const cols = expandRange(s.columns, ['synapses', i, 'columns'], source, issues);
    for (const r of rows) {
      for (const c of cols) {
        const idx = (s.array * SYNAPSE_ROWS + r) * SYNAPSE_COLUMNS + c;
        if (s.weight !== undefined) chip.weights[idx] = s.weight;
        if (s.label !== undefined) chip.labels[idx] = s.label;
      }
    }
  });
  for (const n of raw.crossbar ?? []) chip.crossbar.push({ input: n.input, output: n.output, mask: n.mask ?? 0, target: n.target ?? 0 });
  for (const b of raw.background_sources ?? []) {
    const { source: idx, ...rest } = b;
    Object.assign(chip.background[idx], rest);
  }
  if (raw.readout?.madc) chip.readout.madc = raw.readout.madc.map((m) => ({ circuit: neuron(m.circuit.row, m.circuit.column), source: m.source ?? 'membrane' }));
  if (raw.readout?.cadc) Object.assign(chip.readout.cadc, raw.readout.cadc);

  const semantic = chipSemanticIssues(chip, source).map((issue) => {
    const m = /^neurons\[(\d+)\]\.(\w+)\.(\w+)$/.exec(issue.location.path ?? '');
    const entry = m ? origin.get(`${m[1]}.${m[2]}.${m[3]}`) : undefined;
    if (!m || entry === undefined) return issue;
    return { ...issue, location: { ...source.location(['neurons', entry, m[2], m[3]]), circuit: issue.location.circuit } };
  });
  issues.push(...semantic);
  return chip;
}

/** The MADC rule: at most two channels, one on the even and one on the odd column line. */
export function madcIssues(channels: NeuronCoordinate[], where: (i: number) => Issue['location']): Issue[] {
  const issues: Issue[] = [];
  if (channels.length > 2) {
    issues.push({ message: `${channels.length} MADC channels requested`, location: where(2), allowed: 'at most two traces at once, one in an even and one in an odd column' });
  } else if (channels.length === 2 && madcParityOf(channels[0]) === madcParityOf(channels[1])) {
    issues.push({
      message: `both MADC channels are on ${madcParityOf(channels[0])} columns (${formatNeuron(channels[0])}, ${formatNeuron(channels[1])})`,
      location: where(1), allowed: 'one channel in an even and one in an odd column',
    });
  }
  return issues;
}

export function chipSemanticIssues(chip: ChipConfig, source?: YamlSource): Issue[] {
  const issues: Issue[] = [];
  const { issues: topo } = analyzeCompartments(chip);
  // Topology issues name `neurons[enum]`; in a file the entries are selectors, so point at the
  // circuit coordinate and keep the path as the circuit's field.
  for (const t of topo) issues.push({ ...t, location: { ...t.location, file: source?.file } });
  issues.push(...madcIssues(chip.readout.madc.map((m) => m.circuit), (i) => (source ? source.location(['readout', 'madc', i]) : { path: `readout.madc[${i}]` })));
  const seen = new Set<number>();
  chip.readout.madc.forEach((m, i) => {
    const e = neuronEnum(m.circuit);
    if (seen.has(e)) issues.push({ message: 'the same circuit is recorded twice', location: source ? source.location(['readout', 'madc', i]) : { path: `readout.madc[${i}]` } });
    seen.add(e);
  });
  return issues;
}

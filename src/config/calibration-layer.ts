/**
 * The `calibration` layer: for one die, the physical targets and the codes found per circuit.
 * Applying a calibration to a chip configuration overwrites the calibrated codes and range
 * switches of those circuits.
 */
import type { ChipConfig } from '../chip/chip.ts';
import { neuron, neuronEnum, type NeuronCoordinate } from '../chip/coordinates.ts';
import { setCode } from '../chip/neuron.ts';
import type { QuadrantCellName } from '../chip/capmem.ts';
import type { Issue } from '../util/errors.ts';
import type { YamlSource } from './source.ts';
import { buildExperimentParams, type CompartmentParameters } from './experiment-layer.ts';

export type DieId = number | 'ideal';

export interface CalibratedCircuit {
  circuit: NeuronCoordinate;
  targets: CompartmentParameters;
  codes: Record<string, number>;
  switches: Record<string, boolean>;
  refractory_time?: number;
  reset_holdoff?: number;
  input_clock?: 'slow' | 'fast';
}

export interface Calibration {
  die: DieId;
  description: string;
  targets: CompartmentParameters;
  circuits: CalibratedCircuit[];
  quadrants: Array<{ quadrant: number } & Partial<Record<QuadrantCellName, number>>>;
  backends: Array<{ half: number; clock_scale_slow?: number; clock_scale_fast?: number }>;
}

type Raw = Record<string, unknown>;

export function buildCalibration(root: unknown, source: YamlSource, issues: Issue[]): Calibration {
  const raw = root as Raw;
  const targets = buildExperimentParams(raw.targets as Raw | undefined, ['targets'], source, issues);
  const seen = new Map<number, number>();
  const circuits: CalibratedCircuit[] = (raw.circuits as Raw[]).map((c, i) => {
    const coord = c.circuit as { row: number; column: number };
    const e = coord.row * 256 + coord.column;
    if (seen.has(e)) issues.push({ message: `circuit calibrated twice (first at circuits[${seen.get(e)}])`, location: source.location(['circuits', i, 'circuit']), allowed: 'one entry per circuit' });
    seen.set(e, i);
    return {
      circuit: neuron(coord.row, coord.column),
      targets: { ...targets, ...buildExperimentParams(c.targets as Raw | undefined, ['circuits', i, 'targets'], source, issues) },
      codes: (c.codes as Record<string, number> | undefined) ?? {},
      switches: (c.switches as Record<string, boolean> | undefined) ?? {},
      refractory_time: c.refractory_time as number | undefined,
      reset_holdoff: c.reset_holdoff as number | undefined,
      input_clock: c.input_clock as 'slow' | 'fast' | undefined,
    };
  });
  return {
    die: raw.die as DieId,
    description: (raw.description as string | undefined) ?? '',
    targets,
    circuits,
    quadrants: (raw.quadrants as Calibration['quadrants'] | undefined) ?? [],
    backends: (raw.backends as Calibration['backends'] | undefined) ?? [],
  };
}

/** Write a calibration's codes into a chip configuration (in place). */
export function applyCalibration(chip: ChipConfig, cal: Calibration): void {
  for (const c of cal.circuits) {
    const cfg = chip.neurons[neuronEnum(c.circuit)];
    for (const [field, code] of Object.entries(c.codes)) setCode(cfg, field, code);
    for (const [field, on] of Object.entries(c.switches)) {
      const [g, m] = field.split('.');
      (cfg as unknown as Record<string, Record<string, unknown>>)[g][m] = on;
    }
    if (c.refractory_time !== undefined) cfg.refractory_period.refractory_time = c.refractory_time;
    if (c.reset_holdoff !== undefined) cfg.refractory_period.reset_holdoff = c.reset_holdoff;
    if (c.input_clock !== undefined) cfg.refractory_period.input_clock = c.input_clock;
  }
  for (const q of cal.quadrants) {
    for (const [k, v] of Object.entries(q)) if (k !== 'quadrant' && v !== undefined) chip.quadrants[q.quadrant][k as QuadrantCellName] = v;
  }
  for (const b of cal.backends) {
    if (b.clock_scale_slow !== undefined) chip.backends[b.half].clock_scale_slow = b.clock_scale_slow;
    if (b.clock_scale_fast !== undefined) chip.backends[b.half].clock_scale_fast = b.clock_scale_fast;
  }
}

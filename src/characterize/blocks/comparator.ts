/**
 * Threshold comparator (circuits/blocks/spike.ts: OTA + two inverters): DC sweep of the
 * membrane from v_th − 0.3 V to v_th + 0.1 V in 0.5 mV steps; the trip offset is v(mem) where
 * the buffered output first rises through 0.6 V (linear interpolation between samples, as
 * ngspice's `meas ... when`), minus v_th. Per comparator bias × threshold. Read by
 * blocks/spike.ts (COMPARATOR_FIT).
 */
import { otaSubcircuit, OTA_SUBCKT } from '../../circuits/blocks/ota.ts';
import { bufferSubcircuit } from '../../circuits/blocks/spike.ts';
import type { ComparatorEntry } from '../table.ts';
import type { Characterization } from '../registry-types.ts';
import { CharacterizationError } from '../errors.ts';
import { spikeTimes } from '../../analysis/spikes.ts';
import { bench, resultFor, sig, vec, type SweepPoint } from '../sweep.ts';

export const COMPARATOR_BIAS_A = [50e-9, 100e-9, 200e-9, 500e-9];
export const COMPARATOR_VTH_V = [0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1.0, 1.05, 1.1];
const H = 0.0005;

function point(biasA: number, vth: number): SweepPoint {
  return {
    key: `cmp:${biasA}:${vth}`,
    netlist: bench('comparator fit', [otaSubcircuit(), bufferSubcircuit()], [
      { kind: 'V', name: 'vm', p: 'mem', n: '0', value: vth },
      { kind: 'V', name: 'vt', p: 'vth', n: '0', value: vth },
      { kind: 'I', name: 'ib', p: 'vdd', n: 'nb', value: biasA },
      { kind: 'X', name: 'c', nodes: ['mem', 'vth', 'co', 'nb', 'vdd', '0'], subckt: OTA_SUBCKT },
      { kind: 'X', name: 'b', nodes: ['co', 'spk', 'vdd', '0'], subckt: 'plateau_buf2' },
    ], { kind: 'dc', source: 'vm', start: Math.max(0.05, vth - 0.3), stop: Math.min(1.2, vth + 0.1), step: H }, ['v(spk)'], { reltol: 1e-6, abstol: 1e-15 }),
  };
}

export const comparatorCharacterization: Characterization<ComparatorEntry> = {
  name: 'comparator',
  description: 'threshold comparator + buffer: trip offset vs comparator bias × v_threshold',
  scope: 'library',
  consumer: 'src/circuits/blocks/spike.ts (COMPARATOR_FIT): the effective threshold',
  subcircuits: () => [otaSubcircuit(), bufferSubcircuit()],
  sweeps: () => COMPARATOR_BIAS_A.flatMap((b) => COMPARATOR_VTH_V.map((v) => point(b, v))),
  reduce(results) {
    const tripOffsetV = COMPARATOR_BIAS_A.map((b) => COMPARATOR_VTH_V.map((vth) => {
      const r = resultFor(results, `cmp:${b}:${vth}`);
      const t = spikeTimes(vec(r, 'v(v-sweep)'), vec(r, 'v(spk)'), 0.6)[0] ?? NaN;
      if (!Number.isFinite(t)) throw new CharacterizationError(`comparator at ${b} A, v_th ${vth} V: the output never crossed 0.6 V`);
      return sig(t - vth);
    }));
    return { biasA: COMPARATOR_BIAS_A, vthV: COMPARATOR_VTH_V, tripOffsetV };
  },
};

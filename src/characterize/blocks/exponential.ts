/**
 * Exponential term (circuits/blocks/exponential.ts) at v_exp = 0.8 V: DC sweep of the held
 * membrane from 0.5 to 1.1 V in 1 mV steps; Δ = 0.9 / (d ln I / dV) where I first reaches
 * 0.1 I_max (the logistic's log-slope there is (1 − 0.1)/Δ; ±5 mV difference), the floor =
 * I(0.55 V) − I_max / (1 + e^(0.25/Δ)) (the logistic's own tail removed). Read by
 * blocks/exponential.ts (EXP_FIT).
 */
import { exponentialSubcircuit, EXP_SUBCKT } from '../../circuits/blocks/exponential.ts';
import type { ExponentialEntry } from '../table.ts';
import type { Characterization } from '../registry-types.ts';
import { CharacterizationError } from '../errors.ts';
import { bench, resultFor, sig, vec, type SweepPoint } from '../sweep.ts';

export const EXP_BIAS_A = [5e-9, 10e-9, 20e-9, 50e-9, 100e-9, 200e-9, 500e-9, 1e-6];
const V0 = 0.5, V1 = 1.1, H = 0.001;

function expPoint(biasA: number): SweepPoint {
  return {
    key: `exp:${biasA}`,
    netlist: bench('exp fit', [exponentialSubcircuit()], [
      { kind: 'V', name: 'vm', p: 'mem', n: '0', value: 0.6 },
      { kind: 'V', name: 'vx', p: 'vexp', n: '0', value: 0.8 },
      { kind: 'I', name: 'ib', p: 'vdd', n: 'nb', value: biasA },
      { kind: 'X', name: 'e', nodes: ['mem', 'vexp', 'nb', 'vdd', '0'], subckt: EXP_SUBCKT },
    ], { kind: 'dc', source: 'vm', start: V0, stop: V1, step: H }, ['i(vm)'], { reltol: 1e-6, abstol: 1e-18, gmin: 1e-15 }),
  };
}

export const exponentialCharacterization: Characterization<ExponentialEntry> = {
  name: 'exponential',
  description: 'exponential term: slope Δ and off-state floor current vs i_bias_exp (v_exp = 0.8 V)',
  scope: 'library',
  consumer: 'src/circuits/blocks/exponential.ts (EXP_FIT): Δ_T and the floor in iOffset',
  subcircuits: () => [exponentialSubcircuit()],
  sweeps: () => EXP_BIAS_A.map(expPoint),
  reduce(results) {
    const delta: number[] = [];
    const floorA: number[] = [];
    for (const b of EXP_BIAS_A) {
      const i = vec(resultFor(results, `exp:${b}`), 'i(vm)');
      const n = Math.round((V1 - V0) / H) + 1;
      if (i.length !== n) throw new CharacterizationError(`exponential at ${b} A: expected ${n} sweep points, got ${i.length}`);
      const iMax = i[n - 1];
      let k = 0;
      while (k < n - 1 && i[k] < 0.1 * iMax) k++;
      if (k < 5 || k > n - 6) throw new CharacterizationError(`exponential at ${b} A: 0.1 I_max not inside the sweep`);
      const slope = (Math.log(i[k + 5]) - Math.log(i[k - 5])) / (10 * H);
      const d = 0.9 / slope;
      delta.push(sig(d));
      floorA.push(sig(i[Math.round((0.55 - V0) / H)] - iMax / (1 + Math.exp(0.25 / d))));
    }
    return { biasA: EXP_BIAS_A, delta, floorA };
  },
};

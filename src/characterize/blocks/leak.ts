/**
 * Leak conductance vs bias code and range switch, in situ: the leak/reset OTA in its follower
 * configuration exactly as circuit.ts wires it (inp = the reference cell at v_leak, inn = out =
 * the membrane), its bias the current cell's value for the code (blocks/capmem-cell.ts, nominal
 * cell) times the range factor (÷8 / 1 / ×8, ideal mirror ratios, blocks/leak-reset.ts). The
 * membrane is held and swept ±4 mV around v_leak; g = −dI/dV_mem (the membrane is both the
 * inverting input and the output, so this includes the output conductance). A check of the
 * law, not a fit: `leakBehaviour` (gm + g_o from the OTA entry) must reproduce it
 * (`leakLawConductance`; test/characterize). Codes whose tail exceeds the OTA grid (1 µA) show the law's
 * extrapolation error (its tables are clamped there).
 */
import { otaSubcircuit, OTA_SUBCKT } from '../../circuits/blocks/ota.ts';
import { currentCell } from '../../circuits/blocks/capmem-cell.ts';
import { leakBehaviour, rangeFactor } from '../../circuits/blocks/leak-reset.ts';
import type { LeakEntry } from '../table.ts';
import type { Characterization } from '../registry-types.ts';
import { bench, centralDerivative, checkSmooth, resultFor, sig, vec, type SweepPoint } from '../sweep.ts';

export const LEAK_CODES = [20, 50, 100, 200, 500, 1000];
export const LEAK_RANGES = ['division', 'none', 'multiplication'] as const;
export const LEAK_V_REF = 0.6;
const DV = 0.004, H = 0.001;

/** The leak law's conductance (gm + g_o) at the bench's point, S: what the measured entry checks. */
export function leakLawConductance(code: number, range: (typeof LEAK_RANGES)[number]): number {
  return leakBehaviour('ideal', 0, biasOf(code, range), LEAK_V_REF).gm;
}

function biasOf(code: number, range: (typeof LEAK_RANGES)[number]): number {
  return currentCell(code) * rangeFactor(range === 'division', range === 'multiplication');
}

function point(code: number, range: (typeof LEAK_RANGES)[number]): SweepPoint {
  return {
    key: `leak:${range}:${code}`,
    netlist: bench(`leak code ${code} ${range}`, [otaSubcircuit()], [
      { kind: 'V', name: 'vref', p: 'ref', n: '0', value: LEAK_V_REF },
      { kind: 'V', name: 'vm', p: 'mem', n: '0', value: LEAK_V_REF },
      { kind: 'I', name: 'ib', p: 'vdd', n: 'nb', value: biasOf(code, range) },
      { kind: 'X', name: 'leak', nodes: ['ref', 'mem', 'mem', 'nb', 'vdd', '0'], subckt: OTA_SUBCKT },
    ], { kind: 'dc', source: 'vm', start: LEAK_V_REF - DV, stop: LEAK_V_REF + DV, step: H }, ['i(vm)']),
  };
}

export const leakCharacterization: Characterization<LeakEntry> = {
  name: 'leak',
  description: 'leak conductance vs bias code and range switch (in-situ follower), against the leak law',
  scope: 'library',
  consumer: 'check of blocks/leak-reset.ts (which reads the ota entry)',
  subcircuits: () => [otaSubcircuit()],
  sweeps: () => LEAK_RANGES.flatMap((r) => LEAK_CODES.map((c) => point(c, r))),
  reduce(results) {
    const k = Math.round(DV / H);
    const measured = LEAK_RANGES.map((r) => LEAK_CODES.map((c) => {
      const i = vec(resultFor(results, `leak:${r}:${c}`), 'i(vm)');
      checkSmooth(i, k, `leak code ${c} ${r}`);
      return sig(-centralDerivative(i, k, H));
    }));
    return {
      codes: LEAK_CODES, ranges: [...LEAK_RANGES], vRefV: LEAK_V_REF,
      biasA: LEAK_RANGES.map((r) => LEAK_CODES.map((c) => sig(biasOf(c, r)))),
      conductanceS: measured,
    };
  },
};

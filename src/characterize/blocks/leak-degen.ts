/**
 * Source-degenerated leak/reset OTA (circuits/blocks/ota.ts otaDegenSubcircuit, R_D =
 * LEAK_DEGENERATION_OHM from blocks/leak-reset.ts): follower bench as the OTA's (inp swept
 * ±4 mV in 1 mV steps around V_cm = 0.6 V, inn = out held at V_cm), once with R_D between the
 * pair's sources and once with them shorted (0 V source), per bias. From the two slopes
 * g (degenerated) and g0 (shorted): k = (g0/g − 1) · 2 / (g0 · R_D), the body factor of the
 * law g = gm / (1 + k·gm·R_D/2); and the variant's systematic current I(ΔV = 0) with R_D.
 * Read by blocks/leak-reset.ts (LEAK_DEGEN_FIT).
 */
import { otaDegenSubcircuit, OTA_DEGEN_SUBCKT } from '../../circuits/blocks/ota.ts';
import { LEAK_DEGENERATION_OHM } from '../../circuits/blocks/leak-reset.ts';
import type { LeakDegenEntry } from '../table.ts';
import type { Characterization } from '../registry-types.ts';
import { bench, centralDerivative, checkSmooth, sig, vec, type SweepPoint } from '../sweep.ts';
import type { SpiceResult } from '../../netlist/runner.ts';
import { resultFor } from './ota.ts';

/** 10 nA and up: below, gm·R_D/2 < 0.07 and k is not resolved (nor needed: g ≈ gm there). */
export const LEAK_DEGEN_BIAS_A = [10e-9, 20e-9, 50e-9, 100e-9, 200e-9, 500e-9, 1e-6, 2e-6, 5e-6, 10e-6];
export const LEAK_DEGEN_VCM_V = 0.6;
const DV = 0.004;
const H = 0.001;
const TIGHT = { reltol: 1e-7, abstol: 1e-17, gmin: 1e-15 };

/** Follower of the degenerated OTA at (bias, V_cm) with R_D = `rD` (0: sources shorted). */
export function leakDegenPoint(biasA: number, rD: number, vcm = LEAK_DEGEN_VCM_V): SweepPoint {
  return {
    key: `leak-degen:${biasA}:${rD}:${vcm}`,
    netlist: bench(`degenerated ota ib ${biasA} rd ${rD}`, [otaDegenSubcircuit()], [
      { kind: 'V', name: 'vp', p: 'inp', n: '0', value: vcm },
      { kind: 'V', name: 'vm', p: 'mem', n: '0', value: vcm },
      { kind: 'I', name: 'ib', p: 'vdd', n: 'nb', value: biasA },
      rD > 0 ? { kind: 'R', name: 'rd', p: 's1', n: 's2', value: rD } : { kind: 'V', name: 'vs', p: 's1', n: 's2', value: 0 },
      { kind: 'X', name: 'ota', nodes: ['inp', 'mem', 'mem', 'nb', 's1', 's2', 'vdd', '0'], subckt: OTA_DEGEN_SUBCKT },
    ], { kind: 'dc', source: 'vp', start: vcm - DV, stop: vcm + DV, step: H }, ['i(vm)'], TIGHT),
  };
}

/** Slope (S) and the current at zero input (A) of a follower result. */
export function leakDegenFrom(r: SpiceResult): { g: number; i0: number } {
  const i = vec(r, 'i(vm)');
  const k = Math.round(DV / H);
  checkSmooth(i, k, 'degenerated OTA follower current');
  return { g: centralDerivative(i, k, H), i0: i[k] };
}

export const leakDegenCharacterization: Characterization<LeakDegenEntry> = {
  name: 'leak-degen',
  description: 'source-degenerated leak/reset OTA: body factor k of g = gm/(1 + k·gm·R_D/2) and systematic current vs bias (V_cm 0.6 V)',
  scope: 'library',
  consumer: 'src/circuits/blocks/leak-reset.ts (LEAK_DEGEN_FIT): gLeak / gReset with enable_degeneration',
  subcircuits: () => [otaDegenSubcircuit()],
  sweeps: () => LEAK_DEGEN_BIAS_A.flatMap((b) => [leakDegenPoint(b, LEAK_DEGENERATION_OHM), leakDegenPoint(b, 0)]),
  reduce(results) {
    const rD = LEAK_DEGENERATION_OHM;
    const m = LEAK_DEGEN_BIAS_A.map((b) => {
      const d = leakDegenFrom(resultFor(results, `leak-degen:${b}:${rD}:${LEAK_DEGEN_VCM_V}`));
      const s = leakDegenFrom(resultFor(results, `leak-degen:${b}:0:${LEAK_DEGEN_VCM_V}`));
      return { g: d.g, g0: s.g, k: (s.g / d.g - 1) * 2 / (s.g * rD), iSys: d.i0 };
    });
    return {
      rDOhm: rD, vcmV: LEAK_DEGEN_VCM_V, biasA: LEAK_DEGEN_BIAS_A,
      k: m.map((x) => sig(x.k)), gS: m.map((x) => sig(x.g)), gShortS: m.map((x) => sig(x.g0)), iSysA: m.map((x) => sig(x.iSys)),
    };
  },
};

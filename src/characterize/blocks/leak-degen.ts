/**
 * Source-degenerated leak/reset OTA (circuits/blocks/ota.ts otaDegenSubcircuit, R_D =
 * LEAK_DEGENERATION_OHM from blocks/leak-reset.ts): follower bench as the OTA's (inp swept
 * ±4 mV in 1 mV steps around V_cm, inn = out held at V_cm), once with R_D between the pair's
 * sources and once with them shorted (0 V source), per (bias, V_cm) over the OTA table's
 * common modes (0.4–1.1 V): k depends on where the leak's reference sits (the pair's sources
 * follow V_cm, and with them the body effect; at 470 nA k is 1.20 at 0.6 V, 0.81 at 0.42 V). From the two slopes
 * g (degenerated) and g0 (shorted): k = (g0/g − 1) · 2 / (g0 · R_D), the body factor of the
 * law g = gm / (1 + k·gm·R_D/2); and the variant's systematic current I(ΔV = 0) with R_D.
 * Read by blocks/leak-reset.ts (LEAK_DEGEN_FIT).
 */
import { otaDegenSubcircuit, OTA_DEGEN_SUBCKT } from '../../circuits/blocks/ota.ts';
import { LEAK_DEGENERATION_OHM } from '../../circuits/blocks/leak-reset.ts';
import type { LeakDegenEntry } from '../table.ts';
import type { Characterization } from '../registry-types.ts';
import { bench, centralDerivative, checkSmooth, resultFor, sig, vec, type SweepPoint } from '../sweep.ts';
import type { SpiceResult } from '../../netlist/runner.ts';

/**
 * 10 nA and up: below, gm·R_D/2 < 0.07 and k is not resolved (nor needed: g ≈ gm there).
 * 300 and 700 nA added where k falls steeply at a low V_cm (the half tails leaving saturation:
 * at 0.4 V, 1.13 at 200 nA, 0.64 at 500 nA): with the 1-2-5 grid alone the law's slope at
 * 290 nA, 0.42 V (the degeneration verification case) was 6 % above ngspice's.
 */
export const LEAK_DEGEN_BIAS_A = [10e-9, 20e-9, 50e-9, 100e-9, 200e-9, 300e-9, 500e-9, 700e-9, 1e-6, 2e-6, 5e-6, 10e-6];
/**
 * The OTA table's common modes (block ota): the law's gm0 is that table's, so k is measured
 * on the same grid and interpolated the same way (linear in V_cm, clamped at 0.4 / 1.1 V).
 */
export const LEAK_DEGEN_VCM_V = [0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1];
const DV = 0.004;
const H = 0.001;
const TIGHT = { reltol: 1e-7, abstol: 1e-17, gmin: 1e-15 };

/** Follower of the degenerated OTA at (bias, V_cm) with R_D = `rD` (0: sources shorted). */
export function leakDegenPoint(biasA: number, rD: number, vcm = 0.6): SweepPoint {
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
  description: 'source-degenerated leak/reset OTA: body factor k of g = gm/(1 + k·gm·R_D/2) and systematic current vs bias and common mode',
  scope: 'library',
  consumer: 'src/circuits/blocks/leak-reset.ts (LEAK_DEGEN_FIT): gLeak / gReset with enable_degeneration',
  subcircuits: () => [otaDegenSubcircuit()],
  sweeps: () => LEAK_DEGEN_BIAS_A.flatMap((b) => LEAK_DEGEN_VCM_V.flatMap((v) => [leakDegenPoint(b, LEAK_DEGENERATION_OHM, v), leakDegenPoint(b, 0, v)])),
  reduce(results) {
    const rD = LEAK_DEGENERATION_OHM;
    const m = LEAK_DEGEN_BIAS_A.map((b) => LEAK_DEGEN_VCM_V.map((v) => {
      const d = leakDegenFrom(resultFor(results, `leak-degen:${b}:${rD}:${v}`));
      const s = leakDegenFrom(resultFor(results, `leak-degen:${b}:0:${v}`));
      return { g: d.g, g0: s.g, k: (s.g / d.g - 1) * 2 / (s.g * rD), iSys: d.i0 };
    }));
    const grid = (f: (x: (typeof m)[number][number]) => number): number[][] => m.map((row) => row.map((x) => sig(f(x))));
    return {
      rDOhm: rD, vcmV: LEAK_DEGEN_VCM_V, biasA: LEAK_DEGEN_BIAS_A,
      k: grid((x) => x.k), gS: grid((x) => x.g), gShortS: grid((x) => x.g0), iSysA: grid((x) => x.iSys),
    };
  },
};

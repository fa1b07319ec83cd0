/**
 * Leak / reset transconductor: one OTA (blocks/ota.ts) in follower configuration between the
 * membrane and a reference. Outside reset its bias is i_bias_leak and its reference v_leak; while
 * the digital reset is active the switches select i_bias_reset and v_reset (conductance-based
 * reset, hardware.md). The ÷8 / ×8 range switches scale the bias (modelled as ideal mirror
 * ratios). Behaviour:
 *   I_mem = I_sat · tanh(g · (E − V) / I_sat),  g = gm(I_b · range, V) + g_o,  I_sat = I_tail,
 *   E = v_ref − V_os + I_sys / g  (the OTA's offset referred to the reference).
 * Source degeneration (enable_degeneration of the active mode): the OTA's degenerated variant
 * (blocks/ota.ts otaDegenSubcircuit) with R_D = LEAK_DEGENERATION_OHM between the pair's
 * sources: g = gm/(1 + k·gm·R_D/2) + g_o, the tanh's I_sat a stand-in for the more linear
 * degenerated curve (ota.ts degenTanhSaturation), k and the variant's systematic current from
 * the characterisation table at (tail, v_ref) (LEAK_DEGEN_FIT; docs/circuits.md).
 *
 * The switch is digital on the chip (the refractory counter releases the reset) and instant in
 * both levels. The one transient it leaves in the deck is the OTA's bias node settling from the
 * reset bias to the leak bias after release: measured 0.1–0.2 µs (e.g. 0.419 → 0.259 V at
 * i_bias_leak ≈ 80 nA), below the spike-time resolution of the verification, so the behaviour
 * has no recovery term (docs/verification.md, gap 5).
 */
import { blockOffsets, type Die } from '../die.ts';
import { OTA_DEGEN_TRANSISTORS, OTA_TRANSISTORS, degenTanhSaturation, otaBehaviour, otaDegenBehaviour, type OtaBehaviour } from './ota.ts';
import { otaOutputConductance } from '../technology.ts';
import { malformedEntry, shippedEntry, type LeakDegenEntry } from '../../characterize/table.ts';

export const LEAK_BLOCK = 'leak_reset';

/**
 * R_D of the degenerated leak/reset OTA, Ω (modelling decision, docs/circuits.md): 1 MΩ
 * widens the linear range I_t/g by 1 + k·gm·R_D/2 (measured ×1.7 at 100 nA, ×4.1 at 500 nA)
 * and holds the leak conductance near 2/(k·R_D) (1.45 µS at 1 µA) until the half tails leave
 * saturation above ≈ 1 µA (the leak range it costs).
 */
export const LEAK_DEGENERATION_OHM = 1e6;

/** Fit of the degenerated variant (characterisation block leak-degen), grids [bias][vcm]. */
export const LEAK_DEGEN_FIT: Readonly<LeakDegenEntry> = shippedEntry('leak-degen', (e) => {
  const nb = e.biasA?.length ?? 0, nv = Array.isArray(e.vcmV) ? e.vcmV.length : 0;
  const grid = (m: unknown): m is number[][] => Array.isArray(m) && m.length === nb && m.every((r) => Array.isArray(r) && r.length === nv);
  if (!(nb >= 2) || !(nv >= 2) || !grid(e.k) || !grid(e.iSysA) || !e.k.every((r) => r.every((x) => x > 0)) || e.rDOhm !== LEAK_DEGENERATION_OHM) {
    throw malformedEntry('leak-degen', `shape (biasA[nb], vcmV[nv], k[nb][nv] > 0, iSysA[nb][nv], rDOhm = ${LEAK_DEGENERATION_OHM})`);
  }
});

/** Bracketing index pair and fraction of `x` in `xs` (log or linear), clamped at the ends. */
function degenBracket(xs: readonly number[], x: number, log: boolean): [number, number, number] {
  const n = xs.length;
  if (!(x > xs[0])) return [0, 1, 0];
  if (x >= xs[n - 1]) return [n - 2, n - 1, 1];
  let j = 0;
  while (xs[j + 1] < x) j++;
  return [j, j + 1, log ? Math.log(x / xs[j]) / Math.log(xs[j + 1] / xs[j]) : (x - xs[j]) / (xs[j + 1] - xs[j])];
}

/** A leak-degen grid at (bias, V_cm): log in bias, linear in V_cm, clamped (as the OTA table). */
function degenAt(grid: readonly (readonly number[])[], biasA: number, vcm: number): number {
  const [b0, b1, fb] = degenBracket(LEAK_DEGEN_FIT.biasA, biasA, true);
  const [v0, v1, fv] = degenBracket(LEAK_DEGEN_FIT.vcmV, vcm, false);
  const lo = grid[b0][v0] * (1 - fv) + grid[b0][v1] * fv;
  const hi = grid[b1][v0] * (1 - fv) + grid[b1][v1] * fv;
  return lo * (1 - fb) + hi * fb;
}

/**
 * Body factor k and the variant's systematic current at tail `biasA` and common mode `vcm`
 * (the follower's operating point: the leak's reference), both measured per (bias, V_cm); the
 * current linear in the tail below the fit's first bias.
 */
export function leakDegenFit(biasA: number, vcm: number): { k: number; iSys: number } {
  const f = LEAK_DEGEN_FIT;
  const at = degenAt(f.iSysA, biasA, vcm);
  return { k: degenAt(f.k, biasA, vcm), iSys: biasA < f.biasA[0] ? (at * biasA) / f.biasA[0] : at };
}

export function rangeFactor(division: boolean, multiplication: boolean): number {
  // Both switches closed: the two mirror ratios multiply (×8 · ÷8 = 1).
  return (division ? 1 / 8 : 1) * (multiplication ? 8 : 1);
}

export interface LeakBehaviour extends OtaBehaviour {
  /** Effective reference (after the OTA's offset and systematic current), V. */
  eEff: number;
  /**
   * Saturation current of the tanh form, A: the tail, or with degeneration the tanh's stand-in
   * for the more linear degenerated curve (ota.ts degenTanhSaturation).
   */
  iSat: number;
}

/**
 * Degeneration of one mode: false (the plain OTA: neither mode enables it), true (the
 * degenerated variant with R_D), 'shorted' (the variant with its switch closed: the other
 * mode enables it).
 */
export type LeakDegeneration = boolean | 'shorted';

/**
 * Leak (or reset) behaviour at bias `biasA` (range applied) around reference `vRef`; `offsets`
 * may pass the block's draws when already known (the plain OTA's; ignored with degeneration);
 * `degeneration`: enable_degeneration of this mode.
 */
export function leakBehaviour(die: Die, circuitEnum: number, biasA: number, vRef: number, offsets?: Readonly<Record<string, number>>, degeneration: LeakDegeneration = false): LeakBehaviour {
  let b0: OtaBehaviour;
  let iSat: number | undefined;
  if (degeneration !== false) {
    const dvD = blockOffsets(die, circuitEnum, LEAK_BLOCK, OTA_DEGEN_TRANSISTORS);
    const tail0 = otaDegenBehaviour(biasA, vRef, dvD, 0, 1).tail;
    const fit = leakDegenFit(tail0, vRef);
    b0 = degeneration === true
      ? otaDegenBehaviour(biasA, vRef, dvD, LEAK_DEGENERATION_OHM, fit.k, fit.iSys)
      // Switch closed: the split tails in parallel, the plain OTA's law at their sum.
      : otaDegenBehaviour(biasA, vRef, dvD, 0, fit.k);
    if (degeneration === true) {
      const x = otaDegenBehaviour(biasA, vRef, dvD, 0, fit.k).gm / b0.gm - 1;
      iSat = degenTanhSaturation(b0.tail, x);
    }
  } else {
    b0 = otaBehaviour(biasA, vRef, offsets ?? blockOffsets(die, circuitEnum, LEAK_BLOCK, OTA_TRANSISTORS));
  }
  // In the follower the membrane is both the inverting input and the output: the conductance
  // is the transconductance plus the OTA's output conductance.
  const b = { ...b0, gm: b0.gm + otaOutputConductance(b0.tail) };
  const eEff = b.gm > 0 ? vRef - b.vOs + b.iSys / b.gm : vRef;
  return { ...b, eEff, iSat: iSat ?? b.tail };
}

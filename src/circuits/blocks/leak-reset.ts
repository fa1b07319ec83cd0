/**
 * Leak / reset transconductor: one OTA (blocks/ota.ts) in follower configuration between the
 * membrane and a reference. Outside reset its bias is i_bias_leak and its reference v_leak; while
 * the digital reset is active the switches select i_bias_reset and v_reset (conductance-based
 * reset, hardware.md). The ÷8 / ×8 range switches scale the bias (modelled as ideal mirror
 * ratios). Behaviour:
 *   I_mem = I_sat · tanh(g · (E − V) / I_sat),  g = gm(I_b · range, V) + g_o,  I_sat = I_tail,
 *   E = v_ref − V_os + I_sys / g  (the OTA's offset referred to the reference).
 * Source degeneration (enable_degeneration) is not modelled (docs/circuits.md).
 *
 * The switch is digital on the chip (the refractory counter releases the reset) and instant in
 * both levels. The one transient it leaves in the deck is the OTA's bias node settling from the
 * reset bias to the leak bias after release: measured 0.1–0.2 µs (e.g. 0.419 → 0.259 V at
 * i_bias_leak ≈ 80 nA), below the spike-time resolution of the verification, so the behaviour
 * has no recovery term (docs/verification.md, gap 5).
 */
import { blockOffsets, type Die } from '../die.ts';
import { OTA_TRANSISTORS, otaBehaviour, type OtaBehaviour } from './ota.ts';
import { otaOutputConductance } from '../technology.ts';

export const LEAK_BLOCK = 'leak_reset';

export function rangeFactor(division: boolean, multiplication: boolean): number {
  // Both switches closed: the two mirror ratios multiply (×8 · ÷8 = 1).
  return (division ? 1 / 8 : 1) * (multiplication ? 8 : 1);
}

export interface LeakBehaviour extends OtaBehaviour {
  /** Effective reference (after the OTA's offset and systematic current), V. */
  eEff: number;
}

/** Leak (or reset) behaviour at bias `biasA` (range applied) around reference `vRef`; `offsets` may pass the block's draws when already known. */
export function leakBehaviour(die: Die, circuitEnum: number, biasA: number, vRef: number, offsets?: Readonly<Record<string, number>>): LeakBehaviour {
  const dv = offsets ?? blockOffsets(die, circuitEnum, LEAK_BLOCK, OTA_TRANSISTORS);
  const b0 = otaBehaviour(biasA, vRef, dv);
  // In the follower the membrane is both the inverting input and the output: the conductance
  // is the transconductance plus the OTA's output conductance.
  const b = { ...b0, gm: b0.gm + otaOutputConductance(b0.tail) };
  const eEff = b.gm > 0 ? vRef - b.vOs + b.iSys / b.gm : vRef;
  return { ...b, eEff };
}

/**
 * Adaptation: a second leaky integrator. Its state is the voltage V_w on C_W = 2 pF:
 *   C_W dV_w/dt = −g_τ (V_w − V_wl) ± g_a (V − V_ref) ± Q_b·δ(spike)
 * (OTA "tau": bias i_bias_tau, follower to v_adapt_leak = V_wl; OTA "a": bias i_bias_a,
 * membrane against v_adapt_ref; "b": a current i_bias_b during the adaptation pulse, one
 * period of the backend's adaptation-pulse clock, into (or, with invert_b, out of) C_W).
 * An output OTA with a fixed 10 nA bias (plateau's choice) turns V_w into membrane current
 * I_w = −g_out (V_w − V_wl). Mapping onto AdEx's w = g_out (V_w − V_wl):
 *   τ_w = C_W / g_τ,  a = ± g_out g_a / g_τ,  b = ± g_out Q_b / C_W.
 */
import { blockOffsets, type Die } from '../die.ts';
import { OTA_TRANSISTORS, otaBehaviour, type OtaBehaviour } from './ota.ts';

export const ADAPT_C_W = 2e-12;
export const ADAPT_OUT_BIAS_A = 10e-9;
export const ADAPT_BLOCKS = { tau: 'adapt_tau', a: 'adapt_a', out: 'adapt_out' } as const;

export interface AdaptationBehaviour {
  tau: OtaBehaviour;
  a: OtaBehaviour;
  out: OtaBehaviour;
  tauW: number;
  aS: number;
  bA: number;
  vRefEff: number;
  /** Constant current the block puts on the membrane at w = 0 from offsets, A. */
  restCurrent: number;
}

export function adaptationBehaviour(
  die: Die, circuitEnum: number,
  o: { iTau: number; iA: number; iB: number; pulse: number; vRef: number; vWl: number; invertA: boolean; invertB: boolean; enablePulse: boolean },
): AdaptationBehaviour {
  const tau = otaBehaviour(o.iTau, o.vWl, blockOffsets(die, circuitEnum, ADAPT_BLOCKS.tau, OTA_TRANSISTORS));
  const a = otaBehaviour(o.iA, o.vRef, blockOffsets(die, circuitEnum, ADAPT_BLOCKS.a, OTA_TRANSISTORS));
  const out = otaBehaviour(ADAPT_OUT_BIAS_A, o.vWl, blockOffsets(die, circuitEnum, ADAPT_BLOCKS.out, OTA_TRANSISTORS));
  const tauW = tau.gm > 0 ? ADAPT_C_W / tau.gm : Infinity;
  const aS = tau.gm > 0 ? ((o.invertA ? -1 : 1) * out.gm * a.gm) / tau.gm : 0;
  const bA = o.enablePulse ? ((o.invertB ? -1 : 1) * out.gm * o.iB * o.pulse) / ADAPT_C_W : 0;
  // The a-OTA acts on V − V_ref − V_os (inputs swapped when inverted: offset sign flips).
  const vRefEff = o.vRef + (o.invertA ? -a.vOs : a.vOs);
  // With w = g_out (V_w − V_wl): I_mem = −w + (I_sys,out − g_out V_os,out), and w relaxes to
  // w0 = g_out (−V_os,τ + (I_sys,τ + I_sys,a) / g_τ) besides a(V − V_ref): a constant shift.
  const w0 = tau.gm > 0 ? out.gm * (-tau.vOs + (tau.iSys + (o.iA > 0 ? a.iSys : 0)) / tau.gm) : 0;
  const restCurrent = out.iSys - out.gm * out.vOs - w0;
  return { tau, a, out, tauW, aS, bA, vRefEff, restCurrent };
}

/**
 * Adaptation: a second leaky integrator. Its state is the voltage V_w on C_W = 2 pF:
 *   C_W dV_w/dt = −g_τ (V_w − V_wl) ± g_a (V − V_ref) ± Q_b·δ(spike)
 * (OTA "tau": bias i_bias_tau, follower to v_adapt_leak = V_wl; OTA "a": bias i_bias_a,
 * membrane against v_adapt_ref; "b": a current i_bias_b during the adaptation pulse, one
 * period of the backend's adaptation-pulse clock, into (or, with invert_b, out of) C_W).
 * An output OTA with a fixed 10 nA bias (plateau's choice) turns V_w into membrane current
 * I_w = −g_out (V_w − V_wl). Mapping onto AdEx's w = g_out (V_w − V_wl):
 *   τ_w = C_W / g_τ,  a = ± g_out g_a / g_τ,  b = ± g_out Q_b / C_W.
 *
 * That is the small-signal law. The subcircuit's three OTAs saturate at their tail currents
 * (`adaptationCurrents`, the large-signal law, checked against ngspice in
 * test/verify/adaptation.test.ts), which bounds it to a narrow range (docs/verification.md,
 * gap 6):
 *   a-drive in w units ≤ aSaturation = g_out I_a / g_τ = |a| · (I_a/g_a) ≈ |a| · 2 n U_T, i.e.
 *     linear only for |V − v_ref| ≲ I_a/g_a ≈ 75 mV (a spiking membrane swings ≈ 300 mV);
 *   the τ-OTA holds |w| ≤ wSaturation = g_out I_τ / g_τ ≈ g_out · 2 n U_T (≈ 10 nA here);
 *   the membrane current |I_w| ≤ outputSaturation = I_out (10 nA).
 * With aSaturation > wSaturation (|a| > g_out I_τ/g_τ · g_a/I_a ≈ g_out) nothing balances the
 * a-OTA: V_w runs to a rail (measured: ≈ V − 0.17 V below, ≈ 1.17 V above) and the block
 * puts a constant ±I_out on the membrane until the membrane crosses v_ref again.
 */
import { blockOffsets, type Die } from '../die.ts';
import { OTA_TRANSISTORS, otaBehaviour, otaCurrent, type OtaBehaviour } from './ota.ts';

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
  /** The state's offset: w = g_out (V_w − V_wl) − w0, A. */
  w0: number;
  /** Largest a-drive in w units (the a-OTA's tail through g_out/g_τ), A; 0 without a. */
  aSaturation: number;
  /** Largest |w| the τ-OTA holds (its tail through g_out/g_τ), A. */
  wSaturation: number;
  /** Largest |current| onto the membrane (the output OTA's tail), A. */
  outputSaturation: number;
  /** σ = g_out (I_sys,τ + I_sys,a) / g_τ: the systematic currents' share of w, A. */
  stateShift: number;
  /** ρ = w0 + g_out V_os,out: where the output OTA's tanh is centred in w, A. */
  outputShift: number;
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
  const aSaturation = tau.gm > 0 && o.iA > 0 ? (out.gm * a.tail) / tau.gm : 0;
  const wSaturation = tau.gm > 0 ? (out.gm * tau.tail) / tau.gm : Infinity;
  const stateShift = tau.gm > 0 ? (out.gm * (tau.iSys + (o.iA > 0 ? a.iSys : 0))) / tau.gm : 0;
  return {
    tau, a, out, tauW, aS, bA, vRefEff, restCurrent, w0, aSaturation, wSaturation, outputSaturation: out.tail,
    stateShift, outputShift: w0 + out.gm * out.vOs,
  };
}

/** I_sat·tanh(g·x/I_sat) − g·x: what a transconductor's saturation takes off its linear current. */
function saturationRemainder(g: number, iSat: number, x: number): number {
  if (!(iSat > 0) || !Number.isFinite(iSat)) return 0;
  return iSat * Math.tanh((g * x) / iSat) - g * x;
}

/**
 * The large-signal law in the emulator's variables (w, A): what to add to the linear AdEx terms
 * so that they equal `adaptationCurrents` exactly (test/verify/adaptation.test.ts):
 *   τ_w dw/dt = a (V − v_ref) − w + state,     I_mem = −w + restCurrent + membrane,
 *   state    = R(a, aSaturation, V − v_ref) − R(1, wSaturation, w + σ),
 *   membrane = −R(1, outputSaturation, w + ρ),   R(g, I, x) = I·tanh(g x / I) − g x.
 * (From C_W dV_w/dt = I_a + I_τ and w = g_out (V_w − V_wl) − w0, with τ_w = C_W/g_τ.)
 * `a`, `v_ref` are `aS`, `vRefEff`. The emulator can freeze both over a step like the leak's
 * saturation remainder; without a (i_bias_a off) the a-term is 0.
 */
export function adaptationRemainders(ab: AdaptationBehaviour, v: number, w: number): { state: number; membrane: number } {
  return {
    state: saturationRemainder(ab.aS, ab.aSaturation, v - ab.vRefEff) - saturationRemainder(1, ab.wSaturation, w + ab.stateShift),
    membrane: -saturationRemainder(1, ab.outputSaturation, w + ab.outputShift),
  };
}

/** V_w (V) that holds the emulator's state w (A): V_w = V_wl + (w + w0) / g_out. */
export function adaptationStateVoltage(ab: AdaptationBehaviour, vWl: number, w: number): number {
  return ab.out.gm > 0 ? vWl + (w + ab.w0) / ab.out.gm : vWl;
}

/**
 * The block's large-signal law at membrane V and state V_w (the subcircuit's OTAs with their
 * tanh saturation, offsets and systematic currents; circuit.ts wires them so):
 *   C_W dV_w/dt = I_a + I_τ (+ the b pulse),  I_a = OTA_a(±(V − v_ref)),  I_τ = OTA_τ(V_wl − V_w)
 *   I_mem = OTA_out(V_wl − V_w).
 * Returns the current into C_W (without the b pulse) and the current onto the membrane, A.
 * For |V − v_ref| and |w| well inside the saturations it reduces to the linear law above.
 */
export function adaptationCurrents(
  ab: AdaptationBehaviour, o: { vRef: number; vWl: number; iA: number; invertA: boolean }, v: number, vw: number,
): { intoState: number; ontoMembrane: number } {
  const iA = o.iA > 0 ? otaCurrent(ab.a, o.invertA ? o.vRef - v : v - o.vRef) : 0;
  const iTau = otaCurrent(ab.tau, o.vWl - vw);
  return { intoState: iA + iTau, ontoMembrane: otaCurrent(ab.out, o.vWl - vw) };
}

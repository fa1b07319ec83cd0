/**
 * The transconductor used by every analog block (leak/reset, synaptic input, comparator,
 * adaptation, inter-compartment conductance): a 5-transistor OTA (NMOS pair, PMOS mirror)
 * biased by an NMOS mirror whose diode takes the capmem bias current at port `nb`.
 *
 *   I_out (into `out`) = I_sat · tanh(gm · (V_inp − V_inn − V_os) / I_sat) + I_sys
 *
 * gm from the fitted table (technology.ts, weak/moderate inversion: gm ≈ I_tail / (2 n U_T)),
 * I_sat = I_tail, I_sys the fitted systematic offset current. Die offsets (weak inversion):
 *   I_tail = I_b · exp(−s(I_b) · (ΔV_t,mt − ΔV_t,mb))        s → 1/(n U_T) in weak inversion
 *   V_os   = G_vt · (ΔV_t,m1 − ΔV_t,m2) − ρ(I_tail) · (ΔV_t,m4 − ΔV_t,m3)   (PMOS delvto: + means more current)
 * with s and ρ fitted per bias (technology.ts OTA_FIT); a mismatched mirror also scales gm by
 * 2M/(1+M), M = exp(ρ s (ΔV_t,m4 − ΔV_t,m3)) (otaBehaviour).
 */
import type { Subcircuit } from '../../netlist/model.ts';
import { OTA_FIT, interpBias, otaGm, otaOffsetCurrent, type TransistorSpec } from '../technology.ts';
import { delvtoDefaults, mos } from '../transistors.ts';

export const OTA_TRANSISTORS: readonly TransistorSpec[] = [
  { name: 'mb', type: 'nmos', w: 1e-6, l: 2e-6 },
  { name: 'mt', type: 'nmos', w: 1e-6, l: 2e-6 },
  { name: 'm1', type: 'nmos', w: 1e-6, l: 1e-6 },
  { name: 'm2', type: 'nmos', w: 1e-6, l: 1e-6 },
  { name: 'm3', type: 'pmos', w: 1e-6, l: 2e-6 },
  { name: 'm4', type: 'pmos', w: 1e-6, l: 2e-6 },
];

export const OTA_SUBCKT = 'plateau_ota';

/** Ports: inp inn out nb vdd vss. `inp` is the diode-side gate (non-inverting). */
export function otaSubcircuit(): Subcircuit {
  const [mb, mt, m1, m2, m3, m4] = OTA_TRANSISTORS;
  return {
    name: OTA_SUBCKT,
    ports: ['inp', 'inn', 'out', 'nb', 'vdd', 'vss'],
    params: delvtoDefaults(OTA_TRANSISTORS),
    comment: '5-T OTA, NMOS pair, PMOS mirror, NMOS bias mirror; I(out) = gm (v(inp) - v(inn))',
    elements: [
      mos(mb, 'nb', 'nb', 'vss', 'vss'),
      mos(mt, 'tail', 'nb', 'vss', 'vss'),
      mos(m1, 'x', 'inp', 'tail', 'vss'),
      mos(m2, 'out', 'inn', 'tail', 'vss'),
      mos(m3, 'x', 'x', 'vdd', 'vdd'),
      mos(m4, 'out', 'x', 'vdd', 'vdd'),
    ],
  };
}

/** Threshold offsets of one OTA instance, by transistor name (V). */
export type OtaOffsets = Readonly<Record<string, number>>;

export interface OtaBehaviour {
  /** Tail current after the bias mirror's mismatch, A. */
  tail: number;
  /** Small-signal transconductance at the operating common mode, S. */
  gm: number;
  /** Input-referred offset from mismatch, V (the OTA acts on V_inp − V_inn − vOs). */
  vOs: number;
  /** Systematic output current at zero input, A. */
  iSys: number;
  /**
   * Current gain M of the PMOS mirror (1 on the ideal die): the output saturates at +M·I_t
   * (inp side) and −I_t (inn side), so the large-signal law is not an odd tanh (`otaLargeSignal`).
   */
  mirrorGain: number;
}

/**
 * Gain G_vt of the input pair's threshold offset over a gate voltage: on this model card a
 * ΔV_t of m1 or m2 moves the OTA's output as G_vt times the same differential input voltage
 * (BSIM4's mobility degradation holds V_th in its effective field, so a ΔV_t lowers the
 * mobility as well as the overdrive). Measured (ngspice, follower bench, ±2 mV on m1 and +2 mV
 * on m2): 1.047–1.055 at 10 nA, 1.051–1.054 at 100 nA, 1.042–1.068 at 1 µA over V_cm 0.4–0.8 V;
 * the synaptic OTA in situ 1.040–1.057 (tails 50 nA–1 µA, test/circuits/synin-offset.test.ts).
 * One constant for every OTA of the library (docs/circuits.md "The die"). The mirror's term
 * needs none: ρ is fitted as the follower's offset per volt of ΔV_t,m4 (characterisation block
 * ota), which already holds the device's gain.
 */
export const OTA_PAIR_VT_GAIN = 1.053;

/** Current gain of a mismatched mirror, M = exp(ρ s (ΔV_t,m4 − ΔV_t,m3)) (see otaBehaviour). */
export function mirrorGain(tail: number, dv: OtaOffsets): number {
  return Math.exp(interpBias(OTA_FIT.mirrorRatio, tail) * interpBias(OTA_FIT.tailSensitivity, tail) * ((dv['m4'] ?? 0) - (dv['m3'] ?? 0)));
}

/** gm scale of a mismatched mirror, 2M/(1+M) (see otaBehaviour). */
export function mirrorGmFactor(tail: number, dv: OtaOffsets): number {
  const m = mirrorGain(tail, dv);
  return (2 * m) / (1 + m);
}

/**
 * Large-signal output current of an OTA with slope g at zero current, tail I_t and mirror gain M
 * at input x (V, from the zero-current point), and its slope. The pair splits the tail as
 * f : 1 − f with f = 1/(1 + e^(−κx'/U_T)); the output is M·f·I_t − (1 − f)·I_t. Written from its
 * zero (f = 1/(1+M)) with the small-signal slope g:
 *   I = I_t · M (e^u − 1) / (e^u + M),   u = g x (1 + M) / (M I_t),
 * which is I_t·tanh(g x / I_t) for M = 1 (then computed as that, to the bit) and saturates at
 * +M·I_t and −I_t otherwise: a few % of mirror mismatch moves the current by ≈ 1 % of I_t in
 * the knee (docs/verification.md, fi25).
 */
export function otaLargeSignal(g: number, tail: number, m: number, x: number): { current: number; slope: number } {
  if (!(tail > 0) || !Number.isFinite(tail)) return { current: g * x, slope: g };
  if (m === 1 || !(m > 0)) {
    const t = Math.tanh((g * x) / tail);
    return { current: tail * t, slope: g * (1 - t * t) };
  }
  const u = (g * x * (1 + m)) / (m * tail);
  // e^u form for u < 0, e^(−u) form for u ≥ 0 (no overflow either way).
  if (u < 0) {
    const e = Math.exp(u);
    const d = e + m;
    return { current: (tail * m * (e - 1)) / d, slope: (g * (1 + m) ** 2 * e) / (d * d) };
  }
  const e = Math.exp(-u);
  const d = 1 + m * e;
  return { current: (tail * m * (1 - e)) / d, slope: (g * (1 + m) ** 2 * e) / (d * d) };
}

export function otaBehaviour(biasA: number, vcm: number, dv: OtaOffsets): OtaBehaviour {
  const d = (k: string) => dv[k] ?? 0;
  const tail = biasA * Math.exp(-(d('mt') - d('mb')) * interpBias(OTA_FIT.tailSensitivity, biasA));
  // A mismatched PMOS mirror (gain M) balances the output with the pair split I_t/(1+M) :
  // M I_t/(1+M); in weak inversion gm = (κ/U_T) I_t M/(1+M), i.e. the balanced gm times
  // 2M/(1+M). M = exp(ρ s (ΔV_m4 − ΔV_m3)) with the mirror's fitted sensitivity ρ·s (as
  // blocks/exponential.ts). Measured by `plateau characterize --die 7 --circuits ...` (72 OTAs):
  // gm error median 1.9 % / max 7.2 % without this factor, 0.27 % / 1.9 % with it.
  return {
    tail,
    gm: otaGm(tail, vcm) * mirrorGmFactor(tail, dv),
    vOs: OTA_PAIR_VT_GAIN * (d('m1') - d('m2')) - interpBias(OTA_FIT.mirrorRatio, tail) * (d('m4') - d('m3')),
    iSys: otaOffsetCurrent(tail, vcm),
    mirrorGain: mirrorGain(tail, dv),
  };
}

/** Large-signal output current of the law above. */
export function otaCurrent(b: OtaBehaviour, vDiff: number): number {
  if (b.tail <= 0) return 0;
  return b.tail * Math.tanh((b.gm * (vDiff - b.vOs)) / b.tail) + b.iSys;
}

/**
 * Source-degenerated variant (leak/reset, enable_degeneration; docs/circuits.md "Leak/reset
 * source degeneration"): the tail is split into two half-width mirrors mta (at s1, under m1)
 * and mtb (at s2, under m2), and the pair's sources are joined through R_D outside the
 * subcircuit (ports s1, s2), so the mode switch can change it. No DC current flows through
 * R_D in balance (each half carries its own tail), only the differential current:
 *   ΔV − V_os = (I_t/gm)·atanh(I_o/I_t) + k·(R_D/2)·I_o,   I_t = I_ta + I_tb,
 * small signal g = gm / (1 + k·gm·R_D/2), saturation ±I_t. k (≈ the slope factor: the source
 * moves the channel by more than 1:1) is fitted per (bias, V_cm) (characterisation block leak-degen).
 * s1 shorted to s2 is the plain OTA with tail mta + mtb.
 */
export const OTA_DEGEN_TRANSISTORS: readonly TransistorSpec[] = (() => {
  // The plain OTA's devices, its tail split into two half-width tails (same total current).
  const [mb, mt, m1, m2, m3, m4] = OTA_TRANSISTORS;
  return [mb, { ...mt, name: 'mta', w: mt.w / 2 }, { ...mt, name: 'mtb', w: mt.w / 2 }, m1, m2, m3, m4];
})();

export const OTA_DEGEN_SUBCKT = 'plateau_ota_degen';

/** Ports: inp inn out nb s1 s2 vdd vss (R_D or its switch goes between s1 and s2). */
export function otaDegenSubcircuit(): Subcircuit {
  const [mb, mta, mtb, m1, m2, m3, m4] = OTA_DEGEN_TRANSISTORS;
  return {
    name: OTA_DEGEN_SUBCKT,
    ports: ['inp', 'inn', 'out', 'nb', 's1', 's2', 'vdd', 'vss'],
    params: delvtoDefaults(OTA_DEGEN_TRANSISTORS),
    comment: 'source-degenerated OTA: split half tails at s1/s2, R_D between s1 and s2 outside',
    elements: [
      mos(mb, 'nb', 'nb', 'vss', 'vss'),
      mos(mta, 's1', 'nb', 'vss', 'vss'),
      mos(mtb, 's2', 'nb', 'vss', 'vss'),
      mos(m1, 'x', 'inp', 's1', 'vss'),
      mos(m2, 'out', 'inn', 's2', 'vss'),
      mos(m3, 'x', 'x', 'vdd', 'vdd'),
      mos(m4, 'out', 'x', 'vdd', 'vdd'),
    ],
  };
}

/**
 * The degenerated OTA's behaviour at bias `biasA`, common mode `vcm`, resistance `rD` (0: the
 * switch closed) with body factor `k`. Half tails I_ta,b = (I_b/2)·exp(−s·(ΔV_t,mta|mtb − ΔV_t,mb));
 * gm is the plain OTA's at I_t = I_ta + I_tb (same pair and mirror), degenerated; the split
 * tails add −k·(I_ta − I_tb)·R_D/2 to the input offset (R_D carries (I_ta − I_tb)/2 in balance),
 * the mirror's offset term grows by 1 + k·gm·R_D/2 (an output current over the smaller g);
 * iSys is `iSysA` (the variant's measured systematic current) when given, else the plain OTA's.
 */
export function otaDegenBehaviour(biasA: number, vcm: number, dv: OtaOffsets, rD: number, k: number, iSysA?: number): OtaBehaviour {
  const d = (n: string) => dv[n] ?? 0;
  const s = interpBias(OTA_FIT.tailSensitivity, biasA);
  const ta = 0.5 * biasA * Math.exp(-(d('mta') - d('mb')) * s);
  const tb = 0.5 * biasA * Math.exp(-(d('mtb') - d('mb')) * s);
  const tail = ta + tb;
  const gm0 = otaGm(tail, vcm) * mirrorGmFactor(tail, dv);
  const x = (k * gm0 * rD) / 2;
  return {
    tail,
    gm: gm0 / (1 + x),
    // The pair's ΔV_t is an input voltage and stays; the mirror's imbalance is an output
    // current, referred to the input through the degenerated g: ×(1 + x) (SPICE, seed 2:
    // without this factor the rest was 5.2 mV off, with it 0.3 mV).
    vOs: OTA_PAIR_VT_GAIN * (d('m1') - d('m2')) - interpBias(OTA_FIT.mirrorRatio, tail) * (d('m4') - d('m3')) * (1 + x) - (k * (ta - tb) * rD) / 2,
    iSys: iSysA ?? otaOffsetCurrent(tail, vcm),
    // The degenerated curve has its own large-signal form (otaDegenInputFor, degenTanhSaturation).
    mirrorGain: 1,
  };
}

/**
 * Inverse large-signal law of the degenerated OTA: the differential input ΔV − V_os that
 * drives output current iOut (|iOut| < I_t), V. gm here is the undegenerated one.
 */
export function otaDegenInputFor(iOut: number, tail: number, gm0: number, rD: number, k: number): number {
  return (tail / gm0) * Math.atanh(iOut / tail) + (k * rD * iOut) / 2;
}

/**
 * Saturation current of the tanh I_sat·tanh(g·ΔV/I_sat) (the emulator's leak form) that best
 * stands in for the degenerated law, whose curve is more linear than a tanh of the same g and
 * I_t: the I_sat that meets the law at I = I_t/2 (bisection; I_t when not degenerated).
 * x = k·gm·R_D/2. Modelling decision (docs/circuits.md): the tanh then exceeds I_t by
 * I_sat − I_t at large |ΔV|, where the leak is far past the range a LIF visits.
 */
export function degenTanhSaturation(tail: number, x: number): number {
  if (!(tail > 0) || !(x > 0)) return tail;
  // In units of I_t and g: the law's input at I_t/2 times g, then solve s·tanh(a/s) = 1/2.
  const a = (Math.atanh(0.5) + 0.5 * x) / (1 + x);
  let lo = 0.5, hi = 1e3;
  for (let j = 0; j < 100; j++) {
    const m = Math.sqrt(lo * hi);
    if (m * Math.tanh(a / m) < 0.5) lo = m; else hi = m;
  }
  return tail * Math.sqrt(lo * hi);
}

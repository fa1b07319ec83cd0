/**
 * Exponential term (sodium-like upswing): a differential pair whose tail carries i_bias_exp;
 * one side's gate is the membrane, the other's v_exp; the membrane side's current is mirrored
 * (PMOS) onto the membrane. In weak inversion the pair splits its tail as a logistic:
 *   I_exp = I_max / (1 + exp(−(V − v_exp − V_os) / Δ)),  I_max = I_tail · m_p,
 * which below v_exp is AdEx's g_L Δ_T exp((V − V_T)/Δ_T) with
 *   Δ_T = Δ (≈ n U_T, fitted),  V_T = v_exp + V_os − Δ · ln(I_max / (g_L Δ)),
 * and saturates at I_max above it. Die: V_os = ΔV_me − ΔV_mr; I_tail from the bias mirror
 * (as the OTA); PMOS mirror gain m_p = exp(s_p (ΔV_mp2 − ΔV_mp1)), s_p = ρ(I)·s(I) (fits of
 * the OTA: the same devices). The off-state leakage of the mirror (fitted I_floor) is a
 * constant current onto the membrane.
 */
import type { Subcircuit } from '../../netlist/model.ts';
import { OTA_FIT, interpBias, type TransistorSpec } from '../technology.ts';
import { delvtoDefaults, mos } from '../transistors.ts';
import { malformedEntry, shippedEntry, type ExponentialEntry } from '../../characterize/table.ts';

export const EXP_BLOCK = 'exponential';
export const EXP_SUBCKT = 'plateau_exp';

export const EXP_TRANSISTORS: readonly TransistorSpec[] = [
  { name: 'mb', type: 'nmos', w: 1e-6, l: 2e-6 },
  { name: 'mt', type: 'nmos', w: 1e-6, l: 2e-6 },
  { name: 'me', type: 'nmos', w: 1e-6, l: 1e-6 },
  { name: 'mr', type: 'nmos', w: 1e-6, l: 1e-6 },
  { name: 'mp1', type: 'pmos', w: 1e-6, l: 2e-6 },
  { name: 'mp2', type: 'pmos', w: 1e-6, l: 2e-6 },
];

/** Ports: mem vexp nb vdd vss. */
export function exponentialSubcircuit(): Subcircuit {
  const [mb, mt, me, mr, mp1, mp2] = EXP_TRANSISTORS;
  return {
    name: EXP_SUBCKT,
    ports: ['mem', 'vexp', 'nb', 'vdd', 'vss'],
    params: delvtoDefaults(EXP_TRANSISTORS),
    comment: 'exponential term: differential pair (membrane vs v_exp), membrane side mirrored onto the membrane',
    elements: [
      mos(mb, 'nb', 'nb', 'vss', 'vss'),
      mos(mt, 'tail', 'nb', 'vss', 'vss'),
      mos(me, 'd', 'mem', 'tail', 'vss'),
      mos(mr, 'vdd', 'vexp', 'tail', 'vss'),
      mos(mp1, 'd', 'd', 'vdd', 'vdd'),
      mos(mp2, 'mem', 'd', 'vdd', 'vdd'),
    ],
  };
}

/**
 * Fitted Δ (V): 0.9 / (d ln I_exp / dV) where I_exp = 0.1 I_max (the logistic's slope there),
 * and the off-state floor current (A, at V = v_exp − 0.25 V, minus the logistic's own tail),
 * per tail current; v_exp = 0.8 V. Measured by `plateau characterize` (block `exponential`),
 * read from spice/characterization/ideal.json. Below 5 nA the floor (gate and junction leakage
 * of the PTM card, ≈ 0.2 nA) exceeds a tenth of the tail: the block is specified from 5 nA
 * (values below are those at 5 nA).
 */
export const EXP_FIT: Readonly<ExponentialEntry> = shippedEntry('exponential', (e) => {
  const n = e.biasA?.length ?? 0;
  if (!(n >= 2 && e.delta?.length === n && e.floorA?.length === n)) throw malformedEntry('exponential', 'bias grid');
});

function interpExp(row: readonly number[], biasA: number): number {
  const xs = EXP_FIT.biasA;
  if (biasA <= xs[0]) return row[0];
  if (biasA >= xs[xs.length - 1]) return row[row.length - 1];
  let k = 0;
  while (xs[k + 1] < biasA) k++;
  const f = Math.log(biasA / xs[k]) / Math.log(xs[k + 1] / xs[k]);
  return row[k] * (1 - f) + row[k + 1] * f;
}

export interface ExponentialBehaviour {
  iMax: number;
  delta: number;
  vExpEff: number;
  floor: number;
}

export function exponentialBehaviour(biasA: number, vExp: number, dv: Readonly<Record<string, number>>): ExponentialBehaviour {
  const d = (k: string) => dv[k] ?? 0;
  const s = interpBias(OTA_FIT.tailSensitivity, biasA);
  const tail = biasA * Math.exp(-(d('mt') - d('mb')) * s);
  const sp = interpBias(OTA_FIT.mirrorRatio, tail) * interpBias(OTA_FIT.tailSensitivity, tail);
  return {
    iMax: tail * Math.exp(sp * (d('mp2') - d('mp1'))),
    delta: interpExp(EXP_FIT.delta, tail),
    vExpEff: vExp + d('me') - d('mr'),
    floor: interpExp(EXP_FIT.floorA, tail),
  };
}

/** Current onto the membrane at V. */
export function exponentialCurrent(b: ExponentialBehaviour, v: number): number {
  return b.iMax / (1 + Math.exp(-(v - b.vExpEff) / b.delta)) + b.floor;
}

/**
 * Inter-compartment conductance: two OTAs (blocks/ota.ts) back to back between the membrane
 * and its shared-line segment (a single OTA is unilateral): the to-membrane OTA has inp = line,
 * inn = out = membrane; the to-line OTA inp = membrane, inn = out = line. The ÷4 / ×4 switches
 * scale the bias (ideal mirror ratios). Like the hardware's, this conductance is not an ideal
 * resistor: it saturates at ±I_tail beyond ≈ 2 n U_T of difference.
 *
 * Behaviour (fitted by `plateau characterize`, block `icc`: the pair between a held membrane and
 * a held line, per bias and operating voltage V_op, spice/characterization/ideal.json):
 *   I_mem  = g (V_line − V_mem) − g_o,m (V_mem − V_op) + I_mem0,   g = I_t · X(I_t, V_op)
 *   I_line = g_l (V_mem − V_line) − g_o,l (V_line − V_op) + I_line0, g_l = I_t · X_l(I_t, V_op)
 * X = ∂I_mem/∂V_line / I_b (the coupling), the self term −∂I_mem/∂V_mem exceeds it by the
 * OTA's output conductance g_o (≈ 0.4 % of g at 100 nA); I_mem0 the systematic current at
 * V_line = V_mem = V_op. Die: the tail, input offset and mirror-imbalance gm factor of each
 * OTA as blocks/ota.ts (I_t from the bias mirror's mismatch; V_os shifts the zero:
 * I_mem0 − g V_os).
 * The operating voltage matters below ≈ 0.45 V: at 0.3 V and 100 nA the NMOS tail leaves
 * saturation and X falls from 11.1 /V (0.4 V) to 8.2 /V.
 */
import { malformedEntry, shippedEntry, type IccEntry } from '../../characterize/table.ts';
import { blockOffsets, type Die } from '../die.ts';
import { gridInterp } from '../technology.ts';
import { OTA_TRANSISTORS, mirrorGmFactor, otaBehaviour, otaLargeSignal } from './ota.ts';

export const ICC_BLOCKS = { toMembrane: 'icc_to_mem', toLine: 'icc_to_line' } as const;

export function iccRangeFactor(division: boolean, multiplication: boolean): number {
  return (division ? 1 / 4 : 1) * (multiplication ? 4 : 1);
}

export const ICC_FIT: Readonly<IccEntry> = shippedEntry('icc', (e) => {
  const nb = e.biasA?.length ?? 0, nv = e.vOpV?.length ?? 0;
  const mats = [e.crossPerAmp, e.selfPerAmp, e.lineCrossPerAmp, e.lineSelfPerAmp, e.memCurrentA, e.lineCurrentA];
  if (!(nb >= 2 && nv >= 2 && mats.every((m) => Array.isArray(m) && m.length === nb && m.every((r) => Array.isArray(r) && r.length === nv)))) throw malformedEntry('icc', 'bias × V_op grid');
});

export interface IccBehaviour {
  /** Coupling onto the membrane, ∂I_mem/∂V_line, S (CircuitParameters.gInterCompartment). */
  g: number;
  /** Coupling onto the line, ∂I_line/∂V_mem, S (gInterCompartmentLine). */
  gLine: number;
  /** Current onto the membrane at V_line = V_mem = V_op (systematic current and offset), A. */
  iMem: number;
  /** Current onto the line at V_line = V_mem = V_op, A (iLineOffset). */
  iLine: number;
  /** Extra self conductance of the membrane (the to-membrane OTA's output conductance), S. */
  gMemLoad: number;
  /** Extra self conductance of the line, S. */
  gLineLoad: number;
}

/** Systematic current of one OTA of the pair at tail `t`: linear in the tail below the grid (as otaOffsetCurrent). */
function pairCurrent(table: readonly (readonly number[])[], t: number, vOp: number): number {
  const i = gridInterp(ICC_FIT.biasA, ICC_FIT.vOpV, table, t, vOp);
  return t < ICC_FIT.biasA[0] ? (i * t) / ICC_FIT.biasA[0] : i;
}

/**
 * The pair of circuit `circuitEnum` on `die` at bias `biasA` (range applied), linearised at the
 * operating point V_mem = vOp − diff/2, V_line = vOp + diff/2 (`diff` = V_line − V_mem, 0 unless
 * the neuron's rest is known: `linearizeCouplingsAtRest`, neuron-rest.ts). Each OTA is a tanh
 * (the 5-T OTA's transfer; the table's chord over ±50 mV is tanh(x)/x within 2 %), made
 * asymmetric by its mirror's gain M on a mismatched die (`otaLargeSignal`, blocks/ota.ts):
 *   I_mem  = L(g_1, I_t1, M_1; V_line − V_mem − V_os,1) + I_sys,1,  L = I_t tanh(g x/I_t) for M = 1
 *   I_line = L(g_2, I_t2, M_2; V_mem − V_line − V_os,2) + I_sys,2
 * and the returned linear law is its tangent at the operating point: g = ∂L/∂x (g_1 sech²(·)
 * for M = 1) and iMem = I_mem(op) − g·diff (likewise for the line). On a mismatched die neighbouring
 * compartments rest 20–30 mV apart (the pairs' offsets, the leaks' spread), where sech² is
 * 0.89–0.92: the linear law at zero difference made that coupling 8–11 % too strong
 * (docs/verification.md gap 4).
 */
export function iccBehaviour(die: Die, circuitEnum: number, biasA: number, vOp: number, diff = 0): IccBehaviour {
  if (!(biasA > 0)) return { g: 0, gLine: 0, iMem: 0, iLine: 0, gMemLoad: 0, gLineLoad: 0 };
  const f = ICC_FIT;
  const dv1 = blockOffsets(die, circuitEnum, ICC_BLOCKS.toMembrane, OTA_TRANSISTORS);
  const dv2 = blockOffsets(die, circuitEnum, ICC_BLOCKS.toLine, OTA_TRANSISTORS);
  const b1 = otaBehaviour(biasA, vOp, dv1);
  const b2 = otaBehaviour(biasA, vOp, dv2);
  const at = (m: readonly (readonly number[])[], t: number) => t * gridInterp(f.biasA, f.vOpV, m, t, vOp);
  // The die scales each OTA's gm by its mirror's imbalance as in otaBehaviour.
  const g1 = at(f.crossPerAmp, b1.tail) * mirrorGmFactor(b1.tail, dv1);
  const g2 = at(f.lineCrossPerAmp, b2.tail) * mirrorGmFactor(b2.tail, dv2);
  const m = otaLargeSignal(g1, b1.tail, b1.mirrorGain, diff - b1.vOs);
  const l = otaLargeSignal(g2, b2.tail, b2.mirrorGain, -diff - b2.vOs);
  return {
    g: m.slope, gLine: l.slope,
    iMem: pairCurrent(f.memCurrentA, b1.tail, vOp) + m.current - m.slope * diff,
    iLine: pairCurrent(f.lineCurrentA, b2.tail, vOp) + l.current + l.slope * diff,
    gMemLoad: Math.max(0, at(f.selfPerAmp, b1.tail) - g1),
    gLineLoad: Math.max(0, at(f.lineSelfPerAmp, b2.tail) - g2),
  };
}


/**
 * Operating-voltage estimate of one circuit for `iccBehaviour`: where its own leak (tanh law,
 * conductance g, saturation I_sat, reference E) balances its offset currents,
 * V = E + (I_sat/g)·atanh(I_off/I_sat), limited to the characterised range. (The coupled
 * compartments' rest would be better; it needs the whole neuron, derive.ts.)
 */
export function iccOperatingVoltage(eLeak: number, gLeak: number, leakSaturationCurrent: number, iOffset: number): number {
  const lo = ICC_FIT.vOpV[0], hi = ICC_FIT.vOpV[ICC_FIT.vOpV.length - 1];
  if (!(gLeak > 0)) return Math.min(hi, Math.max(lo, eLeak));
  const r = leakSaturationCurrent > 0 ? Math.max(-0.999, Math.min(0.999, iOffset / leakSaturationCurrent)) : 0;
  const v = leakSaturationCurrent > 0 ? eLeak + (leakSaturationCurrent / gLeak) * Math.atanh(r) : eLeak + iOffset / gLeak;
  return Math.min(hi, Math.max(lo, v));
}

/** The pair's common mode at an operating point (both OTAs' inputs are the membrane and the line), limited to the characterised range. */
export function iccCommonMode(op: { vMem: number; vLine: number }): number {
  const lo = ICC_FIT.vOpV[0], hi = ICC_FIT.vOpV[ICC_FIT.vOpV.length - 1];
  return Math.min(hi, Math.max(lo, 0.5 * (op.vMem + op.vLine)));
}

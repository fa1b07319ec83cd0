/**
 * Synaptic input (one per sign): synapse current pulses land on the input line (capacitance
 * C_syn: 2 pF, or the 0.2 pF line parasitics with enable_small_capacitance); a tunable
 * resistor (an NMOS pseudo-resistor whose gate comes from a diode-connected replica carrying
 * i_bias_tau, both sources at the line reference) discharges it; an OTA (bias i_bias_gm) turns
 * the line voltage into membrane current. In weak inversion the resistor's channel conductance
 * at V_ds → 0 is g_r = (S_r/S_rep) · I_tau / U_T (I = I_f (1 − e^(−V_ds/U_T))), so
 *   τ_syn = C_syn / g_r,  gain = gm / g_r,
 * with a fitted factor k_r(I_tau) (moderate inversion, leakage). S_r/S_rep = 1/16 (τ = 10 µs
 * at 2 pF needs ≈ 90 nA: good code resolution); enable_high_resistance divides the replica
 * current by 8 (an ideal mirror ratio, like the leak's range switches). The excitatory OTA pushes current
 * onto the membrane, the inhibitory one pulls (its inputs are swapped).
 * i_shift_reference shifts the OTA's reference by I · R_SHIFT (plateau's choice: trims the
 * OTA offset over ±10 mV).
 *
 * COBA mode (behavioural only; the deck builder refuses it): the intended design is a second
 * OTA (bias i_bias_coba) comparing the membrane with the e_synin_*_rev cell and adding its
 * output to the synaptic OTA's bias, I_tail = I_gm ± gm_c (V_c − V); the amplitude is then the
 * CUBA one at E_ref = V_c (+ that OTA's offset) and vanishes at E_rev = E_ref ± I_gm/gm_c, i.e.
 * amplitude · (E_rev − V)/(E_rev − E_ref). A first transistor-level version did not yet
 * agree with this (the tail modulation also moves the synaptic OTA's offset currents and
 * hence the rest), so it is not part of the netlist.
 */
import type { Element, Subcircuit } from '../../netlist/model.ts';
import { U_T, SLOPE_FACTOR_N, type TransistorSpec } from '../technology.ts';
import { delvtoDefaults, mos, delvtoParam } from '../transistors.ts';
import { blockOffsets, type Die } from '../die.ts';
import { OTA_SUBCKT, OTA_TRANSISTORS, otaBehaviour, type OtaBehaviour } from './ota.ts';

export const SYN_LINE_REFERENCE_V = 0.6;
export const SYN_C_LINE = 2.0e-12;
export const SYN_C_SMALL = 0.2e-12;
export const R_SHIFT = 10e3;

export const SYNIN_RES_TRANSISTORS: readonly TransistorSpec[] = [
  { name: 'mrep', type: 'nmos', w: 2e-6, l: 1e-6 },
  { name: 'mr', type: 'nmos', w: 0.5e-6, l: 4e-6 },
];

const aspect = (k: number): number => SYNIN_RES_TRANSISTORS[k].w / SYNIN_RES_TRANSISTORS[k].l;
/** S_r / S_rep = 1/16. */
export const SYNRES_RATIO = aspect(1) / aspect(0);
/** enable_high_resistance divides the replica current by 8 (an ideal mirror ratio, like the range switches). */
export const SYNRES_HIGH_DIVISION = 8;

export const SYNIN_RES_SUBCKT = 'plateau_synres';

/** Ports: line ref ntau vdd vss. */
export function syninResistorSubcircuit(): Subcircuit {
  const [rep, r] = SYNIN_RES_TRANSISTORS;
  return {
    name: SYNIN_RES_SUBCKT,
    ports: ['line', 'ref', 'ntau', 'vdd', 'vss'],
    params: delvtoDefaults(SYNIN_RES_TRANSISTORS),
    comment: 'tunable pseudo-resistor: replica diode carries i_bias_tau, resistor shares its gate',
    elements: [mos(rep, 'ntau', 'ntau', 'ref', 'vss'), mos(r, 'line', 'ntau', 'ref', 'vss')],
  };
}

/**
 * In-situ fit of the resistor (line floating, loaded by the OTA's input, as in the circuit):
 * k_r = g · U_T / ((S_r/S_rep) · I_tau) and the line's rest offset ΔV0 = v(line) − V_ref
 * caused by leakage into the line (`npx tsx bench/circuits-fit.ts`, part synres). Below
 * ≈ 5 nA leakage dominates (offsets of several mV): long τ_syn are less well defined.
 */
export const SYNRES_FIT = {
  biasA: [1e-9, 2e-9, 5e-9, 10e-9, 20e-9, 50e-9, 100e-9, 200e-9, 500e-9, 1e-6],
  k: [1.422, 1.179, 1.018, 0.9602, 0.9225, 0.8795, 0.846, 0.8011, 0.7218, 0.6439],
  offsetV: [-0.007577, -0.00415, -0.001593, -0.0006047, -2.494e-05, 0.000529, 0.0009582, 0.001393, 0.001717, 0.001722],
};

function fitAt(row: readonly number[], i: number): number {
  const xs = SYNRES_FIT.biasA;
  if (i <= xs[0]) return row[0];
  if (i >= xs[xs.length - 1]) return row[row.length - 1];
  let k = 0;
  while (xs[k + 1] < i) k++;
  const f = Math.log(i / xs[k]) / Math.log(xs[k + 1] / xs[k]);
  return row[k] * (1 - f) + row[k + 1] * f;
}

export interface SyninBehaviour {
  gResistor: number;
  cLine: number;
  tau: number;
  ota: OtaBehaviour;
  gain: number;
  /** Reference seen by the OTA (line reference + shift), V. */
  vRefOta: number;
  /** Current the OTA puts on the membrane with no input, A (sign: onto the membrane). */
  restCurrent: number;
}

export function syninBlockName(sign: 'exc' | 'inh'): { res: string; ota: string; coba: string } {
  return { res: `synin_${sign}_res`, ota: `synin_${sign}_ota`, coba: `synin_${sign}_coba` };
}

/** COBA reference and reversal potentials from the COBA OTA's behaviour, V. */
export function cobaPotentials(die: Die, circuitEnum: number, sign: 'exc' | 'inh', iGm: number, iCoba: number, vCell: number): { eRef: number; eRev: number } {
  const b = otaBehaviour(iCoba, vCell, blockOffsets(die, circuitEnum, syninBlockName(sign).coba, OTA_TRANSISTORS));
  if (!(b.gm > 0)) return { eRef: vCell, eRev: sign === 'exc' ? Infinity : -Infinity };
  // exc: I = gm (V_c − V − V_os) + I_sys → zero at V_c − V_os + I_sys/gm;
  // inh (inputs swapped): I = gm (V − V_c − V_os) + I_sys → zero at V_c + V_os − I_sys/gm.
  const eRef = sign === 'exc' ? vCell - b.vOs + b.iSys / b.gm : vCell + b.vOs - b.iSys / b.gm;
  return { eRef, eRev: sign === 'exc' ? eRef + iGm / b.gm : eRef - iGm / b.gm };
}

export function syninBehaviour(
  die: Die, circuitEnum: number, sign: 'exc' | 'inh',
  o: { iTau: number; iGm: number; iShift: number; small: boolean; high: boolean },
): SyninBehaviour {
  const names = syninBlockName(sign);
  const dr = blockOffsets(die, circuitEnum, names.res, SYNIN_RES_TRANSISTORS);
  const iRep = o.high ? o.iTau / SYNRES_HIGH_DIVISION : o.iTau;
  // Replica/resistor mismatch: the resistor's channel charge scales as exp(−ΔV_t / (n U_T)).
  const gResistor = (SYNRES_RATIO * iRep * fitAt(SYNRES_FIT.k, iRep) / U_T) * Math.exp(-(dr['mr'] - dr['mrep']) / (SLOPE_FACTOR_N * U_T));
  const lineRest = SYN_LINE_REFERENCE_V + (iRep > 0 ? fitAt(SYNRES_FIT.offsetV, iRep) : 0);
  const cLine = o.small ? SYN_C_SMALL : SYN_C_LINE;
  const vRefOta = SYN_LINE_REFERENCE_V + o.iShift * R_SHIFT;
  const ota = otaBehaviour(o.iGm, SYN_LINE_REFERENCE_V, blockOffsets(die, circuitEnum, names.ota, OTA_TRANSISTORS));
  // Excitatory: I = gm (V_line − V_refOta − V_os); inhibitory: I = gm (V_refOta − V_line − V_os).
  const dvRest = sign === 'exc' ? lineRest - vRefOta : vRefOta - lineRest;
  const restCurrent = ota.gm * (dvRest - ota.vOs) + ota.iSys;
  return {
    gResistor, cLine, tau: gResistor > 0 ? cLine / gResistor : Infinity, ota,
    gain: gResistor > 0 ? ota.gm / gResistor : 0, vRefOta,
    restCurrent: sign === 'exc' ? restCurrent : restCurrent,
  };
}

/** SPICE elements of one synaptic input: line capacitor, resistor, OTA, bias and reference sources. */
export function syninElements(
  p: string, die: Die, circuitEnum: number, sign: 'exc' | 'inh', mem: string, line: string,
  o: { iTau: number; iGm: number; iShift: number; small: boolean; high: boolean },
): Element[] {
  const names = syninBlockName(sign);
  const dr = blockOffsets(die, circuitEnum, names.res, SYNIN_RES_TRANSISTORS);
  const dotal = blockOffsets(die, circuitEnum, names.ota, OTA_TRANSISTORS);
  const resParams: Record<string, number> = {};
  for (const t of SYNIN_RES_TRANSISTORS) resParams[delvtoParam(t)] = dr[t.name];
  const otaParams: Record<string, number> = {};
  for (const t of OTA_TRANSISTORS) otaParams[delvtoParam(t)] = dotal[t.name];
  const ref = `${p}_${sign}_ref`;
  const refOta = `${p}_${sign}_refota`;
  const ntau = `${p}_${sign}_ntau`;
  const nbgm = `${p}_${sign}_nbgm`;
  const els: Element[] = [
    { kind: 'C', name: `${p}_${sign}_cline`, p: line, n: '0', value: o.small ? SYN_C_SMALL : SYN_C_LINE },
    { kind: 'V', name: `${p}_${sign}_vref`, p: ref, n: '0', value: SYN_LINE_REFERENCE_V },
    { kind: 'V', name: `${p}_${sign}_vrefota`, p: refOta, n: '0', value: SYN_LINE_REFERENCE_V + o.iShift * R_SHIFT },
    { kind: 'I', name: `${p}_${sign}_itau`, p: 'vdd', n: ntau, value: o.high ? o.iTau / SYNRES_HIGH_DIVISION : o.iTau },
    { kind: 'I', name: `${p}_${sign}_igm`, p: 'vdd', n: nbgm, value: o.iGm },
    { kind: 'X', name: `${p}_${sign}_res`, nodes: [line, ref, ntau, 'vdd', '0'], subckt: SYNIN_RES_SUBCKT, params: resParams },
    {
      kind: 'X', name: `${p}_${sign}_ota`,
      nodes: sign === 'exc' ? [line, refOta, mem, nbgm, 'vdd', '0'] : [refOta, line, mem, nbgm, 'vdd', '0'],
      subckt: OTA_SUBCKT, params: otaParams,
    },
  ];
  return els;
}

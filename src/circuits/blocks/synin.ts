/**
 * Synaptic input (one per sign): synapse current pulses land on the input line (capacitance
 * C_syn: 1 pF, or the 0.2 pF line parasitics with enable_small_capacitance); a tunable
 * resistor (an NMOS pseudo-resistor whose gate comes from a diode-connected replica carrying
 * i_bias_tau, both sources at the line reference) discharges it; an OTA (bias i_bias_gm) turns
 * the line voltage into membrane current. In weak inversion the resistor's channel conductance
 * at V_ds → 0 is g_r = (S_r/S_rep) · I_tau / U_T (I = I_f (1 − e^(−V_ds/U_T))), so
 *   τ_syn = C_syn / g_r,  gain = gm / g_r,
 * with a fitted factor k_r(I_tau) for moderate inversion. enable_high_resistance switches the
 * resistor to an 8× longer device (S_r/S_rep = 1/8). The excitatory OTA pushes current
 * onto the membrane, the inhibitory one pulls (its inputs are swapped).
 * i_shift_reference shifts the OTA's reference by I · R_SHIFT (plateau's choice: trims the
 * OTA offset over ±10 mV). COBA modulation: behavioural only, not in the transistor netlist.
 */
import type { Element, Subcircuit } from '../../netlist/model.ts';
import { U_T, SLOPE_FACTOR_N, type TransistorSpec } from '../technology.ts';
import { delvtoDefaults, mos, delvtoParam } from '../transistors.ts';
import { blockOffsets, type Die } from '../die.ts';
import { OTA_SUBCKT, OTA_TRANSISTORS, otaBehaviour, type OtaBehaviour } from './ota.ts';

export const SYN_LINE_REFERENCE_V = 0.6;
export const SYN_C_LINE = 1.0e-12;
export const SYN_C_SMALL = 0.2e-12;
export const R_SHIFT = 10e3;

export const SYNIN_RES_TRANSISTORS: readonly TransistorSpec[] = [
  { name: 'mrep', type: 'nmos', w: 0.5e-6, l: 2e-6 },
  { name: 'mr', type: 'nmos', w: 0.5e-6, l: 2e-6 },
  { name: 'mrh', type: 'nmos', w: 0.5e-6, l: 16e-6 },
];

export const SYNIN_RES_SUBCKT = 'plateau_synres';

/** Ports: line ref ntau vdd vss; param `high` is realised by instantiating with mr or mrh. */
export function syninResistorSubcircuit(high: boolean): Subcircuit {
  const [rep, r, rh] = SYNIN_RES_TRANSISTORS;
  return {
    name: high ? `${SYNIN_RES_SUBCKT}_high` : SYNIN_RES_SUBCKT,
    ports: ['line', 'ref', 'ntau', 'vdd', 'vss'],
    params: delvtoDefaults(SYNIN_RES_TRANSISTORS),
    comment: 'tunable pseudo-resistor: replica diode carries i_bias_tau, resistor shares its gate',
    elements: [mos(rep, 'ntau', 'ntau', 'ref', 'vss'), high ? mos(rh, 'line', 'ntau', 'ref', 'vss') : mos(r, 'line', 'ntau', 'ref', 'vss')],
  };
}

/**
 * Fitted k_r: measured g_r · U_T / ((S_r/S_rep) · I_tau) at V_ref = 0.6 V
 * (`npx tsx bench/circuits-fit.ts`, DC sweep of the line ± 1 mV).
 */
export const SYNRES_FIT = {
  biasA: [1e-9, 2e-9, 5e-9, 10e-9, 20e-9, 50e-9, 100e-9, 200e-9, 500e-9, 1e-6],
  k: [0.9379, 0.9362, 0.9227, 0.9002, 0.863, 0.7873, 0.7082, 0.6118, 0.4721, 0.3708],
  kHigh: [0.9688, 0.9769, 0.9847, 0.9761, 0.9375, 0.8324, 0.7324, 0.6282, 0.488, 0.3873],
};

function kr(i: number, high: boolean): number {
  const xs = SYNRES_FIT.biasA;
  const ys = high ? SYNRES_FIT.kHigh : SYNRES_FIT.k;
  if (i <= xs[0]) return ys[0];
  if (i >= xs[xs.length - 1]) return ys[ys.length - 1];
  let k = 0;
  while (xs[k + 1] < i) k++;
  const f = Math.log(i / xs[k]) / Math.log(xs[k + 1] / xs[k]);
  return ys[k] * (1 - f) + ys[k + 1] * f;
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

export function syninBlockName(sign: 'exc' | 'inh'): { res: string; ota: string } {
  return { res: `synin_${sign}_res`, ota: `synin_${sign}_ota` };
}

export function syninBehaviour(
  die: Die, circuitEnum: number, sign: 'exc' | 'inh',
  o: { iTau: number; iGm: number; iShift: number; small: boolean; high: boolean },
): SyninBehaviour {
  const names = syninBlockName(sign);
  const dr = blockOffsets(die, circuitEnum, names.res, SYNIN_RES_TRANSISTORS);
  const dres = o.high ? dr['mrh'] : dr['mr'];
  const ratio = o.high ? 1 / 8 : 1;
  const gResistor = (ratio * o.iTau * kr(o.iTau, o.high) / U_T) * Math.exp(-(dres - dr['mrep']) / (SLOPE_FACTOR_N * U_T));
  const cLine = o.small ? SYN_C_SMALL : SYN_C_LINE;
  const vRefOta = SYN_LINE_REFERENCE_V + o.iShift * R_SHIFT;
  const ota = otaBehaviour(o.iGm, SYN_LINE_REFERENCE_V, blockOffsets(die, circuitEnum, names.ota, OTA_TRANSISTORS));
  // Excitatory: I = gm (V_line − V_refOta − V_os); inhibitory: I = gm (V_refOta − V_line − V_os).
  const dvRest = sign === 'exc' ? SYN_LINE_REFERENCE_V - vRefOta : vRefOta - SYN_LINE_REFERENCE_V;
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
    { kind: 'I', name: `${p}_${sign}_itau`, p: 'vdd', n: ntau, value: o.iTau },
    { kind: 'I', name: `${p}_${sign}_igm`, p: 'vdd', n: nbgm, value: o.iGm },
    { kind: 'X', name: `${p}_${sign}_res`, nodes: [line, ref, ntau, 'vdd', '0'], subckt: o.high ? `${SYNIN_RES_SUBCKT}_high` : SYNIN_RES_SUBCKT, params: resParams },
    {
      kind: 'X', name: `${p}_${sign}_ota`,
      nodes: sign === 'exc' ? [line, refOta, mem, nbgm, 'vdd', '0'] : [refOta, line, mem, nbgm, 'vdd', '0'],
      subckt: OTA_SUBCKT, params: otaParams,
    },
  ];
  return els;
}

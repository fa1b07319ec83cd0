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
 * i_shift_reference shifts the OTA's reference by I · R_SHIFT against the input's own polarity
 * (plateau's choice: up for the excitatory OTA, down for the inhibitory one, so that a positive
 * code always lowers the current the input puts onto the membrane; range 0–10 mV): it trims
 * the input's systematic current at rest, as the chip's reference calibration does.
 *
 * COBA mode (the chip's approximation of a conductance-based synapse): a second OTA (bias
 * i_bias_coba, same design) compares the membrane with the e_synin_*_rev cell and adds its output
 * current to the synaptic OTA's bias (into its bias diode):
 *   I_b(V) = I_gm + I_c(V),  I_c = I_tail,c · tanh(gm_c · (±(V_c − V) − V_os,c) / I_tail,c) + I_sys,c
 * (+ for excitatory: more bias below V_c, less above; inputs swapped for inhibitory). The
 * synaptic OTA's transconductance then follows the membrane: amplitude scale
 * s(V) = gm(I_b(V)) / gm(I_gm), 1 at E_ref (where I_c = 0: the cell plus the COBA OTA's offset)
 * and, linearised there, (E_rev − V)/(E_rev − E_ref) with E_rev = E_ref − 1/s'(E_ref)
 * (≈ E_ref ± I_gm/gm_c). Beyond E_rev the bias is cut off (the diode cannot carry a negative
 * current): the amplitude is clipped at zero, it does not reverse. The input's systematic
 * current follows the modulated bias too (the in-situ table is over the OTA's bias).
 */
import type { Element, Subcircuit } from '../../netlist/model.ts';
import { U_T, SLOPE_FACTOR_N, OTA_FIT, interpBias, type TransistorSpec } from '../technology.ts';
import { delvtoDefaults, mos, delvtoParam } from '../transistors.ts';
import { blockOffsets, type Die } from '../die.ts';
import { OTA_SUBCKT, OTA_TRANSISTORS, otaBehaviour, type OtaBehaviour } from './ota.ts';
import { malformedEntry, shippedEntry, type SynresEntry, type SyninRestEntry } from '../../characterize/table.ts';

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
 * k_r = g · U_T / ((S_r/S_rep) · I_tau), the "synres" entry of the shipped characterisation
 * table (src/characterize/blocks/synres.ts; `plateau characterize --blocks synres`). That
 * entry also holds the line's rest offset with the OTA at 100 nA and its output at 0.6 V,
 * which is not what the circuit sees: the rest uses SYNIN_REST_FIT below. Below ≈ 5 nA
 * leakage dominates: long τ_syn are less well defined.
 */
export const SYNRES_FIT: Readonly<SynresEntry> = shippedEntry('synres', (e) => {
  const n = e.biasA?.length;
  if (!(n >= 2) || e.k?.length !== n || !e.k.every((x) => x > 0)) throw malformedEntry('synres', 'shape (biasA[n], k[n] > 0)');
});

/**
 * In-situ rest current of one synaptic input with no input (nominal transistors): the
 * resistor, the line and the OTA as the deck builds them, the membrane clamped at V. Measured
 * by `npx plateau characterize --blocks synin-rest` (entry "synin-rest" of the shipped table
 * spice/characterization/ideal.json; `npx tsx bench/synin-fit.ts` compares a fresh run with it):
 * currentA[sign][gm bias][tau bias][V], A onto the membrane.
 * It replaces the separate line offset (SYNRES_FIT.offsetV, measured with the OTA at another
 * bias and output voltage) and the linear output conductance towards 0.6 V: the line's leakage
 * depends on the OTA's bias and, for the inhibitory input whose line drives the output-side
 * transistor, on V_mem; the output current departs from a linear conductance away from 0.6 V.
 */
export const SYNIN_REST_FIT = {
  vMemV: [0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0],
  gmBiasA: [50e-9, 100e-9, 200e-9, 500e-9, 1e-6],
  // The synres grid (a literal: the grid must exist before the table is read, to regenerate it).
  tauBiasA: [1e-9, 2e-9, 5e-9, 10e-9, 20e-9, 50e-9, 100e-9, 200e-9, 500e-9, 1e-6],
};

/**
 * The in-situ rest-current table: the "synin-rest" entry of the shipped characterisation table
 * (src/characterize/blocks/synin-rest.ts; decks `syninRestFitDeck` in ./synin-rest-fit.ts),
 * nominal transistors, no input: currentA[gm bias][tau bias][V_mem], A onto the membrane.
 */
export const SYNIN_REST_CURRENT_A: Readonly<SyninRestEntry> = shippedEntry('synin-rest', (e) => {
  const { vMemV, gmBiasA, tauBiasA } = SYNIN_REST_FIT;
  const same = (a: unknown, b: readonly number[]) => Array.isArray(a) && a.length === b.length && a.every((x, i) => x === b[i]);
  const fits = (c: unknown) => Array.isArray(c) && c.length === gmBiasA.length && c.every((r) => Array.isArray(r) && r.length === tauBiasA.length && r.every((v) => Array.isArray(v) && v.length === vMemV.length && v.every(Number.isFinite)));
  if (!same(e.vMemV, vMemV) || !same(e.gmBiasA, gmBiasA) || !same(e.tauBiasA, tauBiasA) || !fits(e.exc?.currentA) || !fits(e.inh?.currentA)) {
    throw malformedEntry('synin-rest', 'grids (SYNIN_REST_FIT in blocks/synin.ts)');
  }
});

/** Linear interpolation in log(bias) over `xs`, clamped to the ends: index pair and weight. */
function logBracket(xs: readonly number[], x: number): [number, number, number] {
  if (!(x > xs[0])) return [0, 0, 0];
  if (x >= xs[xs.length - 1]) return [xs.length - 1, xs.length - 1, 0];
  let k = 0;
  while (xs[k + 1] < x) k++;
  return [k, k + 1, Math.log(x / xs[k]) / Math.log(xs[k + 1] / xs[k])];
}

function fitAt(row: readonly number[], i: number): number {
  const [a, b, f] = logBracket(SYNRES_FIT.biasA, i);
  return row[a] * (1 - f) + row[b] * f;
}

export interface SyninBehaviour {
  gResistor: number;
  cLine: number;
  tau: number;
  ota: OtaBehaviour;
  gain: number;
  /** Reference seen by the OTA (line reference + shift), V. */
  vRefOta: number;
}

export function syninBlockName(sign: 'exc' | 'inh'): { res: string; ota: string; coba: string } {
  return { res: `synin_${sign}_res`, ota: `synin_${sign}_ota`, coba: `synin_${sign}_coba` };
}

/** Reference the synaptic OTA compares the line with: the line reference shifted against the input's polarity, V. */
export function otaReference(sign: 'exc' | 'inh', iShift: number): number {
  return SYN_LINE_REFERENCE_V + (sign === 'exc' ? 1 : -1) * iShift * R_SHIFT;
}

/** COBA configuration of one input: the COBA OTA's bias and its reference cell (e_synin_*_rev), A and V. */
export interface CobaBias { iCoba: number; vCell: number }

/** Current the COBA OTA adds to the synaptic OTA's bias at membrane voltage v, A. */
export function cobaCurrent(die: Die, circuitEnum: number, sign: 'exc' | 'inh', c: CobaBias, v: number): number {
  const b = otaBehaviour(c.iCoba, c.vCell, blockOffsets(die, circuitEnum, syninBlockName(sign).coba, OTA_TRANSISTORS));
  if (!(b.tail > 0)) return 0;
  const dv = sign === 'exc' ? c.vCell - v : v - c.vCell;
  return b.tail * Math.tanh((b.gm * (dv - b.vOs)) / b.tail) + b.iSys;
}

/** Bias of the synaptic OTA (into its bias diode) at membrane voltage v: I_gm, plus the COBA current in COBA mode, ≥ 0, A. */
export function syninBias(die: Die, circuitEnum: number, sign: 'exc' | 'inh', iGm: number, coba: CobaBias | undefined, v: number): number {
  return coba === undefined ? iGm : Math.max(0, iGm + cobaCurrent(die, circuitEnum, sign, coba, v));
}

/** COBA amplitude scale s(V) = gm(I_b(V)) / gm(I_gm) (1 without COBA). */
export function cobaScale(die: Die, circuitEnum: number, sign: 'exc' | 'inh', iGm: number, coba: CobaBias | undefined, v: number): number {
  if (coba === undefined) return 1;
  const dv = blockOffsets(die, circuitEnum, syninBlockName(sign).ota, OTA_TRANSISTORS);
  const g0 = otaBehaviour(iGm, SYN_LINE_REFERENCE_V, dv).gm;
  if (!(g0 > 0)) return 0;
  const ib = syninBias(die, circuitEnum, sign, iGm, coba, v);
  return ib > 0 ? otaBehaviour(ib, SYN_LINE_REFERENCE_V, dv).gm / g0 : 0;
}

/**
 * COBA reference and reversal potentials, V: E_ref is where the COBA OTA's output is zero (the
 * amplitude is the CUBA one), E_rev where the tangent of s(V) at E_ref reaches zero.
 */
export function cobaPotentials(die: Die, circuitEnum: number, sign: 'exc' | 'inh', iGm: number, iCoba: number, vCell: number): { eRef: number; eRev: number } {
  const b = otaBehaviour(iCoba, vCell, blockOffsets(die, circuitEnum, syninBlockName(sign).coba, OTA_TRANSISTORS));
  if (!(b.gm > 0) || !(b.tail > 0)) return { eRef: vCell, eRev: sign === 'exc' ? Infinity : -Infinity };
  // exc: I_c = I_t tanh(gm (V_c − V − V_os)/I_t) + I_sys = 0 at V_c − V_os + (I_t/gm) atanh(I_sys/I_t);
  // inh (inputs swapped): zero at V_c + V_os − (I_t/gm) atanh(I_sys/I_t).
  const r = Math.max(-0.999, Math.min(0.999, b.iSys / b.tail));
  const off = (b.tail / b.gm) * Math.atanh(r);
  const eRef = sign === 'exc' ? vCell - b.vOs + off : vCell + b.vOs - off;
  const c = { iCoba, vCell };
  const h = 1e-3;
  const slope = (cobaScale(die, circuitEnum, sign, iGm, c, eRef + h) - cobaScale(die, circuitEnum, sign, iGm, c, eRef - h)) / (2 * h);
  const inf = sign === 'exc' ? Infinity : -Infinity;
  const eRev = slope === 0 ? inf : eRef - cobaScale(die, circuitEnum, sign, iGm, c, eRef) / slope;
  return { eRef, eRev: (sign === 'exc') === (eRev > eRef) ? eRev : inf };
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
  const cLine = o.small ? SYN_C_SMALL : SYN_C_LINE;
  const vRefOta = otaReference(sign, o.iShift);
  const ota = otaBehaviour(o.iGm, SYN_LINE_REFERENCE_V, blockOffsets(die, circuitEnum, names.ota, OTA_TRANSISTORS));
  return {
    gResistor, cLine, tau: gResistor > 0 ? cLine / gResistor : Infinity, ota,
    gain: gResistor > 0 ? ota.gm / gResistor : 0, vRefOta,
  };
}

/**
 * Gain of the mirror's term ρ·(ΔV_t,m4 − ΔV_t,m3) over otaBehaviour's, per sign, measured on the
 * synaptic OTA in situ (verification gap 11: ngspice, ±1 mV on m3 / m4, clamp at 0.5 V): excitatory
 * 1.001–1.040 (median 1.025; 1.019 by regression over 24 mismatched instances at 489 nA / 588 nA),
 * inhibitory 0.997–1.014. Why the signs differ (the line drives the diode side for excitatory,
 * the output side for inhibitory) is not identified; the values are measured, not derived.
 */
export const SYN_MIRROR_VT_GAIN: Readonly<Record<'exc' | 'inh', number>> = { exc: 1.02, inh: 1.0 };

/**
 * Input offset of the synaptic OTA, V (the ideal die: 0): otaBehaviour's (whose pair term holds
 * the threshold gain OTA_PAIR_VT_GAIN, blocks/ota.ts) with the in-situ mirror gain above.
 */
export function syninInputOffset(sign: 'exc' | 'inh', ota: OtaBehaviour, dv: Readonly<Record<string, number>>): number {
  const mirror = interpBias(OTA_FIT.mirrorRatio, ota.tail) * ((dv['m4'] ?? 0) - (dv['m3'] ?? 0));
  return ota.vOs - (SYN_MIRROR_VT_GAIN[sign] - 1) * mirror;
}

/**
 * Current one synaptic input puts onto the membrane with no input, at each membrane voltage of
 * SYNIN_REST_FIT.vMemV, A. The nominal part is the in-situ table at the OTA's tail current
 * (the die's bias-mirror error included; in COBA mode the bias modulated by the COBA OTA at that
 * voltage) and the replica current; the die's input offset and the reference shift act as a
 * differential input d through the OTA's tanh:
 *   I(V) = I_nom(I_tail, I_rep, V) + I_tail · tanh(gm · d / I_tail),  d = −V_os' − ΔV_shift
 * (the shift works against the input's polarity for both signs, see otaReference), with
 * V_os' = syninInputOffset: the pair's threshold offset acts OTA_PAIR_VT_GAIN ≈ 1.05 times as
 * strongly as a gate voltage (as in every OTA), the mirror's SYN_MIRROR_VT_GAIN (verification gap 11).
 * Not in the table: the resistor's mismatch moves the line's small rest offset (≈ 0.3 mV at
 * the lowered biases) by its conductance ratio; neglected (< 0.1 mV).
 */
export function syninRestCurrents(
  die: Die, circuitEnum: number, sign: 'exc' | 'inh',
  o: { iTau: number; iGm: number; iShift: number; high: boolean; coba?: CobaBias },
): Float64Array {
  const vs = SYNIN_REST_FIT.vMemV;
  const out = new Float64Array(vs.length);
  const dvOta = blockOffsets(die, circuitEnum, syninBlockName(sign).ota, OTA_TRANSISTORS);
  const iRep = o.high ? o.iTau / SYNRES_HIGH_DIVISION : o.iTau;
  const table = SYNIN_REST_CURRENT_A[sign].currentA;
  const [t0, t1, ft] = logBracket(SYNIN_REST_FIT.tauBiasA, iRep);
  const shift = o.iShift * R_SHIFT;
  let ota = otaBehaviour(o.iGm, SYN_LINE_REFERENCE_V, dvOta);
  for (let k = 0; k < vs.length; k++) {
    if (o.coba !== undefined) ota = otaBehaviour(syninBias(die, circuitEnum, sign, o.iGm, o.coba, vs[k]), SYN_LINE_REFERENCE_V, dvOta);
    if (!(ota.tail > 0)) continue;
    const [g0, g1, fg] = logBracket(SYNIN_REST_FIT.gmBiasA, ota.tail);
    // Below the table's lowest OTA bias the currents scale with the bias (weak inversion).
    const scale = ota.tail < SYNIN_REST_FIT.gmBiasA[0] ? ota.tail / SYNIN_REST_FIT.gmBiasA[0] : 1;
    const mismatch = ota.tail * Math.tanh((ota.gm * (-syninInputOffset(sign, ota, dvOta) - shift)) / ota.tail);
    const a = table[g0][t0][k] * (1 - ft) + table[g0][t1][k] * ft;
    const b = table[g1][t0][k] * (1 - ft) + table[g1][t1][k] * ft;
    out[k] = scale * (a * (1 - fg) + b * fg) + mismatch;
  }
  return out;
}

/** Piecewise-linear value of a rest-current table (over SYNIN_REST_FIT.vMemV) at v, constant beyond the ends, A. */
export function syninRestCurrentAt(ys: ArrayLike<number>, v: number): number {
  const xs = SYNIN_REST_FIT.vMemV;
  const n = xs.length;
  if (v <= xs[0]) return ys[0];
  if (v >= xs[n - 1]) return ys[n - 1];
  let k = 0;
  while (xs[k + 1] < v) k++;
  const f = (v - xs[k]) / (xs[k + 1] - xs[k]);
  return ys[k] * (1 - f) + ys[k + 1] * f;
}

/** SPICE elements of one synaptic input: line capacitor, resistor, OTA, bias and reference sources. */
export function syninElements(
  p: string, die: Die, circuitEnum: number, sign: 'exc' | 'inh', mem: string, line: string,
  o: { iTau: number; iGm: number; iShift: number; small: boolean; high: boolean; coba?: CobaBias },
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
    { kind: 'V', name: `${p}_${sign}_vrefota`, p: refOta, n: '0', value: otaReference(sign, o.iShift) },
    { kind: 'I', name: `${p}_${sign}_itau`, p: 'vdd', n: ntau, value: o.high ? o.iTau / SYNRES_HIGH_DIVISION : o.iTau },
    { kind: 'I', name: `${p}_${sign}_igm`, p: 'vdd', n: nbgm, value: o.iGm },
    { kind: 'X', name: `${p}_${sign}_res`, nodes: [line, ref, ntau, 'vdd', '0'], subckt: SYNIN_RES_SUBCKT, params: resParams },
    {
      kind: 'X', name: `${p}_${sign}_ota`,
      nodes: sign === 'exc' ? [line, refOta, mem, nbgm, 'vdd', '0'] : [refOta, line, mem, nbgm, 'vdd', '0'],
      subckt: OTA_SUBCKT, params: otaParams,
    },
  ];
  if (o.coba !== undefined && o.coba.iCoba > 0) {
    // COBA OTA: membrane vs the e_synin_*_rev cell, its output into the synaptic OTA's bias diode.
    const dc = blockOffsets(die, circuitEnum, names.coba, OTA_TRANSISTORS);
    const cobaParams: Record<string, number> = {};
    for (const t of OTA_TRANSISTORS) cobaParams[delvtoParam(t)] = dc[t.name];
    const vc = `${p}_${sign}_vc`, nbc = `${p}_${sign}_nbc`;
    els.push(
      { kind: 'V', name: `${p}_${sign}_vc`, p: vc, n: '0', value: o.coba.vCell },
      { kind: 'I', name: `${p}_${sign}_icoba`, p: 'vdd', n: nbc, value: o.coba.iCoba },
      {
        kind: 'X', name: `${p}_${sign}_coba`,
        nodes: sign === 'exc' ? [vc, mem, nbgm, nbc, 'vdd', '0'] : [mem, vc, nbgm, nbc, 'vdd', '0'],
        subckt: OTA_SUBCKT, params: cobaParams,
      },
    );
  }
  return els;
}

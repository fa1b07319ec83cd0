/**
 * Technology constants of plateau's 65 nm circuit library and the fitted laws of its one
 * transconductor design. Public facts: 1.2 V analog supply (hardware.md). Everything else here
 * is plateau's modelling decision, documented in docs/circuits.md; fitted numbers are measured
 * with ngspice on spice/ptm65.lib by `plateau characterize` and read from the shipped table
 * (docs/circuits.md, "Characterisation").
 */

import { malformedEntry, shippedEntry, type OtaEntry } from '../characterize/table.ts';

export const VDD = 1.2;
/** Simulation temperature of the model card (tnom = 27 °C). */
export const TEMPERATURE_K = 300.15;
/** Thermal voltage kT/q at 27 °C, V. */
export const U_T = (1.380649e-23 * TEMPERATURE_K) / 1.602176634e-19;

/**
 * Weak-inversion slope factor n of the NMOS input pair, from the fitted transconductance
 * gm = I_tail / (2 n U_T) at I_tail = 10 nA, V_cm = 0.6 V (gm/I = 12.81 /V measured).
 */
export const SLOPE_FACTOR_N = 1 / (2 * U_T * 12.81);

/**
 * Pelgrom coefficients A_VT (σ(ΔV_th) = A_VT / √(W·L)), V·m. plateau's choice of 3.5 mV·µm
 * (NMOS) and 3.0 mV·µm (PMOS): the range published for 65 nm bulk CMOS with ≈ 1.8–2 nm oxide.
 */
export const A_VT = { nmos: 3.5e-9, pmos: 3.0e-9 } as const;

export type MosType = 'nmos' | 'pmos';

/** One transistor of a block: name unique inside the block, sizes in metres. */
export interface TransistorSpec {
  readonly name: string;
  readonly type: MosType;
  readonly w: number;
  readonly l: number;
}

export function pelgromSigma(t: TransistorSpec): number {
  return A_VT[t.type] / Math.sqrt(t.w * t.l);
}

/**
 * Fitted laws of the OTA (blocks/ota.ts), measured by `plateau characterize` (block `ota`,
 * src/characterize/blocks/ota.ts) and read from the shipped ideal-die table
 * spice/characterization/ideal.json (docs/circuits.md, "Characterisation"):
 * - gmPerAmp [bias][vcm]: gm / I_tail (1/V) in the follower configuration (inn = out), over
 *   tail current (rows, 1 nA–1 µA) and common mode (columns, 0.4–1.1 V); below 1 nA gate and
 *   junction leakage of the PTM card dominate;
 * - offsetCurrentA [bias][vcm]: systematic output current at zero input (mirror Early effect,
 *   gate leakage), A;
 * - tailSensitivity: −d ln I_tail / dΔV_t,mt (1/V), weak-inversion limit 1/(n U_T) ≈ 26 /V;
 * - mirrorRatio: input-referred offset per volt of PMOS-mirror ΔV_t (m4 − m3), weak-inversion
 *   limit n_n / n_p;
 * - outputConductancePerAmp: output conductance / I_tail (1/V), inputs balanced at 0.6 V.
 */
export const OTA_FIT: Readonly<OtaEntry> = shippedEntry('ota', (e) => {
  const nb = e.biasA?.length ?? 0, nv = e.vcmV?.length ?? 0;
  const ok = nb >= 2 && nv >= 2
    && [e.gmPerAmp, e.offsetCurrentA].every((m) => Array.isArray(m) && m.length === nb && m.every((r) => Array.isArray(r) && r.length === nv))
    && [e.tailSensitivity, e.mirrorRatio, e.outputConductancePerAmp].every((r) => Array.isArray(r) && r.length === nb);
  if (!ok) throw malformedEntry('ota', 'bias × common-mode grid');
});

function bracket(xs: readonly number[], x: number, log: boolean): [number, number, number] {
  const n = xs.length;
  if (x <= xs[0]) return [0, 1, 0];
  if (x >= xs[n - 1]) return [n - 2, n - 1, 1];
  let i = 0;
  while (xs[i + 1] < x) i++;
  const f = log ? Math.log(x / xs[i]) / Math.log(xs[i + 1] / xs[i]) : (x - xs[i]) / (xs[i + 1] - xs[i]);
  return [i, i + 1, f];
}

/** Bilinear interpolation (log in bias, linear in V_cm), clamped at the table edges. */
function interp(table: readonly (readonly number[])[], biasA: number, vcm: number): number {
  const [b0, b1, fb] = bracket(OTA_FIT.biasA, biasA, true);
  const [v0, v1, fv] = bracket(OTA_FIT.vcmV, vcm, false);
  const a = table[b0][v0] * (1 - fv) + table[b0][v1] * fv;
  const b = table[b1][v0] * (1 - fv) + table[b1][v1] * fv;
  return a * (1 - fb) + b * fb;
}

/**
 * Interpolation on any (bias × voltage) grid of a characterisation table: log in bias, linear
 * in voltage, clamped at the edges (the grids span the specified range; outside it the block
 * is not characterised).
 */
export function gridInterp(biasGrid: readonly number[], vGrid: readonly number[], table: readonly (readonly number[])[], biasA: number, v: number): number {
  const [b0, b1, fb] = bracket(biasGrid, biasA, true);
  const [v0, v1, fv] = bracket(vGrid, v, false);
  const a = table[b0][v0] * (1 - fv) + table[b0][v1] * fv;
  const b = table[b1][v0] * (1 - fv) + table[b1][v1] * fv;
  return a * (1 - fb) + b * fb;
}

/** Interpolation of a per-bias row (log in bias), clamped at the ends. */
export function interpBias(row: readonly number[], biasA: number): number {
  const [b0, b1, fb] = bracket(OTA_FIT.biasA, biasA, true);
  return row[b0] * (1 - fb) + row[b1] * fb;
}

/** Output conductance of the OTA at tail current `biasA`, S. */
export function otaOutputConductance(biasA: number): number {
  return biasA > 0 ? biasA * interpBias(OTA_FIT.outputConductancePerAmp, biasA) : 0;
}

/** Small-signal transconductance of the OTA at tail current `biasA` and common mode `vcm`, S. */
export function otaGm(biasA: number, vcm: number): number {
  if (!(biasA > 0)) return 0;
  return biasA * interp(OTA_FIT.gmPerAmp, biasA, vcm);
}

/**
 * Systematic output current at zero input, A. Scaled linearly below the table's first bias
 * (the leakage part does not vanish, but the circuit is not specified there).
 */
export function otaOffsetCurrent(biasA: number, vcm: number): number {
  if (!(biasA > 0)) return 0;
  const i = interp(OTA_FIT.offsetCurrentA, biasA, vcm);
  return biasA < OTA_FIT.biasA[0] ? (i * biasA) / OTA_FIT.biasA[0] : i;
}

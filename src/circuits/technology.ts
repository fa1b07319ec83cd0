/**
 * Technology constants of plateau's 65 nm circuit library and the fitted laws of its one
 * transconductor design. Public facts: 1.2 V analog supply (hardware.md). Everything else here
 * is plateau's modelling decision, documented in docs/circuits.md; fitted numbers were measured
 * with ngspice 39 on spice/ptm65.lib (deck and command in docs/circuits.md, "Fits").
 */

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
 * Fitted transconductance table of the OTA (blocks/ota.ts) in its follower configuration
 * (inn = out): gm / I_tail in 1/V over tail current (rows) and common-mode voltage (columns).
 * Measured by `npx tsx bench/circuits-fit.ts` (DC sweep of v(inp) ± 4 mV around V_cm,
 * derivative at V_cm; output current into the membrane node at zero input). Below 1 nA gate and junction leakage of the PTM card dominate.
 */
export const OTA_FIT = {
  biasA: [1e-9, 3e-9, 10e-9, 30e-9, 100e-9, 300e-9, 1e-6],
  vcmV: [0.45, 0.6, 0.75, 0.9, 1.05],
  /** gm / I_b [bias][vcm], 1/V. */
  gmPerAmp: [
    [12.13, 13.39, 14.6, 16.45, 19.88],
    [12.73, 13.23, 13.62, 14.11, 14.92],
    [12.54, 12.82, 13.02, 13.21, 13.38],
    [12.01, 12.23, 12.39, 12.52, 12.53],
    [11.23, 11.45, 11.56, 11.62, 11.55],
    [10.35, 10.66, 10.74, 10.77, 10.52],
    [7.975, 9.659, 9.731, 9.688, 8.412],
  ],
  /** Systematic output current at zero differential input (mirror Early effect, gate leakage), A [bias][vcm]. */
  offsetCurrentA: [
    [1.838e-10, 7.269e-11, 2.635e-11, 4.726e-12, -1.647e-11],
    [2.027e-10, 9.72e-11, 4.38e-11, 7.214e-12, -3.826e-11],
    [3.345e-10, 1.986e-10, 9.772e-11, 1.347e-12, -1.365e-10],
    [6.987e-10, 4.397e-10, 1.949e-10, -7.104e-11, -4.883e-10],
    [1.7e-9, 1.02e-9, 3.013e-10, -5.37e-10, -2.065e-9],
    [3.639e-9, 1.902e-9, -6.091e-11, -2.481e-9, -8.593e-9],
    [6.532e-9, 1.938e-9, -3.992e-9, -1.249e-8, -6.889e-8],
  ],
} as const;

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

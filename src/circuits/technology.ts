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
  biasA: [1e-9, 2e-9, 5e-9, 10e-9, 20e-9, 50e-9, 100e-9, 200e-9, 500e-9, 1e-6],
  vcmV: [0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1],
  /** gm / I_b [bias][vcm], 1/V. */
  gmPerAmp: [
    [11.6, 12.59, 13.39, 14.16, 15.1, 16.45, 18.5, 21.46],
    [12.32, 12.89, 13.31, 13.68, 14.09, 14.65, 15.49, 16.66],
    [12.55, 12.86, 13.09, 13.27, 13.45, 13.66, 13.92, 14.18],
    [12.42, 12.65, 12.82, 12.96, 13.08, 13.21, 13.33, 13.35],
    [12.12, 12.32, 12.47, 12.59, 12.69, 12.79, 12.85, 12.74],
    [11.57, 11.78, 11.91, 12.02, 12.1, 12.15, 12.16, 11.93],
    [11.05, 11.33, 11.45, 11.53, 11.58, 11.62, 11.61, 11.23],
    [10.31, 10.85, 10.96, 11.02, 11.06, 11.08, 11.05, 10.36],
    [8.219, 10.1, 10.28, 10.33, 10.36, 10.35, 10.23, 8.674],
    [5.798, 9.165, 9.659, 9.722, 9.731, 9.688, 9.296, 6.415],
  ],
  /** Systematic output current at zero differential input (mirror Early effect, gate leakage), A [bias][vcm]. */
  offsetCurrentA: [
    [2.469e-10, 1.358e-10, 7.269e-11, 3.76e-11, 1.769e-11, 4.726e-12, -7.525e-12, -3.496e-11],
    [2.488e-10, 1.439e-10, 8.335e-11, 4.749e-11, 2.428e-11, 6.239e-12, -1.276e-11, -5.466e-11],
    [2.95e-10, 1.925e-10, 1.267e-10, 8.03e-11, 4.283e-11, 7.511e-12, -3.351e-11, -1.237e-10],
    [3.966e-10, 2.825e-10, 1.986e-10, 1.296e-10, 6.629e-11, 1.347e-12, -7.751e-11, -2.556e-10],
    [6.014e-10, 4.528e-10, 3.269e-10, 2.108e-10, 9.563e-11, -2.814e-11, -1.837e-10, -5.565e-10],
    [1.15e-09, 8.885e-10, 6.35e-10, 3.812e-10, 1.158e-10, -1.81e-10, -5.722e-10, -1.661e-09],
    [1.913e-09, 1.476e-09, 1.02e-09, 5.481e-10, 4.277e-11, -5.37e-10, -1.339e-09, -4.057e-09],
    [3.109e-09, 2.388e-09, 1.553e-09, 6.685e-10, -2.976e-10, -1.436e-09, -3.129e-09, -1.094e-08],
    [5.153e-09, 4.125e-09, 2.257e-09, 2.222e-10, -2.052e-09, -4.874e-09, -1.022e-08, -4.915e-08],
    [6.499e-09, 5.372e-09, 1.938e-09, -1.894e-09, -6.302e-09, -1.249e-08, -3.107e-08, -1.669e-07],
  ],
  /**
   * Tail-mirror mismatch sensitivity −d ln I_tail / dΔV_t (1/V) per bias; weak inversion
   * limit 1/(n U_T) ≈ 26 /V, smaller in moderate inversion.
   */
  tailSensitivity: [26.01, 25.7, 25.1, 24.52, 23.86, 22.93, 22.19, 21.25, 19.42, 17.37],
  /**
   * Input-referred offset per volt of PMOS-mirror ΔV_t (m4 − m3), per bias; weak inversion
   * limit n_n / n_p.
   */
  mirrorRatio: [1.026, 0.9796, 0.9496, 0.9387, 0.9325, 0.9168, 0.8826, 0.8186, 0.6852, 0.5647],
  /**
   * Output conductance over tail current (1/V), inputs balanced at 0.6 V: what an OTA whose
   * output is the membrane adds to the leak.
   */
  outputConductancePerAmp: [0.09451, 0.0802, 0.06806, 0.06215, 0.05758, 0.05204, 0.04793, 0.04395, 0.03877, 0.03502],
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

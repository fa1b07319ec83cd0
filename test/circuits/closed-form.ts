/**
 * Closed forms over the behavioural parameters, used by the SPICE tests: what the circuit
 * library says a configured circuit does, independent of ngspice.
 */
import type { CircuitParameters } from '../../src/circuits/params.ts';
import { defaultChipConfig, type ChipConfig } from '../../src/chip/chip.ts';

/** Large-signal leak (or reset) current onto the membrane at V, A. */
export function otaLaw(g: number, e: number, iSat: number | undefined, v: number): number {
  if (iSat === undefined || !Number.isFinite(iSat)) return g * (e - v);
  return iSat * Math.tanh((g * (e - v)) / iSat);
}

/** Current of the exponential term onto the membrane at V (logistic when iMax is given). */
export function expLaw(p: CircuitParameters, v: number): number {
  const x = p.exponential;
  if (!x.enabled) return 0;
  if (x.iMax !== undefined && x.vExp !== undefined) return x.iMax / (1 + Math.exp(-(v - x.vExp) / x.deltaT));
  return p.gLeak * x.deltaT * Math.exp((v - x.vT) / x.deltaT);
}

/**
 * Time from `v0` to the threshold under a constant current with leak and exponential term
 * (RK4, 1 ns steps: the ≈ 40 mV upswing is resolved to ≪ 0.1 %).
 */
export function timeToThreshold(p: CircuitParameters, v0: number, iStim: number): number {
  const f = (v: number): number => (otaLaw(p.gLeak, p.eLeak, p.leakSaturationCurrent, v) + expLaw(p, v) + iStim + p.iOffset) / p.capacitance;
  const dt = 1e-9;
  let v = v0;
  let t = 0;
  while (v < p.vThreshold) {
    const k1 = f(v), k2 = f(v + (dt / 2) * k1), k3 = f(v + (dt / 2) * k2), k4 = f(v + dt * k3);
    v += (dt / 6) * (k1 + 2 * k2 + 2 * k3 + k4);
    t += dt;
    if (t > 1e-3) return Infinity;
  }
  return t;
}

/** Resting potential with leak, exponential term and offsets (bisection below v_exp). */
export function restWithExp(p: CircuitParameters): number {
  const f = (v: number): number => otaLaw(p.gLeak, p.eLeak, p.leakSaturationCurrent, v) + expLaw(p, v) + p.iOffset;
  let lo = p.eLeak - 0.1, hi = p.eLeak + 0.1;
  for (let k = 0; k < 100; k++) {
    const m = (lo + hi) / 2;
    if (f(m) > 0) lo = m;
    else hi = m;
  }
  return (lo + hi) / 2;
}

/**
 * Inter-spike interval of a LIF circuit under a constant current: reset phase (reset
 * transconductor for refractory − holdoff) from the threshold, then the leak phase until the
 * threshold: t = ∫ C dV / (I_leak(V) + I). Integrated by RK4 with 0.1 ns steps (error ≪ 0.1 %).
 */
export function lifInterval(p: CircuitParameters, iStim: number): number {
  const C = p.capacitance;
  const dvdt = (v: number, reset: boolean): number => (reset
    ? otaLaw(p.gReset, p.vReset, p.resetSaturationCurrent, v)
    : otaLaw(p.gLeak, p.eLeak, p.leakSaturationCurrent, v)) / C + (iStim + p.iOffset) / C;
  const dt = 1e-10;
  let v = p.vThreshold;
  let t = 0;
  const step = (reset: boolean): void => {
    const k1 = dvdt(v, reset);
    const k2 = dvdt(v + (dt / 2) * k1, reset);
    const k3 = dvdt(v + (dt / 2) * k2, reset);
    const k4 = dvdt(v + dt * k3, reset);
    v += (dt / 6) * (k1 + 2 * k2 + 2 * k3 + k4);
    t += dt;
  };
  const tReset = p.refractoryTime - p.holdoffTime;
  while (t < tReset) step(true);
  while (v < p.vThreshold) {
    step(false);
    if (t > 1e-3) return Infinity;
  }
  return t;
}

/** Upward threshold crossings of a trace (linear interpolation), s. */
export function crossings(t: Float64Array, x: Float64Array, level: number): number[] {
  const out: number[] = [];
  for (let i = 1; i < t.length; i++) {
    if (x[i - 1] < level && x[i] >= level) out.push(t[i - 1] + ((level - x[i - 1]) / (x[i] - x[i - 1])) * (t[i] - t[i - 1]));
  }
  return out;
}

/** Value of a trace at time `at` (linear interpolation). */
export function valueAt(t: Float64Array, x: Float64Array, at: number): number {
  for (let i = 1; i < t.length; i++) {
    if (t[i] >= at) return x[i - 1] + ((at - t[i - 1]) / (t[i] - t[i - 1])) * (x[i] - x[i - 1]);
  }
  return x[x.length - 1];
}

/**
 * A LIF setting in the middle of the calibrated ranges: v_leak 0.60 V (code 309), reset
 * 0.50 V (256), threshold 0.80 V (416), C = 2.4 pF (63), τ_mem ≈ 10 µs (i_bias_leak 20),
 * reset bias 490 (≈ 0.5 µs), refractory 31 cycles of the 15.6 MHz fast clock (≈ 2 µs).
 */
export function lifChip(enums: number[]): ChipConfig {
  const chip = defaultChipConfig();
  for (const e of enums) {
    const c = chip.neurons[e];
    c.leak.v_leak = 309;
    c.leak.i_bias = 20;
    c.reset.v_reset = 256;
    c.reset.i_bias = 490;
    c.threshold.enable = true;
    c.threshold.v_threshold = 416;
    c.membrane_capacitance.capacitance = 63;
    c.refractory_period.input_clock = 'fast';
    c.refractory_period.refractory_time = 31;
    c.refractory_period.reset_holdoff = 15;
  }
  return chip;
}

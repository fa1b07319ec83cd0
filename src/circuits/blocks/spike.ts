/**
 * Threshold comparator and the digital spike/refractory/holdoff logic.
 *
 * Comparator: the OTA (blocks/ota.ts; bias from the quadrant cell
 * neuron_i_bias_spike_comparator) compares the membrane with v_threshold, two inverters square
 * its output. Its input offset shifts the threshold: V_th,eff = v_threshold + V_os.
 *
 * Digital backend (behavioural in SPICE, exact on the chip): a spike starts the refractory
 * counter (refractory_time cycles of the selected backend clock); reset is active from the
 * spike until 2·(15 − reset_holdoff) + 1 cycles before the end (holdoff); no new spike is
 * registered while refractory. Modelled by one-shots: `refr` (width = refractory time)
 * triggered by the comparator, `rst` (width = refractory − holdoff) triggered by `refr`.
 *
 * One-shot from standard elements (`oneShotElements`; XSPICE code models are absent from the
 * WebAssembly ngspice): the trigger crossing 0.6 V while armed sets an SR latch (behavioural
 * sources, each with a 1 ns RC so every loop has a delay); while set, a timer capacitor charges
 * at 1 V per pulse width; at 1 V the latch resets, and only once it is low (below ≈ 0.1 V) does
 * the timer discharge. The discharge gate is sharp (10 mV) and sits below the charge gate:
 * with a soft gate its leak while the output is high (1 mS · e^(−ΔV/50 mV)) balanced the charge
 * current of long pulses (1 pF / 26 µs = 38 nA) just below 1 V, and the latch stalled
 * half-way (output 0.71 V, neither level; docs/verification.md, gap 7).
 *
 * Re-arming, two modes. `level` (the refractory counter): armed whenever the pulse is over and
 * the timer has discharged; a trigger that is still high then fires again within ≈ 10 ns, as the
 * chip's backend registers a spike on every clock edge with the comparator high and the
 * counter idle (and as the emulator's level-sensitive threshold does). `edge` (reset and
 * adaptation pulses, started by the refractory output): disarmed by the pulse until the
 * trigger has gone low again, one pulse per trigger high phase.
 */
import type { Element, Subcircuit } from '../../netlist/model.ts';
import type { TransistorSpec } from '../technology.ts';
import { delvtoDefaults, mos, delvtoParam } from '../transistors.ts';
import { blockOffsets, type Die } from '../die.ts';
import { OTA_SUBCKT, OTA_TRANSISTORS, otaBehaviour } from './ota.ts';
import { RESET_HOLDOFF_MAX } from '../../chip/constants.ts';
import { malformedEntry, shippedEntry, type ComparatorEntry } from '../../characterize/table.ts';

export const COMPARATOR_BLOCK = 'comparator';
export const INVERTER_BLOCK = 'comparator_inv';

export const INVERTER_TRANSISTORS: readonly TransistorSpec[] = [
  { name: 'mp1', type: 'pmos', w: 0.4e-6, l: 0.13e-6 },
  { name: 'mn1', type: 'nmos', w: 0.2e-6, l: 0.13e-6 },
  { name: 'mp2', type: 'pmos', w: 0.4e-6, l: 0.13e-6 },
  { name: 'mn2', type: 'nmos', w: 0.2e-6, l: 0.13e-6 },
];
export const BUFFER_SUBCKT = 'plateau_buf2';

export function bufferSubcircuit(): Subcircuit {
  const [mp1, mn1, mp2, mn2] = INVERTER_TRANSISTORS;
  return {
    name: BUFFER_SUBCKT,
    ports: ['in', 'out', 'vdd', 'vss'],
    params: delvtoDefaults(INVERTER_TRANSISTORS),
    comment: 'two inverters squaring the comparator output',
    elements: [mos(mp1, 'mid', 'in', 'vdd', 'vdd'), mos(mn1, 'mid', 'in', 'vss', 'vss'), mos(mp2, 'out', 'mid', 'vdd', 'vdd'), mos(mn2, 'out', 'mid', 'vss', 'vss')],
  };
}

/** Refractory and holdoff times from the counter settings, s. */
export function refractoryTiming(refractoryCycles: number, holdoffSetting: number, clockHz: number): { refractory: number; holdoff: number } {
  const refractory = refractoryCycles / clockHz;
  const holdoffCycles = 2 * (RESET_HOLDOFF_MAX - holdoffSetting) + 1;
  return { refractory, holdoff: Math.min(refractory, holdoffCycles / clockHz) };
}

/**
 * Fitted trip offset of comparator + buffer (V): where the buffered output crosses mid-supply,
 * minus v_threshold, per bias (rows) and threshold (columns). Up to 0.85 V the comparator
 * trips within ≈ 1–6 mV below the threshold; above ≈ 0.9 V the NMOS pair runs out of
 * common-mode headroom and it fires early by tens of mV (≈ 100 mV at 1.0 V and 50 nA): the
 * usable threshold range is compressed at the top. The "comparator" entry of the shipped
 * characterisation table (src/characterize/blocks/comparator.ts; regenerate with
 * `npx plateau characterize --blocks comparator`).
 */
export const COMPARATOR_FIT: Readonly<ComparatorEntry> = shippedEntry('comparator', (e) => {
  const nb = e.biasA?.length, nv = e.vthV?.length;
  const increasing = (xs: readonly number[]) => xs.every((x, i) => i === 0 || x > xs[i - 1]);
  if (!(nb >= 2) || !(nv >= 2) || !increasing(e.biasA) || !increasing(e.vthV) || !e.biasA.every((x) => x > 0)
    || e.tripOffsetV?.length !== nb || !e.tripOffsetV.every((r) => Array.isArray(r) && r.length === nv && r.every(Number.isFinite))) {
    throw malformedEntry('comparator', 'shape (biasA[n] > 0 increasing, vthV[m] increasing, tripOffsetV[n][m] finite)');
  }
});

function tripOffset(biasA: number, vTh: number): number {
  const f = COMPARATOR_FIT;
  const idx = (xs: readonly number[], x: number, log: boolean): [number, number, number] => {
    if (x <= xs[0]) return [0, 1, 0];
    if (x >= xs[xs.length - 1]) return [xs.length - 2, xs.length - 1, 1];
    let k = 0;
    while (xs[k + 1] < x) k++;
    return [k, k + 1, log ? Math.log(x / xs[k]) / Math.log(xs[k + 1] / xs[k]) : (x - xs[k]) / (xs[k + 1] - xs[k])];
  };
  const [b0, b1, fb] = idx(f.biasA, biasA, true);
  const [v0, v1, fv] = idx(f.vthV, vTh, false);
  const row = (b: number) => f.tripOffsetV[b][v0] * (1 - fv) + f.tripOffsetV[b][v1] * fv;
  return row(b0) * (1 - fb) + row(b1) * fb;
}

/**
 * Fitted dynamic delay of comparator + buffer + refractory one-shot: from the membrane crossing
 * the static trip point on a ramp of slope s to the spike (refractory output at VDD/2),
 *   d(s) = delayAt10 · (s / 10 mV/µs)^(−exponent),
 * per bias (rows) and threshold (columns); within 2.5 % of the measurement from 10 to
 * 300 mV/µs, an extrapolation below (where the static trip offset, resolved to 0.5 mV, is
 * itself worth 0.5 µs at 1 mV/µs). The comparator needs a few mV of overdrive to slew its
 * output to the inverter's trip point: ≈ 0.2 µs on the slow final ramp of a saturated leak.
 * Fitted with `measureComparatorDelay` (src/verify/comparator-delay.ts) on the grid below;
 * docs/verification.md, gap 9.
 */
export const COMPARATOR_DELAY_FIT = {
  biasA: [50e-9, 100e-9, 200e-9, 500e-9],
  vthV: [0.5, 0.65, 0.8],
  /** Slope at which delayAt10 applies, V/s (10 mV/µs). */
  refSlope: 10e3,
  delayAt10: [
    [513.0e-9, 405.3e-9, 224.6e-9],
    [383.4e-9, 308.8e-9, 187.6e-9],
    [245.2e-9, 196.9e-9, 137.1e-9],
    [169.1e-9, 141.7e-9, 84.8e-9],
  ],
  exponent: [
    [0.405, 0.407, 0.375],
    [0.417, 0.413, 0.388],
    [0.376, 0.368, 0.365],
    [0.383, 0.385, 0.324],
  ],
};

/** The delay law of one comparator (its bias and threshold): d(s) = delayAtRef · (s/refSlope)^(−exponent). */
export interface ComparatorDelayLaw {
  delayAtRef: number;
  refSlope: number;
  exponent: number;
}

export function comparatorDelayLaw(biasA: number, vTh: number): ComparatorDelayLaw {
  const f = COMPARATOR_DELAY_FIT;
  const at = (xs: readonly number[], x: number, log: boolean): [number, number, number] => {
    if (x <= xs[0]) return [0, 1, 0];
    if (x >= xs[xs.length - 1]) return [xs.length - 2, xs.length - 1, 1];
    let k = 0;
    while (xs[k + 1] < x) k++;
    return [k, k + 1, log ? Math.log(x / xs[k]) / Math.log(xs[k + 1] / xs[k]) : (x - xs[k]) / (xs[k + 1] - xs[k])];
  };
  const [b0, b1, fb] = at(f.biasA, biasA, true);
  const [v0, v1, fv] = at(f.vthV, vTh, false);
  // The delay interpolates in log (it scales roughly as a power of the bias), the exponent linearly.
  const grid = (t: readonly (readonly number[])[], log: boolean) => {
    const g = (x: number) => (log ? Math.log(x) : x);
    const row = (b: number) => g(t[b][v0]) * (1 - fv) + g(t[b][v1]) * fv;
    const y = row(b0) * (1 - fb) + row(b1) * fb;
    return log ? Math.exp(y) : y;
  };
  return { delayAtRef: grid(f.delayAt10, true), refSlope: f.refSlope, exponent: grid(f.exponent, false) };
}

/** Delay (s) of a spike after the membrane crosses the threshold rising at `slope` (V/s). */
export function comparatorDelay(law: ComparatorDelayLaw, slope: number): number {
  // A membrane that only just reaches the threshold: the law at 0.1 mV/µs (≈ 3 µs and more).
  const s = Math.max(slope, law.refSlope / 100);
  return law.delayAtRef * (s / law.refSlope) ** -law.exponent;
}

/** Threshold seen by the comparator: its input offset from the die plus the fitted trip offset. */
export function comparatorOffset(die: Die, circuitEnum: number, biasA: number, vTh: number): number {
  return otaBehaviour(biasA, vTh, blockOffsets(die, circuitEnum, COMPARATOR_BLOCK, OTA_TRANSISTORS)).vOs + tripOffset(biasA, vTh);
}

/** Shortest pulse the one-shots produce, s. */
export const MIN_PULSE = 5e-9;

const sig = (x: string, at: number, slope: number): string => `(1/(1+exp(-(${x}-${at})/${slope})))`;

/** How a one-shot re-arms (see the header). */
export type OneShotRetrigger = 'level' | 'edge';

/**
 * Elements of a non-retriggerable one-shot: `out` goes to 1.2 V for `width` seconds after the
 * trigger `trig` (a 0 / 1.2 V digital node) goes high; `retrigger` says when it may fire again.
 * Node and element names start with `name`.
 */
export function oneShotElements(name: string, trig: string, out: string, width: number, retrigger: OneShotRetrigger = 'edge'): Element[] {
  const ar = `${name}_ar`, arm = `${name}_arm`, qr = `${name}_qr`, x = `${name}_x`;
  const w = Math.max(MIN_PULSE, width);
  const outLow = `(1-${sig(`v(${out})`, 0.6, 0.05)})`;
  // level: armed while the output is low and the timer has discharged (below 5 mV, so that a
  // pulse started at once is at most 0.5 % short; the discharge, τ = 1 ns, takes ≈ 6 ns).
  // edge: armed while the trigger is low; once the pulse has started, disarmed until then.
  const armExpr = retrigger === 'level'
    ? `1.2*min(${outLow},1/(1+exp((v(${x})-0.005)/0.001)))`
    : `1.2*max(${sig(`-v(${trig})`, -0.6, 0.05)},min(${sig(`v(${arm})`, 0.6, 0.05)},${outLow}))`;
  const set = `min(${sig(`v(${trig})`, 0.6, 0.05)},${sig(`v(${arm})`, 0.6, 0.05)})`;
  // The timer's gate is 1 mV wide: the timer moves 1 V per width, so the output's fall is
  // spread over ≈ width/1000 (30 ns for a 30 µs plateau) instead of the ≈ 0.5 µs a 10 mV gate
  // gave, during which the reset switch stood half-way (the chip's switch is digital).
  const hold = `min(${sig(`v(${out})`, 0.6, 0.05)},1/(1+exp((v(${x})-1)/0.001)))`;
  const on = sig(`v(${out})`, 0.2, 0.05);
  // Discharge only once the output is below ≈ 0.1 V (10 mV gate: negligible while it is high).
  const off = `(1/(1+exp((v(${out})-0.1)/0.01)))`;
  return [
    { kind: 'B', name: `${name}_a`, p: ar, n: '0', quantity: 'v', expr: armExpr },
    { kind: 'R', name: `${name}_ra`, p: ar, n: arm, value: 1e3 },
    { kind: 'C', name: `${name}_ca`, p: arm, n: '0', value: 1e-12 },
    { kind: 'B', name: `${name}_q`, p: qr, n: '0', quantity: 'v', expr: `1.2*max(${set},${hold})` },
    { kind: 'R', name: `${name}_rq`, p: qr, n: out, value: 1e3 },
    { kind: 'C', name: `${name}_cq`, p: out, n: '0', value: 1e-12 },
    // Timer: 1 pF charged at 1 V per width while set; discharged only once the latch is low.
    { kind: 'B', name: `${name}_t`, p: '0', n: x, quantity: 'i', expr: `${1e-12 / w}*${on}-1e-3*v(${x})*${off}` },
    { kind: 'C', name: `${name}_cx`, p: x, n: '0', value: 1e-12 },
  ];
}

export function spikeElements(
  p: string, die: Die, circuitEnum: number, mem: string,
  o: { vTh: number; iComparator: number; refractory: number; holdoff: number },
): { elements: Element[]; refr: string; rst: string; spk: string } {
  const dv = blockOffsets(die, circuitEnum, COMPARATOR_BLOCK, OTA_TRANSISTORS);
  const di = blockOffsets(die, circuitEnum, INVERTER_BLOCK, INVERTER_TRANSISTORS);
  const otaParams: Record<string, number> = {};
  for (const t of OTA_TRANSISTORS) otaParams[delvtoParam(t)] = dv[t.name];
  const bufParams: Record<string, number> = {};
  for (const t of INVERTER_TRANSISTORS) bufParams[delvtoParam(t)] = di[t.name];
  const vth = `${p}_vth`, nb = `${p}_cmp_nb`, co = `${p}_cmp_o`, spk = `${p}_spk`, refr = `${p}_refr`, rst = `${p}_rst`;
  const wRef = Math.max(MIN_PULSE, o.refractory);
  const wRst = o.refractory - o.holdoff;
  const els: Element[] = [
    { kind: 'V', name: `${p}_vth`, p: vth, n: '0', value: o.vTh },
    { kind: 'I', name: `${p}_icmp`, p: 'vdd', n: nb, value: o.iComparator },
    { kind: 'X', name: `${p}_cmp`, nodes: [mem, vth, co, nb, 'vdd', '0'], subckt: OTA_SUBCKT, params: otaParams },
    { kind: 'X', name: `${p}_buf`, nodes: [co, spk, 'vdd', '0'], subckt: BUFFER_SUBCKT, params: bufParams },
    ...oneShotElements(`${p}_os1`, spk, refr, wRef, 'level'),
  ];
  if (wRst >= MIN_PULSE) {
    els.push(...oneShotElements(`${p}_os2`, refr, rst, wRst));
  } else {
    els.push({ kind: 'V', name: `${p}_rst0`, p: rst, n: '0', value: 0 });
  }
  return { elements: els, refr, rst, spk };
}

/**
 * Metric computations of the verification, pure functions over waveforms and spike lists, and
 * the comparison of one metric between the emulator and SPICE against its tolerance.
 */
import { fitExponential } from '../analysis/expfit.ts';
import { lowerBound, meanOver, type Samples } from '../analysis/waveform.ts';
import { inputError } from '../util/errors.ts';

/** How a tolerance applies: `abs` compares emulator − SPICE in the metric's unit, `rel` divides by |SPICE|. */
export type ToleranceKind = 'abs' | 'rel';

export interface Tolerance {
  kind: ToleranceKind;
  value: number;
}

export interface MetricResult {
  name: string;
  /** SI unit of emulator/spice (`V`, `s`, `Hz`, `1`, `compartments`). */
  unit: string;
  emulator: number | null;
  spice: number | null;
  /** emulator − spice (abs) or (emulator − spice)/|spice| (rel); null when a side is missing. */
  error: number | null;
  tolerance: number;
  toleranceKind: ToleranceKind;
  pass: boolean;
}

const finite = (x: number | null | undefined): x is number => x !== null && x !== undefined && Number.isFinite(x);

export function compareMetric(name: string, unit: string, emulator: number | null | undefined, spice: number | null | undefined, tol: Tolerance): MetricResult {
  const e = finite(emulator) ? emulator : null;
  const s = finite(spice) ? spice : null;
  let error: number | null = null;
  if (e !== null && s !== null) {
    if (tol.kind === 'abs') error = e - s;
    else error = s !== 0 ? (e - s) / Math.abs(s) : (e === 0 ? 0 : Infinity);
  }
  // A metric both levels agree is absent (e.g. no spike) passes: absence is then the result.
  const bothAbsent = e === null && s === null;
  const pass = bothAbsent || (error !== null && Math.abs(error) <= tol.value);
  return { name, unit, emulator: e, spice: s, error, tolerance: tol.value, toleranceKind: tol.kind, pass };
}

/**
 * Pairwise spike matching: spikes are paired in order of time (the k-th spike of one level with
 * the k-th of the other). With deterministic models of one neuron a spike is never skipped in
 * the middle of a train without the following ones shifting, so order pairing is what a reader
 * would compare; the unpaired tail is reported as the count difference.
 */
export function matchSpikes(a: Samples, b: Samples): { pairs: Array<[number, number]>; unmatchedA: number; unmatchedB: number } {
  const n = Math.min(a.length, b.length);
  const pairs: Array<[number, number]> = [];
  for (let k = 0; k < n; k++) pairs.push([a[k], b[k]]);
  return { pairs, unmatchedA: a.length - n, unmatchedB: b.length - n };
}

/** Spike-time tolerance of the task: 1 % of the spike time or 0.2 µs, whichever is larger. */
export function spikeTimeTolerance(t: number): number {
  return Math.max(0.01 * Math.abs(t), 0.2e-6);
}

/**
 * Spike counts of two trains (ascending) over a window ending at `end`, where the longer train's
 * extra spikes that lie within the spike-time tolerance of the end are not counted: their
 * counterparts on the other level may fall just after the end, where the window truncates them
 * (a spike that agrees within the spike-time tolerance is not a count difference). Any other
 * extra spike counts.
 */
export function countsAtWindowEnd(a: ArrayLike<number>, b: ArrayLike<number>, end: number): [number, number] {
  const edge = end - spikeTimeTolerance(end);
  let na = a.length;
  let nb = b.length;
  while (na > nb && a[na - 1] > edge) na--;
  while (nb > na && b[nb - 1] > edge) nb--;
  return [na, nb];
}

/** Mean firing rate from the mean inter-spike interval: (n − 1)/(t_last − t_first); NaN below 2 spikes. */
export function regularRate(spikes: Samples): number {
  if (spikes.length < 2) return NaN;
  return (spikes.length - 1) / (spikes[spikes.length - 1] - spikes[0]);
}

/** Adaptation index: last inter-spike interval over the first (1 = no adaptation); NaN below 3 spikes. */
export function isiRatio(spikes: Samples): number {
  const n = spikes.length;
  if (n < 3) return NaN;
  return (spikes[n - 1] - spikes[n - 2]) / (spikes[1] - spikes[0]);
}

/**
 * Plateau after a spike at `onset`: the time until the membrane first falls below `threshold`
 * (linear interpolation of the crossing), and its level = the mean over the third quarter of
 * that interval: after the reset has pulled the membrane down from the spike (and from whatever
 * input fired it) and before the release. NaN when it never falls back in the trace.
 */
export function plateauOf(t: Samples, v: Samples, onset: number, threshold: number): { duration: number; level: number } {
  let k = lowerBound(t, onset);
  // Skip to where the membrane is above the threshold (the spike edge may take a sample or two).
  while (k < t.length && v[k] < threshold) k++;
  for (; k < t.length; k++) {
    if (v[k] < threshold) {
      const tc = t[k - 1] + ((threshold - v[k - 1]) * (t[k] - t[k - 1])) / (v[k] - v[k - 1]);
      const d = tc - onset;
      return { duration: d, level: meanOver(t, v, onset + 0.5 * d, onset + 0.75 * d) };
    }
  }
  return { duration: NaN, level: NaN };
}

/**
 * Length constant of a chain: A(x) = s·exp(−x/λ) + c over compartment distance x (in
 * compartments), by the Levenberg–Marquardt exponential fit (analysis/expfit.ts). Needs ≥ 4
 * points (three parameters and one degree of freedom).
 */
export function fitLengthConstant(x: Samples, amplitude: Samples): { lambda: number; scale: number; offset: number; rmse: number } {
  if (x.length !== amplitude.length || x.length < 4) {
    throw inputError('fitLengthConstant needs at least 4 (distance, amplitude) points', {}, { value: { points: Math.min(x.length, amplitude.length) }, allowed: '≥ 4' });
  }
  const f = fitExponential(x, amplitude, {});
  // expfit's amplitude refers to the first x; rescale to x = 0.
  return { lambda: f.tau, scale: f.amplitude * Math.exp(f.t0 / f.tau), offset: f.offset, rmse: f.rmse };
}

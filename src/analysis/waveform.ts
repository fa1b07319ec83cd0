/**
 * Waveforms as plain typed arrays: `t` (non-decreasing sample times, s) and `y` (values), as both
 * the emulator and SPICE produce them. SPICE samples are non-uniform (adaptive time step), so
 * every measurement here interpolates linearly between samples and integrates by trapezoids.
 */
import { inputError } from '../util/errors.ts';

export type Samples = Float64Array | ReadonlyArray<number>;

export function checkWaveform(t: Samples, y: Samples, where = 'waveform'): void {
  if (t.length !== y.length) throw inputError(`${where}: time and value arrays differ in length`, {}, { value: { t: t.length, y: y.length } });
  if (t.length === 0) throw inputError(`${where}: empty waveform`);
  for (let k = 1; k < t.length; k++) {
    if (!(t[k] >= t[k - 1])) throw inputError(`${where}: times must not decrease (sample ${k})`, {}, { value: [t[k - 1], t[k]] });
  }
}

/** First index k with t[k] >= x (t.length if none); binary search. */
export function lowerBound(t: Samples, x: number): number {
  let lo = 0;
  let hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (t[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Linear interpolation of (t, y) at time x; clamped to the end values outside [t0, tN]. */
export function valueAt(t: Samples, y: Samples, x: number): number {
  const n = t.length;
  if (x <= t[0]) return y[0];
  if (x >= t[n - 1]) return y[n - 1];
  const k = lowerBound(t, x);
  const t0 = t[k - 1];
  const t1 = t[k];
  if (t1 === t0) return y[k];
  return y[k - 1] + ((y[k] - y[k - 1]) * (x - t0)) / (t1 - t0);
}

/**
 * Resample onto `grid` (non-decreasing) by linear interpolation, clamped at the ends.
 * One forward pass: O(n + m).
 */
export function interpolate(t: Samples, y: Samples, grid: Samples): Float64Array {
  checkWaveform(t, y, 'interpolate');
  const out = new Float64Array(grid.length);
  const n = t.length;
  let k = 1;
  for (let j = 0; j < grid.length; j++) {
    const x = grid[j];
    if (x <= t[0]) { out[j] = y[0]; continue; }
    if (x >= t[n - 1]) { out[j] = y[n - 1]; continue; }
    if (j > 0 && x < grid[j - 1]) k = 1; // grid not sorted: restart the scan
    while (t[k] < x) k++;
    const t0 = t[k - 1];
    const t1 = t[k];
    out[j] = t1 === t0 ? y[k] : y[k - 1] + ((y[k] - y[k - 1]) * (x - t0)) / (t1 - t0);
  }
  return out;
}

/** `start, start + step, ...` up to and including `stop` (within half a step). */
export function uniformGrid(start: number, stop: number, step: number): Float64Array {
  if (!(step > 0) || !(stop >= start)) throw inputError('grid needs step > 0 and stop >= start', {}, { value: { start, stop, step } });
  const n = Math.floor((stop - start) / step + 0.5) + 1;
  const g = new Float64Array(n);
  for (let k = 0; k < n; k++) g[k] = start + k * step;
  return g;
}

/**
 * Time average of y over [from, to] by the trapezoidal rule on the linear interpolant: exact for
 * piecewise-linear data, correct for non-uniform samples. The resting potential is this mean
 * over a quiet window.
 */
export function meanOver(t: Samples, y: Samples, from: number, to: number): number {
  checkWaveform(t, y, 'meanOver');
  if (!(to > from)) throw inputError('meanOver needs to > from', {}, { value: { from, to } });
  if (from < t[0] || to > t[t.length - 1]) throw inputError('meanOver window lies outside the waveform', {}, { value: { from, to, t0: t[0], t1: t[t.length - 1] } });
  let area = 0;
  let prevT = from;
  let prevY = valueAt(t, y, from);
  for (let k = lowerBound(t, from); k < t.length && t[k] < to; k++) {
    if (t[k] <= from) continue;
    area += 0.5 * (prevY + y[k]) * (t[k] - prevT);
    prevT = t[k];
    prevY = y[k];
  }
  const endY = valueAt(t, y, to);
  area += 0.5 * (prevY + endY) * (to - prevT);
  return area / (to - from);
}

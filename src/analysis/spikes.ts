/**
 * Spike detection by upward threshold crossing. A spike is the first sample pair with
 * y[k-1] < θ ≤ y[k]; its time is the linear interpolation between them,
 *   t* = t[k-1] + (θ − y[k-1]) (t[k] − t[k-1]) / (y[k] − y[k-1]).
 * After a spike the detector re-arms only once y has fallen below `rearm` (hysteresis, default
 * θ), so noise riding on the threshold does not count twice.
 */
import { inputError } from '../util/errors.ts';
import { checkWaveform, type Samples } from './waveform.ts';

export interface SpikeOptions {
  /** Level y must fall below before the next crossing counts (default: the threshold). */
  rearm?: number;
  /** Only crossings in [from, to) are reported. */
  from?: number;
  to?: number;
}

export function spikeTimes(t: Samples, y: Samples, threshold: number, opts: SpikeOptions = {}): Float64Array {
  checkWaveform(t, y, 'spikeTimes');
  const rearm = opts.rearm ?? threshold;
  if (rearm > threshold) throw inputError('spikeTimes: rearm level must not exceed the threshold', {}, { value: { threshold, rearm } });
  const from = opts.from ?? -Infinity;
  const to = opts.to ?? Infinity;
  const out: number[] = [];
  // Armed when the waveform starts below threshold; one starting above must come down first.
  let armed = y[0] < threshold;
  for (let k = 1; k < t.length; k++) {
    if (!armed) {
      if (y[k] < rearm) armed = true;
      continue;
    }
    if (y[k - 1] < threshold && y[k] >= threshold) {
      const ts = t[k - 1] + ((threshold - y[k - 1]) * (t[k] - t[k - 1])) / (y[k] - y[k - 1]);
      if (ts >= from && ts < to) out.push(ts);
      armed = false;
    }
  }
  return Float64Array.from(out);
}

/** Spikes per second in [from, to): count / duration. */
export function firingRate(spikes: Samples, from: number, to: number): number {
  if (!(to > from)) throw inputError('firingRate needs to > from', {}, { value: { from, to } });
  let n = 0;
  for (let k = 0; k < spikes.length; k++) if (spikes[k] >= from && spikes[k] < to) n++;
  return n / (to - from);
}

/** Mean inter-spike interval of the spikes in [from, to) (NaN with fewer than two spikes). */
export function meanInterval(spikes: Samples, from = -Infinity, to = Infinity): number {
  let first = NaN;
  let last = NaN;
  let n = 0;
  for (let k = 0; k < spikes.length; k++) {
    const s = spikes[k];
    if (s < from || s >= to) continue;
    if (n === 0) first = s;
    last = s;
    n++;
  }
  return n < 2 ? NaN : (last - first) / (n - 1);
}

/**
 * Post-synaptic potential: baseline = time average over a window before the input; peak = the
 * extreme sample in the search window, refined by the vertex of the parabola through it and its
 * two neighbours (works for non-uniform steps); amplitude = peak − baseline (signed);
 * time to peak measured from the input onset.
 */
import { inputError } from '../util/errors.ts';
import { checkWaveform, lowerBound, meanOver, type Samples } from './waveform.ts';

export interface PspOptions {
  /** Window [from, to] for the baseline average. */
  baseline: [number, number];
  /** Input onset time; the search window starts here. */
  onset: number;
  /** End of the search window. */
  until: number;
  /** +1 for an excitatory (upward) PSP, −1 for inhibitory. Default +1. */
  polarity?: 1 | -1;
}

export interface PspMeasure {
  baseline: number;
  /** Peak − baseline (negative for an inhibitory PSP). */
  amplitude: number;
  peakTime: number;
  /** peakTime − onset. */
  timeToPeak: number;
}

/** Vertex of the parabola through three points (x0<x1<x2), with the value there. */
export function parabolaVertex(x0: number, y0: number, x1: number, y1: number, x2: number, y2: number): { x: number; y: number } {
  // Newton form: p(x) = y0 + a (x−x0) + b (x−x0)(x−x1)
  const a = (y1 - y0) / (x1 - x0);
  const b = ((y2 - y1) / (x2 - x1) - a) / (x2 - x0);
  if (b === 0 || !Number.isFinite(b)) return { x: x1, y: y1 };
  const x = (x0 + x1) / 2 - a / (2 * b);
  if (!(x >= x0 && x <= x2)) return { x: x1, y: y1 };
  return { x, y: y0 + a * (x - x0) + b * (x - x0) * (x - x1) };
}

export function measurePsp(t: Samples, v: Samples, opts: PspOptions): PspMeasure {
  checkWaveform(t, v, 'measurePsp');
  const pol = opts.polarity ?? 1;
  if (!(opts.until > opts.onset)) throw inputError('measurePsp: until must be after onset', {}, { value: opts });
  const baseline = meanOver(t, v, opts.baseline[0], opts.baseline[1]);
  const k0 = lowerBound(t, opts.onset);
  const k1 = Math.min(t.length, lowerBound(t, opts.until) + 1);
  if (k1 - k0 < 1) throw inputError('measurePsp: no samples in the search window', {}, { value: opts });
  let best = k0;
  for (let k = k0; k < k1; k++) if (pol * v[k] > pol * v[best]) best = k;
  let peakT = t[best];
  let peakV = v[best];
  if (best > 0 && best < t.length - 1 && t[best - 1] < t[best] && t[best] < t[best + 1]) {
    const p = parabolaVertex(t[best - 1], v[best - 1], t[best], v[best], t[best + 1], v[best + 1]);
    if (pol * p.y >= pol * peakV) {
      peakT = p.x;
      peakV = p.y;
    }
  }
  return { baseline, amplitude: peakV - baseline, peakTime: peakT, timeToPeak: peakT - opts.onset };
}

/**
 * Refractory timing on the digital backend: an 8-bit counter clocked by one of the two clocks of
 * the circuit's backend half, f = 250 MHz / 2^(scale + 1). The reset is released
 * 2·(15 − reset_holdoff) + 1 cycles before the counter ends (the holdoff).
 *
 * Choice of clocks per half: the slow clock is the fastest one whose 255 cycles still cover the
 * longest refractory period of the half; the fast clock the fastest one covering the shortest.
 * Each circuit takes the fast clock if its period fits in 255 fast cycles, else the slow one.
 */
import type { BackendHalfConfig } from '../chip/chip.ts';
import { backendClockHz, CLOCK_SCALE_MAX, REFRACTORY_TIME_MAX, RESET_HOLDOFF_MAX } from '../chip/constants.ts';
import type { Issue } from '../util/errors.ts';

/** Smallest clock scale (highest resolution) whose counter covers `seconds`. */
export function scaleFor(seconds: number): number | undefined {
  for (let s = 0; s <= CLOCK_SCALE_MAX; s++) if (seconds * backendClockHz(s) <= REFRACTORY_TIME_MAX + 0.5) return s;
  return undefined;
}

export interface RefractorySetting {
  input_clock: 'slow' | 'fast';
  refractory_time: number;
  reset_holdoff: number;
  /** What the setting realises, s. */
  refractorySeconds: number;
  holdoffSeconds: number;
}

/** Holdoff cycles of a reset_holdoff code. */
export function holdoffCycles(code: number): number {
  return 2 * (RESET_HOLDOFF_MAX - code) + 1;
}

export interface HalfTiming {
  clocks: Pick<BackendHalfConfig, 'clock_scale_slow' | 'clock_scale_fast'>;
  settings: RefractorySetting[];
  issues: Issue[];
}

/** Clocks of one half and the settings of its circuits (refractory and holdoff in seconds). */
export function planHalf(requests: Array<{ refractory: number; holdoff: number; where: string }>, defaults: { slow: number; fast: number }): HalfTiming {
  const issues: Issue[] = [];
  const scales = requests.map((r) => {
    const s = scaleFor(r.refractory);
    if (s === undefined) {
      issues.push({ message: `refractory period longer than the slowest clock allows`, location: { path: r.where }, value: r.refractory, allowed: `≤ ${(REFRACTORY_TIME_MAX / backendClockHz(CLOCK_SCALE_MAX)).toPrecision(3)} s` });
      return CLOCK_SCALE_MAX;
    }
    return s;
  });
  const fast = scales.length ? Math.min(...scales) : defaults.fast;
  const slow = scales.length ? Math.max(...scales) : defaults.slow;
  const settings = requests.map((r) => {
    const useFast = r.refractory * backendClockHz(fast) <= REFRACTORY_TIME_MAX + 0.5;
    const f = backendClockHz(useFast ? fast : slow);
    const counter = Math.min(REFRACTORY_TIME_MAX, Math.round(r.refractory * f));
    // Holdoff: cycles = 2·(15 − code) + 1, between 1 and 31 cycles.
    const wanted = Math.round(r.holdoff * f);
    let code = Math.round(RESET_HOLDOFF_MAX - (wanted - 1) / 2);
    code = Math.max(0, Math.min(RESET_HOLDOFF_MAX, code));
    if (wanted > holdoffCycles(0) + 1) {
      issues.push({ message: 'holdoff longer than 31 cycles of the chosen clock', location: { path: r.where }, value: r.holdoff, allowed: `≤ ${(holdoffCycles(0) / f).toPrecision(3)} s with this refractory clock` });
    }
    return {
      input_clock: (useFast ? 'fast' : 'slow') as 'fast' | 'slow',
      refractory_time: counter,
      reset_holdoff: code,
      refractorySeconds: counter / f,
      holdoffSeconds: holdoffCycles(code) / f,
    };
  });
  return { clocks: { clock_scale_fast: fast, clock_scale_slow: slow }, settings, issues };
}

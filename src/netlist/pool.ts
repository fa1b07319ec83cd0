/**
 * Several SPICE runs at once: `jobs` ngspice processes in flight (each single-threaded through
 * its `.spiceinit`), results in input order. A failed run does not stop the others; each outcome
 * says whether its run succeeded.
 */
import { availableParallelism } from 'node:os';
import type { Netlist } from './model.ts';
import { SpiceError } from './errors.ts';
import { runSpice, type RunSpiceOptions, type SpiceResult } from './runner.ts';

export type SpiceOutcome = { ok: true; result: SpiceResult } | { ok: false; error: SpiceError };

export interface RunManyOptions extends Omit<RunSpiceOptions, 'onStart'> {
  /** Processes in flight (default: the number of cores). */
  jobs?: number;
  /** Called after each run with the number finished so far and the total. */
  onProgress?: (done: number, total: number, index: number, outcome: SpiceOutcome) => void;
}

export async function runSpiceMany(decks: ReadonlyArray<Netlist | string>, opts: RunManyOptions = {}): Promise<SpiceOutcome[]> {
  const { jobs: jobsOpt, onProgress, ...runOpts } = opts;
  const jobs = Math.max(1, Math.min(decks.length, Math.floor(jobsOpt ?? availableParallelism())));
  const out: SpiceOutcome[] = new Array(decks.length);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= decks.length) return;
      let outcome: SpiceOutcome;
      try {
        outcome = { ok: true, result: await runSpice(decks[i], runOpts) };
      } catch (e) {
        // Bad input (InputError from the writer) is the caller's bug, not a run outcome.
        if (!(e instanceof SpiceError)) throw e;
        outcome = { ok: false, error: e };
      }
      out[i] = outcome;
      done++;
      onProgress?.(done, decks.length, i, outcome);
    }
  };
  await Promise.all(Array.from({ length: jobs }, worker));
  return out;
}

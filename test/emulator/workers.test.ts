/**
 * The worker pool behind `emulateMany`: results equal to in-thread runs (every job is
 * deterministic given its seed), workers reused across calls (a worker's start-up, tsx loading
 * the sources again, is paid once per process), a failing job fails its call and not the pool,
 * and closing the pool terminates the workers. Start-up time itself is measured in
 * bench/workers.ts, not here.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { closeEmulatorWorkers, emulate, emulateMany, emulatorWorkersStarted } from '../../src/emulator/index.ts';
import { InputError } from '../../src/util/errors.ts';
import { allParams, chipWithInput } from './helpers.ts';

afterAll(async () => {
  await closeEmulatorWorkers();
});

describe('emulateMany worker pool', () => {
  it('reuses its workers across calls, gives in-thread results, survives a failing job, closes', async () => {
    const chip = chipWithInput();
    const params = allParams({ vThreshold: 0.6, iOffset: 5e-8 });
    // Five jobs on two workers: one each, then a second queued in each, then the last one.
    const jobs = [3, 4, 5, 6, 7].map((seed) => ({ chip, params, opts: { duration: 20e-6, dt: 20e-9, seed } }));
    const inThread = jobs.map((j) => emulate(j.chip, j.params, j.opts));
    expect(inThread[0].spikes.length).toBeGreaterThan(100);
    const started0 = emulatorWorkersStarted();
    const first = await emulateMany(jobs, { threads: 2 });
    expect(emulatorWorkersStarted() - started0).toBeLessThanOrEqual(2);
    const startedAfterFirst = emulatorWorkersStarted();
    const second = await emulateMany(jobs, { threads: 2 });
    // No new worker for the second call: the pool's two served it.
    expect(emulatorWorkersStarted()).toBe(startedAfterFirst);
    for (const run of [first, second]) {
      run.forEach((r, k) => expect(JSON.stringify(r.spikes)).toBe(JSON.stringify(inThread[k].spikes)));
    }
    // A job with invalid options: InputError from the worker, the call fails, the pool stays.
    const bad = [jobs[0], { chip, params, opts: { duration: -1, seed: 1 } }];
    await expect(emulateMany(bad, { threads: 2 })).rejects.toBeInstanceOf(InputError);
    const third = await emulateMany(jobs.slice(0, 1), { threads: 1 });
    expect(JSON.stringify(third[0].spikes)).toBe(JSON.stringify(inThread[0].spikes));
    expect(emulatorWorkersStarted()).toBe(startedAfterFirst);
    // Closed: the next call starts a worker again.
    await closeEmulatorWorkers();
    const fourth = await emulateMany(jobs.slice(1, 2), { threads: 1 });
    expect(JSON.stringify(fourth[0].spikes)).toBe(JSON.stringify(inThread[1].spikes));
    expect(emulatorWorkersStarted()).toBe(startedAfterFirst + 1);
  }, 60_000);
});

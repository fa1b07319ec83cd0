/**
 * Worker-thread benchmark: `npx tsx bench/workers.ts [--quick]` → bench/results/workers.json.
 *
 * (a) Start-up of one emulator worker (worker-bootstrap.mjs registers tsx, which loads the
 *     emulator's TypeScript sources again): wall time of a first `emulateMany` call with a tiny
 *     job on a fresh pool against the same call on the warm pool, and the process CPU time
 *     (all threads) the start-up costs.
 * (b) Independent runs (the full die of bench/emulator.ts, different seeds): in this thread, on
 *     one and two warm pooled workers, and on two workers started for the call (cold, as every
 *     call was before the pool). Wall-time medians of repeated batches; speed-ups are wall-time
 *     ratios, so they need both cores free: the load average is recorded before and after.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { closeEmulatorWorkers, emulate, emulateMany, emulatorWorkersStarted } from '../src/emulator/index.ts';
import type { EmulationJob } from '../src/emulator/index.ts';
import { buildDie, FULL } from './emulator.ts';

const quick = process.argv.includes('--quick');
const REPS = quick ? 1 : 3;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Wall and process CPU (all threads) seconds of an async call. */
async function measure(fn: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const wall = (performance.now() - t0) / 1e3;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1e6 };
}

async function startup(tiny: EmulationJob): Promise<Record<string, unknown>> {
  const cold: Array<{ wall: number; cpu: number }> = [];
  const warm: Array<{ wall: number; cpu: number }> = [];
  for (let r = 0; r < REPS; r++) {
    await closeEmulatorWorkers();
    cold.push(await measure(() => emulateMany([tiny], { threads: 1 })));
    warm.push(await measure(() => emulateMany([tiny], { threads: 1 })));
  }
  const inThread = await measure(async () => emulate(tiny.chip, tiny.params, tiny.opts));
  return {
    job: 'one call of one job: two circuits, no synapses, 1 µs of hardware time, dt 100 ns',
    firstCallFreshPoolWallSeconds: median(cold.map((x) => x.wall)),
    firstCallFreshPoolCpuSeconds: median(cold.map((x) => x.cpu)),
    warmPoolCallWallSeconds: median(warm.map((x) => x.wall)),
    warmPoolCallCpuSeconds: median(warm.map((x) => x.cpu)),
    inThreadWallSeconds: inThread.wall,
    workerStartupWallSeconds: median(cold.map((x) => x.wall)) - median(warm.map((x) => x.wall)),
    note: 'cold = closeEmulatorWorkers() then the call (starts a worker: tsx registers and loads the sources); warm = the same call again on the pooled worker; CPU is the whole process (all threads)',
  };
}

async function independentRuns(jobs: EmulationJob[]): Promise<Record<string, unknown>> {
  const loadBefore = loadavg();
  // Reference results, to check that every path returns the same spikes (and JIT warm-up of
  // this thread).
  const ref = jobs.map((j) => JSON.stringify(emulate(j.chip, j.params, j.opts).spikes));
  const modes = ['inThread', 'twoCold', 'oneWarm', 'twoWarm'] as const;
  const wall: Record<string, number[]> = {};
  const job: Record<string, number[]> = {};
  for (const mode of modes) {
    wall[mode] = [];
    job[mode] = [];
  }
  const run = async (mode: typeof modes[number], threads: number): Promise<void> => {
    let res: Array<{ spikes: unknown; wallSeconds: number }> = [];
    const t = await measure(async () => {
      res = await emulateMany(jobs, { threads });
    });
    res.forEach((r, k) => {
      if (JSON.stringify(r.spikes) !== ref[k]) throw new Error(`bench/workers: job ${k} (${mode}) differs from the in-thread run`);
    });
    wall[mode].push(t.wall);
    job[mode].push(median(res.map((r) => r.wallSeconds)));
  };
  for (let r = 0; r < REPS; r++) {
    await run('inThread', 0);
    // Fresh workers: start-up (tsx loading the sources) and a cold JIT in each, as every call
    // paid before the pool.
    await closeEmulatorWorkers();
    await run('twoCold', 2);
    // The same two workers again: started, and their JIT warm from the call before.
    await run('oneWarm', 1);
    await run('twoWarm', 2);
  }
  const m = Object.fromEntries(modes.map((k) => [k, median(wall[k])])) as Record<typeof modes[number], number>;
  return {
    jobs: jobs.length,
    jobDescription: `full die (bench/emulator.ts FULL), ${jobs[0].opts.duration * 1e3} ms, dt 100 ns, seeds 0..${jobs.length - 1}`,
    inThreadWallSeconds: m.inThread,
    oneWarmWorkerWallSeconds: m.oneWarm,
    twoWarmWorkersWallSeconds: m.twoWarm,
    twoColdWorkersWallSeconds: m.twoCold,
    medianJobWallSeconds: Object.fromEntries(modes.map((k) => [k, median(job[k])])),
    speedupTwoWarmOverInThread: m.inThread / m.twoWarm,
    speedupTwoWarmOverOneWarm: m.oneWarm / m.twoWarm,
    speedupTwoColdOverInThread: m.inThread / m.twoCold,
    loadavgBefore: loadBefore,
    loadavgAfter: loadavg(),
    allResultsEqualInThread: true,
    note: 'medianJobWallSeconds is each job\'s own wall time (measured where it ran): one that grows with two workers means the two cores were not both free',
  };
}

async function main(): Promise<void> {
  const { chip, params } = buildDie(FULL);
  // Start-up: a small die (two circuits, no synapses, no background) for 1 µs, so that the call
  // is the worker's start-up and not the job.
  const small = buildDie({ activeCircuits: 2, synapseFraction: 0, backgroundRate: 0, recurrent: false });
  const tiny: EmulationJob = { chip: small.chip, params: small.params, opts: { duration: 1e-6, dt: 100e-9, seed: 0 } };
  const started0 = emulatorWorkersStarted();
  const out: Record<string, unknown> = {
    benchmark: 'workers',
    date: new Date().toISOString(),
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version },
    note: 'emulateMany on a worker pool kept across calls (src/emulator/worker-pool.ts); wall-time medians; a shared 2-core machine gives a 2-worker speed-up only when both cores are free (see loadavg)',
  };
  out.startup = await startup(tiny);
  console.log('startup', JSON.stringify(out.startup));
  const short = Array.from({ length: 8 }, (_, k) => ({ chip, params, opts: { duration: 0.5e-3, dt: 100e-9, seed: k } }));
  out.shortJobs = await independentRuns(short);
  console.log('shortJobs', JSON.stringify(out.shortJobs));
  if (!quick) {
    const long = Array.from({ length: 8 }, (_, k) => ({ chip, params, opts: { duration: 5e-3, dt: 100e-9, seed: k } }));
    out.longJobs = await independentRuns(long);
    console.log('longJobs', JSON.stringify(out.longJobs));
  }
  out.workersStarted = emulatorWorkersStarted() - started0;
  await closeEmulatorWorkers();
  mkdirSync('bench/results', { recursive: true });
  const path = 'bench/results/workers.json';
  writeFileSync(path + '.tmp', JSON.stringify(out, null, 2) + '\n');
  renameSync(path + '.tmp', path);
}

void main();

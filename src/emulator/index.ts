/**
 * The behavioural emulator of one configured die: `emulate` runs one trial with the stepped
 * engine; `emulateMany` runs independent trials (dies, seeds) on worker threads.
 * Equations, integration scheme, routing latency and modelling decisions: docs/emulator.md.
 */
import { performance } from 'node:perf_hooks';
import { availableParallelism } from 'node:os';
import { MADC_SAMPLE_RATE_HZ, NEURON_CIRCUITS } from '../chip/constants.ts';
import type { ChipConfig } from '../chip/chip.ts';
import type { ReadoutSource } from '../chip/neuron.ts';
import { neuronEnum } from '../chip/coordinates.ts';
import type { CircuitParameters } from '../circuits/params.ts';
import { hashWords, Rng } from '../util/random.ts';
import { InputError, PlateauError, inputError, type Issue } from '../util/errors.ts';
import { buildModel } from './model.ts';
import { WorkerPool } from './worker-pool.ts';
import { SteppedEngine } from './engine.ts';
import {
  CADC_NOISE_LSB, MADC_NOISE_LSB, cadcCode, checkCadc, checkMadcChannels, madcCode, madcSampleCount,
} from './readout.ts';
import type {
  CadcTrace, EmulationJob, EmulationOptions, EmulationResult, IdealTrace, MadcTrace, SpikeEvent,
} from './types.ts';

export type * from './types.ts';
export { ROUTING_LATENCY_S, THRESHOLD_TRIAL_SPREAD } from './engine.ts';

export const DEFAULT_DT = 10e-9;

function checkOptions(opts: EmulationOptions, dt: number): void {
  const issues: Issue[] = [];
  if (!(opts.duration > 0) || !Number.isFinite(opts.duration)) issues.push({ message: 'duration must be positive and finite', location: { path: 'duration' }, value: opts.duration, allowed: '> 0 s' });
  if (!(dt > 0) || !Number.isFinite(dt)) issues.push({ message: 'time step must be positive and finite', location: { path: 'dt' }, value: dt, allowed: '> 0 s' });
  else if (opts.duration / dt > 1e9) issues.push({ message: 'too many steps', location: { path: 'dt' }, value: dt, allowed: `≥ duration / 1e9 = ${opts.duration / 1e9} s` });
  if (!Number.isInteger(opts.seed)) issues.push({ message: 'seed must be an integer', location: { path: 'seed' }, value: opts.seed, allowed: 'integer' });
  for (const [k, r] of (opts.record?.ideal ?? []).entries()) {
    if (!Number.isInteger(r.circuit) || r.circuit < 0 || r.circuit >= NEURON_CIRCUITS) {
      issues.push({ message: 'ideal trace circuit out of range', location: { path: `record.ideal[${k}].circuit` }, value: r.circuit, allowed: `integer 0..${NEURON_CIRCUITS - 1}` });
    }
  }
  if (issues.length > 0) throw new InputError(issues, 'invalid emulation options');
}

/** Run one trial of a configured die for `opts.duration` of hardware time. */
export function emulate(chip: ChipConfig, params: CircuitParameters[], opts: EmulationOptions): EmulationResult {
  const wall0 = performance.now();
  const dt = opts.dt ?? DEFAULT_DT;
  checkOptions(opts, dt);
  const noise = opts.noise ?? true;
  const madcChannels = opts.record?.madc ?? chip.readout.madc;
  checkMadcChannels(madcChannels, opts.record?.madc ? 'record.madc' : 'readout.madc');
  const cadcCfg = opts.record?.cadc ?? chip.readout.cadc;
  if (cadcCfg.enable) checkCadc(cadcCfg.period_s, opts.record?.cadc ? 'record.cadc.period_s' : 'readout.cadc.period_s');

  const model = buildModel(chip, params, opts.forceGeneric ?? false);
  const engine = new SteppedEngine(model, chip, { dt, seed: opts.seed, noise, externalSpikes: opts.externalSpikes ?? [], start: opts.start });
  const nSteps = Math.max(1, Math.round(opts.duration / dt));
  const duration = nSteps * dt;
  const setupSeconds = (performance.now() - wall0) / 1e3;

  // Ideal traces: one sample per step boundary.
  const idealSpecs = (opts.record?.ideal ?? []).map((r) => ({ circuit: r.circuit, source: r.source ?? 'membrane' as ReadoutSource }));
  const ideal: IdealTrace[] = idealSpecs.map((s) => ({ ...s, times: new Float64Array(nSteps + 1), values: new Float64Array(nSteps + 1) }));
  // Which state each trace reads, resolved once instead of per step (a verification case records
  // a few traces at every one of 10^4..10^5 steps): membrane V[compartment], excitatory and
  // inhibitory synaptic input I[2i], I[2i + 1], adaptation w[i].
  const idealKind = Int32Array.from(idealSpecs, (s) => ['membrane', 'exc_synin', 'inh_synin', 'adaptation'].indexOf(s.source));
  const idealIndex = Int32Array.from(idealSpecs, (s, q) => (idealKind[q] === 0 ? model.compOf[s.circuit] : idealKind[q] === 1 ? 2 * s.circuit : idealKind[q] === 2 ? 2 * s.circuit + 1 : s.circuit));
  const recordIdeal = (k: number): void => {
    const { V, I, w } = engine;
    for (let q = 0; q < ideal.length; q++) {
      const tr = ideal[q];
      const kind = idealKind[q];
      tr.times[k] = k * dt;
      tr.values[k] = kind === 0 ? V[idealIndex[q]] : kind === 3 ? w[idealIndex[q]] : I[idealIndex[q]];
    }
  };

  // MADC: samples at k / f_s, linearly interpolated between step boundaries.
  const rng = new Rng(hashWords(opts.seed, 'readout'));
  const madcN = madcSampleCount(duration, MADC_SAMPLE_RATE_HZ);
  const madc: MadcTrace[] = madcChannels.map((ch) => ({
    circuit: neuronEnum(ch.circuit), source: ch.source,
    times: new Float64Array(madcN), codes: new Uint16Array(madcN), ideal: new Float64Array(madcN),
  }));
  let madcNext = 0;
  const cadcN = cadcCfg.enable ? Math.floor(duration / cadcCfg.period_s + 1e-9) + 1 : 0;
  const cadc: CadcTrace | null = cadcCfg.enable ? { times: new Float64Array(cadcN), codes: new Uint8Array(cadcN * NEURON_CIRCUITS) } : null;
  let cadcNext = 0;

  const sampleReadout = (t0: number, t1: number): void => {
    while (madc.length > 0 && madcNext < madcN && madcNext / MADC_SAMPLE_RATE_HZ <= t1 + dt * 1e-9) {
      const ts = madcNext / MADC_SAMPLE_RATE_HZ;
      const a = t1 > t0 ? (ts - t0) / (t1 - t0) : 1;
      for (const tr of madc) {
        const c = model.compOf[tr.circuit];
        const v = engine.Vprev[c] + (engine.V[c] - engine.Vprev[c]) * Math.max(0, Math.min(1, a));
        tr.times[madcNext] = ts;
        tr.ideal[madcNext] = v;
        tr.codes[madcNext] = madcCode(v, noise ? MADC_NOISE_LSB * rng.normal() : 0);
      }
      madcNext++;
    }
    while (cadc !== null && cadcNext < cadcN && cadcNext * cadcCfg.period_s <= t1 + dt * 1e-9) {
      const ts = cadcNext * cadcCfg.period_s;
      const a = t1 > t0 ? Math.max(0, Math.min(1, (ts - t0) / (t1 - t0))) : 1;
      cadc.times[cadcNext] = ts;
      const base = cadcNext * NEURON_CIRCUITS;
      for (let i = 0; i < NEURON_CIRCUITS; i++) {
        const c = model.compOf[i];
        const v = engine.Vprev[c] + (engine.V[c] - engine.Vprev[c]) * a;
        cadc.codes[base + i] = cadcCode(v, noise ? CADC_NOISE_LSB * rng.normal() : 0);
      }
      cadcNext++;
    }
  };

  // Without MADC channels or CADC, sampleReadout does nothing: skip the call per step.
  const sampling = madc.length > 0 || cadc !== null;
  recordIdeal(0);
  engine.Vprev.set(engine.V);
  sampleReadout(0, 0);
  for (let k = 1; k <= nSteps; k++) {
    const t0 = engine.t;
    engine.step();
    recordIdeal(k);
    if (sampling) sampleReadout(t0, engine.t);
  }

  // Spikes sorted by time, then circuit; counters 8 bit + overflow.
  const order = engine.spikeTime.map((_, k) => k).sort((a, b) => engine.spikeTime[a] - engine.spikeTime[b] || engine.spikeCircuit[a] - engine.spikeCircuit[b]);
  const spikes: SpikeEvent[] = [];
  const spikeTrains: number[][] = Array.from({ length: NEURON_CIRCUITS }, () => []);
  const counts = new Uint32Array(NEURON_CIRCUITS);
  for (const k of order) {
    const time = engine.spikeTime[k];
    if (time > duration + dt * 1e-9) continue;
    const circuit = engine.spikeCircuit[k];
    spikes.push({ circuit, time, label: model.outLabel[circuit] });
    spikeTrains[circuit].push(time);
    counts[circuit]++;
  }
  const count = new Uint8Array(NEURON_CIRCUITS);
  const overflow = new Uint8Array(NEURON_CIRCUITS);
  for (let i = 0; i < NEURON_CIRCUITS; i++) {
    count[i] = counts[i] & 255;
    overflow[i] = counts[i] > 255 ? 1 : 0;
  }

  return {
    spikes, spikeTrains,
    traces: { ideal, madc: madc.map((t) => ({ ...t, times: t.times.subarray(0, madcNext), codes: t.codes.subarray(0, madcNext), ideal: t.ideal.subarray(0, madcNext) })), cadc },
    counters: { count, overflow },
    synapticEvents: engine.synapticEvents,
    crossbarEvents: engine.crossbarEvents,
    steps: nSteps,
    simulatedSeconds: duration,
    wallSeconds: (performance.now() - wall0) / 1e3,
    setupSeconds,
  };
}

/** Errors thrown inside a worker, re-raised on the caller's side with the same exit code. */
export class WorkerJobError extends PlateauError {}

/** A job's error as the worker reports it (worker.ts). */
interface WorkerFailure { name: string; message: string; exitCode: number; issues?: Issue[] }

/** Data shared by a call's jobs, sent once per worker: the distinct chips and parameter sets. */
export interface WorkerContext { chips: ChipConfig[]; params: CircuitParameters[][] }

/** One job as sent to a worker: indices into the call's context, and its options. */
export interface WorkerJob { chip: number; params: number; opts: EmulationOptions }

/**
 * Worker threads shared by every `emulateMany` call of this process (./worker-pool.ts): started
 * on first use (or by `warmEmulatorWorkers`), idle between calls without keeping the process
 * alive, so a worker's start-up (tsx loading the sources, ≈ 1 s) is paid once per process.
 */
const workerPool = new WorkerPool<WorkerContext, WorkerJob, EmulationResult, WorkerFailure>(
  new URL('./worker-bootstrap.mjs', import.meta.url),
  (e, id) => (e.issues ? new InputError(e.issues, `job ${id}`) : new WorkerJobError(`job ${id}: ${e.message}`, e.exitCode)),
);

/** Start `n` emulator workers ahead of `emulateMany` (default: the number of cores). */
export function warmEmulatorWorkers(n = availableParallelism()): void {
  workerPool.warm(n);
}

/** Terminate the pooled emulator workers (a later `emulateMany` starts new ones). */
export function closeEmulatorWorkers(): Promise<void> {
  return workerPool.close();
}

/** Workers started by `emulateMany`/`warmEmulatorWorkers` in this process so far. */
export function emulatorWorkersStarted(): number {
  return workerPool.started;
}

/**
 * Run independent jobs (dies, seeds, parameter sets) on `threads` worker threads (default: the
 * number of cores), taken from a pool kept across calls. Results come back in job order; every
 * job is deterministic given its seed, so the results do not depend on the number of threads.
 * threads = 0 runs in this thread.
 */
export async function emulateMany(jobs: EmulationJob[], opts: { threads?: number } = {}): Promise<EmulationResult[]> {
  const threads = opts.threads ?? availableParallelism();
  if (!Number.isInteger(threads) || threads < 0) throw inputError('thread count must be a non-negative integer', { path: 'threads' }, { value: threads, allowed: 'integer ≥ 0' });
  if (threads === 0 || jobs.length === 0) return jobs.map((j) => emulate(j.chip, j.params, j.opts));
  // Trials and seeds of one die share its chip and parameters (by identity): send each once.
  const context: WorkerContext = { chips: [], params: [] };
  const indexOf = <T>(list: T[], x: T): number => {
    let k = list.indexOf(x);
    if (k < 0) k = list.push(x) - 1;
    return k;
  };
  const refs: WorkerJob[] = jobs.map((j) => ({ chip: indexOf(context.chips, j.chip), params: indexOf(context.params, j.params), opts: j.opts }));
  return workerPool.run(context, refs, threads);
}

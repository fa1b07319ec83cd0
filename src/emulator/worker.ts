/**
 * Worker thread of `emulateMany` (pooled: ./worker-pool.ts): receives a call's context (its
 * distinct chips and parameter sets) once, then jobs { id, job } that index into it; runs
 * `emulate`, posts { id, result } or { id, error } back. Started through worker-bootstrap.mjs.
 */
import { parentPort } from 'node:worker_threads';
import { emulate, type WorkerContext, type WorkerJob } from './index.ts';

let context: WorkerContext | null = null;

parentPort?.on('message', (msg: { context: WorkerContext } | { id: number; job: WorkerJob }) => {
  if ('context' in msg) {
    context = msg.context;
    return;
  }
  try {
    if (!context) throw new Error('emulator worker: job before its context');
    const { chip, params, opts } = msg.job;
    const result = emulate(context.chips[chip], context.params[params], opts);
    parentPort?.postMessage({ id: msg.id, result });
  } catch (err) {
    const e = err as Error & { exitCode?: number; issues?: unknown };
    parentPort?.postMessage({ id: msg.id, error: { name: e.name, message: e.message, exitCode: e.exitCode ?? 1, issues: e.issues } });
  }
});

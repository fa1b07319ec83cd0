/**
 * Worker thread of `emulateMany`: receives jobs { id, job }, runs `emulate`, posts
 * { id, result } or { id, error } back. Started through worker-bootstrap.mjs.
 */
import { parentPort } from 'node:worker_threads';
import { emulate } from './index.ts';
import type { EmulationJob } from './types.ts';

parentPort?.on('message', (msg: { id: number; job: EmulationJob }) => {
  try {
    const result = emulate(msg.job.chip, msg.job.params, msg.job.opts);
    parentPort?.postMessage({ id: msg.id, result });
  } catch (err) {
    const e = err as Error & { exitCode?: number; issues?: unknown };
    parentPort?.postMessage({ id: msg.id, error: { name: e.name, message: e.message, exitCode: e.exitCode ?? 1, issues: e.issues } });
  }
});

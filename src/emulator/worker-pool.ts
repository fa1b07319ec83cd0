/**
 * A pool of worker threads kept across `emulateMany` calls within a process.
 *
 * Why: a worker starts through worker-bootstrap.mjs, which registers tsx and then loads the
 * emulator's TypeScript sources through tsx's loader again — about a second of CPU per worker on
 * this machine (bench/workers.ts), as long as a short batch of jobs itself. Started once and
 * reused, that cost is paid once per process instead of once per call.
 *
 * Idle workers are `unref`'d (they do not keep the process alive) and `ref`'d while they run a
 * job. A job that throws inside a worker fails its call, not the worker: the worker caught the
 * error and stays in the pool. A worker that dies (uncaught error, exit) leaves the pool, and a
 * call it was serving fails. `warm(n)` starts workers ahead of the first call (their start-up
 * then overlaps the caller's own set-up); `close()` terminates them all.
 *
 * A call may carry a context (data shared by its jobs: for emulateMany the distinct chip
 * configurations and parameter sets, ≈ 1.3 MB for a full die), posted once to each worker the
 * call uses instead of once per job: structured cloning a full die per job cost more than a
 * short job itself.
 */
import { Worker } from 'node:worker_threads';

interface Slot {
  worker: Worker;
  busy: boolean;
  /** The current call's handlers while busy. */
  onMessage: ((msg: unknown) => void) | null;
  onFailure: ((err: Error) => void) | null;
}

/**
 * Message protocol of the worker entry: { context } (once per call and worker, before its jobs)
 * and { id, job } in; { id, result } or { id, error } out.
 */
export interface PoolReply<Result, Failure> {
  id: number;
  result?: Result;
  error?: Failure;
}

export class WorkerPool<Context, Job, Result, Failure> {
  private readonly slots: Slot[] = [];
  /** Workers started over the pool's life (a figure for benchmarks and tests). */
  started = 0;

  /** `toError` turns a job's error reply into the Error that fails its call. */
  constructor(private readonly entry: URL, private readonly toError: (failure: Failure, id: number) => Error) {}

  /** Live workers (busy or idle). */
  get size(): number {
    return this.slots.length;
  }

  /** Start workers until at least `n` are live. */
  warm(n: number): void {
    while (this.slots.length < n) this.spawn();
  }

  private spawn(): Slot {
    const worker = new Worker(this.entry);
    worker.unref();
    const slot: Slot = { worker, busy: false, onMessage: null, onFailure: null };
    const drop = (err: Error): void => {
      const k = this.slots.indexOf(slot);
      if (k >= 0) this.slots.splice(k, 1);
      const fail = slot.onFailure;
      slot.onFailure = null;
      slot.onMessage = null;
      fail?.(err);
    };
    worker.on('message', (msg: unknown) => slot.onMessage?.(msg));
    worker.on('error', (err: Error) => drop(err));
    worker.on('exit', (code: number) => drop(new Error(`emulator worker exited with code ${code}`)));
    this.slots.push(slot);
    this.started++;
    return slot;
  }

  /**
   * Run `jobs` on up to `threads` workers (idle ones first, new ones as needed), `context` sent
   * to each of them first; results in job order. The first failing job rejects the call; jobs
   * not yet dispatched are dropped, jobs in flight finish and their workers return to the pool.
   */
  run(context: Context, jobs: Job[], threads: number): Promise<Result[]> {
    if (jobs.length === 0) return Promise.resolve([]);
    const n = Math.max(1, Math.min(threads, jobs.length));
    const mine: Slot[] = [];
    for (const s of this.slots) if (!s.busy && mine.length < n) mine.push(s);
    while (mine.length < n) mine.push(this.spawn());
    const results: Result[] = new Array<Result>(jobs.length);
    return new Promise<Result[]>((resolve, reject) => {
      let next = 0;
      let active = mine.length;
      let failed = false;
      const inFlight = new Map<Slot, number>(mine.map((s) => [s, 0]));
      const fail = (err: Error): void => {
        if (!failed) {
          failed = true;
          reject(err);
        }
      };
      const release = (slot: Slot): void => {
        slot.busy = false;
        slot.onMessage = null;
        slot.onFailure = null;
        slot.worker.unref();
        active--;
        if (active === 0 && !failed) resolve(results);
      };
      const post = (slot: Slot): void => {
        const id = next++;
        inFlight.set(slot, (inFlight.get(slot) ?? 0) + 1);
        slot.worker.postMessage({ id, job: jobs[id] });
      };
      // A second job waits in a worker's queue while every worker still has one to come: the
      // worker starts it without waiting for this thread to take the result and post the next
      // (on a busy machine that round trip waits for a core twice per job).
      const topUp = (slot: Slot): void => {
        while (!failed && next < jobs.length && (inFlight.get(slot) ?? 0) < (jobs.length - next > mine.length ? 2 : 1)) post(slot);
        if ((inFlight.get(slot) ?? 0) === 0) release(slot);
      };
      for (const slot of mine) {
        slot.busy = true;
        slot.worker.ref();
        slot.onMessage = (raw: unknown): void => {
          const msg = raw as PoolReply<Result, Failure>;
          inFlight.set(slot, (inFlight.get(slot) ?? 1) - 1);
          if (msg.error !== undefined) fail(this.toError(msg.error, msg.id));
          else results[msg.id] = msg.result as Result;
          topUp(slot);
        };
        slot.onFailure = (err: Error): void => {
          active--;
          fail(err);
        };
        slot.worker.postMessage({ context });
      }
      // One job each first (so that every worker gets one), then the queued second ones.
      for (const slot of mine) post(slot);
      for (const slot of mine) topUp(slot);
    });
  }

  /** Terminate every worker (idle or busy; calls in flight fail). */
  async close(): Promise<void> {
    const all = this.slots.splice(0, this.slots.length);
    await Promise.all(all.map((s) => {
      s.onFailure?.(new Error('emulator worker pool closed'));
      s.onFailure = null;
      s.onMessage = null;
      return s.worker.terminate();
    }));
  }
}

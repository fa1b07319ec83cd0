/**
 * WASM backend: ngspice compiled to WebAssembly (npm eecircuit-engine 1.8), for machines without
 * an ngspice executable. One engine per process, in a worker thread (wasm-worker.mjs); runs are
 * queued, since the engine runs one deck at a time.
 *
 * Differences from the CLI backend, by construction of the engine:
 * - the engine issues `source; run; write out.raw` itself, so the deck carries `.save` lines and
 *   no `.control` block (the writer's `control: false`); deck text must not contain `.control`;
 * - its virtual file system does not see the host's, so `.include` files are inlined;
 * - a timeout terminates the worker (the next run starts a new engine, ≈ 1.2 s).
 */
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { Netlist } from './model.ts';
import { classifyMessages } from './classify.ts';
import { SpiceError, SpiceNotFoundError, SpiceOutputError, SpiceParseError, SpiceTimeoutError, type SpiceErrorDetails } from './errors.ts';
import { prepareDeck, tail, type RunSpiceOptions, type SpicePlot, type SpiceResult } from './runner.ts';

interface WorkerResult {
  type: 'result';
  id: number;
  ok: boolean;
  header?: string;
  names?: string[];
  types?: string[];
  real?: Float64Array[];
  imag?: Float64Array[];
  points?: number;
  info: string;
  errors: string[];
  seconds: number;
}

interface Engine {
  worker: Worker;
  ready: Promise<number>;
  pending: Map<number, (r: WorkerResult | Error) => void>;
}

let engine: Engine | undefined;
let nextId = 1;
let queue: Promise<unknown> = Promise.resolve();

function startEngine(): Engine {
  const worker = new Worker(new URL('./wasm-worker.mjs', import.meta.url));
  const pending = new Map<number, (r: WorkerResult | Error) => void>();
  const ready = new Promise<number>((resolve, reject) => {
    worker.on('message', (m: { type: 'ready'; startSeconds: number } | WorkerResult) => {
      if (m.type === 'ready') {
        resolve(m.startSeconds ?? 0);
        // An idle engine must not keep the process alive (runs ref it while they wait).
        if (pending.size === 0) worker.unref();
      }
      else if (m.type === 'result') {
        pending.get(m.id)?.(m);
        pending.delete(m.id);
      }
    });
    worker.on('error', (e) => {
      reject(new SpiceNotFoundError(`WASM ngspice engine failed: ${e.message}`, { backend: 'wasm' }));
      for (const cb of pending.values()) cb(e);
      pending.clear();
      if (engine?.worker === worker) engine = undefined;
    });
    worker.on('exit', () => {
      for (const cb of pending.values()) cb(new SpiceOutputError('WASM engine exited during a run', undefined, { backend: 'wasm' }));
      pending.clear();
      if (engine?.worker === worker) engine = undefined;
    });
  });
  return { worker, ready, pending };
}

/** Start the WASM engine now (it takes about a second); returns its start time in seconds. */
export function warmWasmEngine(): Promise<number> {
  engine ??= startEngine();
  return engine.ready;
}

/** Stop the WASM engine thread (tests and benchmarks call this when done). */
export async function closeWasmEngine(): Promise<void> {
  const e = engine;
  engine = undefined;
  if (e) await e.worker.terminate();
}

/** Replace `.include "path"` lines by the file contents (the engine cannot read host files). */
export function inlineIncludes(deck: string): string {
  return deck.replace(/^\.include\s+"([^"]+)"\s*$/gm, (_m, path: string) => {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      // Leave the line: ngspice then reports the missing include like the CLI does.
      return `.include "${path}"`;
    }
    return `* ---- inlined ${path}\n${text.replace(/^\s*\.end\s*$/gim, '')}\n* ---- end of ${path}`;
  });
}

export async function runWasm(input: Netlist | string, opts: RunSpiceOptions = {}): Promise<SpiceResult> {
  const deck = prepareDeck(input, opts, false, 'out.raw');
  if (deck.hasControl) {
    throw new SpiceParseError('the WASM backend runs decks without a .control block (its engine issues run and write itself)', undefined, '.control', undefined, { backend: 'wasm' });
  }
  // Inlining shifts line numbers: map errors through the inlined text, not the line map.
  const text = inlineIncludes(deck.text);
  const mapped = text === deck.text;
  const run = queue.then(() => runQueued(text, opts, mapped ? deck.lineMap : undefined));
  queue = run.catch(() => undefined);
  const r = await run;
  return { ...r, deck: deck.text, aliases: deck.aliases };
}

async function runQueued(text: string, opts: RunSpiceOptions, lineMap: string[] | undefined): Promise<Omit<SpiceResult, 'deck' | 'aliases'>> {
  const timeoutSeconds = opts.timeoutSeconds ?? 120;
  const tailChars = opts.tailChars ?? 4000;
  const e = (engine ??= startEngine());
  const t0 = performance.now();
  e.worker.ref();
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    await e.ready;
    const id = nextId++;
    const result = await new Promise<WorkerResult | Error>((resolve) => {
      e.pending.set(id, resolve);
      const stop = (err: Error) => {
        e.pending.delete(id);
        if (engine === e) engine = undefined;
        void e.worker.terminate();
        resolve(err);
      };
      timer = setTimeout(() => stop(new SpiceTimeoutError(`WASM ngspice did not finish within ${timeoutSeconds} s; the engine was stopped`, timeoutSeconds, { backend: 'wasm' })), Math.max(1, timeoutSeconds * 1000));
      if (opts.signal) {
        onAbort = () => stop(new SpiceOutputError('WASM run aborted by the caller; the engine was stopped', undefined, { backend: 'wasm' }));
        if (opts.signal.aborted) onAbort();
        else opts.signal.addEventListener('abort', onAbort, { once: true });
      }
      e.worker.postMessage({ id, deck: text });
    });
    if (result instanceof SpiceError) throw result;
    if (result instanceof Error) throw new SpiceError(`WASM engine failed: ${result.message}`, { backend: 'wasm' });
    const wallSeconds = (performance.now() - t0) / 1000;
    const stderr = result.errors.join('\n');
    const details: SpiceErrorDetails = { backend: 'wasm', stdoutTail: tail(result.info, tailChars), stderrTail: tail(stderr, tailChars) };
    const classified = classifyMessages({ stdout: result.info, stderr, deck: text, lineMap, details });
    if (classified) throw classified;
    if (!result.ok || !result.names || !result.real) throw new SpiceOutputError('WASM ngspice produced no output', undefined, details);
    const plotname = /Plotname:\s*(.*)/.exec(result.header ?? '')?.[1]?.trim() ?? '';
    const vectors: Record<string, Float64Array> = {};
    const imag: Record<string, Float64Array> | undefined = result.imag ? {} : undefined;
    result.names.forEach((name, k) => {
      vectors[name] = (result.real as Float64Array[])[k];
      if (imag && result.imag) imag[name] = result.imag[k];
    });
    const isOp = /operating point/i.test(plotname);
    const plot: SpicePlot = { name: plotname, scale: isOp ? undefined : result.names[0], points: result.points ?? result.real[0]?.length ?? 0, vectors, imag };
    return { backend: 'wasm', plots: [plot], wallSeconds, stdoutTail: details.stdoutTail ?? '', stderrTail: details.stderrTail ?? '' };
  } finally {
    clearTimeout(timer);
    if (onAbort) opts.signal?.removeEventListener('abort', onAbort);
    if (engine === e) e.worker.unref();
  }
}

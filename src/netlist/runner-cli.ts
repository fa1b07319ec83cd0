/**
 * CLI backend: `ngspice -b deck.cir` in a fresh temporary directory.
 *
 * - The directory holds its own `.spiceinit` (`set num_threads=1`: the Debian build has OpenMP
 *   for BSIM4, which doubles CPU time for no wall-clock gain; parallelism comes from running
 *   several processes), and `SPICE_USERINIT_DIR` points at it so a user's `~/.spiceinit` cannot
 *   change results.
 * - ngspice is spawned detached (its own process group), so a timeout kills ngspice and
 *   anything it started with one `process.kill(-pid)`.
 * - Success needs all of: exit status 0, no error pattern in the messages, the control block's
 *   done marker on stdout, and a raw file that parses to the end.
 * - The directory is removed afterwards, whatever happened.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Netlist } from './model.ts';
import { classifyMessages } from './classify.ts';
import { SpiceError, SpiceNotFoundError, SpiceOutputError, SpiceTimeoutError, type SpiceErrorDetails } from './errors.ts';
import { parseRaw } from './raw.ts';
import { findNgspice, prepareDeck, tail, toSpicePlot, type RunSpiceOptions, type SpiceResult } from './runner.ts';
import { MARK_DONE } from './writer.ts';

const SPICEINIT = ['* written by plateau for one batch run', 'set num_threads=1', ''].join('\n');

/** Bytes of each stream kept in memory: enough for any message, bounded for chatty runs. */
const STREAM_CAP = 1 << 20;

function collector(): { push(b: Buffer): void; text(): string } {
  const chunks: Buffer[] = [];
  let size = 0;
  return {
    push(b) {
      chunks.push(b);
      size += b.length;
      while (size > STREAM_CAP && chunks.length > 1) size -= (chunks.shift() as Buffer).length;
    },
    text: () => Buffer.concat(chunks).toString('utf8'),
  };
}

export async function runCli(input: Netlist | string, opts: RunSpiceOptions = {}): Promise<SpiceResult> {
  const exe = opts.ngspicePath ?? findNgspice();
  if (exe === null) throw new SpiceNotFoundError('ngspice not found on PATH (install the ngspice package, or set PLATEAU_NGSPICE)', { backend: 'cli' });
  const rawFile = opts.rawFile ?? 'plateau.raw';
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(rawFile)) throw new SpiceOutputError(`raw file name must be a plain file name: ${JSON.stringify(rawFile)}`);
  const deck = prepareDeck(input, opts, true, rawFile);
  const timeoutSeconds = opts.timeoutSeconds ?? 120;
  const tailChars = opts.tailChars ?? 4000;
  const dir = mkdtempSync(join(tmpdir(), 'plateau-spice-'));
  try {
    writeFileSync(join(dir, '.spiceinit'), SPICEINIT);
    writeFileSync(join(dir, 'deck.cir'), deck.text);
    const args = deck.hasControl ? ['-b', 'deck.cir'] : ['-b', '-r', rawFile, 'deck.cir'];
    const t0 = performance.now();
    const run = await spawnNgspice(exe, args, dir, timeoutSeconds, opts);
    const wallSeconds = (performance.now() - t0) / 1000;
    const details: SpiceErrorDetails = { backend: 'cli', stdoutTail: tail(run.stdout, tailChars), stderrTail: tail(run.stderr, tailChars) };

    if (run.spawnError) {
      const code = (run.spawnError as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'EACCES') throw new SpiceNotFoundError(`cannot start ngspice at ${exe}: ${code}`, details);
      throw new SpiceError(`cannot start ngspice: ${run.spawnError.message}`, details);
    }
    if (run.timedOut) throw new SpiceTimeoutError(`ngspice did not finish within ${timeoutSeconds} s; its process group was killed`, timeoutSeconds, details);
    if (run.aborted) throw new SpiceOutputError('ngspice run aborted by the caller; its process group was killed', run.signal ?? undefined, details);
    if (run.signal !== null) throw new SpiceOutputError(`ngspice was killed by ${run.signal} before it finished`, run.signal, details);

    const classified = classifyMessages({ stdout: run.stdout, stderr: run.stderr, deck: deck.text, lineMap: deck.lineMap, details });
    if (classified) throw classified;
    if (run.code !== 0) throw new SpiceError(`ngspice exited with status ${run.code}`, details);
    if (typeof input !== 'string' && !run.stdout.includes(MARK_DONE)) {
      throw new SpiceOutputError('ngspice exited without reaching the end of its control block (output incomplete)', undefined, details);
    }
    const rawPath = join(dir, rawFile);
    if (!existsSync(rawPath)) throw new SpiceOutputError(`ngspice wrote no raw file (${rawFile})`, undefined, details);
    const plots = parseRaw(readFileSync(rawPath)).map(toSpicePlot);
    return { backend: 'cli', plots, wallSeconds, stdoutTail: details.stdoutTail ?? '', stderrTail: details.stderrTail ?? '', deck: deck.text, aliases: deck.aliases };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface ProcessOutcome {
  stdout: string;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  aborted: boolean;
  spawnError: Error | undefined;
}

function spawnNgspice(exe: string, args: string[], cwd: string, timeoutSeconds: number, opts: RunSpiceOptions): Promise<ProcessOutcome> {
  return new Promise((resolve) => {
    const out = collector();
    const err = collector();
    let timedOut = false;
    let aborted = false;
    let spawnError: Error | undefined;
    const env = { ...process.env, SPICE_USERINIT_DIR: cwd, OMP_NUM_THREADS: '1' };
    const child = spawn(exe, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const killGroup = () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // group already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, Math.max(1, timeoutSeconds * 1000));
    const onAbort = () => {
      aborted = true;
      killGroup();
    };
    if (opts.signal) {
      if (opts.signal.aborted) onAbort();
      else opts.signal.addEventListener('abort', onAbort, { once: true });
    }
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('spawn', () => {
      if (child.pid !== undefined) opts.onStart?.(child.pid);
    });
    let settled = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve({ stdout: out.text(), stderr: err.text(), code, signal, timedOut, aborted, spawnError });
    };
    child.on('error', (e) => {
      spawnError = e;
      // A process that never started emits no reliable 'close'.
      if (child.pid === undefined) finish(null, null);
    });
    child.on('close', (code, signal) => finish(code, signal));
  });
}

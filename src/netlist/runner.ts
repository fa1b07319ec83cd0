/**
 * One entry point for running SPICE: `runSpice(netlist | deckText, opts)`. Two backends give the
 * same result shape:
 * - `cli`: the ngspice executable (Debian ngspice 39), one process per run in its own temporary
 *   directory (runner-cli.ts);
 * - `wasm`: ngspice compiled to WebAssembly (npm eecircuit-engine 1.8), in a worker thread so
 *   that a timeout can stop it (runner-wasm.ts).
 * `auto` picks the CLI when `ngspice` is on PATH, else WASM.
 */
import { accessSync, constants as fsc } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Netlist } from './model.ts';
import { writeNetlist, type WrittenNetlist } from './writer.ts';
import type { RawPlot } from './raw.ts';
import type { SpiceBackendName } from './errors.ts';

export type SpiceBackendChoice = 'auto' | SpiceBackendName;

export interface RunSpiceOptions {
  backend?: SpiceBackendChoice;
  /** Wall-clock limit in seconds (default 120). */
  timeoutSeconds?: number;
  /** Vectors to save (overrides `netlist.save`; ignored for deck text, which says its own). */
  save?: string[];
  /** CLI: the ngspice executable (default `$PLATEAU_NGSPICE` or `ngspice` on PATH). */
  ngspicePath?: string;
  /**
   * CLI, deck text only: the raw file a deck with its own `.control` block writes (default
   * `plateau.raw`). Deck text without `.control` is run with `-r`.
   */
  rawFile?: string;
  /** Stops the run (the process group is killed); the promise rejects with SpiceOutputError. */
  signal?: AbortSignal;
  /** CLI: called with the process id once ngspice has started. */
  onStart?: (pid: number) => void;
  /** Characters of stdout/stderr kept in the result and in errors (default 4000). */
  tailChars?: number;
}

export interface SpicePlot {
  /** ngspice's plot name: `Transient Analysis`, `DC transfer characteristic`, ... */
  name: string;
  /** Name of the scale vector (`time`, `frequency`, `v(v-sweep)`); undefined for an OP plot. */
  scale: string | undefined;
  points: number;
  /** Real parts by vector name as ngspice wrote it (`time`, `v(out)`, `i(v_vdd)`). */
  vectors: Record<string, Float64Array>;
  /** Imaginary parts (complex plots only). */
  imag: Record<string, Float64Array> | undefined;
}

export interface SpiceResult {
  backend: SpiceBackendName;
  plots: SpicePlot[];
  wallSeconds: number;
  stdoutTail: string;
  stderrTail: string;
  /** The deck that was run. */
  deck: string;
  /** Names from the netlist's `save` list → ngspice vector names (empty for deck text). */
  aliases: Record<string, string>;
}

/** A prepared deck: text plus what is needed to map errors and names back. */
export interface PreparedDeck {
  text: string;
  lineMap: string[] | undefined;
  aliases: Record<string, string>;
  /** Whether the text has its own `.control` block. */
  hasControl: boolean;
}

export function prepareDeck(input: Netlist | string, opts: RunSpiceOptions, control: boolean, rawFile: string): PreparedDeck {
  if (typeof input === 'string') {
    return { text: input, lineMap: undefined, aliases: {}, hasControl: /^\s*\.control\b/im.test(input) };
  }
  const n: Netlist = opts.save ? { ...input, save: opts.save } : input;
  const w: WrittenNetlist = writeNetlist(n, { control: control ? { rawFile, filetype: 'binary' } : false });
  return { text: w.text, lineMap: w.lineMap, aliases: w.vectors, hasControl: control };
}

export function toSpicePlot(p: RawPlot): SpicePlot {
  const vectors: Record<string, Float64Array> = {};
  const imag: Record<string, Float64Array> | undefined = p.imag ? {} : undefined;
  p.variables.forEach((v, k) => {
    vectors[v.name] = p.real[k];
    if (imag && p.imag) imag[v.name] = p.imag[k];
  });
  const isOp = /operating point/i.test(p.plotname);
  return { name: p.plotname, scale: isOp ? undefined : p.variables[0]?.name, points: p.points, vectors, imag };
}

/**
 * A vector of a result by ngspice name or by the netlist's save name (first plot unless `plot`
 * is given). Throws a plain Error when absent: asking for a vector that was not saved is a
 * programming error, not a failed run.
 */
export function getVector(result: SpiceResult, name: string, plot = 0): Float64Array {
  const p = result.plots[plot];
  if (p === undefined) throw new Error(`no plot ${plot} in the SPICE result (${result.plots.length} plots)`);
  const key = result.aliases[name] ?? name;
  const v = p.vectors[key] ?? p.vectors[key.toLowerCase()];
  if (v === undefined) throw new Error(`vector ${JSON.stringify(name)} not in plot "${p.name}"; have: ${Object.keys(p.vectors).join(', ')}`);
  return v;
}

let ngspiceOnPath: string | null | undefined;

/** Absolute path of `ngspice` on PATH (or `$PLATEAU_NGSPICE`), or null. Cached. */
export function findNgspice(): string | null {
  if (ngspiceOnPath !== undefined) return ngspiceOnPath;
  const env = process.env.PLATEAU_NGSPICE;
  const candidates = env ? [env] : (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, 'ngspice'));
  ngspiceOnPath = null;
  for (const c of candidates) {
    try {
      accessSync(c, fsc.X_OK);
      ngspiceOnPath = c;
      break;
    } catch {
      // not here
    }
  }
  return ngspiceOnPath;
}

/** Run a netlist or deck text on the chosen backend. */
export async function runSpice(input: Netlist | string, opts: RunSpiceOptions = {}): Promise<SpiceResult> {
  const choice = opts.backend ?? 'auto';
  const backend: SpiceBackendName = choice === 'auto' ? (opts.ngspicePath !== undefined || findNgspice() !== null ? 'cli' : 'wasm') : choice;
  if (backend === 'cli') {
    const { runCli } = await import('./runner-cli.ts');
    return runCli(input, opts);
  }
  const { runWasm } = await import('./runner-wasm.ts');
  return runWasm(input, opts);
}

/** Keep the last `n` characters (ngspice's useful messages are at the end). */
export function tail(s: string, n: number): string {
  return s.length <= n ? s : s.slice(s.length - n);
}

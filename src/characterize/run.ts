/**
 * `characterize`: run the selected blocks' sweeps over parallel ngspice processes and reduce
 * them to a characterisation table.
 */
import { spawnSync } from 'node:child_process';
import type { Die } from '../circuits/die.ts';
import { checkDie } from '../circuits/die.ts';
import { NEURON_CIRCUITS } from '../chip/constants.ts';
import { runSpiceMany } from '../netlist/pool.ts';
import { findNgspice, type SpiceBackendChoice, type SpiceResult } from '../netlist/runner.ts';
import { inputError } from '../util/errors.ts';
import { writeFileAtomic } from '../util/fs.ts';
import { CharacterizationError } from './errors.ts';
import { modelCardSha256, subcircuitsSha256 } from './hashes.ts';
import { CHARACTERIZATIONS, selectCharacterizations } from './registry.ts';
import type { CharacterizeContext } from './registry-types.ts';
import { TABLE_FORMAT_VERSION, type BlockEntries, type CharacterizationTable } from './table.ts';

export interface CharacterizeProgress {
  done: number;
  total: number;
  elapsedSeconds: number;
  /** Block of the sweep that just finished. */
  block: string;
}

export interface CharacterizeOptions {
  die: Die;
  /** Block names (registry); default: the library blocks, or the per-circuit blocks when `circuits` is given. */
  blocks?: readonly string[];
  /** Circuit enums for the per-circuit blocks. */
  circuits?: readonly number[];
  jobs?: number;
  backend?: SpiceBackendChoice;
  timeoutSeconds?: number;
  onProgress?: (p: CharacterizeProgress) => void;
  /** Recorded in the table (the command line that produced it). */
  command?: string;
}

/** First line of `ngspice --version` for the CLI backend, the WASM engine's name otherwise. */
export function ngspiceVersion(backend: SpiceBackendChoice = 'auto'): string {
  const exe = findNgspice();
  if (backend === 'wasm' || exe === null) return 'eecircuit-engine (ngspice, WebAssembly)';
  const r = spawnSync(exe, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  const line = `${r.stdout ?? ''}`.split('\n').find((l) => /ngspice/i.test(l) && /\d/.test(l));
  return line?.replace(/^[*\s]+/, '').trim() ?? 'ngspice (version unknown)';
}

export async function characterize(opts: CharacterizeOptions): Promise<CharacterizationTable> {
  checkDie(opts.die);
  const circuits = [...new Set(opts.circuits ?? [])].sort((a, b) => a - b);
  for (const c of circuits) {
    if (!Number.isInteger(c) || c < 0 || c >= NEURON_CIRCUITS) throw inputError('circuit out of range', { path: '--circuits' }, { value: c, allowed: `0..${NEURON_CIRCUITS - 1}` });
  }
  if (opts.blocks === undefined && opts.die !== 'ideal' && circuits.length === 0) {
    throw inputError('a seeded die is characterised per circuit: --circuits is required', { path: '--circuits' }, { allowed: 'ROW:COLUMN or enum, comma separated (or --die ideal for the library blocks)' });
  }
  const chars = opts.blocks !== undefined
    ? selectCharacterizations(opts.blocks)
    : CHARACTERIZATIONS.filter((c) => c.scope === (circuits.length > 0 ? 'die' : 'library'));
  if (chars.length === 0) throw inputError('no blocks selected', { path: '--blocks' }, { allowed: CHARACTERIZATIONS.map((c) => c.name).join(', ') });
  const perCircuit = chars.filter((c) => c.scope === 'die');
  if (perCircuit.length > 0 && circuits.length === 0) {
    throw inputError(`block ${perCircuit.map((c) => c.name).join(', ')} measures given circuits: --circuits is required`, { path: '--circuits' }, { allowed: 'ROW:COLUMN or enum, comma separated' });
  }
  if (opts.die !== 'ideal' && chars.some((c) => c.scope === 'library')) {
    throw inputError('library blocks measure the design on the ideal die; a seeded die takes the per-circuit blocks', { path: '--blocks' }, {
      value: chars.filter((c) => c.scope === 'library').map((c) => c.name), allowed: CHARACTERIZATIONS.filter((c) => c.scope === 'die').map((c) => c.name).join(', '),
    });
  }
  const ctx: CharacterizeContext = { die: opts.die, circuits };
  const points = chars.flatMap((c) => c.sweeps(ctx).map((p) => ({ block: c.name, ...p })));
  const t0 = performance.now();
  const outcomes = await runSpiceMany(points.map((p) => p.netlist), {
    jobs: opts.jobs, backend: opts.backend ?? 'auto', timeoutSeconds: opts.timeoutSeconds ?? 120,
    onProgress: (done, total, index) => opts.onProgress?.({ done, total, elapsedSeconds: (performance.now() - t0) / 1000, block: points[index].block }),
  });
  const byBlock = new Map<string, Map<string, SpiceResult>>();
  outcomes.forEach((o, k) => {
    const p = points[k];
    if (!o.ok) throw new CharacterizationError(`sweep ${p.key} of block ${p.block} failed: ${o.error.message}`);
    let m = byBlock.get(p.block);
    if (m === undefined) byBlock.set(p.block, (m = new Map()));
    m.set(p.key, o.result);
  });
  const blocks: BlockEntries = {};
  for (const c of chars) blocks[c.name] = c.reduce(byBlock.get(c.name) ?? new Map(), ctx);
  return {
    format: 'plateau-characterization',
    formatVersion: TABLE_FORMAT_VERSION,
    modelCardSha256: modelCardSha256(),
    subcircuitsSha256: subcircuitsSha256(chars),
    die: opts.die === 'ideal' ? 'ideal' : { seed: opts.die.seed, circuits },
    ngspice: ngspiceVersion(opts.backend),
    blockNames: chars.map((c) => c.name),
    blocks,
    command: opts.command ?? 'plateau characterize',
  };
}

/** The table as the shipped file holds it (stable key order, one number per line avoided). */
export function formatTable(t: CharacterizationTable): string {
  // Arrays of numbers on one line keep the file reviewable in a diff.
  const text = JSON.stringify(t, (_k, v: unknown) => v, 1);
  return text.replace(/\[\s+([-\d.e+,\s]+?)\s+\]/g, (_m, body: string) => `[${body.split(/,\s*/).join(', ')}]`) + '\n';
}

export function writeTable(path: string, t: CharacterizationTable): void {
  writeFileAtomic(path, formatTable(t));
}

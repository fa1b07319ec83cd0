/**
 * The circuit library's fits, re-measured: a thin wrapper around `plateau characterize` (the
 * sweeps live in src/characterize/). Runs every library block on the ideal die, compares the
 * result with the shipped table (spice/characterization/ideal.json, which the library reads)
 * and records the wall time with the machine load. Run:
 *   npx tsx bench/circuits-fit.ts [--jobs=N]
 * Writes bench/results/circuits-fit.json. To replace the shipped table use the command itself:
 *   npx plateau characterize --die ideal --out spice/characterization/ideal.json --jobs 2
 */
import { loadavg, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { characterize, shippedTable, type CharacterizationTable } from '../src/characterize/index.ts';
import { writeFileAtomic } from '../src/util/fs.ts';

const jobs = Number(process.argv.find((a) => a.startsWith('--jobs='))?.slice(7) ?? 2);

/** Largest relative difference between two JSON number trees (and where), ignoring exact zeros. */
function maxRelDiff(a: unknown, b: unknown, path = ''): { rel: number; at: string } {
  if (typeof a === 'number' && typeof b === 'number') {
    const d = a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
    return { rel: d, at: path };
  }
  let worst = { rel: 0, at: '' };
  if (Array.isArray(a) && Array.isArray(b)) a.forEach((x, k) => { const w = maxRelDiff(x, b[k], `${path}[${k}]`); if (w.rel > worst.rel) worst = w; });
  else if (a && b && typeof a === 'object' && typeof b === 'object') {
    for (const k of Object.keys(a)) { const w = maxRelDiff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`); if (w.rel > worst.rel) worst = w; }
  }
  return worst;
}

const load0 = loadavg()[0];
const t0 = performance.now();
const sweepsPerBlock = new Map<string, number>();
const table: CharacterizationTable = await characterize({
  die: 'ideal', jobs, backend: 'cli', command: 'npx tsx bench/circuits-fit.ts',
  onProgress: (p) => {
    sweepsPerBlock.set(p.block, (sweepsPerBlock.get(p.block) ?? 0) + 1);
    if (p.done % 50 === 0 || p.done === p.total) process.stderr.write(`… ${p.done}/${p.total} sweeps, ${p.elapsedSeconds.toFixed(1)} s\n`);
  },
});
const wallSeconds = (performance.now() - t0) / 1000;
const shipped = shippedTable();
const vsShipped = Object.fromEntries(table.blockNames.map((b) => [b, maxRelDiff(shipped.blocks[b], table.blocks[b])]));
const result = {
  command: 'npx tsx bench/circuits-fit.ts',
  date: new Date().toISOString(),
  ngspice: table.ngspice,
  machine: { cores: cpus().length, loadAverage1mStart: load0, loadAverage1mEnd: loadavg()[0] },
  jobs,
  wallSeconds: Number(wallSeconds.toFixed(2)),
  sweeps: Object.fromEntries(sweepsPerBlock),
  hashesMatchShipped: table.modelCardSha256 === shipped.modelCardSha256 && table.subcircuitsSha256 === shipped.subcircuitsSha256,
  maxRelativeDifferenceToShipped: vsShipped,
  table,
};
const out = fileURLToPath(new URL('./results/circuits-fit.json', import.meta.url));
writeFileAtomic(out, JSON.stringify(result, null, 1) + '\n');
process.stdout.write(`${wallSeconds.toFixed(1)} s with ${jobs} jobs (load ${load0.toFixed(1)}); max rel. difference to the shipped table: ${JSON.stringify(vsShipped)} → ${out}\n`);

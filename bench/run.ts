/**
 * `npm run bench`: every benchmark in this folder, one after the other (each writes its JSON
 * to bench/results/). Arguments are passed on (e.g. `npm run bench -- --quick`); name
 * benchmarks to run a subset: `npm run bench -- emulator spice`.
 *
 * circuits-fit and synin-fit are not benchmarks: they re-measure the shipped characterisation
 * table against ngspice and are run on their own (`npx tsx bench/circuits-fit.ts`,
 * `npx tsx bench/synin-fit.ts`; `plateau characterize` regenerates the table).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const names = args.filter((a) => !a.startsWith('-'));
const pass = args.filter((a) => a.startsWith('-'));
const all = readdirSync(here).filter((f) => f.endsWith('.ts') && !['run.ts', 'circuits-fit.ts', 'synin-fit.ts'].includes(f)).map((f) => f.replace(/\.ts$/, '')).sort();
const chosen = names.length ? names : all;
const unknown = chosen.filter((n) => !all.includes(n));
if (unknown.length) {
  process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}; available: ${all.join(', ')}\n`);
  process.exit(2);
}
let failed = 0;
for (const name of chosen) {
  process.stderr.write(`\n== bench/${name}.ts ${pass.join(' ')}\n`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, `${name}.ts`), ...pass], { stdio: 'inherit' });
  process.stderr.write(`== ${name}: exit ${r.status} in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);

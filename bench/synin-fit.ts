/**
 * Re-measure the synaptic inputs' in-situ rest-current table (src/circuits/blocks/synin-rest-fit.ts):
 *   npx tsx bench/synin-fit.ts            → JSON on stdout (paste `exc`/`inh` currentA into the table)
 *   npx tsx bench/synin-fit.ts --check    → largest difference from the shipped table, A
 */
import { measureSyninRest, SYNIN_REST_CURRENT_A } from '../src/circuits/blocks/synin-rest-fit.ts';

const fit = await measureSyninRest({ concurrency: 2 });
if (process.argv.includes('--check')) {
  let worst = 0;
  for (const sign of ['exc', 'inh'] as const) {
    fit[sign].currentA.forEach((row, g) => row.forEach((col, t) => col.forEach((x, k) => {
      worst = Math.max(worst, Math.abs(x - SYNIN_REST_CURRENT_A[sign][g][t][k]));
    })));
  }
  process.stdout.write(JSON.stringify({ command: 'npx tsx bench/synin-fit.ts --check', maxAbsDifferenceA: worst }) + '\n');
} else {
  process.stdout.write(JSON.stringify({ command: 'npx tsx bench/synin-fit.ts', ...fit }) + '\n');
}

/**
 * Thin wrapper: re-measure the synaptic inputs' in-situ rest-current table (the "synin-rest"
 * characterisation, src/characterize/blocks/synin-rest.ts) and compare it with the shipped
 * entry (spice/characterization/ideal.json) that blocks/synin-rest-fit.ts reads:
 *   npx tsx bench/synin-fit.ts   → {"maxAbsDifferenceA": ...} (0 when the shipped entry is current)
 * Regenerating the shipped table is `plateau characterize` (REGENERATE_COMMAND).
 */
import { characterize } from '../src/characterize/index.ts';
import { SYNIN_REST_CURRENT_A } from '../src/circuits/blocks/synin-rest-fit.ts';
import type { SyninRestEntry } from '../src/characterize/table.ts';

const t = await characterize({ die: 'ideal', blocks: ['synin-rest'], jobs: 2 });
const fit = t.blocks['synin-rest'] as SyninRestEntry;
let worst = 0;
for (const sign of ['exc', 'inh'] as const) {
  fit[sign].currentA.forEach((row, g) => row.forEach((col, k) => col.forEach((x, v) => {
    worst = Math.max(worst, Math.abs(x - SYNIN_REST_CURRENT_A[sign].currentA[g][k][v]));
  })));
}
process.stdout.write(JSON.stringify({ command: 'npx tsx bench/synin-fit.ts', maxAbsDifferenceA: worst }) + '\n');

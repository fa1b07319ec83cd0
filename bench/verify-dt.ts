/**
 * The emulator's time step in the verification: the suite's metrics with the emulator at several
 * steps against the same ngspice runs (the decks start from the emulator's steady state, which
 * does not depend on the step, so SPICE runs once per case). Per metric: the error at each step
 * and its shift from the 10 ns error, as a fraction of the tolerance. Writes
 * bench/results/verify-dt.json (ideal die) or verify-dt-dieSEED.json.
 *
 *   npx tsx bench/verify-dt.ts [--die ideal|SEED] [--dts 10,20,32,50,100] [--jobs 2]
 */
import { mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spikeTimes } from '../src/analysis/spikes.ts';
import type { Die } from '../src/circuits/die.ts';
import { VDD } from '../src/circuits/technology.ts';
import { loadExperimentFile } from '../src/config/load.ts';
import { lowerExperiment } from '../src/mapping/lower.ts';
import { runSpiceMany } from '../src/netlist/pool.ts';
import { getVector } from '../src/netlist/runner.ts';
import { emulateLowered } from '../src/pipeline/emulate.ts';
import { neuronMetrics, verificationDecks, verificationExperiment, type Waveform } from '../src/verify/verify.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : dflt;
};
const dieArg = arg('die', 'ideal');
const die: Die = dieArg === 'ideal' ? 'ideal' : { seed: Number(dieArg) };
const dts = arg('dts', '10,20,32,50,100').split(',').map((x) => Number(x) * 1e-9);
const jobs = Number(arg('jobs', '2'));
const REF = 10e-9;
/** A shift as a fraction of the tolerance; for a zero tolerance (spike count) 0 or ±∞. */
const shift = (d: number, tol: number): number => (tol > 0 ? d / tol : d === 0 ? 0 : Math.sign(d) * Infinity);

const dir = join(root, 'examples', 'verification');
const out: Array<Record<string, unknown>> = [];
for (const f of readdirSync(dir).filter((x) => x.endsWith('.yaml')).sort()) {
  const exp = verificationExperiment(loadExperimentFile(join(dir, f)));
  const lowered = lowerExperiment(exp, { die });
  const ref = emulateLowered(lowered, { die, noise: false, dt: REF });
  const { decks } = verificationDecks(lowered, die, ref.traces);
  const outcomes = await runSpiceMany(decks.map((d) => d.deck.netlist), { backend: 'cli', jobs });
  const runs = new Map(dts.map((dt) => [dt, dt === REF ? ref : emulateLowered(lowered, { die, noise: false, dt })]));
  exp.neurons.forEach((n, k) => {
    const o = outcomes[k];
    if (!o.ok) throw new Error(`${f}/${n.id}: ${o.error.message}`);
    const time = getVector(o.result, 'time');
    const spice = new Map<string, Waveform>();
    const spiceSpikes = new Map<string, Float64Array>();
    for (const [id, save] of Object.entries(decks[k].membranes)) spice.set(id, { times: time, values: getVector(o.result, save) });
    for (const [id, save] of Object.entries(decks[k].refractory)) spiceSpikes.set(id, spikeTimes(time, getVector(o.result, save), VDD / 2));
    const byDt = dts.map((dt) => {
      const run = runs.get(dt)!;
      const emu = new Map<string, Waveform>();
      for (const t of run.traces) if (t.index === 0 && t.neuron === n.id && t.observable === 'v') emu.set(t.id, t);
      const emuSpikes = new Map<string, Float64Array>();
      for (const [id, sp] of Object.entries(run.spikes)) emuSpikes.set(id, Float64Array.from(sp));
      return neuronMetrics(exp, lowered, n, { emu, spice, emuSpikes, spiceSpikes });
    });
    const refIdx = dts.indexOf(REF);
    const metrics = byDt[0].map((m0) => {
      const row: Record<string, unknown> = { name: m0.name, spice: m0.spice, tolerance: m0.tolerance, kind: m0.toleranceKind };
      for (let q = 0; q < dts.length; q++) {
        const m = byDt[q].find((x) => x.name === m0.name);
        const r = refIdx >= 0 ? byDt[refIdx].find((x) => x.name === m0.name) : undefined;
        const tag = `${Math.round(dts[q] * 1e9)}ns`;
        row[tag] = m ? { emulator: m.emulator, error: m.error, pass: m.pass, shiftOfTolerance: m.error !== null && r?.error != null ? shift(m.error - r.error, m.tolerance) : null } : null;
      }
      return row;
    });
    const summary = dts.map((dt, q) => {
      const ms = byDt[q];
      const shifts = metrics.map((row) => (row[`${Math.round(dt * 1e9)}ns`] as { shiftOfTolerance: number | null } | null)?.shiftOfTolerance).filter((x): x is number => x !== null && x !== undefined);
      return { dt, pass: ms.filter((m) => m.pass).length, of: ms.length, maxShiftOfTolerance: shifts.length ? Math.max(...shifts.map(Math.abs)) : null, emulatorSeconds: runs.get(dt)!.wallSeconds };
    });
    out.push({ case: `${f.replace(/\.yaml$/, '')}/${n.id}`, summary, metrics });
    process.stderr.write(`${f}/${n.id}: ${summary.map((s) => `${Math.round(s.dt * 1e9)} ns ${s.pass}/${s.of} max shift ${s.maxShiftOfTolerance?.toFixed(3)}`).join('; ')}\n`);
  });
}
const file = join(root, 'bench', 'results', dieArg === 'ideal' ? 'verify-dt.json' : `verify-dt-die${dieArg}.json`);
mkdirSync(dirname(file), { recursive: true });
writeFileSync(`${file}.tmp`, JSON.stringify({ date: new Date().toISOString(), die: dieArg, loadavg: loadavg(), reference: REF, note: 'emulator at each step against the same ngspice decks; shiftOfTolerance = (error(dt) - error(10 ns)) / tolerance', cases: out }, null, 2) + '\n');
renameSync(`${file}.tmp`, file);
process.stderr.write(`wrote ${file}\n`);

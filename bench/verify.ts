/**
 * Verification benchmark: wall time of the emulator (whole experiment, noise off) and of ngspice
 * (each population's first neuron, one process at a time) per verification case, measured in the
 * same run, medians of N repeats; the ratio says how much faster the emulator reaches the same
 * chip time. Writes bench/results/verify.json.
 *
 *   npx tsx bench/verify.ts [--n 3] [--die ideal|SEED] [--backend auto|cli|wasm]
 */
import { mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Die } from '../src/circuits/die.ts';
import { loadExperimentFile } from '../src/config/load.ts';
import { lowerExperiment } from '../src/mapping/lower.ts';
import { runSpice, type SpiceBackendChoice } from '../src/netlist/runner.ts';
import { emulateLowered, type ExperimentTrace } from '../src/pipeline/emulate.ts';
import { verificationDecks, verificationExperiment } from '../src/verify/verify.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : dflt;
};
const n = Number(arg('n', '3'));
const dieArg = arg('die', 'ideal');
const die: Die = dieArg === 'ideal' ? 'ideal' : { seed: Number(dieArg) };
const backend = arg('backend', 'cli') as SpiceBackendChoice;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const dir = join(root, 'examples', 'verification');
const cases = [];
for (const f of readdirSync(dir).filter((x) => x.endsWith('.yaml')).sort()) {
  const exp = verificationExperiment(loadExperimentFile(join(dir, f)));
  const lowered = lowerExperiment(exp, { die });
  const emuRun: number[] = [];
  const emuTotal: number[] = [];
  const emuSetup: number[] = [];
  let traces: ExperimentTrace[] = [];
  for (let k = 0; k < n; k++) {
    const t0 = performance.now();
    const run = emulateLowered(lowered, { die, noise: false });
    emuTotal.push((performance.now() - t0) / 1e3);
    emuRun.push(run.wallSeconds);
    emuSetup.push(run.raw.setupSeconds);
    traces = run.traces;
  }
  // The same run at 100 ns (the step the emulator's own benchmark uses against Brian2): how
  // much of the emulator's time is the 10 ns default step.
  const emu100: number[] = [];
  for (let k = 0; k < n; k++) emu100.push(emulateLowered(lowered, { die, noise: false, dt: 100e-9 }).wallSeconds);
  const circuitsUsed = lowered.placement.neurons.reduce((a, pn) => a + pn.compartments.reduce((b, c) => b + c.circuits.length, 0), 0);
  // The decks exactly as `plateau verify` runs them (start state, step).
  const decks = verificationDecks(lowered, die, traces).decks.map((d) => d.deck.netlist);
  const spice: number[] = [];
  for (let k = 0; k < n; k++) {
    let s = 0;
    for (const d of decks) s += (await runSpice(d, { backend })).wallSeconds;
    spice.push(s);
  }
  const row = {
    case: f.replace(/\.yaml$/, ''), simulatedSeconds: exp.duration, neuronsInSpice: decks.length,
    emulatorRunSeconds: median(emuRun), emulatorTotalSeconds: median(emuTotal), spiceSeconds: median(spice),
    ratio: median(spice) / median(emuTotal), ratioRunOnly: median(spice) / median(emuRun),
    // The cost split of `total`: derive (circuit parameters of all 512 circuits, result mapping),
    // setup (model, routing, engine, rest state), steps (the stepped engine with its recording).
    emulatorDeriveSeconds: median(emuTotal.map((x, k) => x - emuRun[k])), emulatorSetupSeconds: median(emuSetup),
    emulatorStepSeconds: median(emuRun.map((x, k) => x - emuSetup[k])),
    emulatorRunSecondsDt100ns: median(emu100), ratioRunOnlyDt100ns: median(spice) / median(emu100),
    circuitsUsed, circuitsOnDie: lowered.chip.neurons.length,
  };
  cases.push(row);
  process.stderr.write(`${row.case}: emulator ${row.emulatorTotalSeconds.toFixed(3)} s (run ${row.emulatorRunSeconds.toFixed(3)} s), ngspice ${row.spiceSeconds.toFixed(2)} s for ${decks.length} neuron(s): ${row.ratio.toFixed(1)}×\n`);
}
const out = {
  date: new Date().toISOString(), die: dieArg, backend, repeats: n, cpu: cpus()[0]?.model, cores: cpus().length, loadavg: loadavg(),
  note: 'emulator: whole experiment on the full die at the default 10 ns step (lowering excluded; total = derive + setup + steps; run = setup + steps, the engine alone, which steps only the awake compartments), plus the engine alone at 100 ns; ngspice: the verification decks (verificationDecks: start state, internal step <= shortest digital pulse / 100), one process per neuron, serial; medians',
  cases,
};
const file = join(root, 'bench', 'results', 'verify.json');
mkdirSync(dirname(file), { recursive: true });
writeFileSync(`${file}.tmp`, JSON.stringify(out, null, 2) + '\n');
renameSync(`${file}.tmp`, file);
process.stderr.write(`wrote ${file}\n`);

/**
 * Verification benchmark: wall time of the emulator (whole experiment, noise off) and of ngspice
 * (each population's first neuron, one process at a time) per verification case, measured in the
 * same run, medians of N repeats; the ratio says how much faster the emulator reaches the same
 * chip time. Writes bench/results/verify.json.
 *
 * The emulator runs each case at the case's own step (`dt` in examples/verification/*.yaml,
 * chosen by bench/verify-dt.ts) and, for comparison with earlier records, at 10 ns. Its time is
 * split into derive (circuit parameters of the circuits in use, `deriveCircuitParameters`
 * { circuits }), setup (model, routing, engine, start state) and steps; `cold` is the first run
 * of the process (what a one-off `plateau emulate` pays, compiling the code on the way), the
 * medians are of the repeats after it. CPU time (process.cpuUsage) is given next to wall time.
 * The previous record (`baseline`) is kept from the file as it was before the first run of this
 * version.
 *
 *   npx tsx bench/verify.ts [--n 5] [--die ideal|SEED] [--backend auto|cli|wasm]
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Die } from '../src/circuits/die.ts';
import { loadExperimentFile } from '../src/config/load.ts';
import { lowerExperiment, type Lowered } from '../src/mapping/lower.ts';
import { runSpice, type SpiceBackendChoice } from '../src/netlist/runner.ts';
import { emulateLowered, type ExperimentTrace } from '../src/pipeline/emulate.ts';
import { verificationDecks, verificationExperiment } from '../src/verify/verify.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : dflt;
};
const n = Number(arg('n', '5'));
const dieArg = arg('die', 'ideal');
const die: Die = dieArg === 'ideal' ? 'ideal' : { seed: Number(dieArg) };
const backend = arg('backend', 'cli') as SpiceBackendChoice;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

interface EmulatorTiming {
  dt: number;
  steps: number;
  /** First run of the process (cold), s. */
  coldTotalSeconds: number;
  /** Medians of the repeats after the first, s. */
  totalSeconds: number;
  totalCpuSeconds: number;
  deriveSeconds: number;
  setupSeconds: number;
  stepSeconds: number;
  /** Steps per step, µs. */
  microsecondsPerStep: number;
}

/** The emulator on one lowered case at step dt: the first run and the medians of n after it. */
function timeEmulator(lowered: Lowered, dt: number | undefined): { timing: EmulatorTiming; traces: ExperimentTrace[] } {
  const total: number[] = [], cpu: number[] = [], derive: number[] = [], setup: number[] = [], steps: number[] = [];
  let traces: ExperimentTrace[] = [];
  let cold = 0;
  let nSteps = 0;
  let usedDt = 0;
  for (let k = 0; k <= n; k++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const run = emulateLowered(lowered, { die, noise: false, dt });
    const wall = (performance.now() - t0) / 1e3;
    const c = process.cpuUsage(c0);
    traces = run.traces;
    nSteps = run.raw.steps;
    usedDt = run.simulatedSeconds / run.raw.steps;
    if (k === 0) { cold = wall; continue; }
    total.push(wall);
    cpu.push((c.user + c.system) / 1e6);
    derive.push(wall - run.wallSeconds);
    setup.push(run.raw.setupSeconds);
    steps.push(run.wallSeconds - run.raw.setupSeconds);
  }
  const stepSeconds = median(steps);
  return {
    traces,
    timing: {
      dt: usedDt, steps: nSteps, coldTotalSeconds: cold, totalSeconds: median(total), totalCpuSeconds: median(cpu),
      deriveSeconds: median(derive), setupSeconds: median(setup), stepSeconds, microsecondsPerStep: (stepSeconds / nSteps) * 1e6,
    },
  };
}

const file = join(root, 'bench', 'results', 'verify.json');
// The record this version started from (kept across re-runs).
let baseline: unknown = undefined;
if (existsSync(file)) {
  const prev = JSON.parse(readFileSync(file, 'utf8')) as { baseline?: unknown; date: string; loadavg: number[]; cases: Array<{ case: string; ratio: number; emulatorTotalSeconds: number; spiceSeconds: number }> };
  baseline = prev.baseline ?? {
    date: prev.date, loadavg: prev.loadavg,
    note: 'the record before the subset derive, group sleep/sparse product, shared reset-circuit setup and per-case steps: emulator total at 10 ns with all 512 circuits derived',
    cases: prev.cases.map((c) => ({ case: c.case, ratio: c.ratio, emulatorTotalSeconds: c.emulatorTotalSeconds, spiceSeconds: c.spiceSeconds })),
  };
}
const before = new Map(((baseline as { cases?: Array<{ case: string; ratio: number }> } | undefined)?.cases ?? []).map((c) => [c.case, c.ratio]));

const dir = join(root, 'examples', 'verification');
const cases = [];
const load0 = loadavg();
for (const f of readdirSync(dir).filter((x) => x.endsWith('.yaml')).sort()) {
  const exp = verificationExperiment(loadExperimentFile(join(dir, f)));
  const lowered = lowerExperiment(exp, { die });
  const own = timeEmulator(lowered, undefined);
  const at10 = timeEmulator(lowered, 10e-9).timing;
  const circuitsUsed = lowered.placement.neurons.reduce((a, pn) => a + pn.compartments.reduce((b, c) => b + c.circuits.length, 0), 0);
  // The decks exactly as `plateau verify` runs them (start state, step); the start state does
  // not depend on the emulator's step.
  const decks = verificationDecks(lowered, die, own.traces).decks.map((d) => d.deck.netlist);
  const spice: number[] = [];
  for (let k = 0; k < Math.min(n, 3); k++) {
    let s = 0;
    for (const d of decks) s += (await runSpice(d, { backend })).wallSeconds;
    spice.push(s);
  }
  const spiceSeconds = median(spice);
  const name = f.replace(/\.yaml$/, '');
  const row = {
    case: name, simulatedSeconds: exp.duration, neuronsInSpice: decks.length, circuitsUsed, spiceSeconds,
    emulator: own.timing, emulator10ns: at10,
    ratio: spiceSeconds / own.timing.totalSeconds, ratioCold: spiceSeconds / own.timing.coldTotalSeconds,
    ratio10ns: spiceSeconds / at10.totalSeconds, ratioBefore: before.get(name) ?? null,
    // What a case costs before its first step (derive + setup), and the ratio with steps free.
    floorSeconds: own.timing.deriveSeconds + own.timing.setupSeconds,
    ratioAtFloor: spiceSeconds / (own.timing.deriveSeconds + own.timing.setupSeconds),
  };
  cases.push(row);
  process.stderr.write(`${name}: emulator ${(row.emulator.totalSeconds * 1e3).toFixed(1)} ms at ${Math.round(row.emulator.dt * 1e9)} ns (derive ${(row.emulator.deriveSeconds * 1e3).toFixed(1)}, setup ${(row.emulator.setupSeconds * 1e3).toFixed(1)}, steps ${(row.emulator.stepSeconds * 1e3).toFixed(1)} ms; cold ${(row.emulator.coldTotalSeconds * 1e3).toFixed(1)} ms), ngspice ${spiceSeconds.toFixed(2)} s for ${decks.length} neuron(s): ${row.ratio.toFixed(0)}× (10 ns: ${row.ratio10ns.toFixed(0)}×; before ${row.ratioBefore?.toFixed(0) ?? '-'}×)\n`);
}
const out = {
  date: new Date().toISOString(), die: dieArg, backend, repeats: n, cpu: cpus()[0]?.model, cores: cpus().length, loadavg: loadavg(), loadavgAtStart: load0,
  note: 'emulator: whole experiment (lowering excluded) at the case\'s step and at 10 ns; total = derive (circuits in use) + setup + steps; medians of the repeats after the first (cold) run; ngspice: the verification decks (verificationDecks: start state, internal step <= shortest digital pulse / 100), one process per neuron, serial, medians of min(n, 3); ratio = ngspice / emulator total',
  cases, baseline,
};
mkdirSync(dirname(file), { recursive: true });
writeFileSync(`${file}.tmp`, JSON.stringify(out, null, 2) + '\n');
renameSync(`${file}.tmp`, file);
process.stderr.write(`wrote ${file}\n`);

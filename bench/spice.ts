/**
 * SPICE backend benchmark: CLI (ngspice 39) vs WASM (eecircuit-engine 1.8) wall time per deck
 * (median of N, both in the same run), process/engine start overhead, and the speed-up of
 * runSpiceMany with 1 vs 2 jobs. Writes bench/results/spice.json.
 *
 *   npx tsx bench/spice.ts [--n 5] [--quick] [deck.cir ...]
 *
 * Decks: the list `DECKS` below (extend it with builders from the circuit library), plus any
 * deck files named on the command line (plain decks without `.control`, so both backends can
 * run them).
 */
import { readFileSync, renameSync, writeFileSync, mkdirSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { execFileSync } from 'node:child_process';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runSpice } from '../src/netlist/runner.ts';
import { MODEL_CARD_PATH } from '../src/netlist/writer.ts';
import { runSpiceMany } from '../src/netlist/pool.ts';
import { closeWasmEngine, warmWasmEngine } from '../src/netlist/runner-wasm.ts';
import { hashNormal } from '../src/util/random.ts';
import type { Element, Netlist, Subcircuit } from '../src/netlist/model.ts';

export interface BenchDeck {
  name: string;
  description: string;
  build: () => Netlist | string;
}

/** 5-transistor OTA (NMOS pair, PMOS mirror, NMOS tail mirrored from ib); out on the non-mirror side. */
function ota(): Subcircuit {
  const m = (name: string, d: string, g: string, s: string, b: string, model: 'nmos' | 'pmos', w: number, l: number): Element => ({ kind: 'M', name, drain: d, gate: g, source: s, bulk: b, model, w, l });
  return {
    name: 'ota',
    ports: ['inp', 'inn', 'out', 'vdd', 'vss'],
    params: { ib: 10e-9 },
    comment: 'five-transistor OTA used as a transconductor',
    elements: [
      { kind: 'I', name: 'b', p: 'vdd', n: 'nb', value: { expr: 'ib' } },
      m('b', 'nb', 'nb', 'vss', 'vss', 'nmos', 1e-6, 1e-6),
      m('t', 'tail', 'nb', 'vss', 'vss', 'nmos', 1e-6, 1e-6),
      m('1', 'x', 'inp', 'tail', 'vss', 'nmos', 1e-6, 0.5e-6),
      m('2', 'out', 'inn', 'tail', 'vss', 'nmos', 1e-6, 0.5e-6),
      m('3', 'x', 'x', 'vdd', 'vdd', 'pmos', 1e-6, 1e-6),
      m('4', 'out', 'x', 'vdd', 'vdd', 'pmos', 1e-6, 1e-6),
    ],
  };
}

/**
 * `stages` leaky OTA-C integrators (leak OTA toward v_leak on a 1 pF membrane), chained by
 * unidirectional coupling OTAs, driven by 4 ns current pulses: the reference-style workload of
 * the research notes (a few OTAs and capacitors, 100 µs transient, tmax 20 ns).
 */
export function otaChain(stages: number, seed = 1): Netlist {
  const elements: Element[] = [
    { kind: 'V', name: 'dd', p: 'vdd', n: '0', value: 1.2 },
    { kind: 'V', name: 'leak', p: 'vleak', n: '0', value: 0.45 },
    { kind: 'I', name: 'syn', p: '0', n: 'm0', value: { fn: 'pulse', v1: 0, v2: 2e-6, delay: 10e-6, rise: 1e-9, fall: 1e-9, width: 4e-9, period: 2e-6, count: 30 } },
  ];
  for (let s = 0; s < stages; s++) {
    elements.push({ kind: 'C', name: `m${s}`, p: `m${s}`, n: '0', value: 1e-12 });
    elements.push({ kind: 'X', name: `leak${s}`, nodes: ['vleak', `m${s}`, `m${s}`, 'vdd', '0'], subckt: 'ota', params: { ib: 5e-9 } });
    if (s > 0) elements.push({ kind: 'X', name: `cpl${s}`, nodes: [`m${s - 1}`, 'vleak', `m${s}`, 'vdd', '0'], subckt: 'ota', params: { ib: 2e-9 } });
  }
  // Seeded per-die variation on the supply-independent leak references keeps runs distinct.
  const nodeset: Record<string, number> = {};
  for (let s = 0; s < stages; s++) nodeset[`m${s}`] = 0.45 + 0.001 * hashNormal('bench-spice', seed, s);
  return {
    title: `ota chain ${stages} stages seed ${seed}`,
    includes: [],
    models: [],
    subcircuits: [ota()],
    elements,
    nodeset,
    options: { method: 'gear', reltol: 1e-4, abstol: 1e-14, vntol: 1e-7, chgtol: 1e-16 },
    analysis: { kind: 'tran', step: 10e-9, stop: 100e-6, start: 0, maxStep: 20e-9 },
    save: Array.from({ length: stages }, (_, s) => `v(m${s})`),
  };
}

/** The research notes' two-compartment LIF (59 BSIM4 FETs, 100 µs), as kept in the test fixtures. */
function compartment2(): string {
  const url = new URL('../test/fixtures/spice/compartment2.cir', import.meta.url);
  return readFileSync(url, 'utf8').replace('@MODEL_CARD@', MODEL_CARD_PATH);
}

export const DECKS: BenchDeck[] = [
  { name: 'compartment2', description: 'two-compartment LIF of the research notes (59 BSIM4 FETs), 100 µs, 4 vectors saved', build: compartment2 },
  { name: 'ota-chain-4', description: '4 leaky OTA-C stages + 3 coupling OTAs (42 BSIM4 FETs), 100 µs', build: () => otaChain(4) },
  { name: 'ota-chain-1', description: '1 leaky OTA-C stage (6 BSIM4 FETs), 100 µs', build: () => otaChain(1) },
];

const TRIVIAL = 'trivial divider\nv1 a 0 dc 1\nr1 a b 1e3\nr2 b 0 1e3\n.op\n.end\n';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}

async function wall(f: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await f();
  return (performance.now() - t0) / 1000;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const nIdx = args.indexOf('--n');
  const N = nIdx >= 0 ? Number(args[nIdx + 1]) : quick ? 3 : 5;
  const files = args.filter((a, k) => !a.startsWith('--') && args[k - 1] !== '--n');
  const decks: BenchDeck[] = [
    ...DECKS,
    ...files.map((f) => ({ name: basename(f), description: `deck file ${f}`, build: () => readFileSync(f, 'utf8') })),
  ];

  let ngspiceVersion = 'unknown';
  try {
    ngspiceVersion = execFileSync('ngspice', ['--version'], { encoding: 'utf8' }).split('\n').find((l) => /ngspice/i.test(l))?.trim() ?? 'unknown';
  } catch {
    // reported as unknown
  }

  // Start overhead.
  const cliTrivial: number[] = [];
  for (let k = 0; k < 2 * N; k++) cliTrivial.push(await wall(() => runSpice(TRIVIAL, { backend: 'cli' })));
  const wasmStartSeconds = await warmWasmEngine();
  const wasmTrivial: number[] = [];
  for (let k = 0; k < 2 * N; k++) wasmTrivial.push(await wall(() => runSpice(TRIVIAL, { backend: 'wasm' })));

  const perDeck = [];
  for (const d of decks) {
    const deck = d.build();
    const first = await runSpice(deck, { backend: 'cli', timeoutSeconds: 600 });
    const points = first.plots[0].points;
    const cli: number[] = [];
    const wasm: number[] = [];
    // Interleave the backends so that machine load drifts hit both alike.
    for (let k = 0; k < N; k++) {
      cli.push(await wall(() => runSpice(deck, { backend: 'cli', timeoutSeconds: 600 })));
      wasm.push(await wall(() => runSpice(deck, { backend: 'wasm', timeoutSeconds: 600 })));
    }
    perDeck.push({
      name: d.name,
      description: d.description,
      points,
      cliMedianSeconds: median(cli),
      wasmMedianSeconds: median(wasm),
      wasmOverCli: median(wasm) / median(cli),
      cliSeconds: cli,
      wasmSeconds: wasm,
    });
    process.stderr.write(`${d.name}: cli ${median(cli).toFixed(3)} s, wasm ${median(wasm).toFixed(3)} s\n`);
  }
  await closeWasmEngine();

  // Pool speed-up on ota-chain-4: M runs with distinct seeds, 1 job vs 2 jobs.
  const M = quick ? 4 : 6;
  const batch = Array.from({ length: M }, (_, k) => otaChain(4, k + 1));
  const jobs1: number[] = [];
  const jobs2: number[] = [];
  for (let r = 0; r < (quick ? 1 : 3); r++) {
    jobs1.push(await wall(() => runSpiceMany(batch, { jobs: 1, backend: 'cli', timeoutSeconds: 600 })));
    jobs2.push(await wall(() => runSpiceMany(batch, { jobs: 2, backend: 'cli', timeoutSeconds: 600 })));
  }

  const result = {
    benchmark: 'spice',
    date: new Date().toISOString(),
    machine: { cores: availableParallelism(), cpu: cpus()[0]?.model ?? 'unknown', loadavgAtEnd: loadavg() },
    ngspice: ngspiceVersion,
    wasmEngine: 'eecircuit-engine 1.8.0',
    repetitions: N,
    startOverhead: {
      cliTrivialDeckMedianSeconds: median(cliTrivial),
      wasmEngineStartSeconds: wasmStartSeconds,
      wasmTrivialDeckMedianSeconds: median(wasmTrivial),
      note: 'trivial deck = resistive divider .op: the CLI figure is process start + temp dir + raw file; the WASM figure excludes the one-off engine start',
    },
    decks: perDeck,
    pool: {
      deck: 'ota-chain-4 with seeds 1..M',
      runs: M,
      jobs1MedianSeconds: median(jobs1),
      jobs2MedianSeconds: median(jobs2),
      speedup: median(jobs1) / median(jobs2),
      jobs1Seconds: jobs1,
      jobs2Seconds: jobs2,
    },
  };
  const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'spice.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out + '.tmp', JSON.stringify(result, null, 2) + '\n');
  renameSync(out + '.tmp', out);
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
}

await main();

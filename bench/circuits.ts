/**
 * Circuit-library benchmark: whole-chip parameter derivation, deck building, and ngspice
 * transients of one LIF circuit and of a 4-compartment chain (100 µs each). Medians of
 * repeated runs, the ngspice CLI against the bundled WASM ngspice, and the speed-up of parallel
 * ngspice processes. Run: npx tsx bench/circuits.ts [--quick]   (writes bench/results/circuits.json)
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { defaultChipConfig, type ChipConfig } from '../src/chip/chip.ts';
import { neuron } from '../src/chip/coordinates.ts';
import { deriveCircuitParameters } from '../src/circuits/derive.ts';
import { buildDeck } from '../src/netlist/deck.ts';
import { writeNetlist } from '../src/netlist/writer.ts';
import { runSpice } from '../src/netlist/runner.ts';
import { runSpiceMany } from '../src/netlist/pool.ts';
import { closeWasmEngine, warmWasmEngine } from '../src/netlist/runner-wasm.ts';
import { loadavg } from 'node:os';

const quick = process.argv.includes('--quick');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function lif(chip: ChipConfig, e: number): void {
  const c = chip.neurons[e];
  Object.assign(c.leak, { v_leak: 309, i_bias: 20 });
  Object.assign(c.reset, { v_reset: 256, i_bias: 490 });
  Object.assign(c.threshold, { enable: true, v_threshold: 416 });
  c.membrane_capacitance.capacitance = 63;
  Object.assign(c.refractory_period, { input_clock: 'fast', refractory_time: 31, reset_holdoff: 15 });
  c.excitatory_input = { ...c.excitatory_input, enable: true, i_bias_tau: 92, i_bias_gm: 100, enable_small_capacitance: false };
}

/** Chain A(0) – B(1,2) – C(3,4) – D(5): middle compartments have two circuits (one per link). */
function chainChip(): ChipConfig {
  const chip = defaultChipConfig();
  for (let e = 0; e < 6; e++) lif(chip, e);
  const mc = (e: number) => chip.neurons[e].multicompartment;
  mc(1).connect_right = true;
  mc(3).connect_right = true;
  for (const [direct, through] of [[0, 1], [2, 3], [4, 5]]) {
    mc(direct).connect_soma = true;
    mc(direct).connect_soma_right = true;
    mc(through).enable_conductance = true;
    mc(through).i_bias_nmda = 30;
  }
  return chip;
}

async function main(): Promise<void> {
  const full = defaultChipConfig();
  for (let e = 0; e < 512; e++) lif(full, e);
  for (let k = 0; k < 3; k++) deriveCircuitParameters(full, { seed: k }); // warm-up
  const derive: number[] = [];
  for (let k = 0; k < 15; k++) {
    const t0 = performance.now();
    deriveCircuitParameters(full, { seed: 100 + k });
    derive.push(performance.now() - t0);
  }

  const single = defaultChipConfig();
  lif(single, 5);
  const stim = (e: number) => [{ kind: 'current' as const, circuit: neuron(0, e), amplitude: 60e-9, start: 2e-6 }];
  const singleDeck = buildDeck({ chip: single, die: { seed: 1 }, circuits: [neuron(0, 5)], duration: 100e-6, step: 20e-9, stimuli: stim(5) });
  const chain = chainChip();
  const build: number[] = [];
  let chainDeck = buildDeck({ chip: chain, die: { seed: 1 }, circuits: [neuron(0, 0)], duration: 100e-6, step: 20e-9, stimuli: stim(5) });
  for (let k = 0; k < 10; k++) {
    const t0 = performance.now();
    chainDeck = buildDeck({ chip: chain, die: { seed: 1 }, circuits: [neuron(0, 0)], duration: 100e-6, step: 20e-9, stimuli: [{ kind: 'current', circuit: neuron(0, 5), amplitude: 100e-9, start: 2e-6 }] });
    writeNetlist(chainDeck.netlist);
    build.push(performance.now() - t0);
  }
  const count = (d: typeof singleDeck) => {
    const text = writeNetlist(d.netlist).text;
    const perInstance: Record<string, number> = { plateau_ota: 6, plateau_synres: 2, plateau_buf2: 4, plateau_exp: 6 };
    let fets = 0;
    for (const el of d.netlist.elements) if (el.kind === 'X') fets += perInstance[el.subckt] ?? 0;
    return { lines: text.split('\n').length, mosfets: fets };
  };
  const single3: number[] = [];
  const chain3: number[] = [];
  const singleWasm: number[] = [];
  const chainWasm: number[] = [];
  await warmWasmEngine();
  for (let k = 0; k < 3; k++) {
    // Interleaved so that machine load affects both backends alike.
    single3.push((await runSpice(singleDeck.netlist, { backend: 'cli', timeoutSeconds: 300 })).wallSeconds);
    singleWasm.push((await runSpice(singleDeck.netlist, { backend: 'wasm', timeoutSeconds: 300 })).wallSeconds);
    chain3.push((await runSpice(chainDeck.netlist, { backend: 'cli', timeoutSeconds: 300 })).wallSeconds);
    if (!quick) chainWasm.push((await runSpice(chainDeck.netlist, { backend: 'wasm', timeoutSeconds: 300 })).wallSeconds);
  }
  await closeWasmEngine();
  // Parallel processes: four independent single-circuit decks (four dies), 1 job vs 2 jobs.
  const dies = [11, 12, 13, 14].map((seed) => buildDeck({ chip: single, die: { seed }, circuits: [neuron(0, 5)], duration: 100e-6, step: 20e-9, stimuli: stim(5) }).netlist);
  const many = async (jobs: number) => {
    const t0 = performance.now();
    const out = await runSpiceMany(dies, { jobs, backend: 'cli', timeoutSeconds: 300 });
    if (out.some((o) => !o.ok)) throw new Error('a deck failed');
    return (performance.now() - t0) / 1e3;
  };
  const jobs1 = await many(1);
  const jobs2 = await many(2);
  const result = {
    command: `npx tsx bench/circuits.ts${quick ? ' --quick' : ''}`,
    note: 'medians; machine shared with other jobs, so wall times are upper bounds',
    deriveCircuitParameters_512_ms: median(derive),
    buildDeck_chain_ms: median(build),
    spice_single_lif_100us_s: median(single3),
    spice_single: count(singleDeck),
    spice_single_lif_100us_wasm_s: median(singleWasm),
    spice_chain4_100us_s: median(chain3),
    spice_chain4_100us_wasm_s: chainWasm.length ? median(chainWasm) : null,
    parallel_4_single_decks: { jobs1_s: jobs1, jobs2_s: jobs2, speedup: jobs1 / jobs2, loadavg: loadavg() },
    spice_chain4: { ...count(chainDeck), circuits: chainDeck.circuits.length, compartments: chainDeck.compartments.length },
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/circuits.json.tmp', JSON.stringify(result, null, 1) + '\n');
  renameSync('bench/results/circuits.json.tmp', 'bench/results/circuits.json');
  process.stdout.write(JSON.stringify(result, null, 1) + '\n');
}

await main();

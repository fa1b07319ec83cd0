/**
 * Emulator benchmark: `npx tsx bench/emulator.ts [--quick]` → bench/results/emulator.json.
 *
 * (a) full die: 512 LIF circuits, all 131 072 synapses in use (random 6-bit weights and labels),
 *     8 Poisson background sources at 10 % of their 125 MEvent/s bandwidth with labels spread
 *     over all 2048 row-select/synapse labels, on-chip spikes routed back; 1 ms hardware time;
 *     wall time relative to the 1 ms the chip needs.
 * (b) the same network (same events, same synapses, same parameters) in Brian2 C++ standalone,
 *     single thread (bench/brian2/fulldie.py), if /usr/bin/python3 has brian2.
 * (c) scaling: cost vs active circuits, synapses in use, input rate.
 * (d) worker threads: independent trials on 1 vs 2 threads.
 * (e) cost components: ns per compartment-step (dense f64x2 and sparse WebAssembly kernels, the
 *     TypeScript kernel), per crossbar event, per synaptic pulse.
 * `--full-die`: (a), (b) at 100 ns and (e) alone, merged into the existing JSON (a quiet-minute rerun).
 * (f) dt study (`--dt-study` alone, merged into the JSON; also part of the full run): the
 *     feed-forward die at dt 10 ns (reference), 32 ns, 100 ns, 320 ns, 1 µs — spike counts and
 *     spike-by-spike agreement with the 10 ns reference, run CPU — with Brian2 at the same dt.
 * Every case records wall time and process CPU time (the stepping alone: `runCpu`) with the load
 * average. Medians of several repetitions; the machine is shared and noisy (docs/emulator.md).
 * `--ab DIR`: the same workloads by an older tree and this one, interleaved (see ab() below).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { defaultChipConfig, type ChipConfig } from '../src/chip/chip.ts';
import { NEURON_CIRCUITS, SYNAPSES } from '../src/chip/constants.ts';
import type { CircuitParameters } from '../src/circuits/params.ts';
import { emulate, emulateMany, ROUTING_LATENCY_S, type EmulationResult } from '../src/emulator/index.ts';
import { buildModel } from '../src/emulator/model.ts';
import { SteppedEngine, advanceBackground, backgroundSources, nextBackgroundEvent } from '../src/emulator/engine.ts';
import { LABELS_PER_BUS } from '../src/emulator/routing.ts';
import { Rng } from '../src/util/random.ts';

const quick = process.argv.includes('--quick');
const REPS = quick ? 1 : 5;

export interface DieSpec {
  /** Circuits with threshold and inputs enabled (the others are off). */
  activeCircuits: number;
  /** Fraction of synapses with a non-zero weight. */
  synapseFraction: number;
  /** Background rate per source, Hz (8 sources). */
  backgroundRate: number;
  recurrent: boolean;
}

export const FULL: DieSpec = { activeCircuits: 512, synapseFraction: 1, backgroundRate: 12.5e6, recurrent: true };

export function lifCircuit(active: boolean): CircuitParameters {
  return {
    capacitance: 2e-12, gLeak: 2e-7, eLeak: 0.45, vThreshold: active ? 0.6 : Infinity, vReset: 0.4,
    gReset: 2e-5, refractoryTime: 31 * 64e-9, holdoffTime: 0,
    synapticInput: [
      { enabled: active, tau: 5e-6, gain: 1, coba: false, eRev: 1, eRef: 0.6 },
      { enabled: active, tau: 5e-6, gain: 1, coba: false, eRev: 0.2, eRef: 0.5 },
    ],
    iOffset: 0,
    adaptation: { enabled: false, a: 0, b: 0, tauW: 1e-4, vRef: 0.45 },
    exponential: { enabled: false, deltaT: 0.002, vT: 0.6 },
    gInterCompartment: 0,
    synapseChargePerWeight: 2.5e-15,
  };
}

export function buildDie(spec: DieSpec, seed = 1): { chip: ChipConfig; params: CircuitParameters[] } {
  const rng = new Rng(seed);
  const chip = defaultChipConfig();
  for (const b of chip.backends) { b.clock_scale_fast = 3; b.clock_scale_slow = 3; }
  for (let i = 0; i < NEURON_CIRCUITS; i++) {
    const n = chip.neurons[i];
    n.refractory_period.input_clock = 'fast';
    n.event_routing.enable_digital = spec.recurrent;
    n.event_routing.address = rng.int(256);
  }
  for (let d = 0; d < 256; d++) {
    // Top rows excitatory, bottom rows inhibitory: a balanced, fluctuation-driven network.
    chip.drivers[d] = { enable_receiver: true, row_mode_top: 'excitatory', row_mode_bottom: 'inhibitory', row_address_compare_mask: 31 };
  }
  for (let s = 0; s < SYNAPSES; s++) {
    chip.weights[s] = rng.uniform() < spec.synapseFraction ? 1 + rng.int(63) : 0;
    chip.labels[s] = rng.int(64);
  }
  for (let k = 0; k < 8; k++) {
    chip.crossbar.push({ input: 12 + k, output: k, mask: 0, target: 0 });
    if (spec.recurrent) chip.crossbar.push({ input: k, output: k, mask: 0, target: 0 });
    chip.background[k] = { enable: spec.backgroundRate > 0, mode: 'poisson', rate_hz: spec.backgroundRate, label: 0, label_random_mask: 0x7ff, seed: 100 + k };
  }
  const params = Array.from({ length: NEURON_CIRCUITS }, (_, i) => lifCircuit(i < spec.activeCircuits));
  return { chip, params };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/**
 * Medians over REPS runs: wall, setup and run seconds of emulate(), and the process CPU seconds
 * of the whole call (user + system; on this shared machine wall time includes the time the
 * thread waited for a core, CPU time does not), with the 1-minute load average at the end.
 */
/**
 * Median process CPU seconds of the stepping alone (the loop of emulate() without its model
 * compilation and readout bookkeeping): the engine built outside the timed region, then
 * duration/dt steps. On a loaded machine this is the figure least affected by waiting for a core.
 */
export function runCpu(chip: ChipConfig, params: CircuitParameters[], duration: number, dt: number): number {
  const model = buildModel(chip, params);
  const cpus: number[] = [];
  const nSteps = Math.round(duration / dt);
  for (let r = 0; r < REPS; r++) {
    const engine = new SteppedEngine(model, chip, { dt, seed: 1, noise: false, externalSpikes: [] });
    const c0 = process.cpuUsage();
    for (let k = 0; k < nSteps; k++) engine.step();
    const c = process.cpuUsage(c0);
    cpus.push((c.user + c.system) / 1e6);
  }
  return median(cpus);
}

function timeRun(chip: ChipConfig, params: CircuitParameters[], duration: number, dt: number): { wall: number; run: number; setup: number; cpu: number; runCpu: number; load: number; res: EmulationResult } {
  emulate(chip, params, { duration: duration / 10, dt, seed: 1, noise: false }); // warm-up (JIT)
  const walls: number[] = [];
  const runs: number[] = [];
  const setups: number[] = [];
  const cpus: number[] = [];
  let res: EmulationResult | null = null;
  for (let r = 0; r < REPS; r++) {
    const c0 = process.cpuUsage();
    res = emulate(chip, params, { duration, dt, seed: 1, noise: false });
    const c = process.cpuUsage(c0);
    cpus.push((c.user + c.system) / 1e6);
    walls.push(res.wallSeconds);
    setups.push(res.setupSeconds);
    runs.push(res.wallSeconds - res.setupSeconds);
  }
  return { wall: median(walls), run: median(runs), setup: median(setups), cpu: median(cpus), runCpu: runCpu(chip, params, duration, dt), load: loadavg()[0], res: res! };
}

// ------------------------------------------------------------------------------------------------
// The network as plain lists for the Brian2 peer: background events at their arrival at the
// drivers, the synapses reached by each (bus, label) "source", the recurrent routes.

export function exportNetwork(chip: ChipConfig, params: CircuitParameters[], duration: number, dt: number): Record<string, unknown> {
  const model = buildModel(chip, params);
  const R = model.routing;
  const p = params[0];
  const spkI: number[] = [];
  const spkT: number[] = [];
  const seen = new Set<string>();
  let dropped = 0;
  const keysOf = (input: number, label: number): number[] => {
    const out: number[] = [];
    for (let k = R.nodePtr[input]; k < R.nodePtr[input + 1]; k += 3) {
      if (R.nodes[k] < 8 && (label & R.nodes[k + 1]) === R.nodes[k + 2]) out.push(R.nodes[k] * LABELS_PER_BUS + (label & 0x7ff));
    }
    return out;
  };
  for (const b of backgroundSources(chip)) {
    while (b.next + ROUTING_LATENCY_S <= duration) {
      const label = nextBackgroundEvent(b);
      const t = b.next + ROUTING_LATENCY_S;
      for (const key of keysOf(12 + b.index, label)) {
        // Brian2 allows one spike per source and time step.
        const bin = `${key}:${Math.floor(t / dt)}`;
        if (seen.has(bin)) { dropped++; continue; }
        seen.add(bin);
        spkI.push(key);
        spkT.push(Math.floor(t / dt) * dt);
      }
      advanceBackground(b);
    }
  }
  const synI: number[] = [];
  const synJ: number[] = [];
  const synW: number[] = [];
  for (let key = 0; key < R.rowPtr.length - 1; key++) {
    for (let s = R.rowPtr[key]; s < R.rowPtr[key + 1]; s++) {
      synI.push(key);
      synJ.push(R.target[s] >> 1);
      synW.push(R.amplitude[s]);
    }
  }
  const recI: number[] = [];
  const recJ: number[] = [];
  const recW: number[] = [];
  for (let i = 0; i < NEURON_CIRCUITS; i++) {
    if (!model.digitalOut[i]) continue;
    for (const key of keysOf(model.eventOutput[i], model.outLabel[i])) {
      for (let s = R.rowPtr[key]; s < R.rowPtr[key + 1]; s++) {
        recI.push(i);
        recJ.push(R.target[s] >> 1);
        recW.push(R.amplitude[s]);
      }
    }
  }
  return {
    n: NEURON_CIRCUITS, dt, duration, C: p.capacitance, gL: p.gLeak, EL: p.eLeak, theta: p.vThreshold, Vr: p.vReset,
    tref: p.refractoryTime, taus: p.synapticInput[0].tau, nSources: 8 * LABELS_PER_BUS, delay: ROUTING_LATENCY_S,
    spk_i: spkI, spk_t: spkT, droppedSameStepEvents: dropped, syn_i: synI, syn_j: synJ, syn_w: synW, rec_i: recI, rec_j: recJ, rec_w: recW,
  };
}

function runBrian(net: Record<string, unknown>, reps: number, trains = false): Record<string, unknown> {
  const python = '/usr/bin/python3';
  try {
    execFileSync(python, ['-c', 'import brian2'], { stdio: 'ignore' });
  } catch {
    return { skipped: 'Brian2 not available under /usr/bin/python3 (apt-get install -y python3-brian)' };
  }
  const dir = mkdtempSync(join(tmpdir(), 'plateau-bench-'));
  const file = join(dir, 'network.json');
  writeFileSync(file, JSON.stringify(net));
  const stdout = execFileSync(python, ['bench/brian2/fulldie.py', file, String(reps), ...(trains ? ['spikes'] : [])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 26 });
  const line = stdout.trim().split('\n').filter((l) => l.startsWith('{')).at(-1)!;
  return JSON.parse(line) as Record<string, unknown>;
}

function main(): void {
  const out: Record<string, unknown> = { machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, loadavg: loadavg() }, date: new Date().toISOString(), reps: REPS };
  out.fullDie = fullDie(quick ? [100e-9] : [100e-9, 32e-9, 10e-9]);
  const full = (out.fullDie as { runs: Record<string, unknown>[] }).runs;
  const duration = 1e-3;

  // (c) scaling at dt = 100 ns.
  const scaling: Record<string, unknown>[] = [];
  const dtS = 100e-9;
  const cases: [string, DieSpec][] = [
    // Small experiments on the full die: the other circuits are off (no threshold, inputs
    // disabled) and sleep at their fixed point (docs/emulator.md, "Quiescent compartments").
    ['circuits 2', { ...FULL, activeCircuits: 2 }],
    ['circuits 32', { ...FULL, activeCircuits: 32 }],
    ['circuits 128', { ...FULL, activeCircuits: 128 }],
    ['circuits 256', { ...FULL, activeCircuits: 256 }],
    ['circuits 512', FULL],
    ['synapses 0 %', { ...FULL, synapseFraction: 0 }],
    ['synapses 25 %', { ...FULL, synapseFraction: 0.25 }],
    ['synapses 100 %', FULL],
    ['input rate 0', { ...FULL, backgroundRate: 0 }],
    ['input rate 1.25 MHz/source', { ...FULL, backgroundRate: 1.25e6 }],
    ['input rate 12.5 MHz/source', FULL],
    ['input rate 50 MHz/source', { ...FULL, backgroundRate: 50e6 }],
  ];
  for (const [name, spec] of quick ? cases.slice(0, 5) : cases) {
    const die = buildDie(spec);
    const { wall, run, setup, cpu, runCpu: rcpu, load, res } = timeRun(die.chip, die.params, duration, dtS);
    const row = { case: name, dt: dtS, loadavg1: load, wallSeconds: wall, setupSeconds: setup, runSeconds: run, cpuSeconds: cpu, runCpuSeconds: rcpu, runSlowdownVsChip: run / duration, spikes: res.spikes.length, synapticEvents: res.synapticEvents, crossbarEvents: res.crossbarEvents };
    console.log('scaling', JSON.stringify(row));
    scaling.push(row);
  }
  out.scaling = scaling;
  const f100 = full[0];
  out.components = components({ runCpu: f100.plateauRunCpuSeconds as number, pulses: f100.synapticEvents as number, xbar: f100.crossbarEvents as number });
  if (!quick) out.dtStudy = dtStudy();
  writeResults(out);
}

/** (a) + (b): full die, plateau and Brian2 side by side at the same dt. */
function fullDie(dts: number[]): Record<string, unknown> {
  const duration = 1e-3;
  const { chip, params } = buildDie(FULL);
  const full: Record<string, unknown>[] = [];
  for (const dt of dts) {
    const { wall, run, setup, cpu, runCpu: rcpu, load, res } = timeRun(chip, params, duration, dt);
    const row: Record<string, unknown> = {
      dt, loadavg1: load, plateauWallSeconds: wall, plateauSetupSeconds: setup, plateauRunSeconds: run, plateauCpuSeconds: cpu, plateauRunCpuSeconds: rcpu, slowdownVsChip: wall / duration, runSlowdownVsChip: run / duration, plateauSpikes: res.spikes.length,
      meanRateHwHz: res.spikes.length / NEURON_CIRCUITS / duration, crossbarEvents: res.crossbarEvents, synapticEvents: res.synapticEvents,
    };
    if (dt >= 32e-9 || !quick) {
      const brian = runBrian(exportNetwork(chip, params, duration, dt), quick ? 1 : REPS);
      row.brian2 = brian;
      const runs = brian.runSeconds as number[] | undefined;
      if (runs) {
        row.brian2RunSeconds = median(runs);
        // Brian2's _last_run_time excludes code generation and compilation: compare run to run.
        row.plateauRunOverBrian2Run = run / median(runs);
        row.plateauRunCpuOverBrian2Run = rcpu / median(runs);
        const bcpu = brian.processCpuSeconds as number[] | undefined;
        if (bcpu && bcpu.length > 0) {
          // CPU time of the whole call on both sides (plateau: emulate() with model compilation;
          // Brian2: the compiled binary's process, loading its arrays and writing results).
          row.brian2ProcessCpuSeconds = median(bcpu);
          row.plateauCpuOverBrian2Cpu = cpu / median(bcpu);
        }
        row.loadavg1AfterBrian2 = loadavg()[0];
      }
    }
    console.log('full die', JSON.stringify(row, (k, v) => (k === 'runSeconds' || k === 'processCpuSeconds' ? undefined : v)));
    full.push(row);
  }
  return {
    description: '512 LIF circuits (tau_m 10 us, tau_s 5 us), 131072 synapses in use (random 6-bit weights and labels, top rows excitatory, bottom rows inhibitory), 8 Poisson background sources at 12.5 MEvent/s (10 % of their bandwidth) over all 2048 row-select/synapse labels, on-chip spikes routed back; 1 ms hardware time. plateauWallSeconds is the median of the emulate() call; plateauSetupSeconds the part spent compiling the model (routing tables, compartments); plateauRunSeconds the rest, comparable with the device._last_run_time of Brian2 (which excludes code generation and compilation).',
    runs: full,
  };
}

/**
 * (e) Cost components, process CPU per unit, medians and minima of interleaved repetitions:
 * - compartment-step: the 512 circuits of the die without any input, kept awake (`noSleep`), so
 *   that every step runs the lean kernel over all of them and nothing else happens — the
 *   WebAssembly kernel and the TypeScript one alternately;
 * - crossbar event: the die with its background sources but no synapse in use (Poisson draws,
 *   crossbar and row lookup, nothing to deliver), minus the steps' fixed cost;
 * - synaptic pulse: the full die minus its compartment-steps and crossbar events, per pulse
 *   (accumulation and application at the step end, and the threshold/reset work of its spikes).
 */
export function components(full: { runCpu: number; pulses: number; xbar: number }): Record<string, unknown> {
  const dt = 100e-9;
  const nSteps = 10000;
  const quiet = buildDie({ ...FULL, backgroundRate: 0 });
  const model = buildModel(quiet.chip, quiet.params);
  const kernels = ['auto', 'sparse', 'js'] as const;
  const perStep: Record<string, number[]> = { auto: [], sparse: [], js: [] };
  for (let r = 0; r < 2 * REPS + 2; r++) {
    for (const kernel of r % 2 ? [...kernels].reverse() : kernels) {
      const e = new SteppedEngine(model, quiet.chip, { dt, seed: 1, noise: false, externalSpikes: [], noSleep: true, kernel });
      const c0 = process.cpuUsage();
      for (let k = 0; k < nSteps; k++) e.step();
      const c = process.cpuUsage(c0);
      if (r >= 2) perStep[kernel].push((c.user + c.system) * 1e3 / (nSteps * NEURON_CIRCUITS)); // ns
    }
  }
  // Steps with nothing awake (input rate 0): the fixed cost per step.
  const idleDie = buildDie({ ...FULL, backgroundRate: 0 });
  const idle = runCpu(idleDie.chip, idleDie.params, 1e-3, dt) / nSteps;
  const noSyn = buildDie({ ...FULL, synapseFraction: 0 });
  const noSynCpu = runCpu(noSyn.chip, noSyn.params, 1e-3, dt);
  const noSynRes = emulate(noSyn.chip, noSyn.params, { duration: 1e-3, dt, seed: 1, noise: false });
  const perXbar = (noSynCpu - idle * nSteps) / noSynRes.crossbarEvents;
  const perCompStep = median(perStep.auto) * 1e-9;
  const perPulse = (full.runCpu - idle * nSteps - perCompStep * NEURON_CIRCUITS * nSteps - perXbar * full.xbar) / full.pulses;
  const row = {
    loadavg1: loadavg()[0],
    compartmentStepNsWasmDense: { median: median(perStep.auto), min: Math.min(...perStep.auto) },
    compartmentStepNsWasmSparse: { median: median(perStep.sparse), min: Math.min(...perStep.sparse) },
    compartmentStepNsTypeScript: { median: median(perStep.js), min: Math.min(...perStep.js) },
    idleStepNs: idle * 1e9,
    crossbarEventNs: perXbar * 1e9,
    synapticPulseNs: perPulse * 1e9,
    note: 'process CPU; compartment-step from a die kept awake without input (kernel + per-compartment share of the step; dense: the f64x2 kernel over all compartments, the default when most are awake; sparse: the WebAssembly kernel over the awake list), crossbar event from the die without synapses, synaptic pulse as the remainder of the full die (dt 100 ns) per pulse (routing, accumulation, application, and the threshold/reset work of the spikes)',
  };
  console.log('components', JSON.stringify(row));
  return row;
}

/**
 * Spike-by-spike agreement of `test` with `ref` (per circuit, both time-sorted): a reference spike
 * is matched by the nearest unused test spike of the same circuit within ±window; the fraction is
 * matched / max(n_ref, n_test), the timing error the |Δt| of the matched pairs.
 */
export function matchTrains(ref: number[][], test: number[][], window: number): Record<string, number> {
  let matched = 0;
  let nRef = 0;
  let nTest = 0;
  const dts: number[] = [];
  for (let i = 0; i < ref.length; i++) {
    const a = ref[i] ?? [];
    const b = test[i] ?? [];
    nRef += a.length;
    nTest += b.length;
    let j = 0;
    for (const t of a) {
      while (j < b.length && b[j] < t - window) j++;
      if (j < b.length && Math.abs(b[j] - t) <= window) {
        dts.push(Math.abs(b[j] - t));
        matched++;
        j++;
      }
    }
  }
  dts.sort((x, y) => x - y);
  return {
    spikesRef: nRef, spikes: nTest, matched, matchedFraction: matched / Math.max(nRef, nTest, 1),
    medianAbsDtSeconds: dts.length ? dts[dts.length >> 1] : NaN, p95AbsDtSeconds: dts.length ? dts[Math.floor(0.95 * (dts.length - 1))] : NaN,
  };
}

function trainsOf(n: number, circuit: ArrayLike<number>, time: ArrayLike<number>): number[][] {
  const out: number[][] = Array.from({ length: n }, () => []);
  for (let k = 0; k < circuit.length; k++) out[circuit[k]].push(time[k]);
  for (const t of out) t.sort((a, b) => a - b);
  return out;
}

/**
 * (f) dt study on the feed-forward die (the full die without the on-chip routes back, so that
 * every circuit's spike train is driven by the same background events at every dt and can be
 * compared spike by spike; a recurrent die is chaotic: its trains part after the first
 * difference, at any dt). plateau's 10 ns run is the reference; Brian2 at the same dt (event
 * times rounded to its step, ideal reset clamp) is compared with plateau's reference and with
 * its own 10 ns run.
 */
export function dtStudy(): Record<string, unknown> {
  const duration = 1e-3;
  const dts = [10e-9, 32e-9, 100e-9, 320e-9, 1e-6];
  const window = 1e-6;
  const { chip, params } = buildDie({ ...FULL, recurrent: false });
  const rows: Record<string, unknown>[] = [];
  let ref: number[][] | null = null;
  let brianRef: number[][] | null = null;
  for (const dt of dts) {
    const res = emulate(chip, params, { duration, dt, seed: 1, noise: false });
    const trains = res.spikeTrains.map((t) => [...t].sort((a, b) => a - b));
    ref ??= trains;
    const rcpu = runCpu(chip, params, duration, dt);
    const row: Record<string, unknown> = { dt, loadavg1: loadavg()[0], plateauRunCpuSeconds: rcpu, plateau: matchTrains(ref, trains, window) };
    const brian = runBrian(exportNetwork(chip, params, duration, dt), 3, true);
    const bi = brian.spikeI as number[] | undefined;
    if (bi) {
      const bt = trainsOf(NEURON_CIRCUITS, bi, brian.spikeT as number[]);
      brianRef ??= bt;
      row.brian2RunSeconds = median(brian.runSeconds as number[]);
      row.brian2VsPlateauReference = matchTrains(ref, bt, window);
      row.brian2VsBrian2At10ns = matchTrains(brianRef, bt, window);
    } else {
      row.brian2 = brian;
    }
    console.log('dt study', JSON.stringify(row));
    rows.push(row);
  }
  return {
    description: 'feed-forward full die (512 LIF circuits, 131072 synapses, 8 Poisson sources at 12.5 MEvent/s, no on-chip routes back), 1 ms; reference: plateau at dt 10 ns; a spike matches the nearest unused spike of the same circuit within ±1 us; matchedFraction = matched / max(n_ref, n); |dt| of the matched pairs. Brian2: event times rounded to its step, ideal reset clamp, no clock-edge registration (bench/brian2/fulldie.py).',
    windowSeconds: window, rows,
  };
}

async function workers(out: Record<string, unknown>): Promise<void> {
  // (d) independent trials (seeds) on 1 and 2 worker threads, and in this thread.
  const { chip, params } = buildDie(FULL);
  // 5 ms per job (≈ 0.3 s): a worker's ≈ 1 s start-up (tsx compiles the sources again) is then
  // a fraction of the batch, not all of it.
  const jobDuration = quick ? 1e-3 : 5e-3;
  const jobs = Array.from({ length: quick ? 2 : 8 }, (_, k) => ({ chip, params, opts: { duration: jobDuration, dt: 100e-9, seed: k } }));
  const timeIt = async (threads: number): Promise<{ total: number; perJob: number }> => {
    const t = performance.now();
    const res = await emulateMany(jobs, { threads });
    return { total: (performance.now() - t) / 1e3, perJob: median(res.map((r) => r.wallSeconds)) };
  };
  const loadavgBefore = loadavg();
  const serial = await timeIt(0);
  const one = await timeIt(1);
  const two = await timeIt(2);
  out.workers = {
    jobs: jobs.length, jobDescription: `full die, ${jobDuration * 1e3} ms, dt 100 ns, different seeds`,
    inThreadSeconds: serial.total, oneWorkerSeconds: one.total, twoWorkersSeconds: two.total,
    medianJobSecondsInThread: serial.perJob, medianJobSecondsOneWorker: one.perJob, medianJobSecondsTwoWorkers: two.perJob,
    speedupTwoOverOne: one.total / two.total, speedupTwoOverInThread: serial.total / two.total,
    loadavgBefore, loadavgAfter: loadavg(),
    note: 'workers are started through src/emulator/worker-bootstrap.mjs (tsx ESM hooks registered in the worker); a per-job time that doubles with two workers means the two cores were not both free (shared machine)',
  };
  console.log('workers', JSON.stringify(out.workers));
}

/**
 * `--ab DIR`: the same workloads run by an older engine (DIR = an extracted older tree, e.g.
 * `git archive da083cf src | tar -x -C /tmp/plateau-old`) and by this one, interleaved in one
 * process (old, new, new, old, ...), so that both see the same machine load. Medians and minima
 * of the run seconds (emulate() minus model compilation), spike counts of both.
 */
async function ab(dir: string): Promise<void> {
  type Emulate = typeof emulate;
  const old = (await import(join(dir, 'src/emulator/index.ts'))) as { emulate: Emulate };
  const engines: [string, Emulate][] = [['old', old.emulate], ['new', emulate]];
  const adapting = buildDie(FULL);
  for (const p of adapting.params) if (Number.isFinite(p.vThreshold)) p.adaptation = { enabled: true, a: 2e-9, b: 2e-10, tauW: 1e-4, vRef: 0.45 };
  const cases: [string, { chip: ChipConfig; params: CircuitParameters[] }, number][] = [
    ['full die', buildDie(FULL), 1e-3],
    ['2 active circuits', buildDie({ ...FULL, activeCircuits: 2 }), 1e-3],
    ['no input (quiet die)', buildDie({ ...FULL, backgroundRate: 0 }), 1e-3],
    ['full die, adaptation on (every compartment a group)', adapting, 2e-4],
  ];
  const rows: Record<string, unknown>[] = [];
  const reps = quick ? 3 : 7;
  for (const [name, die, duration] of cases) {
    const runs: Record<string, number[]> = { old: [], new: [] };
    const spikes: Record<string, number> = {};
    for (const [, f] of engines) f(die.chip, die.params, { duration: duration / 10, dt: 100e-9, seed: 1, noise: false });
    for (let r = 0; r < reps; r++) {
      for (const [k, f] of r % 2 ? [...engines].reverse() : engines) {
        const res = f(die.chip, die.params, { duration, dt: 100e-9, seed: 1, noise: false });
        runs[k].push(res.wallSeconds - res.setupSeconds);
        spikes[k] = res.spikes.length;
      }
    }
    const row = {
      case: name, dt: 100e-9, duration, reps, loadavg1: loadavg()[0],
      oldRunSecondsMedian: median(runs.old), newRunSecondsMedian: median(runs.new),
      oldRunSecondsMin: Math.min(...runs.old), newRunSecondsMin: Math.min(...runs.new),
      speedupMedian: median(runs.old) / median(runs.new), oldSpikes: spikes.old, newSpikes: spikes.new,
    };
    console.log('ab', JSON.stringify(row));
    rows.push(row);
  }
  const path = 'bench/results/emulator.json';
  const out = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  out.abAgainstOlder = { olderTree: dir, date: new Date().toISOString(), rows };
  writeResults(out);
}

/**
 * `--workers [LOAD] [UNTIL]`: only (d), started at the first moment the 1-minute load average is
 * below LOAD (default 2; polled every 15 s) or at the ISO time UNTIL, whichever comes first;
 * merged into the existing JSON with the load it waited for.
 */
async function workersWhenQuiet(maxLoad: number, until: number): Promise<void> {
  const start = Date.now();
  let lowest = Infinity;
  while (loadavg()[0] >= maxLoad && Date.now() < until) {
    lowest = Math.min(lowest, loadavg()[0]);
    await new Promise((r) => setTimeout(r, 15000));
  }
  const path = 'bench/results/emulator.json';
  const out = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  await workers(out);
  (out.workers as Record<string, unknown>).waitedForLoadBelow = { maxLoad, waitedSeconds: (Date.now() - start) / 1e3, lowestLoadSeenWhileWaiting: lowest === Infinity ? loadavg()[0] : lowest, date: new Date().toISOString() };
  // Every quiet-machine measurement is kept (the spread between them is the machine's).
  const runs = Array.isArray(out.workersQuietRuns) ? (out.workersQuietRuns as unknown[]) : [];
  out.workersQuietRuns = [...runs, out.workers];
  writeResults(out);
}

const abIndex = process.argv.indexOf('--ab');
if (process.argv.includes('--full-die') && process.argv[1]?.endsWith('emulator.ts')) {
  // Only (a) + (b) at 100 ns (and (e), which divides its run), merged into the JSON: for a rerun
  // at a quiet minute.
  const path = 'bench/results/emulator.json';
  const out = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  const fd = fullDie([100e-9]);
  const prev = (out.fullDie as { runs?: Record<string, unknown>[] } | undefined)?.runs ?? [];
  const runs = fd.runs as Record<string, unknown>[];
  out.fullDie = { ...fd, runs: [...runs, ...prev.filter((r) => r.dt !== 100e-9)], rerun100nsAt: new Date().toISOString() };
  const f100 = runs[0];
  out.components = components({ runCpu: f100.plateauRunCpuSeconds as number, pulses: f100.synapticEvents as number, xbar: f100.crossbarEvents as number });
  writeResults(out);
  process.exit(0);
}
if (process.argv.includes('--dt-study') && process.argv[1]?.endsWith('emulator.ts')) {
  const path = 'bench/results/emulator.json';
  const out = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  out.dtStudy = { ...dtStudy(), date: new Date().toISOString() };
  writeResults(out);
  process.exit(0);
}
const workersIndex = process.argv.indexOf('--workers');
if (workersIndex > 0 && process.argv[1]?.endsWith('emulator.ts')) {
  const maxLoad = Number(process.argv[workersIndex + 1] ?? 2);
  const until = process.argv[workersIndex + 2] ? Date.parse(process.argv[workersIndex + 2]) : Date.now() + 20 * 60e3;
  void workersWhenQuiet(Number.isFinite(maxLoad) ? maxLoad : 2, until);
} else if (abIndex > 0 && process.argv[1]?.endsWith('emulator.ts')) {
  void ab(process.argv[abIndex + 1]);
} else if (process.argv[1] && process.argv[1].endsWith('emulator.ts')) {
  main();
  const path = 'bench/results/emulator.json';
  const out = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  void workers(out).then(() => writeResults(out));
}

export function writeResults(out: Record<string, unknown>): void {
  mkdirSync('bench/results', { recursive: true });
  const path = 'bench/results/emulator.json';
  writeFileSync(path + '.tmp', JSON.stringify(out, null, 2) + '\n');
  renameSync(path + '.tmp', path);
}

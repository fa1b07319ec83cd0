/**
 * Learning benchmark: (1) wall time of a 300-epoch Fast & Deep training (5-120-3, seed 1, one
 * core), (2) inference rate of the trained network on the event-driven engine — the layer kernel
 * used by the learning code (WebAssembly, per sample through `TtfsRunner.forward` and in batches
 * through `forwardBatch`; and the TypeScript kernel it transcribes) and the general event-driven
 * engine — side by side with a time-stepped integration (the reference code's
 * `use_forward_integrator`: Euler, resolution 0.01 τ_s, 4 τ_s per pattern) on the same network
 * and test set; medians of repeated passes. The layer kernel is also compared with the
 * reference path of the same exact model (per neuron, decays and crossings with Math.exp and
 * Halley's W₀: `neuronFirstSpike`): rate, and the largest relative difference of any spike time
 * over the test set (the kernel's round-off); and the WebAssembly kernel with the TypeScript
 * one (spike times that differ in any bit).
 *
 *   npx tsx bench/learning.ts                  # trains (≈ 3 min), then measures
 *   npx tsx bench/learning.ts --model m.json   # measures a saved 5-120-3 model
 *
 * Writes bench/results/learning.json.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { defaultTrainConfig, initState, loadYinYang, runTraining } from '../src/learning/train.ts';
import { loadModel } from '../src/learning/model.ts';
import { TtfsRunner, layerInputs, type TtfsNetwork } from '../src/learning/network.ts';
import { classify } from '../src/learning/loss.ts';
import { simulateEventNetwork, synapsesFromList, type EventNetwork } from '../src/emulator/event/network.ts';
import { yinYangSplit, type YinYangDataset } from '../src/learning/yinyang.ts';
import { argsortInto, neuronFirstSpike } from '../src/emulator/event/layer.ts';

const args = process.argv.slice(2);
const modelArg = args.indexOf('--model') >= 0 ? args[args.indexOf('--model') + 1] : undefined;
const REPS = 15;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * Median over repetitions of the process CPU time (user + system) of `fn`, and of its wall
 * time. On a shared machine CPU time is the figure to read: it does not count the time this
 * process waited for a core.
 */
function timeIt(fn: () => number, reps = REPS): { medianSeconds: number; medianWallSeconds: number; result: number } {
  const cpu: number[] = [];
  const wall: number[] = [];
  let result = 0;
  fn(); // warm-up (JIT)
  for (let r = 0; r < reps; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    result = fn();
    wall.push((performance.now() - t0) / 1000);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e6);
  }
  return { medianSeconds: median(cpu), medianWallSeconds: median(wall), result };
}

/** Delay of synapse (i → j) of layer l: d = shift + scale·σ(θ) by kind (0 without delays). */
function synapseDelay(net: TtfsNetwork, l: number, i: number, j: number): number {
  const th = net.delayTheta[l];
  const nIn = layerInputs(net, l);
  const d = net.delays;
  const f = (x: number): number => d.shift + d.scale / (1 + Math.exp(-x));
  switch (d.kind) {
    case 'none': return 0;
    case 'axonal': return f(th[i]);
    case 'dendritic': return f(th[j]);
    case 'synaptic': return f(th[j * nIn + i]);
  }
}

/** The layered network as a general event network (one spike per neuron: refractory ∞). */
function toEventNetwork(net: TtfsNetwork): { net: EventNetwork; nInputs: number } {
  const sizes = net.sizes;
  const N = sizes.slice(1).reduce((a, b) => a + b, 0);
  const nExt = sizes[0] + net.nBias * (sizes.length - 1);
  const src: number[] = [];
  const tgt: number[] = [];
  const w: number[] = [];
  const dl: number[] = [];
  let offset = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const nIn = layerInputs(net, l);
    const nOut = sizes[l + 1];
    for (let j = 0; j < nOut; j++) {
      for (let i = 0; i < nIn; i++) {
        let s: number;
        if (i < sizes[l]) s = l === 0 ? N + i : offset - sizes[l] + i;
        else s = N + sizes[0] + l * net.nBias + (i - sizes[l]);
        src.push(s);
        tgt.push(offset + j);
        w.push(net.weights[l][j * nIn + i]);
        dl.push(synapseDelay(net, l, i, j));
      }
    }
    offset += nOut;
  }
  const m = net.model;
  return {
    net: {
      neurons: {
        size: N, tauMem: new Float64Array(N).fill(m.tauMem), tauSyn: new Float64Array(N).fill(m.tauSyn),
        capacitance: new Float64Array(N).fill(m.capacitance), threshold: new Float64Array(N).fill(m.threshold),
        reset: new Float64Array(N).fill(0), refractory: new Float64Array(N).fill(Infinity),
      },
      synapses: synapsesFromList(N, nExt, src, tgt, w, dl),
    },
    nInputs: nExt,
  };
}

/**
 * The reference path: every layer neuron by neuron with `neuronFirstSpike` (Math.exp decays per
 * neuron, crossings by `firstCrossing` with Halley's W₀), its own outputs feeding the next layer.
 * Writes the spike times of every layer into `times[l]`.
 */
function referenceForward(net: TtfsNetwork, features: Float64Array, offset: number, times: Float64Array[], order: Int32Array, tmp: Int32Array): void {
  const m = net.model;
  let prev: Float64Array | null = null;
  for (let l = 0; l + 1 < net.sizes.length; l++) {
    const nIn = layerInputs(net, l);
    const input = times[2 * l];
    if (l === 0) for (let i = 0; i < net.sizes[0]; i++) input[i] = net.encoding.early + features[offset + i] * (net.encoding.late - net.encoding.early);
    else if (prev) input.set(prev);
    for (let b = 0; b < net.nBias; b++) input[net.sizes[l] + b] = net.encoding.biasTime;
    argsortInto(input, order, tmp, nIn);
    const out = times[2 * l + 1];
    for (let j = 0; j < net.sizes[l + 1]; j++) out[j] = neuronFirstSpike(input, order, nIn, net.weights[l], j * nIn, m.threshold, m.tauMem, m.tauSyn, m.capacitance, null, null);
    prev = out;
  }
}

/** Euler forward integration as the reference code's integrator (first spike per neuron). */
function eulerForward(net: TtfsNetwork, data: YinYangDataset, dt: number, simTime: number): number {
  const steps = Math.ceil(simTime / dt);
  const m = net.model;
  const decayMem = Math.exp(-dt / m.tauMem);
  const decaySyn = Math.exp(-dt / m.tauSyn);
  let correct = 0;
  for (let s = 0; s < data.size; s++) {
    const input = new Float64Array(net.sizes[0]);
    for (let i = 0; i < net.sizes[0]; i++) input[i] = net.encoding.early + data.samples[s * 4 + i] * (net.encoding.late - net.encoding.early);
    let times: Float64Array = input;
    for (let l = 0; l + 1 < net.sizes.length; l++) {
      const nIn = layerInputs(net, l);
      const nOut = net.sizes[l + 1];
      const tin = new Float64Array(nIn);
      tin.set(times);
      for (let b = 0; b < net.nBias; b++) tin[net.sizes[l] + b] = net.encoding.biasTime;
      const v = new Float64Array(nOut);
      const cur = new Float64Array(nOut);
      const out = new Float64Array(nOut).fill(Infinity);
      // Arrival step of every synapse (input time + delay on the dt grid).
      const stepOf = new Int32Array(nIn * nOut);
      for (let j = 0; j < nOut; j++) {
        for (let i = 0; i < nIn; i++) {
          const t = tin[i] + synapseDelay(net, l, i, j);
          stepOf[j * nIn + i] = t < Infinity ? Math.min(steps - 1, Math.floor(t / dt)) : -1;
        }
      }
      const w = net.weights[l];
      for (let k = 0; k < steps; k++) {
        for (let j = 0; j < nOut; j++) {
          v[j] = decayMem * v[j] + (cur[j] * dt) / m.capacitance;
          cur[j] *= decaySyn;
          if (out[j] === Infinity && v[j] > m.threshold) out[j] = k * dt;
        }
        for (let j = 0; j < nOut; j++) for (let i = 0; i < nIn; i++) if (stepOf[j * nIn + i] === k) cur[j] += w[j * nIn + i];
      }
      times = out;
    }
    if (classify(times, net.sizes[net.sizes.length - 1]) === data.labels[s]) correct++;
  }
  return correct / data.size;
}

function main(): void {
  let net: TtfsNetwork;
  let training: Record<string, unknown> | null = null;
  if (modelArg) {
    net = loadModel(modelArg).net;
  } else {
    const c = defaultTrainConfig('ttfs', 'none', { epochs: 300, seed: 1 });
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const r = runTraining(initState(c), loadYinYang(c));
    const wall = (performance.now() - t0) / 1000;
    const cu = process.cpuUsage(c0);
    const cpuSeconds = (cu.user + cu.system) / 1e6;
    net = r.net;
    training = { method: 'ttfs', layout: '4+1-120-3', epochs: 300, seed: 1, wallSeconds: wall, cpuSeconds, testAccuracy: r.testAccuracy, validationAccuracy: r.validationAccuracy, bestEpoch: r.bestEpoch };
    process.stderr.write(`trained 300 epochs in ${wall.toFixed(1)} s wall, ${cpuSeconds.toFixed(1)} s CPU, test ${(100 * r.testAccuracy).toFixed(1)} %\n`);
  }
  const test = yinYangSplit('test');
  const nOut = net.sizes[net.sizes.length - 1];

  const loadBefore = loadavg();
  const runner = new TtfsRunner(net, null);
  if (!runner.wasm) throw new Error('bench/learning: the network does not qualify for the WebAssembly kernel');
  const layer = timeIt(() => {
    let correct = 0;
    for (let s = 0; s < test.size; s++) if (classify(runner.forward(test.samples, s * 4, null), nOut) === test.labels[s]) correct++;
    return correct / test.size;
  });
  const batchOut = new Float64Array(test.size * nOut);
  const batch = timeIt(() => {
    runner.forwardBatch(test.samples, 0, test.size, batchOut);
    let correct = 0;
    for (let s = 0; s < test.size; s++) if (classify(batchOut.subarray(s * nOut, (s + 1) * nOut), nOut) === test.labels[s]) correct++;
    return correct / test.size;
  });
  const tsRunner = new TtfsRunner(net, null, { wasm: false });
  const tsKernel = timeIt(() => {
    let correct = 0;
    for (let s = 0; s < test.size; s++) if (classify(tsRunner.forward(test.samples, s * 4, null), nOut) === test.labels[s]) correct++;
    return correct / test.size;
  });
  // WebAssembly against TypeScript kernel: every spike time of every layer, as bit patterns.
  let wasmBitMismatches = 0;
  for (let s = 0; s < test.size; s++) {
    runner.forward(test.samples, s * 4, null);
    tsRunner.forward(test.samples, s * 4, null);
    for (let l = 0; l < runner.layers.length; l++) {
      const a = runner.layers[l].output;
      const b = tsRunner.layers[l].output;
      for (let j = 0; j < a.length; j++) if (!Object.is(a[j], b[j])) wasmBitMismatches++;
    }
  }

  // Reference path: rate, and the largest relative spike-time difference to the layer kernel.
  const nLayers = net.sizes.length - 1;
  const refTimes: Float64Array[] = [];
  for (let l = 0; l < nLayers; l++) refTimes.push(new Float64Array(layerInputs(net, l)), new Float64Array(net.sizes[l + 1]));
  const maxIn = Math.max(...refTimes.map((t) => t.length));
  const refOrder = new Int32Array(maxIn);
  const refTmp = new Int32Array(maxIn);
  let maxRelDiff = 0;
  let fireMismatches = 0;
  let spikeTimesCompared = 0;
  for (let s = 0; s < test.size; s++) {
    runner.forward(test.samples, s * 4, null);
    referenceForward(net, test.samples, s * 4, refTimes, refOrder, refTmp);
    for (let l = 0; l < nLayers; l++) {
      const a = runner.layers[l].output;
      const b = refTimes[2 * l + 1];
      for (let j = 0; j < b.length; j++) {
        spikeTimesCompared++;
        if ((a[j] === Infinity) !== (b[j] === Infinity)) fireMismatches++;
        else if (b[j] < Infinity) maxRelDiff = Math.max(maxRelDiff, Math.abs(a[j] - b[j]) / Math.abs(b[j]));
      }
    }
  }
  const reference = timeIt(() => {
    let correct = 0;
    for (let s = 0; s < test.size; s++) {
      referenceForward(net, test.samples, s * 4, refTimes, refOrder, refTmp);
      if (classify(refTimes[2 * nLayers - 1], nOut) === test.labels[s]) correct++;
    }
    return correct / test.size;
  });

  const ev = toEventNetwork(net);
  const nH = net.sizes.slice(1, -1).reduce((a, b) => a + b, 0);
  const src = new Int32Array(ev.nInputs).map((_, i) => i);
  const tIn = new Float64Array(ev.nInputs);
  const general = timeIt(() => {
    let correct = 0;
    const first = new Float64Array(nOut);
    for (let s = 0; s < test.size; s++) {
      for (let i = 0; i < net.sizes[0]; i++) tIn[i] = net.encoding.early + test.samples[s * 4 + i] * (net.encoding.late - net.encoding.early);
      for (let b = net.sizes[0]; b < ev.nInputs; b++) tIn[b] = net.encoding.biasTime;
      const out = simulateEventNetwork(ev.net, { source: src, time: tIn }, 1e9);
      first.fill(Infinity);
      for (let k = 0; k < out.count; k++) if (out.neuron[k] >= nH) first[out.neuron[k] - nH] = Math.min(first[out.neuron[k] - nH], out.time[k]);
      if (classify(first, nOut) === test.labels[s]) correct++;
    }
    return correct / test.size;
  });

  const euler = timeIt(() => eulerForward(net, test, 0.01, 4.0), 3);

  const rate = (x: { medianSeconds: number }): number => test.size / x.medianSeconds;
  const result = {
    benchmark: 'learning',
    date: new Date().toISOString(),
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version },
    note: 'single thread; rates from the median process CPU time of repeated passes over the 1000 test samples (wall medians alongside); the machine is shared, compare ratios within this run',
    loadavgBeforeInference: loadBefore,
    loadavgAfterInference: loadavg(),
    training,
    network: { sizes: net.sizes, nBias: net.nBias, model: net.model },
    inference: {
      layerKernel: { kernel: 'WebAssembly (src/emulator/event/wasm-layer.ts), per sample through TtfsRunner.forward (the layers\' buffers are views of the kernel\'s memory)', inferencesPerSecond: rate(layer), wallInferencesPerSecond: test.size / layer.medianWallSeconds, testAccuracy: layer.result, medianCpuSeconds: layer.medianSeconds, medianWallSeconds: layer.medianWallSeconds },
      layerKernelBatch: { kernel: 'WebAssembly, TtfsRunner.forwardBatch (256 samples per call, no per-sample copies)', inferencesPerSecond: rate(batch), wallInferencesPerSecond: test.size / batch.medianWallSeconds, testAccuracy: batch.result, medianCpuSeconds: batch.medianSeconds, medianWallSeconds: batch.medianWallSeconds },
      typeScriptLayerKernel: { kernel: 'TypeScript (layerForward), per sample through TtfsRunner.forward', inferencesPerSecond: rate(tsKernel), testAccuracy: tsKernel.result, medianCpuSeconds: tsKernel.medianSeconds, medianWallSeconds: tsKernel.medianWallSeconds, spikeTimesDifferingFromWebAssembly: wasmBitMismatches },
      referencePath: { inferencesPerSecond: rate(reference), testAccuracy: reference.result, medianCpuSeconds: reference.medianSeconds, medianWallSeconds: reference.medianWallSeconds, spikeTimesCompared, fireMismatches, maxRelativeSpikeTimeDifference: maxRelDiff },
      generalEventEngine: { inferencesPerSecond: rate(general), testAccuracy: general.result, medianCpuSeconds: general.medianSeconds, medianWallSeconds: general.medianWallSeconds },
      eulerTimeStepped: { inferencesPerSecond: rate(euler), testAccuracy: euler.result, medianCpuSeconds: euler.medianSeconds, medianWallSeconds: euler.medianWallSeconds, dt: 0.01, simTime: 4.0 },
      speedupLayerKernelOverEuler: rate(layer) / rate(euler),
      speedupLayerKernelOverReferencePath: rate(layer) / rate(reference),
      speedupWebAssemblyOverTypeScriptKernel: rate(layer) / rate(tsKernel),
      speedupBatchOverTypeScriptKernel: rate(batch) / rate(tsKernel),
    },
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/learning.json', JSON.stringify(result, null, 2) + '\n');
  process.stdout.write(JSON.stringify(result.inference, null, 2) + '\n');
}

main();

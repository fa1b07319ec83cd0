/**
 * The learning code's forward pass on the WebAssembly layer kernel (TtfsRunner's default for
 * ideal, delay-free τ_m = τ_s networks) against the same runner on the TypeScript kernel: the
 * WebAssembly kernel transcribes the TypeScript one expression by expression in IEEE binary64,
 * so spike times, the layers' input/output buffers, missing-spike counts, and the exact
 * gradients computed from them must all be identical bit for bit (not just close: training
 * must not change when the kernel does). The kernel's agreement with the per-neuron reference
 * path is tested in test/emulator/event-*.test.ts and measured over the trained network's test
 * set in bench/learning.ts.
 */
import { describe, expect, it } from 'vitest';
import { defaultTrainConfig, initState, loadYinYang, runTraining } from '../../src/learning/train.ts';
import { TtfsRunner, type TtfsNetwork } from '../../src/learning/network.ts';
import { ttfsCrossEntropy } from '../../src/learning/loss.ts';
import { makeDieProfile } from '../../src/learning/die.ts';
import { yinYangSplit } from '../../src/learning/yinyang.ts';

function same(a: Float64Array, b: Float64Array): boolean {
  return a.length === b.length && a.every((x, k) => Object.is(x, b[k]));
}

function compareRunners(net: TtfsNetwork, n: number): { firedHidden: number } {
  const data = yinYangSplit('test', n);
  const wasm = new TtfsRunner(net, null);
  const ts = new TtfsRunner(net, null, { wasm: false });
  expect(wasm.wasm).not.toBeNull();
  expect(ts.wasm).toBeNull();
  const nOut = net.sizes[net.sizes.length - 1];
  let firedHidden = 0;
  for (let s = 0; s < data.size; s++) {
    const a = wasm.forward(data.samples, 4 * s, null);
    const b = ts.forward(data.samples, 4 * s, null);
    expect(same(a, b)).toBe(true);
    for (let l = 0; l < ts.layers.length; l++) {
      expect(same(wasm.layers[l].input, ts.layers[l].input)).toBe(true);
      expect(same(wasm.layers[l].output, ts.layers[l].output)).toBe(true);
    }
    firedHidden += ts.layers[0].output.filter((t) => t < Infinity).length;
    // Exact backward pass from the copied buffers: the same gradients.
    for (const r of [wasm, ts]) {
      ttfsCrossEntropy(r.layers[r.layers.length - 1].output, nOut, data.labels[s], 0.2, 0.005, 1, r.outputGradient());
      r.backward(Infinity);
    }
  }
  for (let l = 0; l < ts.layers.length; l++) expect(same(wasm.layers[l].grads.weights, ts.layers[l].grads.weights)).toBe(true);
  expect(wasm.missingTotal).toEqual(ts.missingTotal);
  // The batch path (no per-sample copies) gives the same output spike times.
  const outA = new Float64Array(data.size * nOut);
  const outB = new Float64Array(data.size * nOut);
  wasm.forwardBatch(data.samples, 0, data.size, outA);
  ts.forwardBatch(data.samples, 0, data.size, outB);
  expect(same(outA, outB)).toBe(true);
  return { firedHidden };
}

describe('inference on the WebAssembly kernel', () => {
  it('gives the TypeScript kernel’s spike times and gradients bit for bit (initial and briefly trained 5-120-3)', () => {
    const c = defaultTrainConfig('ttfs', 'none', { epochs: 2, seed: 3, trainSize: 300, validationSize: 100, testSize: 100 });
    const init = initState(c).net;
    const trained = runTraining(initState(c), loadYinYang(c)).net;
    // 300 samples > the kernel's batch of 256: forwardBatch runs two batches.
    for (const net of [init, trained]) {
      const { firedHidden } = compareRunners(net, 300);
      // Hidden neurons fire in quantity (the comparison covers the crossing solves).
      expect(firedHidden).toBeGreaterThan(300 * 20);
    }
  });

  it('stays on the TypeScript kernel on a die, with delays, or with τ_m ≠ τ_s', () => {
    const ideal = initState(defaultTrainConfig('ttfs', 'none', { seed: 1 })).net;
    expect(new TtfsRunner(ideal, makeDieProfile(7, ideal.sizes, [0, 0])).wasm).toBeNull();
    expect(new TtfsRunner(initState(defaultTrainConfig('delgrad', 'axonal', { seed: 1 })).net, null).wasm).toBeNull();
    // DelGrad's model: τ_m = 2τ_s.
    expect(new TtfsRunner(initState(defaultTrainConfig('delgrad', 'none', { seed: 1 })).net, null).wasm).toBeNull();
  });
});

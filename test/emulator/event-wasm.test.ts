/**
 * The WebAssembly layer kernel (src/emulator/event/wasm-layer.ts, emitted byte by byte) against
 * the TypeScript τ_m = τ_s layer kernel it transcribes: IEEE 754 binary64 without contraction on
 * both sides, the same expressions in the same order, the same tables, so every spike time must
 * agree bit for bit — through both sorts (insertion for ≤ 24 inputs, the bucket pass beyond),
 * ties, silent inputs, mixed-sign weights (the turnover path that calls back into `firstCrossing`),
 * and `fastExp`'s fallback to Math.exp. The TypeScript kernel itself is held to the per-neuron
 * reference path (Math.exp, Halley's W₀) in event-speed.test.ts; here the WebAssembly kernel is
 * also checked against that reference directly, to the same 1e-12.
 */
import { describe, expect, it } from 'vitest';
import { LayerScratch, argsortInto, layerForward, neuronFirstSpike, uniformNeurons } from '../../src/emulator/event/layer.ts';
import { WasmFeedForward } from '../../src/emulator/event/wasm-layer.ts';
import { Rng } from '../../src/util/random.ts';

/** Count of entries that differ as bit patterns (Object.is: −0 ≠ +0, NaN = NaN). */
function bitMismatches(a: Float64Array, b: Float64Array): number {
  let n = 0;
  for (let k = 0; k < a.length; k++) if (!Object.is(a[k], b[k])) n++;
  return n;
}

describe('WebAssembly layer kernel', () => {
  it('gives the TypeScript kernel’s spike times bit for bit on single layers (7 and 121 inputs, model units and SI)', () => {
    const systems = [
      { tau: 1, capacitance: 1, threshold: 1, time: 1 },
      { tau: 6e-6, capacitance: 2e-12, threshold: 0.02, time: 6e-6 },
    ];
    for (const u of systems) {
      for (const nIn of [7, 121]) {
        const rng = new Rng(`wasm-layer-${nIn}`);
        const nOut = nIn === 7 ? 200 : 40;
        const neurons = uniformNeurons(nOut, { tauMem: u.tau, tauSyn: u.tau, capacitance: u.capacitance, threshold: u.threshold });
        const current = (u.threshold * u.capacitance) / u.tau;
        const ff = new WasmFeedForward([{ nIn, nOut, tau: u.tau, capacitance: u.capacitance }], 1);
        ff.setThresholds(0, neurons.threshold);
        const input = new Float64Array(nIn);
        const weights = new Float64Array(nOut * nIn);
        const out = new Float64Array(nOut);
        const scratch = new LayerScratch(nIn, nOut);
        const order = new Int32Array(nIn);
        const tmp = new Int32Array(nIn);
        let mismatches = 0;
        let fired = 0;
        let silent = 0;
        let worstToReference = 0;
        for (let trial = 0; trial < 60; trial++) {
          for (let i = 0; i < nIn; i++) {
            const r = rng.uniform();
            // A fifth silent, a cluster (hidden-layer-like outputs), exact ties, spread times.
            input[i] = r < 0.2 ? Infinity : r < 0.5 ? u.time * (1 + 0.01 * rng.uniform()) : r < 0.55 ? 2 * u.time : 3 * u.time * rng.uniform();
          }
          if (trial % 5 === 0) input[1] = input[0];
          // Weight scales from far below to far above threshold, both signs (nIn = 121: each
          // input smaller, as in an output layer).
          const scale = (0.3 + 3 * rng.uniform()) * (nIn === 7 ? 1 : 0.08);
          for (let k = 0; k < weights.length; k++) weights[k] = current * scale * (rng.uniform() - 0.35);
          layerForward(input, nIn, weights, neurons, null, out, scratch);
          ff.setWeights(0, weights);
          ff.batchInput.set(input);
          const got = ff.forward();
          mismatches += bitMismatches(got, out);
          argsortInto(input, order, tmp, nIn);
          for (let j = 0; j < nOut; j++) {
            const ref = neuronFirstSpike(input, order, nIn, weights, j * nIn, u.threshold, u.tau, u.tau, u.capacitance, null, null);
            if (ref < Infinity) {
              fired++;
              worstToReference = Math.max(worstToReference, Math.abs(got[j] - ref) / ref);
            } else {
              silent++;
              expect(got[j]).toBe(Infinity);
            }
          }
        }
        expect(mismatches).toBe(0);
        // Round-off of fastExp and the W₀ table against Math.exp and Halley: the kernel's
        // stated bound (docs/learning.md), as for the TypeScript kernel.
        expect(worstToReference).toBeLessThan(1e-12);
        // Both outcomes in quantity (the comparison would be empty otherwise).
        expect(fired).toBeGreaterThan(nOut * 5);
        expect(silent).toBeGreaterThan(nOut * 5);
      }
    }
  });

  it('chains layers through linear memory with their bias inputs; batches equal single passes', () => {
    // 5-40-3 with a bias spike per layer, as the learning code's networks.
    const rng = new Rng('wasm-chain');
    const shapes = [{ nIn: 5, nOut: 40, tau: 1, capacitance: 1 }, { nIn: 41, nOut: 3, tau: 1, capacitance: 1 }];
    const w = shapes.map((s, l) => Float64Array.from({ length: s.nIn * s.nOut }, () => (l === 0 ? 3 : 1) * (rng.uniform() - 0.3)));
    const th = shapes.map((s) => Float64Array.from({ length: s.nOut }, () => 0.9 + 0.2 * rng.uniform()));
    const neurons = shapes.map((s, l) => ({ ...uniformNeurons(s.nOut, { tauMem: 1, tauSyn: 1, capacitance: 1, threshold: 1 }), threshold: th[l] }));
    const bias = 0.9;
    const n = 50;
    const ff = new WasmFeedForward(shapes, n);
    shapes.forEach((_, l) => {
      ff.setWeights(l, w[l]);
      ff.setThresholds(l, th[l]);
    });
    ff.setFixedInputs(1, [bias]);
    const samples = Float64Array.from({ length: n * 5 }, (_, k) => (k % 5 === 4 ? bias : 0.15 + 1.85 * rng.uniform()));
    // TypeScript: two layerForward calls per sample.
    const expected = new Float64Array(n * 3);
    const s0 = new LayerScratch(5, 40);
    const s1 = new LayerScratch(41, 3);
    const hidden = new Float64Array(41);
    const out = new Float64Array(3);
    let hiddenFired = 0;
    for (let s = 0; s < n; s++) {
      layerForward(samples.subarray(5 * s, 5 * s + 5), 5, w[0], neurons[0], null, hidden, s0);
      for (let j = 0; j < 40; j++) if (hidden[j] < Infinity) hiddenFired++;
      hidden[40] = bias;
      layerForward(hidden, 41, w[1], neurons[1], null, out, s1);
      expected.set(out, 3 * s);
    }
    // Both layers exercised: a third or more of the hidden neurons and of the outputs fire.
    expect(hiddenFired).toBeGreaterThan(n * 13);
    expect(expected.filter((t) => t < Infinity).length).toBeGreaterThan(n);
    ff.batchInput.set(samples);
    ff.forwardBatch(n);
    expect(bitMismatches(ff.batchOutput.subarray(0, 3 * n), expected)).toBe(0);
    // One sample at a time through slot 0 gives the same bits; the hidden outputs sit in layer
    // 1's input region ahead of the bias time.
    ff.batchInput.set(samples.subarray(5 * 7, 5 * 8));
    expect(bitMismatches(ff.forward(), expected.subarray(21, 24))).toBe(0);
    expect(ff.layerInput(1)[40]).toBe(bias);
    expect(() => ff.forwardBatch(n + 1)).toThrow(RangeError);
    expect(() => ff.setFixedInputs(1, [bias, bias])).toThrow(RangeError);
    expect(() => ff.setFixedInputs(0, [bias])).toThrow(RangeError);
    expect(() => new WasmFeedForward([{ nIn: 5, nOut: 0, tau: 1, capacitance: 1 }])).toThrow(RangeError);
    expect(() => new WasmFeedForward([{ nIn: 5, nOut: 3, tau: 0, capacitance: 1 }])).toThrow(RangeError);
    expect(() => new WasmFeedForward([{ nIn: 5, nOut: 40, tau: 1, capacitance: 1 }, { nIn: 30, nOut: 3, tau: 1, capacitance: 1 }])).toThrow(RangeError);
  });

  it('silent layers, and intervals long enough for fastExp to defer to Math.exp', () => {
    const ff = new WasmFeedForward([{ nIn: 3, nOut: 4, tau: 1, capacitance: 1 }], 1);
    ff.setThresholds(0, new Float64Array(4).fill(1));
    // Weight 3 fires (peak 3/e > 1); 0.5 does not (peak 0.5/e).
    const w = Float64Array.from([0.5, 0, 0, 0.5, 0, 3, 3, 0, 0, -1, 0, 3]);
    ff.setWeights(0, w);
    const neurons = uniformNeurons(4, { tauMem: 1, tauSyn: 1, capacitance: 1, threshold: 1 });
    const ref = new Float64Array(4);
    const scratch = new LayerScratch(3, 4);
    for (const input of [[Infinity, Infinity, Infinity], [0, 800, Infinity], [0, 1000, 2000], [5, 5, 5]]) {
      // h = 800 τ: e^{−800} is below fastExp's range (−708): Math.exp, as in TypeScript.
      ff.batchInput.set(input);
      const got = ff.forward();
      layerForward(Float64Array.from(input), 3, w, neurons, null, ref, scratch);
      expect(bitMismatches(got, ref)).toBe(0);
      if (input[0] === Infinity) expect(Array.from(got)).toEqual([Infinity, Infinity, Infinity, Infinity]);
    }
    // The single-input PSP t·e^{−t} = 1/3 crosses 1 at t = −W₀(−1/3) (Lambert W closed form).
    ff.batchInput.set([0, Infinity, Infinity]);
    const one = ff.forward();
    expect(one[0]).toBe(Infinity); // weight 0.5: peak 0.5/e < 1
    expect(one[1]).toBe(Infinity);
    // −W₀(−1/3) = 0.6190612867359451 (scipy.special.lambertw); 2 ulp: the table's round-off.
    expect(Math.abs(one[2] - 0.6190612867359451)).toBeLessThan(3e-16);
  });
});

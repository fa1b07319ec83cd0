/**
 * The fast paths of the layer kernel against the reference paths: the iteration-free W₀ table
 * against Halley's iteration, the inlinable exp against Math.exp, and the τ_m = τ_s layer kernel
 * (both of them, neuron by neuron with shared decays) against the per-neuron path (`firstCrossing`
 * with Math.exp and Halley). They may differ by round-off only; the bounds are stated per test.
 */
import { describe, expect, it } from 'vitest';
import { lambertW0, lambertW0Neg } from '../../src/emulator/event/lambertw.ts';
import { fastExp } from '../../src/emulator/event/exp.ts';
import { LayerScratch, argsortInto, layerForward, neuronFirstSpike, uniformNeurons } from '../../src/emulator/event/layer.ts';
import { Rng } from '../../src/util/random.ts';

const INV_E = 0.36787944117144233;

describe('layer kernel fast paths', () => {
  it('lambertW0Neg (quintic table, no iteration) agrees with lambertW0 (Halley) to round-off on [−1/e, 0]', () => {
    // Analytic anchors: W₀(−ln2/2) = −ln 2 (−ln2·e^{−ln2} = −ln2/2), W₀(−1/e) = −1, W₀(0) = 0.
    // 2 ulp of ln 2 (2.2e-16): the table's interpolation error is ≤ 4e-16 (docs/learning.md).
    expect(Math.abs(lambertW0Neg(-Math.LN2 / 2) + Math.LN2)).toBeLessThan(5e-16);
    expect(lambertW0Neg(-INV_E)).toBeCloseTo(-1, 7); // √ sensitivity at the branch point
    expect(lambertW0Neg(-0)).toBe(0);
    const rng = new Rng('lambert-neg');
    const xs: number[] = [-1e-300, -0.1, -0.25];
    for (let k = 0; k < 20000; k++) xs.push(-INV_E * rng.uniform());
    // Towards the branch point, where p = √(2(e·x + 1)) → 0 and dW/dx = W/(x(1+W)) ≈ e/p → ∞.
    for (let k = 0; k < 20000; k++) xs.push(-INV_E * (1 - Math.pow(10, -10 * rng.uniform())));
    let worst = 0;
    for (const x of xs) {
      const p = Math.sqrt(2 * (Math.E * x + 1));
      // Both evaluate W at the rounded x: half an ulp of x (≤ 2.8e-17) times dW/dx ≈ e/p, plus
      // a few ulp of W. Allowed 1e-15 + 5e-16/p (measured: ≈ 2e-16/p near the branch point,
      // ≤ 2.3e-15 for p ≥ 0.1).
      const d = Math.abs(lambertW0Neg(x) - lambertW0(x)) / (1e-15 + 5e-16 / p);
      if (d > worst) worst = d;
    }
    expect(worst).toBeLessThanOrEqual(1);
    expect(worst).toBeGreaterThan(0.01); // the comparison is not vacuous
  });

  it('fastExp agrees with Math.exp to 1e-15 relative over [−700, 700], and at the edges', () => {
    // Tang's table method: reduction with fdlibm's two-part ln 2, degree-5 polynomial on
    // |r| ≤ ln2/128 (truncation < 4e-17); measured ≤ 4.3e-16 (2 ulp).
    const rng = new Rng('fast-exp');
    let worst = 0;
    for (let k = 0; k < 200000; k++) {
      const x = k % 2 === 0 ? -700 + 1400 * rng.uniform() : -30 * rng.uniform();
      const d = Math.abs(fastExp(x) - Math.exp(x)) / Math.exp(x);
      if (d > worst) worst = d;
    }
    expect(worst).toBeLessThan(1e-15);
    expect(fastExp(0)).toBe(1); // h = 0 must leave a state unchanged
    expect(fastExp(-Infinity)).toBe(0);
    expect(fastExp(Infinity)).toBe(Infinity);
    expect(Number.isNaN(fastExp(NaN))).toBe(true);
    expect(fastExp(-740)).toBe(Math.exp(-740)); // subnormal results: Math.exp
    expect(fastExp(1)).toBeCloseTo(Math.E, 15);
  });

  it('orders a layer’s inputs as a stable merge sort does (ties, silent inputs, clustered times)', () => {
    const rng = new Rng('layer-order');
    const n = 121;
    const input = new Float64Array(n);
    const weights = new Float64Array(n); // one neuron; only the shared order is inspected here
    const scratch = new LayerScratch(n, 1);
    const ref = new Int32Array(n);
    const tmp = new Int32Array(n);
    for (let trial = 0; trial < 50; trial++) {
      for (let i = 0; i < n; i++) {
        const u = rng.uniform();
        // A third silent, clusters around two times (the hidden layer's output), some exact ties.
        input[i] = u < 0.3 ? Infinity : u < 0.6 ? 1 + 0.01 * rng.uniform() : u < 0.7 ? 2 : 1 + 3 * rng.uniform();
      }
      layerForward(input, n, weights, uniformNeurons(1, { tauMem: 1, tauSyn: 1, capacitance: 1, threshold: 1 }), null, new Float64Array(1), scratch);
      argsortInto(input, ref, tmp, n); // no counts: stable merge sort
      expect(Array.from(scratch.order)).toEqual(Array.from(ref));
    }
  });

  it('the τ_m = τ_s layer kernel gives the per-neuron reference path’s spike times to 1e-12 relative (mixed-sign weights, silent and late neurons; model units and SI)', () => {
    // Model units (τ = C = θ = 1) and SI hardware time (τ = 6 µs, C = 2 pF, θ = 20 mV; weights
    // as currents θC/τ per unit, times in s): the same dynamics, different rounding of τ, C, θ.
    const systems = [
      { tau: 1, capacitance: 1, threshold: 1, time: 1 },
      { tau: 6e-6, capacitance: 2e-12, threshold: 0.02, time: 6e-6 },
    ];
    for (const u of systems) {
      const rng = new Rng('layer-fast');
      const nIn = 7;
      const nOut = 200;
      const neurons = uniformNeurons(nOut, { tauMem: u.tau, tauSyn: u.tau, capacitance: u.capacitance, threshold: u.threshold });
      const current = (u.threshold * u.capacitance) / u.tau;
      const input = new Float64Array(nIn);
      const weights = new Float64Array(nOut * nIn);
      const out = new Float64Array(nOut);
      const scratch = new LayerScratch(nIn, nOut);
      const order = new Int32Array(nIn);
      const tmp = new Int32Array(nIn);
      let compared = 0;
      let fired = 0;
      let silent = 0;
      let fireMismatch = 0;
      let worst = 0;
      for (let trial = 0; trial < 60; trial++) {
        for (let i = 0; i < nIn; i++) input[i] = i === nIn - 1 ? Infinity : 3 * u.time * rng.uniform();
        if (trial % 5 === 0) input[1] = input[0]; // simultaneous inputs
        // Weight scales from far below to far above threshold, both signs: peaks well below θ
        // (the bound answers), just below and just above θ (the exact solve answers).
        const scale = 0.3 + 3 * rng.uniform();
        for (let k = 0; k < weights.length; k++) weights[k] = current * scale * (rng.uniform() - 0.35);
        layerForward(input, nIn, weights, neurons, null, out, scratch);
        argsortInto(input, order, tmp, nIn);
        for (let j = 0; j < nOut; j++) {
          const ref = neuronFirstSpike(input, order, nIn, weights, j * nIn, u.threshold, u.tau, u.tau, u.capacitance, null, null);
          compared++;
          if ((ref === Infinity) !== (out[j] === Infinity)) fireMismatch++;
          else if (ref < Infinity) worst = Math.max(worst, Math.abs(out[j] - ref) / ref);
          if (ref < Infinity) fired++;
          else silent++;
        }
      }
      expect(compared).toBe(12000);
      // Same neurons fire; times differ by the round-off of the decay factors (fastExp vs
      // Math.exp, ≤ 2 ulp each) and of W₀ (table vs Halley): ≤ 1e-12 relative is the kernel's
      // stated bound (measured here ≈ 1e-14).
      expect(fireMismatch).toBe(0);
      expect(worst).toBeLessThan(1e-12);
      // Both outcomes are exercised in quantity (the test would be empty otherwise).
      expect(fired).toBeGreaterThan(1000);
      expect(silent).toBeGreaterThan(1000);
    }
  });
});

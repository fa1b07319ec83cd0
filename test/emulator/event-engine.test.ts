import { describe, expect, it } from 'vitest';
import { lambertW0 } from '../../src/emulator/event/lambertw.ts';
import { firstCrossing, kernelGain, kernelKind } from '../../src/emulator/event/lif.ts';
import { LayerScratch, layerForward, uniformNeurons } from '../../src/emulator/event/layer.ts';
import { eventNeuronsFromCircuits, simulateEventNetwork, synapsesFromList, synapticJump, type EventNetwork } from '../../src/emulator/event/network.ts';
import { Rng } from '../../src/util/random.ts';
import { referenceNetwork, rk4FirstCrossing, type RefNeuron } from './event-reference.ts';

describe('Lambert W₀', () => {
  it('inverts w·e^w on [−1/e, 10] and hits the known values', () => {
    // W(−1/e) = −1 and W(1) = Ω = 0.5671432904097838 (omega constant) are exact references;
    // elsewhere the defining identity must hold to a few ulp (relative 1e-14).
    expect(lambertW0(-1 / Math.E)).toBeCloseTo(-1, 7); // −1/e itself carries round-off: √ sensitivity
    expect(lambertW0(1)).toBe(0.5671432904097838);
    for (let k = 0; k <= 2000; k++) {
      const x = -1 / Math.E + (k / 2000) ** 3 * (10 + 1 / Math.E);
      const w = lambertW0(x);
      expect(Math.abs(w * Math.exp(w) - x)).toBeLessThanOrEqual(1e-14 * Math.max(1, Math.abs(x)));
    }
    expect(Number.isNaN(lambertW0(-0.5))).toBe(true);
  });
});

describe('exact first threshold crossing', () => {
  // Ratios 1 and 2 exercise the closed forms (Lambert W, quadratic), 1.7 and 0.6 the general
  // bracketed root finder. Reference: RK4 with dt = 1e-3 and bisection on sub-steps, whose
  // error (∝ dt⁴ over a few τ) is below 1e-11; tolerance 1e-9 in units of τ_s.
  for (const ratio of [1, 2, 1.7, 0.6]) {
    it(`matches a fine numerical integration for τ_m/τ_s = ${ratio}`, () => {
      const rng = new Rng(`crossing-${ratio}`);
      const p: RefNeuron = { tauMem: ratio, tauSyn: 1, capacitance: 1, threshold: 1, reset: 0, refractory: 0 };
      const kind = kernelKind(p.tauMem, p.tauSyn);
      const gain = kernelGain(p.tauMem, p.tauSyn, p.capacitance, kind);
      let crossings = 0;
      for (let k = 0; k < 60; k++) {
        const v0 = -0.5 + 1.4 * rng.uniform();
        const i0 = (4 * rng.uniform() - 0.5) / Math.min(1, ratio);
        const horizon = rng.uniform() < 0.3 ? Infinity : 0.2 + 3 * rng.uniform();
        const s = firstCrossing(v0, i0, horizon, p.threshold, p.tauMem, p.tauSyn, p.capacitance, gain, kind);
        const ref = rk4FirstCrossing(v0, i0, horizon === Infinity ? 40 : horizon, p, 1e-3);
        if (ref === Infinity) expect(s).toBe(Infinity);
        else {
          crossings++;
          expect(Math.abs(s - ref)).toBeLessThan(1e-9);
        }
      }
      expect(crossings).toBeGreaterThan(10); // the sample must contain real crossings
    });
  }

  it('reproduces the Fast & Deep closed form t* = τ(B/A − W₀(−(c/A) e^{B/A}))', () => {
    // Göltz et al. 2021 (τ_m = τ_s = 1, g_l = 1, ϑ = 1): A = Σ w e^{t_i}, B = Σ w t_i e^{t_i}
    // over the causal set; compare with the layer kernel (same model, different algebra).
    const t = new Float64Array([0.2, 0.5, 0.9, 1.4]);
    const w = new Float64Array([1.2, 1.0, 0.8, -0.3]);
    const out = new Float64Array(1);
    layerForward(t, 4, w, uniformNeurons(1, { tauMem: 1, tauSyn: 1, capacitance: 1, threshold: 1 }), null, out, new LayerScratch(4));
    let found = Infinity;
    for (let n = 1; n <= 4 && found === Infinity; n++) {
      let A = 0;
      let B = 0;
      for (let i = 0; i < n; i++) {
        A += w[i] * Math.exp(t[i]);
        B += w[i] * t[i] * Math.exp(t[i]);
      }
      const x = -(1 / A) * Math.exp(B / A);
      if (x < -1 / Math.E) continue;
      const ts = B / A - lambertW0(x);
      if (ts >= t[n - 1] && (n === 4 || ts <= t[n])) found = ts;
    }
    expect(found).toBeLessThan(Infinity);
    expect(Math.abs(out[0] - found)).toBeLessThan(1e-12); // same solution, round-off only
  });
});

describe('layer kernel', () => {
  it('gives the first spikes of a 12-input layer as a fine integration does (τ_m = 2τ_s, synaptic delays)', () => {
    const rng = new Rng('layer');
    const nIn = 12;
    const nOut = 8;
    const input = new Float64Array(nIn).map(() => 3 * rng.uniform());
    input[3] = Infinity; // a silent input
    const w = new Float64Array(nIn * nOut).map(() => 0.6 * rng.normal() + 0.35);
    const d = new Float64Array(nIn * nOut).map(() => rng.uniform());
    const out = new Float64Array(nOut);
    const p: RefNeuron = { tauMem: 2, tauSyn: 1, capacitance: 1, threshold: 1, reset: 0, refractory: Infinity };
    layerForward(input, nIn, w, uniformNeurons(nOut, p), { synaptic: d }, out, new LayerScratch(nIn));
    const syn = [];
    for (let j = 0; j < nOut; j++) for (let i = 0; i < nIn; i++) syn.push({ src: nOut + i, tgt: j, w: w[j * nIn + i], d: d[j * nIn + i] });
    const ext = Array.from(input).map((t, i) => ({ src: i, t })).filter((e) => e.t < Infinity);
    const ref = referenceNetwork(Array(nOut).fill(p), syn, nOut, ext, 30, 1e-3);
    let spiking = 0;
    for (let j = 0; j < nOut; j++) {
      const r = ref.find((s) => s.neuron === j);
      if (!r) expect(out[j]).toBe(Infinity);
      else {
        spiking++;
        expect(Math.abs(out[j] - r.time)).toBeLessThan(1e-8); // RK4 dt 1e-3: error ≪ 1e-8
      }
    }
    expect(spiking).toBeGreaterThan(2);
  });
});

describe('general event-driven network', () => {
  interface Ring { net: EventNetwork; ref: Array<{ neuron: number; time: number }>; tEnd: number; ext: Array<{ src: number; t: number }> }
  function ring(ratio: number): Ring {
    // 6 neurons, recurrent excitation and inhibition with delays, reset below rest,
    // refractory 0.3 τ_s, driven by 3 external sources; mixed τ_m (ratio, ratio·1.13).
    const rng = new Rng(`ring-${ratio}`);
    const N = 6;
    const neurons: RefNeuron[] = [];
    for (let j = 0; j < N; j++) neurons.push({ tauMem: j % 2 ? ratio * 1.13 : ratio, tauSyn: 1, capacitance: 1, threshold: 1, reset: -0.2, refractory: 0.3 });
    const syn: Array<{ src: number; tgt: number; w: number; d: number }> = [];
    for (let a = 0; a < N; a++) for (let b = 0; b < N; b++) if (a !== b && rng.uniform() < 0.5) syn.push({ src: a, tgt: b, w: rng.uniform() < 0.7 ? 0.8 * rng.uniform() : -0.6 * rng.uniform(), d: 0.05 + 0.5 * rng.uniform() });
    for (let e = 0; e < 3; e++) for (let b = 0; b < N; b++) syn.push({ src: N + e, tgt: b, w: 0.9 + 0.6 * rng.uniform(), d: 0.1 * rng.uniform() });
    const ext: Array<{ src: number; t: number }> = [];
    for (let e = 0; e < 3; e++) for (let k = 0; k < 6; k++) ext.push({ src: e, t: 1.5 * k + rng.uniform() });
    const tEnd = 12;
    const net: EventNetwork = {
      neurons: {
        size: N,
        tauMem: Float64Array.from(neurons.map((n) => n.tauMem)),
        tauSyn: Float64Array.from(neurons.map((n) => n.tauSyn)),
        capacitance: Float64Array.from(neurons.map((n) => n.capacitance)),
        threshold: Float64Array.from(neurons.map((n) => n.threshold)),
        reset: Float64Array.from(neurons.map((n) => n.reset)),
        refractory: Float64Array.from(neurons.map((n) => n.refractory)),
      },
      synapses: synapsesFromList(N, 3, syn.map((s) => s.src), syn.map((s) => s.tgt), syn.map((s) => s.w), syn.map((s) => s.d)),
    };
    return { net, ref: referenceNetwork(neurons, syn, N, ext, tEnd, 1e-3), tEnd, ext };
  }

  for (const ratio of [1, 2, 1.5]) {
    it(`spike trains of a recurrent network with delays, reset and refractoriness match RK4 (τ_m ≈ ${ratio} τ_s)`, () => {
      const r = ring(ratio);
      const out = simulateEventNetwork(r.net, { source: Int32Array.from(r.ext.map((e) => e.src)), time: Float64Array.from(r.ext.map((e) => e.t)) }, r.tEnd);
      expect(out.count).toBe(r.ref.length);
      expect(out.count).toBeGreaterThan(15); // a real recurrent workload
      // Spike errors propagate through the network; RK4 at dt 1e-3 stays below 1e-8.
      for (let k = 0; k < out.count; k++) {
        expect(out.neuron[k]).toBe(r.ref[k].neuron);
        expect(Math.abs(out.time[k] - r.ref[k].time)).toBeLessThan(1e-7);
      }
    });
  }

  it('agrees with the layer kernel on a feed-forward first-spike network (refractory = ∞)', () => {
    const rng = new Rng('ff');
    const nIn = 5;
    const nH = 20;
    const nO = 3;
    const input = new Float64Array(nIn).map(() => 0.15 + 1.85 * rng.uniform());
    const w1 = new Float64Array(nIn * nH).map(() => 1.5 + 0.8 * rng.normal());
    const w2 = new Float64Array(nH * nO).map(() => 0.5 + 0.8 * rng.normal());
    const neurons = { tauMem: 1, tauSyn: 1, capacitance: 1, threshold: 1 };
    const h = new Float64Array(nH);
    const o = new Float64Array(nO);
    layerForward(input, nIn, w1, uniformNeurons(nH, neurons), null, h, new LayerScratch(nIn));
    layerForward(h, nH, w2, uniformNeurons(nO, neurons), null, o, new LayerScratch(nH));
    const src: number[] = [];
    const tgt: number[] = [];
    const ws: number[] = [];
    for (let j = 0; j < nH; j++) for (let i = 0; i < nIn; i++) { src.push(nH + nO + i); tgt.push(j); ws.push(w1[j * nIn + i]); }
    for (let k = 0; k < nO; k++) for (let j = 0; j < nH; j++) { src.push(j); tgt.push(nH + k); ws.push(w2[k * nH + j]); }
    const N = nH + nO;
    const net: EventNetwork = {
      neurons: { size: N, tauMem: new Float64Array(N).fill(1), tauSyn: new Float64Array(N).fill(1), capacitance: new Float64Array(N).fill(1), threshold: new Float64Array(N).fill(1), reset: new Float64Array(N).fill(0), refractory: new Float64Array(N).fill(Infinity) },
      synapses: synapsesFromList(N, nIn, src, tgt, ws, new Array(src.length).fill(0)),
    };
    const out = simulateEventNetwork(net, { source: Int32Array.from([0, 1, 2, 3, 4]), time: input }, 100);
    const first = new Float64Array(N).fill(Infinity);
    for (let k = 0; k < out.count; k++) first[out.neuron[k]] = Math.min(first[out.neuron[k]], out.time[k]);
    // Both are exact; only the order of floating-point operations differs.
    for (let j = 0; j < nH; j++) expect(Math.abs(first[j] - h[j]) || 0).toBeLessThan(1e-12);
    for (let k = 0; k < nO; k++) expect(Math.abs(first[nH + k] - o[k]) || 0).toBeLessThan(1e-12);
  });

  it('rejects invalid networks with a typed input error', () => {
    expect(() => synapsesFromList(2, 1, [5], [0], [1], [0])).toThrow(/source out of range/);
    expect(() => synapsesFromList(2, 1, [0], [1], [1], [-1])).toThrow(/delay/);
  });
});

describe('event engine in SI units from circuit parameters', () => {
  it('fires where the closed-form PSP of one input reaches threshold', () => {
    // C 2 pF, τ_m 12 µs, τ_s 6 µs (ratio 2), θ = 0.12 V, Q_w = 10 fC, gain 1, weight 63:
    // jump I₀ = 63·10 fC / 6 µs = 105 nA; v(t) = I₀ c (e^{−t/τm} − e^{−t/τs}), c = τmτs/(C(τm−τs)).
    const p = { capacitance: 2e-12, gLeak: 2e-12 / 12e-6, eLeak: 0.6, vThreshold: 0.72, vReset: 0.5, refractoryTime: 2e-6, synapseChargePerWeight: 10e-15, synapticInput: [{ tau: 6e-6, gain: 1 }, { tau: 6e-6, gain: 1 }] };
    const neurons = eventNeuronsFromCircuits([p]);
    const jump = synapticJump(p, 63);
    expect(jump).toBeCloseTo(1.05e-7, 18);
    const net: EventNetwork = { neurons, synapses: synapsesFromList(1, 1, [1], [0], [jump], [0]) };
    const out = simulateEventNetwork(net, { source: Int32Array.from([0]), time: Float64Array.from([1e-6]) }, 1e-3);
    const c = (12e-6 * 6e-6) / (2e-12 * 6e-6);
    // c = 6e6 V/A, so I₀c = 0.63 V; the peak of I₀c(x − x²) (x = e^{−t/τm}) is 0.1575 V > θ: one spike; the crossing solves
    // I₀c x² − I₀c x + θ = 0 → x = (1 + √(1 − 4θ/(I₀c)))/2.
    const x = (1 + Math.sqrt(1 - (4 * 0.12) / (jump * c))) / 2;
    expect(out.count).toBe(1);
    expect(Math.abs(out.time[0] - (1e-6 - 12e-6 * Math.log(x)))).toBeLessThan(1e-18); // round-off in s
  });
});

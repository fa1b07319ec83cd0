/**
 * Start state (verification gap 2) and reset replacing the leak (gap 5), docs/emulator.md.
 * Every expected value is a closed form or an independent bisection of the steady-state
 * equation; the tolerances cover rounding only (the steady state is the fixed point of the
 * engine's scheme, so nothing may drift).
 */
import { describe, expect, it } from 'vitest';
import { emulate } from '../../src/emulator/index.ts';
import { buildModel } from '../../src/emulator/model.ts';
import { SteppedEngine } from '../../src/emulator/engine.ts';
import { allParams, chipWithInput, lifParams } from './helpers.ts';

const gL = 2e-7;

function bisect(f: (v: number) => number, lo: number, hi: number): number {
  // f decreasing in v on [lo, hi].
  for (let k = 0; k < 200; k++) { const mid = (lo + hi) / 2; if (f(mid) > 0) lo = mid; else hi = mid; }
  return (lo + hi) / 2;
}

describe('start state: every compartment at its steady state', () => {
  it('saturating leak with an offset current: V(0) = E_L + (I_sat/g_L)·atanh(I/I_sat), flat, and asleep', () => {
    const iSat = 2e-8;
    const I = 1.6e-8;
    const p = lifParams({ iOffset: I });
    p.leakSaturationCurrent = iSat;
    const params = allParams();
    params[2] = p;
    const want = 0.45 + (iSat / gL) * Math.atanh(I / iSat); // 0.5599 V; e_leak start was 0.45 V
    const res = emulate(chipWithInput(), params, { duration: 50e-6, dt: 50e-9, seed: 0, noise: false, record: { ideal: [{ circuit: 2 }] } });
    const v = res.traces.ideal[0].values;
    // Newton to 1e-12 V; the scheme's fixed point equals the continuous one up to rounding.
    expect(Math.abs(v[0] - want)).toBeLessThan(1e-10);
    for (const x of v) expect(Math.abs(x - want)).toBeLessThan(1e-10);
    // The quiescent-skip still works: every compartment of the die sleeps within a few steps.
    const chip = chipWithInput();
    const eng = new SteppedEngine(buildModel(chip, params), chip, { dt: 50e-9, seed: 0, noise: false, externalSpikes: [] });
    for (let k = 0; k < 20; k++) eng.step();
    expect(eng.awakeScalarCompartments).toBe(0);
  });

  it("start: 'leak' keeps the old start at E_L", () => {
    const params = allParams();
    params[2] = lifParams({ iOffset: 1e-8 });
    const res = emulate(chipWithInput(), params, { duration: 1e-6, dt: 50e-9, seed: 0, noise: false, start: 'leak', record: { ideal: [{ circuit: 2 }] } });
    expect(res.traces.ideal[0].values[0]).toBe(0.45);
  });

  it('two coupled compartments with an offset: V(0) is the coupled steady state', () => {
    const G = 10 * gL;
    const I = 2e-8;
    const chip = chipWithInput();
    chip.neurons[0].multicompartment.connect_soma = true;
    chip.neurons[0].multicompartment.connect_soma_right = true;
    chip.neurons[1].multicompartment.enable_conductance = true;
    const params = allParams();
    params[0] = lifParams({ iOffset: I });
    params[1] = lifParams({ gInter: G });
    const res = emulate(chip, params, { duration: 5e-6, dt: 100e-9, seed: 0, noise: false, record: { ideal: [{ circuit: 0 }, { circuit: 1 }] } });
    // g_L v0 + G(v0 − v1) = I, g_L v1 + G(v1 − v0) = 0 (v relative to E_L).
    const v0 = (I * (gL + G)) / (gL * (gL + 2 * G));
    const v1 = (v0 * G) / (gL + G);
    for (let k = 0; k < res.traces.ideal[0].values.length; k++) {
      expect(Math.abs(res.traces.ideal[0].values[k] - 0.45 - v0)).toBeLessThan(1e-10);
      expect(Math.abs(res.traces.ideal[1].values[k] - 0.45 - v1)).toBeLessThan(1e-10);
    }
  });

  it('adaptation at its steady state: V = (g_L E_L + I + a V_ref)/(g_L + a), w = a(V − V_ref)', () => {
    const a = 4e-7;
    const I = 1e-8;
    const p = lifParams({ iOffset: I });
    p.adaptation = { enabled: true, a, b: 0, tauW: 50e-6, vRef: 0.4 };
    const params = allParams();
    params[7] = p;
    const res = emulate(chipWithInput(), params, { duration: 20e-6, dt: 50e-9, seed: 0, noise: false, record: { ideal: [{ circuit: 7 }, { circuit: 7, source: 'adaptation' }] } });
    const V = (gL * 0.45 + I + a * 0.4) / (gL + a);
    const w = a * (V - 0.4);
    // Before the fix V(0) = 0.45 V and w(0) = 0 (then relaxing with τ_w = 50 µs).
    for (let k = 0; k < res.traces.ideal[0].values.length; k++) {
      expect(Math.abs(res.traces.ideal[0].values[k] - V)).toBeLessThan(1e-10);
      expect(Math.abs(res.traces.ideal[1].values[k] - w)).toBeLessThan(1e-18); // 1e-10 V × a
    }
  });

  it('exponential term: the lower root of g_L(E_L − V) + I + g_LΔ_T e^{(V−V_T)/Δ_T} = 0', () => {
    // I = 25 nA: linear rest E_L + I/g_L = 0.575 V; f(V_T) = g_L(−0.15 + 0.125 + 0.02) < 0, so a
    // root lies below V_T.
    const I = 2.5e-8;
    const p = lifParams({ iOffset: I, vThreshold: 0.7, vReset: 0.45 });
    p.exponential = { enabled: true, deltaT: 0.02, vT: 0.6 };
    const params = allParams();
    params[9] = p;
    const chip = chipWithInput();
    const f = (v: number) => gL * (0.45 - v) + I + gL * 0.02 * Math.exp((v - 0.6) / 0.02);
    // f decreases from E_L up to its minimum at V_T (f' = −g_L + g_L e^{(V−V_T)/Δ_T}).
    const want = bisect(f, 0.45, 0.6);
    const res = emulate(chip, params, { duration: 20e-6, dt: 20e-9, seed: 0, noise: false, record: { ideal: [{ circuit: 9 }] } });
    const v = res.traces.ideal[0].values;
    expect(want - 0.575).toBeGreaterThan(0.005); // clearly above the linear rest
    // The exponential term is frozen over a step: its fixed point is the continuous one.
    for (const x of v) expect(Math.abs(x - want)).toBeLessThan(1e-9);
    expect(res.spikeTrains[9].length).toBe(0);
  });

  it('no rest below threshold (offset beyond the saturated leak): starts at E_L', () => {
    const p = lifParams({ iOffset: 3e-8, vThreshold: 0.6 });
    p.leakSaturationCurrent = 2e-8;
    const params = allParams();
    params[4] = p;
    const res = emulate(chipWithInput(), params, { duration: 1e-6, dt: 50e-9, seed: 0, noise: false, record: { ideal: [{ circuit: 4 }] } });
    expect(Math.abs(res.traces.ideal[0].values[0] - 0.45)).toBeLessThan(1e-15); // (g_L E_L)/g_L rounding
  });
});

describe('reset replaces the leak (one OTA switched from (E_L, I_leak) to (V_R, I_reset))', () => {
  for (const forceGeneric of [false, true]) {
    it(`plateau level V_R + I/g_R, not the divider with the leak (${forceGeneric ? 'matrix-exponential' : 'scalar'} path)`, () => {
      const I = 1.2e-8;
      // Rest E_L + I/g_L = 0.51 V ≥ θ = 0.5 V: starts at E_L, fires after τ_m ln(6/1) ≈ 18 µs.
      const p = lifParams({ iOffset: I, vThreshold: 0.5, vReset: 0.62, gReset: 4e-6, refractoryTime: 100e-6 });
      const params = allParams();
      params[3] = p;
      const chip = chipWithInput();
      const res = emulate(chip, params, { duration: 100e-6, dt: 20e-9, seed: 0, noise: false, forceGeneric, record: { ideal: [{ circuit: 3 }] } });
      expect(res.spikeTrains[3].length).toBe(1);
      const ts = res.spikeTrains[3][0];
      const tr = res.traces.ideal[0];
      const k = tr.times.findIndex((t) => t > ts + 20e-6);
      const want = 0.62 + I / 4e-6; // 0.623 V
      const parallel = (gL * 0.45 + 4e-6 * 0.62 + I) / (gL + 4e-6); // 0.6148 V: the old model
      expect(want - parallel).toBeGreaterThan(8e-3);
      // 20 µs = 40 τ_reset (C/g_R = 0.5 µs) into the reset: residual e^{-40}, rounding only.
      expect(Math.abs(tr.values[k] - want)).toBeLessThan(1e-9);
    });
  }
});

describe('membrane-current remainder table (CircuitParameters.membraneCurrentRemainder, optional)', () => {
  for (const forceGeneric of [false, true]) {
    it(`a linear table −k(V − E_L) acts as an extra conductance: V∞ = E_L + I/(g_L + k) (${forceGeneric ? 'matrix-exponential' : 'scalar'} path)`, () => {
      const I = 1e-8;
      const k = 2e-7;
      const p = lifParams({ iOffset: I });
      // Table spans 0.3–0.7 V; the rest (0.475 V) and the relaxation from E_L stay inside it.
      (p as typeof p & { membraneCurrentRemainder?: { v: number[]; i: number[] } }).membraneCurrentRemainder = { v: [0.3, 0.45, 0.7], i: [-k * (0.3 - 0.45), 0, -k * (0.7 - 0.45)] };
      const params = allParams();
      params[6] = p;
      const want = 0.45 + I / (gL + k); // 0.475 V (without the table: 0.5 V)
      for (const start of ['rest', 'leak'] as const) {
        // 'leak': from E_L the membrane relaxes with τ = C/(g_L + k) = 5 µs; 200 µs = 40 τ, so the
        // residual is e^{-40}·25 mV (the frozen table is exact on its linear segments).
        const res = emulate(chipWithInput(), params, { duration: 200e-6, dt: 50e-9, seed: 0, noise: false, forceGeneric, start, record: { ideal: [{ circuit: 6 }] } });
        const v = res.traces.ideal[0].values;
        if (start === 'rest') expect(Math.abs(v[0] - want)).toBeLessThan(1e-10);
        expect(Math.abs(v.at(-1)! - want)).toBeLessThan(1e-10);
      }
    });
  }
});

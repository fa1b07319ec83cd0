import { describe, expect, it } from 'vitest';
import { emulate, ROUTING_LATENCY_S } from '../../src/emulator/index.ts';
import { allParams, chipWithInput, lifParams, syn } from './helpers.ts';

/**
 * PSP of a current-based LIF: a pulse of charge Q·gain into an exponential synaptic current
 * (τ_s) onto a leaky membrane (τ_m = C/g_L) gives, s after arrival,
 *   ΔV(s) = (Q·gain/C)·τ_m/(τ_m − τ_s)·(e^{−s/τ_m} − e^{−s/τ_s})   (τ_m ≠ τ_s)
 *   ΔV(s) = (Q·gain/C)·(s/τ)·e^{−s/τ}                            (τ_m = τ_s = τ)
 * The engine integrates the linear part exactly, so the only error is floating point.
 */
function psp(Qg: number, C: number, tm: number, ts: number, s: number): number {
  if (s < 0) return 0;
  if (tm === ts) return (Qg / C) * (s / tm) * Math.exp(-s / tm);
  return (Qg / C) * (tm / (tm - ts)) * (Math.exp(-s / tm) - Math.exp(-s / ts));
}

function runPsp(tauExc: number, tArrival: number, dt: number, forceGeneric = false) {
  const chip = chipWithInput();
  chip.weights[syn(0, 0, 5)] = 40;
  chip.labels[syn(0, 0, 5)] = 7;
  const params = allParams({ tauExc });
  const res = emulate(chip, params, {
    duration: 60e-6, dt, seed: 1, noise: false, forceGeneric,
    externalSpikes: [{ time: tArrival - ROUTING_LATENCY_S, input: 0, label: 7 }],
    record: { ideal: [{ circuit: 5 }, { circuit: 6 }] },
  });
  return { res, p: lifParams({ tauExc }) };
}

describe('PSP of a current-based LIF (closed form)', () => {
  for (const tauExc of [5e-6, 10e-6]) {
    it(`τ_s = ${tauExc * 1e6} µs, τ_m = 10 µs, arrival on a step boundary: exact`, () => {
      const dt = 10e-9;
      const tA = 2e-6;
      const { res, p } = runPsp(tauExc, tA, dt);
      const tr = res.traces.ideal[0];
      const Qg = 40 * p.synapseChargePerWeight * p.synapticInput[0].gain;
      const tm = p.capacitance / p.gLeak;
      let maxErr = 0;
      let peak = 0;
      for (let k = 0; k < tr.times.length; k++) {
        const want = psp(Qg, p.capacitance, tm, tauExc, tr.times[k] - tA);
        peak = Math.max(peak, want);
        maxErr = Math.max(maxErr, Math.abs(tr.values[k] - p.eLeak - want));
      }
      // Peak ≈ 10–15 mV; the exponential integrator is exact up to rounding (≈1e-15 V per step,
      // 6000 steps): 1e-12 V leaves room for accumulation but catches any O(dt) error (≈1e-5 V).
      expect(peak).toBeGreaterThan(5e-3);
      expect(maxErr).toBeLessThan(1e-12);
      // A circuit without synapses stays at rest.
      const quiet = res.traces.ideal[1];
      expect(Math.max(...quiet.values.map((v) => Math.abs(v - p.eLeak)))).toBeLessThan(1e-15);
    });
  }

  it('arrival between step boundaries: error within the (h/τ)² bound of the sub-step placement', () => {
    const dt = 50e-9;
    const tA = 2e-6 + 0.37 * dt;
    const { res, p } = runPsp(5e-6, tA, dt);
    const tr = res.traces.ideal[0];
    const Qg = 40 * p.synapseChargePerWeight;
    let maxErr = 0;
    let peak = 0;
    for (let k = 0; k < tr.times.length; k++) {
      if (tr.times[k] < tA) continue;
      const want = psp(Qg, p.capacitance, 10e-6, 5e-6, tr.times[k] - tA);
      peak = Math.max(peak, want);
      maxErr = Math.max(maxErr, Math.abs(tr.values[k] - p.eLeak - want));
    }
    // Pulse placed with a first-order jump correction: relative error ≤ (h/τ_s)²/2·(a few),
    // h ≤ dt = 50 ns, τ_s = 5 µs → ~1e-4 relative; 5e-4 of the peak is a safe bound.
    expect(maxErr / peak).toBeLessThan(5e-4);
    expect(maxErr / peak).toBeGreaterThan(0); // not exact: the bound is what is tested
  });

  it('the scalar closed form and the general matrix-exponential path agree', () => {
    const a = runPsp(5e-6, 2e-6, 20e-9, false).res.traces.ideal[0].values;
    const b = runPsp(5e-6, 2e-6, 20e-9, true).res.traces.ideal[0].values;
    let maxErr = 0;
    for (let k = 0; k < a.length; k++) maxErr = Math.max(maxErr, Math.abs(a[k] - b[k]));
    // Two exact methods (closed form vs Taylor/squaring expm): rounding only.
    expect(maxErr).toBeLessThan(1e-12);
  });
});

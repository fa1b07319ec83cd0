import { describe, expect, it } from 'vitest';
import { emulate } from '../../src/emulator/index.ts';
import { allParams, chipWithInput, lifParams } from './helpers.ts';

/**
 * Leak and reset are OTAs (circuit library): I = I_sat·tanh(g(E − V)/I_sat). With a constant
 * current I below I_sat the membrane settles where the leak balances it:
 *   V∞ = E_L + (I_sat/g_L)·atanh(I/I_sat)     (a linear leak would give E_L + I/g_L).
 * The scheme integrates g(E − V) exactly and freezes the remainder over a step, so its fixed point
 * is the exact steady state.
 */
describe('saturating leak and reset transconductors', () => {
  for (const forceGeneric of [false, true]) {
    it(`steady state with a constant current (${forceGeneric ? 'matrix-exponential' : 'scalar'} path)`, () => {
      const iSat = 2e-8; // saturates 0.1 V from rest at g_L = 2e-7 S
      const I = 1.6e-8;
      const p = lifParams({ iOffset: I });
      p.leakSaturationCurrent = iSat;
      const params = allParams();
      params[2] = p;
      const res = emulate(chipWithInput(), params, { duration: 600e-6, dt: 50e-9, seed: 0, noise: false, forceGeneric, record: { ideal: [{ circuit: 2 }] } });
      const v = res.traces.ideal[0].values.at(-1)!;
      const want = 0.45 + (iSat / 2e-7) * Math.atanh(I / iSat);
      // 600 µs = 21 × the relaxation time at the balance (τ = C/(g_L·sech²) ≈ 28 µs): residual < 1e-9 V.
      expect(Math.abs(v - want)).toBeLessThan(1e-6);
      expect(want - 0.45).toBeGreaterThan(1.3 * (I / 2e-7)); // clearly not the linear value
    });
  }

  it('a saturating reset holds the membrane where the offset and the reset current balance', () => {
    // The reset replaces the leak (one OTA switched to (V_R, I_R)): I + I_R·tanh(g_R(V_R − V)/I_R) = 0,
    // V = V_R + (I_R/g_R)·atanh(I/I_R) = 0.30275 V (a linear reset would give V_R + I/g_R = 0.302 V).
    // The rest without reset, E_L + I/g_L = 0.49 V, lies above the threshold 0.47 V: no rest below
    // threshold, so the run starts at E_L and fires within 7 µs (τ_m ln 2).
    const iSatR = 1e-8;
    const p = lifParams({ vThreshold: 0.47, vReset: 0.3, gReset: 4e-6, refractoryTime: 200e-6, iOffset: 8e-9 });
    p.resetSaturationCurrent = iSatR;
    const params = allParams();
    params[2] = p;
    const res = emulate(chipWithInput(), params, { duration: 250e-6, dt: 20e-9, seed: 0, noise: false, record: { ideal: [{ circuit: 2 }] } });
    expect(res.spikeTrains[2][0]).toBeLessThan(40e-6);
    const ts = res.spikeTrains[2][0];
    const tr = res.traces.ideal[0];
    const k = tr.times.findIndex((t) => t > ts + 180e-6 - 1e-12);
    // Solve the balance by bisection (monotone in V).
    const f = (v: number) => 8e-9 + iSatR * Math.tanh((4e-6 * (0.3 - v)) / iSatR);
    let lo = 0.2, hi = 0.6;
    for (let it = 0; it < 200; it++) { const mid = (lo + hi) / 2; if (f(mid) > 0) lo = mid; else hi = mid; }
    // Relaxation at the balance: τ = C/(g_R·sech²) = 2 pF/(4 µS·0.36) ≈ 1.4 µs; 180 µs into the
    // reset the transient is gone; 1e-5 V covers nothing but rounding.
    expect(Math.abs(tr.values[k] - lo)).toBeLessThan(1e-5);
  });
});

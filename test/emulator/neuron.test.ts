import { describe, expect, it } from 'vitest';
import { emulate, ROUTING_LATENCY_S } from '../../src/emulator/index.ts';
import { allParams, chipWithInput, constantCurrentRun, lifParams, P8, syn } from './helpers.ts';



describe('f–I curve of a LIF with refractory time (closed form)', () => {
  // Constant current I: V∞ = E_L + I/g_L. After the reset the membrane starts from the reset
  // equilibrium V_r' = V_r + I/g_R (the reset replaces the leak: one OTA switched from (E_L, g_L)
  // to (V_r, g_R); τ_reset = C/g_R = 0.1 µs ≪ τ_ref, residual e^{-20} negligible) and reaches θ after
  // T = τ_m ln((V∞ − V_r')/(V∞ − θ)). The spike is registered at the next 8 ns clock edge
  // after the crossing, so ISI ∈ [τ_ref + T, τ_ref + T + P).
  for (const vInf of [0.62, 0.7, 0.9]) {
    it(`V∞ = ${vInf} V`, () => {
      const { spikes: t, trains, p, T } = constantCurrentRun(vInf);
      const isiMin = p.refractoryTime + T;
      expect(t.length).toBeGreaterThanOrEqual(5);
      for (let k = 2; k < t.length; k++) {
        const isi = t[k] - t[k - 1];
        expect(isi).toBeGreaterThanOrEqual(isiMin - 1e-10);
        expect(isi).toBeLessThan(isiMin + P8 + 1e-10);
      }
      // Every spike is registered on a clock edge.
      for (const s of t) expect(Math.abs(s / P8 - Math.round(s / P8))).toBeLessThan(1e-6);
      // No spike at all below rheobase.
      expect(trains[4].length).toBe(0);
    });
  }
});

describe('reset, holdoff and plateau potentials', () => {
  it('a reset above threshold with a long refractory time holds a plateau; holdoff suppresses re-firing', () => {
    // Calix plateau recipe: reset above threshold, holdoff = 1.5·τ_m·ln((v_r − E_L)/(θ − E_L))
    // so the membrane relaxes below θ before the refractory period ends.
    const slowP = 1 / (250e6 / 2 ** 6); // clock scale 5: 256 ns
    const tauRef = 100 * slowP; // 25.6 µs
    const hold = Math.ceil((1.5 * 10e-6 * Math.log((0.7 - 0.45) / (0.6 - 0.45))) / slowP) * slowP;
    const params = allParams();
    params[5] = lifParams({ vThreshold: 0.6, vReset: 0.7, gReset: 4e-6, refractoryTime: tauRef, holdoffTime: hold, chargePerWeight: 2e-14 });
    const chip = chipWithInput();
    chip.backends[0].clock_scale_slow = 5;
    chip.neurons[5].refractory_period.input_clock = 'slow';
    chip.weights[syn(0, 0, 5)] = 63;
    chip.labels[syn(0, 0, 5)] = 1;
    const tIn = 5e-6;
    const res = emulate(chip, params, {
      duration: 80e-6, dt: 20e-9, seed: 0, noise: false,
      externalSpikes: [{ time: tIn - ROUTING_LATENCY_S, input: 0, label: 1 }],
      record: { ideal: [{ circuit: 5 }] },
    });
    // Exactly one spike although the membrane stays above threshold for > τ_ref − holdoff.
    expect(res.spikeTrains[5].length).toBe(1);
    const ts = res.spikeTrains[5][0];
    const tr = res.traces.ideal[0];
    let above = 0;
    let maxDev = 0;
    // During the reset (which replaces the leak) the membrane follows the reset potential plus
    // the particular solution of the decaying synaptic current: V = V_r + I(t)/(g_R − C/τ_s),
    // I(t) = I₀e^{−(t−t_A)/τ_s} (exact once the reset transient e^{−t/0.5 µs} of ≈0.1 V has died
    // out: from 5 µs on, < 5e-6 V).
    const vEq = 0.7;
    const I0 = (63 * 2e-14) / 5e-6;
    for (let k = 0; k < tr.times.length; k++) {
      if (tr.values[k] >= 0.6) above += 20e-9;
      const t = tr.times[k];
      if (t > ts + 5e-6 && t < ts + tauRef - hold) {
        const want = vEq + (I0 * Math.exp(-(t - tIn) / 5e-6)) / (4e-6 - 2e-12 / 5e-6);
        maxDev = Math.max(maxDev, Math.abs(tr.values[k] - want));
      }
    }
    expect(maxDev).toBeLessThan(1e-4);
    // Time above threshold ≈ (τ_ref − holdoff) + relaxation τ_m ln((vEq − E_L)/(θ − E_L)),
    // plus the rise before the spike (< 1 µs); tolerance 1.5 µs.
    const expected = tauRef - hold + 10e-6 * Math.log((vEq - 0.45) / 0.15);
    expect(Math.abs(above - expected)).toBeLessThan(1.5e-6);
    // The plateau ends below threshold before refractoriness ends (holdoff chosen for that).
    const kEnd = Math.round((ts + tauRef) / 20e-9);
    expect(tr.values[kEnd]).toBeLessThan(0.6);
  });

  it('without holdoff margin a plateau re-fires at the end of the refractory period', () => {
    const slowP = 1 / (250e6 / 2 ** 6);
    const params = allParams();
    params[5] = lifParams({ vThreshold: 0.6, vReset: 0.7, gReset: 4e-6, refractoryTime: 40 * slowP, holdoffTime: 0, chargePerWeight: 2e-14 });
    const chip = chipWithInput();
    chip.backends[0].clock_scale_slow = 5;
    chip.weights[syn(0, 0, 5)] = 63;
    chip.labels[syn(0, 0, 5)] = 1;
    const res = emulate(chip, params, { duration: 40e-6, dt: 20e-9, seed: 0, noise: false, externalSpikes: [{ time: 2e-6, input: 0, label: 1 }] });
    const t = res.spikeTrains[5];
    // Reset held above threshold until the end of the refractory period: the comparator is
    // still high there, so the next spike registers exactly τ_ref later (on the clock edge).
    expect(t.length).toBeGreaterThanOrEqual(2);
    expect(Math.abs(t[1] - t[0] - 40 * slowP)).toBeLessThan(1e-12);
  });
});

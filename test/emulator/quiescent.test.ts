/**
 * Quiescent compartments sleep: a scalar compartment at the exact fixed point of its step map
 * (no input current, no reset, no pending switch, below threshold) is skipped until an input
 * arrives. Skipping a fixed point must change nothing: the same run with every compartment kept
 * awake has to give the same bytes (membranes, input currents, spikes). Input currents below
 * I_FLUSH_A = 1e-30 A are set to 0 in both runs (their charge per step, I·dt/C ≈ 5e-26 V, is far
 * below the resolution of a membrane near 0.5 V, 1e-16 V).
 */
import { describe, expect, it } from 'vitest';
import { buildModel } from '../../src/emulator/model.ts';
import { SteppedEngine } from '../../src/emulator/engine.ts';
import type { ExternalSpike } from '../../src/emulator/types.ts';
import { allParams, chipWithInput, syn } from './helpers.ts';

describe('quiescent compartments', () => {
  it('sleeping compartments give the same bytes as awake ones, and wake on input', () => {
    const chip = chipWithInput();
    // External input 0 reaches row 0 (excitatory) and row 1 (inhibitory) of the top array:
    // columns 0..31 excitatory (large weights: some fire), 32..63 inhibitory.
    for (let col = 0; col < 32; col++) chip.weights[syn(0, 0, col)] = 20 + col;
    for (let col = 32; col < 64; col++) chip.weights[syn(0, 1, col)] = 30;
    for (const n of chip.neurons) n.refractory_period.input_clock = 'fast';
    const params = allParams({ vThreshold: 0.5, chargePerWeight: 3e-15 });
    // Saturating leak and reset OTAs on every other circuit: the kernel's non-linear branch.
    params.forEach((p, i) => {
      if (i % 2 === 0) { p.leakSaturationCurrent = 5e-9; p.resetSaturationCurrent = 2e-7; }
    });
    // Column 100 fires tonically (offset current above rheobase): it must never fall asleep.
    params[100] = { ...params[100], iOffset: 3e-8 };
    const dt = 1e-7;
    // Bursts of input 600 µs apart: long enough for the currents (τ_s = 5 µs) to fall below
    // I_FLUSH_A and the membranes (τ_m = 10 µs) to reach their fixed point bit for bit.
    const ext: ExternalSpike[] = [];
    for (let b = 0; b < 3; b++) for (let k = 0; k < 5; k++) ext.push({ time: b * 600e-6 + k * 1.3e-6, input: 0, label: 0 });
    const model = buildModel(chip, params);
    const a = new SteppedEngine(model, chip, { dt, seed: 3, noise: true, externalSpikes: ext });
    const b = new SteppedEngine(model, chip, { dt, seed: 3, noise: true, externalSpikes: ext, noSleep: true });
    const nSteps = 18000;
    let minAwake = Infinity;
    let maxAwakeAfterInput = 0;
    let firstMismatch = -1;
    for (let k = 0; k < nSteps; k++) {
      a.step();
      b.step();
      const awake = a.awakeScalarCompartments;
      minAwake = Math.min(minAwake, awake);
      if (k === 6010) maxAwakeAfterInput = awake; // 1 µs after the second burst began
      if (firstMismatch < 0) {
        for (let c = 0; c < a.V.length; c++) if (a.V[c] !== b.V[c]) { firstMismatch = k; break; }
        for (let t = 0; t < a.I.length; t++) if (a.I[t] !== b.I[t]) { firstMismatch = k; break; }
      }
    }
    expect(firstMismatch).toBe(-1);
    expect(a.spikeTime).toEqual(b.spikeTime);
    expect(a.spikeCircuit).toEqual(b.spikeCircuit);
    expect(a.spikeCircuit.filter((i) => i < 32).length).toBeGreaterThan(0); // the bursts do make spikes
    // Between bursts only the tonic circuit stays awake; the second burst wakes its 64 targets.
    expect(minAwake).toBe(1);
    expect(maxAwakeAfterInput).toBeGreaterThanOrEqual(64);
  });
});

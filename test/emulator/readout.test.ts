import { describe, expect, it } from 'vitest';
import { emulate, emulateMany } from '../../src/emulator/index.ts';
import { buildModel } from '../../src/emulator/model.ts';
import { SteppedEngine, THRESHOLD_TRIAL_SPREAD } from '../../src/emulator/engine.ts';
import { MADC_LSB_V, MADC_NOISE_LSB, cadcCode, madcCode } from '../../src/emulator/readout.ts';
import { InputError } from '../../src/util/errors.ts';
import { neuron } from '../../src/chip/coordinates.ts';
import { allParams, chipWithInput, lifParams } from './helpers.ts';

describe('readout', () => {
  it('MADC rule: at most two channels, one even and one odd column', () => {
    const chip = chipWithInput();
    const run = (cols: number[]) => emulate(chip, allParams(), {
      duration: 1e-6, seed: 0, record: { madc: cols.map((c) => ({ circuit: neuron(0, c), source: 'membrane' as const })) },
    });
    expect(() => run([2, 4])).toThrow(InputError);
    expect(() => run([1, 2, 3])).toThrow(/too many MADC channels/);
    expect(() => run([2, 3])).not.toThrow();
  });

  it('quantisation: 10-bit MADC over 0–1.2 V, 8-bit CADC 0.15 V → 20, 1.05 V → 220', () => {
    expect(madcCode(0.45, 0)).toBe(Math.round(0.45 / (1.2 / 1024)));
    expect(madcCode(5, 0)).toBe(1023);
    expect(cadcCode(0.15, 0)).toBe(20);
    expect(cadcCode(1.05, 0)).toBe(220);
    expect(cadcCode(0.45, 0)).toBe(Math.round(20 + 0.3 / 0.0045));
  });

  it('MADC samples at 29.4 MSa/s with ≈3 LSB noise; none with noise off', () => {
    const chip = chipWithInput();
    chip.readout.madc = [{ circuit: neuron(0, 2), source: 'membrane' }, { circuit: neuron(1, 7), source: 'membrane' }];
    chip.readout.cadc = { enable: true, period_s: 2e-6 };
    const params = allParams();
    params[256 + 7] = lifParams({ eLeak: 0.6 });
    const noisy = emulate(chip, params, { duration: 1e-3, dt: 100e-9, seed: 5 });
    const quiet = emulate(chip, params, { duration: 1e-3, dt: 100e-9, seed: 5, noise: false });
    const tr = noisy.traces.madc[0];
    // 1 ms at 500 MHz / 17: 29 412 samples (+ the one at t = 0).
    expect(tr.codes.length).toBe(Math.floor(1e-3 * 500e6 / 17) + 1);
    expect(tr.times[1]).toBeCloseTo(17 / 500e6, 18);
    const mean = tr.codes.reduce((s, c) => s + c, 0) / tr.codes.length;
    const sd = Math.sqrt(tr.codes.reduce((s, c) => s + (c - mean) ** 2, 0) / tr.codes.length);
    // Gaussian 3 LSB plus rounding (1/12 LSB²): √(9 + 1/12) ≈ 3.01; the standard error of the
    // estimate over 29 k samples is ≈ 0.013 LSB: ±0.1 LSB.
    expect(Math.abs(sd - Math.sqrt(MADC_NOISE_LSB ** 2 + 1 / 12))).toBeLessThan(0.1);
    expect(Math.abs(mean - 0.45 / MADC_LSB_V)).toBeLessThan(0.1);
    expect(new Set(quiet.traces.madc[0].codes).size).toBe(1);
    expect(quiet.traces.madc[1].codes[0]).toBe(madcCode(0.6, 0));
    // CADC: every circuit every 2 µs; circuit 263 sits at 0.6 V.
    const cadc = quiet.traces.cadc!;
    expect(cadc.times.length).toBe(501);
    expect(cadc.codes[3 * 512 + 263]).toBe(cadcCode(0.6, 0));
  });

  it('CADC faster than 1.85 MSa/s is refused', () => {
    const chip = chipWithInput();
    chip.readout.cadc = { enable: true, period_s: 0.2e-6 };
    expect(() => emulate(chip, allParams(), { duration: 1e-6, seed: 0 })).toThrow(/CADC sampling period too short/);
  });
});

describe('noise and determinism', () => {
  it('trial-to-trial threshold spread ≈ 1.5 % of (θ − E_L), none with noise off', () => {
    const chip = chipWithInput();
    const params = allParams({ vThreshold: 0.65 });
    const model = buildModel(chip, params);
    const e = new SteppedEngine(model, chip, { dt: 1e-8, seed: 11, noise: true, externalSpikes: [] });
    const rel = Array.from(e.threshold, (t) => (t - 0.65) / 0.2);
    const m = rel.reduce((s, x) => s + x, 0) / rel.length;
    const sd = Math.sqrt(rel.reduce((s, x) => s + (x - m) ** 2, 0) / rel.length);
    // 512 draws: standard error of the sd ≈ 3 %; ±12 % of 0.015.
    expect(Math.abs(sd - THRESHOLD_TRIAL_SPREAD)).toBeLessThan(0.12 * THRESHOLD_TRIAL_SPREAD);
    const off = new SteppedEngine(model, chip, { dt: 1e-8, seed: 11, noise: false, externalSpikes: [] });
    expect(Array.from(off.threshold).every((t) => t === 0.65)).toBe(true);
  });

  it('same seed → same bytes; another seed → other spike times; workers give the same results', async () => {
    const chip = chipWithInput();
    chip.readout.madc = [{ circuit: neuron(0, 3), source: 'membrane' }];
    const params = allParams({ vThreshold: 0.6, iOffset: 5e-8 });
    const opts = { duration: 100e-6, dt: 20e-9, seed: 7 };
    const a = emulate(chip, params, opts);
    const b = emulate(chip, params, opts);
    const c = emulate(chip, params, { ...opts, seed: 8 });
    expect(a.spikes.length).toBeGreaterThan(1000);
    expect(JSON.stringify(a.spikes)).toBe(JSON.stringify(b.spikes));
    expect(Buffer.from(a.traces.madc[0].codes.buffer).equals(Buffer.from(b.traces.madc[0].codes.buffer))).toBe(true);
    expect(JSON.stringify(a.spikes)).not.toBe(JSON.stringify(c.spikes));
    const many = await emulateMany([{ chip, params, opts }, { chip, params, opts: { ...opts, seed: 8 } }], { threads: 2 });
    expect(JSON.stringify(many[0].spikes)).toBe(JSON.stringify(a.spikes));
    expect(JSON.stringify(many[1].spikes)).toBe(JSON.stringify(c.spikes));
    expect(Array.from(many[0].traces.madc[0].codes)).toEqual(Array.from(a.traces.madc[0].codes));
  });
});

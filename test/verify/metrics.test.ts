/**
 * Metric computations of the verification on analytic waveforms: each expected value is exact
 * from the waveform's closed form; tolerances cover only the sampling or the fit's convergence.
 */
import { describe, expect, it } from 'vitest';
import { compareMetric, countsAtWindowEnd, fitLengthConstant, isiRatio, matchSpikes, plateauOf, regularRate, spikeTimeTolerance } from '../../src/verify/metrics.ts';

describe('fitLengthConstant', () => {
  it('recovers λ, scale and offset of A(x) = s·exp(−x/λ) + c from exact samples', () => {
    // λ = 1.7 compartments, s = 0.9, c = 0.05 on x = 0..5: exact data, so the LM fit must land
    // on the generating parameters to the fit's convergence (1e-6 relative).
    const x = [0, 1, 2, 3, 4, 5];
    const a = x.map((v) => 0.9 * Math.exp(-v / 1.7) + 0.05);
    const f = fitLengthConstant(x, a);
    expect(f.lambda).toBeCloseTo(1.7, 6);
    expect(f.scale).toBeCloseTo(0.9, 6);
    expect(f.offset).toBeCloseTo(0.05, 6);
  });

  it('recovers λ from 4 normalised points starting at 1 (the chain-4 case)', () => {
    // Four compartments, A normalised to the stimulated one: A(0) = 1 by construction.
    const x = [0, 1, 2, 3];
    const a = x.map((v) => 0.88 * Math.exp(-v / 0.93) + 0.12);
    expect(fitLengthConstant(x, a).lambda).toBeCloseTo(0.93, 5);
  });

  it('rejects fewer than 4 points (three parameters need a degree of freedom)', () => {
    expect(() => fitLengthConstant([0, 1, 2], [1, 0.5, 0.25])).toThrow(/at least 4/);
  });
});

describe('spike metrics', () => {
  it('rate and ISI ratio of an analytic adapting train', () => {
    // Intervals 10, 12, 14, 16 µs: rate = 4 / 52 µs, last/first ISI = 1.6 exactly.
    const s = [0, 10e-6, 22e-6, 36e-6, 52e-6];
    expect(regularRate(s)).toBeCloseTo(4 / 52e-6, 6);
    expect(isiRatio(s)).toBeCloseTo(1.6, 12);
    expect(Number.isNaN(isiRatio([0, 1e-6]))).toBe(true);
  });

  it('pairs spikes in order and counts the unpaired tail', () => {
    const m = matchSpikes([1, 2, 3], [1.1, 2.1]);
    expect(m.pairs).toEqual([[1, 1.1], [2, 2.1]]);
    expect(m.unmatchedA).toBe(1);
    expect(m.unmatchedB).toBe(0);
  });

  it('spike-time tolerance is 1 % or 0.2 µs, whichever is larger', () => {
    expect(spikeTimeTolerance(5e-6)).toBe(0.2e-6);
    expect(spikeTimeTolerance(100e-6)).toBeCloseTo(1e-6, 15);
  });
});

describe('plateauOf', () => {
  it('duration to the downward threshold crossing and the level of an analytic plateau', () => {
    // Rest 0.42 V; spike at 10 µs; held at 0.62 V until 30 µs; then relaxes with τ = 2 µs:
    // v = 0.42 + 0.2·exp(−(t − 30 µs)/τ) crosses 0.5 V at 30 µs + τ·ln(0.2/0.08).
    const tau = 2e-6;
    const t: number[] = [];
    const v: number[] = [];
    for (let k = 0; k <= 6000; k++) {
      const x = k * 10e-9;
      t.push(x);
      v.push(x < 10e-6 ? 0.42 : x < 30e-6 ? 0.62 : 0.42 + 0.2 * Math.exp(-(x - 30e-6) / tau));
    }
    const p = plateauOf(t, v, 10e-6, 0.5);
    // 10 ns sampling with linear interpolation of the crossing: error ≪ 1 ns.
    expect(p.duration).toBeCloseTo(20e-6 + tau * Math.log(0.2 / 0.08), 9);
    expect(p.level).toBeCloseTo(0.62, 6);
  });

  it('NaN when the membrane never falls back below the threshold', () => {
    const p = plateauOf([0, 1, 2, 3], [0.4, 0.7, 0.7, 0.7], 1, 0.5);
    expect(Number.isNaN(p.duration)).toBe(true);
  });
});

describe('compareMetric', () => {
  it('absolute and relative errors against their tolerance', () => {
    const rest = compareMetric('rest', 'V', 0.420, 0.424, { kind: 'abs', value: 5e-3 });
    expect(rest.error).toBeCloseTo(-0.004, 12);
    expect(rest.pass).toBe(true);
    const psp = compareMetric('psp', 'V', 1.0e-3, 1.1e-3, { kind: 'rel', value: 0.05 });
    expect(psp.error).toBeCloseTo(-0.1 / 1.1, 12);
    expect(psp.pass).toBe(false);
  });

  it('a value on one side only fails; absent on both sides passes', () => {
    expect(compareMetric('x', 's', 1e-6, NaN, { kind: 'abs', value: 1 }).pass).toBe(false);
    expect(compareMetric('x', 's', NaN, NaN, { kind: 'abs', value: 1 }).pass).toBe(true);
  });
});

describe('countsAtWindowEnd', () => {
  // Window 250 µs: the spike-time tolerance at its end is 1 % = 2.5 µs, so the edge is 247.5 µs.
  const end = 250e-6;
  it('drops only the longer train\'s extra spikes within the tolerance of the end', () => {
    // SPICE fires a 9th spike at 249 µs, the emulator's 9th falls after the window: not a difference.
    expect(countsAtWindowEnd([10e-6, 240e-6], [10e-6, 240e-6, 249e-6], end)).toEqual([2, 2]);
    // A pair straddling the edge (247.4 / 247.6 µs) is counted on both sides.
    expect(countsAtWindowEnd([10e-6, 247.6e-6], [10e-6, 247.4e-6], end)).toEqual([2, 2]);
  });
  it('counts every extra spike before the edge', () => {
    expect(countsAtWindowEnd([10e-6, 200e-6], [10e-6], end)).toEqual([2, 1]);
    expect(countsAtWindowEnd([10e-6, 200e-6, 249e-6], [10e-6], end)).toEqual([2, 1]);
  });
});

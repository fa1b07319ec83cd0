import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/util/random.ts';
import {
  firingRate,
  fitExponential,
  interpolate,
  meanInterval,
  meanOver,
  measurePsp,
  spikeTimes,
  uniformGrid,
  valueAt,
} from '../../src/analysis/index.ts';
import { InputError } from '../../src/util/errors.ts';

/** Non-uniform sample times like an adaptive SPICE step: dt grows and shrinks. */
function adaptiveGrid(stop: number, n: number): Float64Array {
  const t = new Float64Array(n);
  for (let k = 1; k < n; k++) t[k] = t[k - 1] + 1 + 0.9 * Math.sin(k * 0.37);
  const s = stop / t[n - 1];
  for (let k = 0; k < n; k++) t[k] *= s;
  return t;
}

describe('interpolation and means', () => {
  it('linear data is reproduced exactly on any grid', () => {
    const t = adaptiveGrid(1e-3, 500);
    const y = t.map((x) => 3 - 2e3 * x);
    const g = uniformGrid(0, 1e-3, 1e-6);
    expect(g.length).toBe(1001);
    const yi = interpolate(t, y, g);
    // exact up to round-off of a few ulps
    for (let k = 0; k < g.length; k++) expect(yi[k]).toBeCloseTo(3 - 2e3 * g[k], 12);
    expect(valueAt(t, y, -1)).toBe(y[0]); // clamped
  });

  it('sin interpolation error is below the h^2/8 max|f\'\'| bound', () => {
    const t = adaptiveGrid(1, 2000);
    const w = 2 * Math.PI * 3;
    const y = t.map((x) => Math.sin(w * x));
    let hmax = 0;
    for (let k = 1; k < t.length; k++) hmax = Math.max(hmax, t[k] - t[k - 1]);
    const g = uniformGrid(0, 1, 1e-4);
    const yi = interpolate(t, y, g);
    const bound = (hmax * hmax * w * w) / 8; // linear-interpolation error bound
    for (let k = 0; k < g.length; k++) expect(Math.abs(yi[k] - Math.sin(w * g[k]))).toBeLessThanOrEqual(bound * 1.0001);
  });

  it('meanOver: trapezoid mean of 1 - exp(-t/tau) equals the analytic mean', () => {
    const tau = 1e-5;
    const t = adaptiveGrid(1e-4, 20000);
    const y = t.map((x) => 1 - Math.exp(-x / tau));
    const a = 2e-5;
    const b = 7e-5;
    const exact = 1 - (tau * (Math.exp(-a / tau) - Math.exp(-b / tau))) / (b - a);
    // trapezoid error ~ h^2/12 max|f''| = tiny at 20k samples
    expect(meanOver(t, y, a, b)).toBeCloseTo(exact, 7);
    expect(() => meanOver(t, y, 0, 2e-4)).toThrow(InputError);
  });
});

describe('spikes', () => {
  it('threshold crossings of a sawtooth are found at the analytic times', () => {
    // v rises linearly from 0 with slope 1 V/ms and resets at 1 V: crossings of 0.6 V at
    // t = 0.6 ms + k·1 ms. Linear data → interpolation exact.
    const dt = 1.7e-6;
    const n = Math.floor(10e-3 / dt);
    const t = new Float64Array(n);
    const v = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      t[k] = k * dt;
      v[k] = (t[k] * 1e3) % 1;
    }
    const s = spikeTimes(t, v, 0.6);
    expect(s.length).toBe(10);
    for (let k = 0; k < 10; k++) expect(s[k]).toBeCloseTo(0.6e-3 + k * 1e-3, 12);
    expect(firingRate(s, 0, 10e-3)).toBeCloseTo(1000, 9);
    expect(meanInterval(s)).toBeCloseTo(1e-3, 12);
  });

  it('hysteresis ignores noise riding on the threshold', () => {
    const t = Float64Array.from({ length: 8 }, (_, k) => k);
    const v = Float64Array.from([0, 1.1, 0.95, 1.05, 0.9, 1.2, 0, 2]);
    expect(Array.from(spikeTimes(t, v, 1))).toHaveLength(4);
    // rearm 0.5: only the crossings after dropping below 0.5 count
    const s = spikeTimes(t, v, 1, { rearm: 0.5 });
    expect(s.length).toBe(2);
    expect(s[0]).toBeCloseTo(1 / 1.1, 14);
    expect(s[1]).toBeCloseTo(6.5, 14);
  });
});

describe('PSP', () => {
  it('difference of exponentials: amplitude and time to peak', () => {
    // v = vr + w (e^{-t/τm} − e^{-t/τs}) for t > onset: peak at t* = τmτs/(τm−τs) ln(τm/τs)
    const tm = 10e-6;
    const ts = 2e-6;
    const vr = 0.45;
    const w = 0.05;
    const onset = 20e-6;
    const t = adaptiveGrid(100e-6, 3000);
    const v = t.map((x) => (x < onset ? vr : vr + w * (Math.exp(-(x - onset) / tm) - Math.exp(-(x - onset) / ts))));
    const tpk = ((tm * ts) / (tm - ts)) * Math.log(tm / ts);
    const amp = w * (Math.exp(-tpk / tm) - Math.exp(-tpk / ts));
    const m = measurePsp(t, v, { baseline: [0, 0.9 * onset], onset, until: 80e-6 });
    expect(m.baseline).toBeCloseTo(vr, 14);
    // parabolic refinement: error O(h^3) around the smooth peak, h ≈ 33 ns
    expect(Math.abs(m.amplitude - amp) / amp).toBeLessThan(1e-5);
    expect(Math.abs(m.timeToPeak - tpk)).toBeLessThan(5e-9);
    const inh = measurePsp(t, v.map((x) => 2 * vr - x), { baseline: [0, 0.9 * onset], onset, until: 80e-6, polarity: -1 });
    expect(inh.amplitude).toBeCloseTo(-m.amplitude, 12);
  });
});

describe('exponential fit', () => {
  const tau = 7.3e-6;
  const t = adaptiveGrid(40e-6, 800);

  it('recovers an exact relaxation to round-off', () => {
    const y = t.map((x) => 0.45 + 0.2 * Math.exp(-x / tau));
    const f = fitExponential(t, y);
    expect(f.converged).toBe(true);
    expect(f.tau / tau - 1).toBeLessThan(1e-9);
    expect(Math.abs(f.offset - 0.45)).toBeLessThan(1e-10);
    expect(Math.abs(f.amplitude - 0.2)).toBeLessThan(1e-10);
    // window not starting at 0: amplitude refers to the window start
    const g = fitExponential(t, y, { from: 5e-6, to: 30e-6 });
    expect(Math.abs(g.tau / tau - 1)).toBeLessThan(1e-9);
    expect(g.amplitude).toBeCloseTo(0.2 * Math.exp(-g.t0 / tau), 9);
    const h = fitExponential(t, y, { offset: 0.45 });
    expect(Math.abs(h.tau / tau - 1)).toBeLessThan(1e-9);
  });

  it('with noise: τ within the statistical error; robust mode shrugs off glitches', () => {
    const rng = new Rng(1234);
    const sigma = 1e-3; // 1 mV noise on a 200 mV relaxation
    const y = t.map((x) => 0.45 + 0.2 * Math.exp(-x / tau) + sigma * rng.normal());
    const f = fitExponential(t, y);
    // Cramér–Rao for 800 samples over ~5.5 τ: σ_τ/τ ≈ 0.1 %; allow 5σ
    expect(Math.abs(f.tau / tau - 1)).toBeLessThan(5e-3);
    expect(f.rmse).toBeGreaterThan(0.8 * sigma);
    expect(f.rmse).toBeLessThan(1.2 * sigma);
    const glitchy = Float64Array.from(y);
    for (let k = 100; k < 800; k += 97) glitchy[k] += 0.3; // spikes through the trace
    const plain = fitExponential(t, glitchy);
    const robust = fitExponential(t, glitchy, { robust: true });
    expect(Math.abs(robust.tau / tau - 1)).toBeLessThan(1e-2);
    expect(Math.abs(robust.tau / tau - 1)).toBeLessThan(Math.abs(plain.tau / tau - 1));
  });

  it('rising relaxation (charging) fits with a negative amplitude', () => {
    const y = t.map((x) => 0.6 - 0.15 * Math.exp(-x / tau));
    const f = fitExponential(t, y);
    expect(Math.abs(f.tau / tau - 1)).toBeLessThan(1e-9);
    expect(f.amplitude).toBeCloseTo(-0.15, 10);
  });
});

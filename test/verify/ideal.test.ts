/**
 * The fast subset on the ideal die that must pass: emulator (noise off) vs ngspice (CLI) on the
 * bundled verification cases, checking only the metrics that agree today; the known gaps are
 * measured and explained in docs/verification.md (they are asserted there as gaps, not here).
 *
 * Tolerances are the verification's own (src/verify/verify.ts TOLERANCES), each with its reason:
 * - PSP amplitude 5 %: the synaptic charge per weight and the membrane capacitance are shared
 *   by both levels; 5 % is the task's limit and today's error is ≈ 2.5 % (the emulator's
 *   current-based synapse vs the OTA's finite output resistance).
 * - PSP time to peak 5 %: set by τ_syn and τ_mem (time constants), ≈ 2.7 % today.
 * - rest 5 mV: the capmem voltage cells' offset σ is 3 mV, so a model error below 5 mV is
 *   below one die's spread; the plateau case has a leak 4× stronger than the defaults, which
 *   divides the synaptic inputs' current error (gap 1 in the docs) by 4 (≈ 1.3 mV today).
 * - spike time 1 % or 0.2 µs (the task's limit): both levels have the comparator's delay (the
 *   emulator its fitted law, gap 9) and the emulator's event-time resolution is far below
 *   0.2 µs; fi50 within 0.14 µs over six spikes today.
 * - adex (count exact, spike times 1 % or 0.2 µs, rate 2 %, ISI ratio 5 %): the emulator
 *   follows the adaptation block's large-signal law (its OTAs saturate, gap 6) and starts from
 *   the same state as the deck; spike times +0.15 … +0.33 µs, rate +0.4 %, ISI ratio −1.4 %
 *   today (its deck takes ≈ 20 s at ≤ 10 ns: the longest of the subset, run in parallel).
 * - length constant 5 %: the chain's λ depends on the ratio g_icc/g_leak only (the same ratio
 *   both levels realise from the same codes); ≈ 0.2 % today. The far-end attenuations alone
 *   are a gap (docs/verification.md, gap 4) and not asserted.
 * - every other metric of chain-2, chain-4, plateau, plateau-refire, single-circuit and adex (rest,
 *   PSP amplitude/time to peak/τ_mem, attenuation, spike count/times, rate): the tolerances of
 *   docs/verification.md, all met on the ideal die since the synaptic inputs' rest current was
 *   fitted in situ (gap 1) and the deck's one-shot fixed (gaps 5, 7).
 * - plateau duration (as a spike time: 1 % or 0.2 µs) and level (5 mV): both levels hold the
 *   membrane with the reset transconductor alone and release it at refractory − holdoff
 *   through a digital switch; ≈ 0.01 µs and 0.1 mV today.
 * - plateau-refire (holdoff too short): spike count exact, times 1 % or 0.2 µs, rate 2 %: the
 *   chip re-arms its refractory counter on the clock and fires again while the comparator is
 *   high; the emulator's threshold is level-sensitive and the deck's one-shot re-arms the same
 *   way (blocks/spike.ts); ≈ 0.14 µs on the 4th spike today (the deck's 50 ns internal step
 *   per period).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadExperimentFile } from '../../src/config/load.ts';
import { verifyExperiment, type VerifyReport } from '../../src/verify/verify.ts';
import type { MetricResult } from '../../src/verify/metrics.ts';

const file = (name: string) => new URL(`../../examples/verification/${name}`, import.meta.url).pathname;
const metric = (r: VerifyReport, name: string): MetricResult => {
  const m = r.cases[0].metrics.find((x) => x.name === name);
  if (!m) throw new Error(`no metric "${name}" in ${r.cases[0].metrics.map((x) => x.name).join(', ')}`);
  return m;
};

describe('verification on the ideal die (ngspice CLI)', () => {
  let chain: VerifyReport;
  let plateau: VerifyReport;
  let chain4: VerifyReport;
  let refire: VerifyReport;
  let single: VerifyReport;
  let adex: VerifyReport;
  beforeAll(async () => {
    const opts = { die: 'ideal' as const, backend: 'cli' as const, jobs: 1 };
    [chain, plateau, chain4, refire, single, adex] = await Promise.all([
      verifyExperiment(loadExperimentFile(file('chain-2.yaml')), opts),
      verifyExperiment(loadExperimentFile(file('plateau.yaml')), opts),
      verifyExperiment(loadExperimentFile(file('chain-4.yaml')), opts),
      verifyExperiment(loadExperimentFile(file('plateau-refire.yaml')), opts),
      verifyExperiment(loadExperimentFile(file('single-circuit.yaml')), opts),
      verifyExperiment(loadExperimentFile(file('adex.yaml')), opts),
    ]);
  }, 120_000);

  it('2-compartment chain: PSP amplitude and time to peak in the stimulated compartment', () => {
    for (const name of ['PSP amplitude c0 @80.0 µs', 'PSP time to peak c0 @80.0 µs', 'PSP amplitude c1 @140.0 µs', 'PSP time to peak c1 @140.0 µs']) {
      const m = metric(chain, name);
      expect(m.toleranceKind).toBe('rel');
      expect(m.tolerance).toBe(0.05);
      expect(m.pass, `${name}: error ${m.error}`).toBe(true);
    }
    // A PSP of weight 63 on a 2-circuit compartment (≈ 1.2 mV) is positive on both levels.
    expect(metric(chain, 'PSP amplitude c0 @80.0 µs').spice).toBeGreaterThan(0.5e-3);
  });

  it('4-compartment chain: length constant of the input into c0', () => {
    const m = metric(chain4, 'length constant from c0');
    expect(m.pass, `λ error ${m.error}`).toBe(true);
    // Two-circuit compartments with τ_icc = 2 µs against τ_mem = 10 µs: the PSP falls to ≈ 40 %
    // per compartment, λ ≈ 0.9 compartments on both levels.
    expect(m.spice).toBeGreaterThan(0.6);
    expect(m.spice).toBeLessThan(1.3);
  });

  it('plateau: rest, one spike, its time', () => {
    const rest = metric(plateau, 'rest');
    expect(rest.pass, `rest error ${rest.error}`).toBe(true);
    expect(rest.spice).toBeGreaterThan(0.40);
    expect(rest.spice).toBeLessThan(0.44);
    const count = metric(plateau, 'spike count');
    expect(count.spice).toBe(1);
    expect(count.pass).toBe(true);
    const t1 = metric(plateau, 'spike 1 time');
    expect(t1.pass, `spike time error ${t1.error}`).toBe(true);
    // The burst starts at 80 µs; the first spike follows within the burst (80–83.5 µs).
    expect(t1.spice).toBeGreaterThan(80e-6);
    expect(t1.spice).toBeLessThan(84e-6);
  });

  it('plateau: duration and level', () => {
    const dur = metric(plateau, 'plateau duration');
    expect(dur.pass, `duration error ${dur.error}`).toBe(true);
    // Held for refractory − holdoff (29.95 − 3.71 µs in counter cycles), then ≈ 2 µs to
    // fall from v_reset below the threshold with τ_mem = 2.5 µs: 26–31 µs.
    expect(dur.spice).toBeGreaterThan(26e-6);
    expect(dur.spice).toBeLessThan(31e-6);
    const lvl = metric(plateau, 'plateau level');
    expect(lvl.pass, `level error ${lvl.error}`).toBe(true);
    // The reset transconductor alone holds the membrane near v_reset = 0.62 V.
    expect(Math.abs((lvl.spice ?? NaN) - 0.62)).toBeLessThan(0.01);
  });

  it('plateau with too short a holdoff: fires again at the end of every refractory period', () => {
    const count = metric(refire, 'spike count');
    // First spike in the burst (≈ 81 µs), then every 30 µs until the end at 200 µs: 4 spikes.
    expect(count.spice).toBe(4);
    expect(count.pass).toBe(true);
    for (const name of ['spike 1 time', 'spike 2 time', 'spike 3 time', 'spike 4 time', 'firing rate']) {
      const m = metric(refire, name);
      expect(m.pass, `${name}: error ${m.error}`).toBe(true);
    }
    // The period is the refractory time (≈ 30 µs) on the deck, too.
    const t1 = metric(refire, 'spike 1 time').spice ?? NaN, t2 = metric(refire, 'spike 2 time').spice ?? NaN;
    expect(Math.abs(t2 - t1 - 30e-6)).toBeLessThan(0.3e-6);
  });

  it('every metric of the cases that agree is within its tolerance', () => {
    // Whole cases: rest, PSPs, τ_mem, attenuation matrix and λ of the chains, spikes and rates
    // of the single circuits (fi50's later spike times since the engine applies the
    // comparator's delay, gap 9), the plateaus, and the AdEx circuit (spike times, rate, ISI
    // ratio since the engine follows the adaptation block's large-signal law, gap 6).
    const failures: string[] = [];
    for (const r of [chain, chain4, plateau, refire, single, adex]) {
      for (const c of r.cases) {
        for (const m of c.metrics) {
          if (!m.pass) failures.push(`${c.name} · ${m.name}: ${m.emulator} vs ${m.spice} (error ${m.error}, tolerance ${m.tolerance})`);
        }
      }
    }
    expect(failures).toEqual([]);
    // The cases are not empty: 8 + 25 + 5 + 9 metrics and the four single circuits.
    expect(chain4.cases[0].metrics.length).toBeGreaterThanOrEqual(25);
    expect(single.cases.length).toBe(4);
    expect(single.cases.flatMap((c) => c.metrics).length).toBeGreaterThanOrEqual(25);
    // AdEx: count, six spike times, rate, ISI ratio.
    expect(adex.cases[0].metrics.length).toBe(9);
  });

  it('report shape: every metric carries both values, error, tolerance and pass', () => {
    for (const m of [...chain.cases[0].metrics, ...plateau.cases[0].metrics]) {
      expect(typeof m.name).toBe('string');
      expect(typeof m.pass).toBe('boolean');
      expect(m.tolerance).toBeGreaterThanOrEqual(0);
    }
    expect(chain.cases[0].spiceBackend).toBe('cli');
    expect(chain.emulatorSeconds).toBeGreaterThan(0);
  });
});

/**
 * The OTA's large-signal law with a mismatched mirror (`otaLargeSignal`) and what it does for
 * the leak: the f–I circuit fi25 of examples/verification/single-circuit.yaml clamped below its
 * threshold on dies 1–3, ngspice against the emulator's membrane law (docs/verification.md,
 * fi25). Every tolerance says why.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { otaLargeSignal } from '../../src/circuits/blocks/ota.ts';
import { circuitParameters } from '../../src/circuits/circuit.ts';
import type { Die } from '../../src/circuits/die.ts';
import type { CircuitParameters } from '../../src/circuits/params.ts';
import { loadExperimentFile } from '../../src/config/load.ts';
import { lowerExperiment } from '../../src/mapping/lower.ts';
import { buildDeck } from '../../src/netlist/deck.ts';
import { runSpiceMany } from '../../src/netlist/pool.ts';
import { getVector } from '../../src/netlist/runner.ts';
import { neuronFromEnum } from '../../src/chip/coordinates.ts';

describe('otaLargeSignal', () => {
  it('is the tanh law for M = 1 (bit for bit) and saturates at +M·I_t / −I_t otherwise, slope g at zero', () => {
    const g = 2e-7, t = 2e-8;
    for (const x of [-0.4, -0.05, 0, 0.03, 0.3]) expect(otaLargeSignal(g, t, 1, x).current).toBe(t * Math.tanh((g * x) / t));
    const m = 1.08;
    expect(otaLargeSignal(g, t, m, 2).current / t).toBeCloseTo(m, 9);
    expect(otaLargeSignal(g, t, m, -2).current / t).toBeCloseTo(-1, 9);
    expect(otaLargeSignal(g, t, m, 0).current).toBe(0);
    expect(otaLargeSignal(g, t, m, 0).slope).toBeCloseTo(g, 20);
    // The slope is the derivative of the current (central difference, 1 µV).
    for (const x of [-0.2, -0.03, 0.01, 0.15]) {
      const h = 1e-6;
      const num = (otaLargeSignal(g, t, m, x + h).current - otaLargeSignal(g, t, m, x - h).current) / (2 * h);
      expect(Math.abs(otaLargeSignal(g, t, m, x).slope / num - 1)).toBeLessThan(1e-6);
    }
  });
});

/** The emulator's static membrane current of one circuit (leak tanh, offset, remainder table). */
function lawCurrent(p: CircuitParameters, v: number, withRemainder: boolean): number {
  const isat = p.leakSaturationCurrent ?? Infinity;
  let i = (Number.isFinite(isat) ? isat * Math.tanh((p.gLeak * (p.eLeak - v)) / isat) : p.gLeak * (p.eLeak - v)) + p.iOffset;
  const r = p.membraneCurrentRemainder;
  if (withRemainder && r !== undefined) {
    const xs = r.v, ys = r.i;
    if (v <= xs[0]) i += ys[0];
    else if (v >= xs[xs.length - 1]) i += ys[ys.length - 1];
    else {
      let k = 0;
      while (xs[k + 1] < v) k++;
      i += ys[k] + ((ys[k + 1] - ys[k]) * (v - xs[k])) / (xs[k + 1] - xs[k]);
    }
  }
  return i;
}

describe('the leak of an f–I circuit on mismatched dies (ngspice clamp)', () => {
  const V0 = 0.44, STEP = 0.02, N = 10; // 0.44–0.62 V: where the membrane spends its interval
  const dies: Die[] = [{ seed: 1 }, { seed: 2 }, { seed: 3 }];
  const exp = loadExperimentFile('examples/verification/single-circuit.yaml');
  const cases = dies.map((die) => {
    const low = lowerExperiment(exp, { die });
    const e = low.placement.neurons.find((n) => n.population === 'fi25')!.compartments[0].circuits[0];
    const deck = buildDeck({ chip: low.chip, die, circuits: [neuronFromEnum(e)], title: 'fi25 clamp' });
    // The membrane held by a source swept below the threshold (the one-shots stay idle).
    deck.netlist.elements.push({ kind: 'V', name: 'vclamp', p: deck.compartments[0].node, n: '0', value: V0 });
    deck.netlist.analysis = { kind: 'dc', source: 'vclamp', start: V0, stop: V0 + (N - 1) * STEP, step: STEP };
    deck.netlist.save = ['i(vclamp)'];
    return { die, p: circuitParameters(low.chip, die, e), netlist: deck.netlist };
  });
  let spice: Float64Array[] = [];
  beforeAll(async () => {
    const out = await runSpiceMany(cases.map((c) => c.netlist), { backend: 'cli', jobs: 2, timeoutSeconds: 60 });
    spice = out.map((o) => {
      if (!o.ok) throw o.error;
      return getVector(o.result, 'i(vclamp)');
    });
  }, 60_000);

  it('with the mirror\'s asymmetry the law is within 0.13 nA; the odd tanh was 0.15–0.25 nA off', () => {
    cases.forEach((c, j) => {
      let worstTanh = 0;
      for (let k = 0; k < N; k++) {
        const v = V0 + k * STEP;
        // Measured ≤ 0.11 nA on dies 1–3 (the ideal die's own residual is ≤ 0.06 nA: the
        // moderate-inversion shape of the tanh; the table's 50 mV grid adds ≤ 0.02 nA).
        expect(Math.abs(lawCurrent(c.p, v, true) - spice[j][k]), `die ${JSON.stringify(c.die)} ${v.toFixed(2)} V`).toBeLessThan(0.13e-9);
        worstTanh = Math.max(worstTanh, Math.abs(lawCurrent(c.p, v, false) - spice[j][k]));
      }
      // What the emulator integrated before (no remainder for a circuit without synaptic
      // inputs): 0.17–0.25 nA at 0.48–0.52 V on these dies, ≈ 2–3 % of the net current near
      // threshold, the fi25 interval errors of ±1–2 %.
      expect(worstTanh).toBeGreaterThan(0.15e-9);
    });
  });
});

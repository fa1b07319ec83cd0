/**
 * Leak/reset source degeneration (enable_degeneration): the degenerated OTA in ngspice against
 * its law (ota.ts otaDegenBehaviour / otaDegenInputFor with k from the shipped leak-degen
 * entry), and one circuit with a degenerated leak: SPICE rest and τ_mem against the behavioural
 * parameters the emulator integrates. Biases off the fit grid, so interpolation is tested too.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { neuron } from '../../src/chip/coordinates.ts';
import { buildDeck, restingSelfTest } from '../../src/netlist/deck.ts';
import { runSpice, getVector, type SpiceResult } from '../../src/netlist/runner.ts';
import type { Netlist } from '../../src/netlist/model.ts';
import { circuitParameters, circuitElements } from '../../src/circuits/circuit.ts';
import { OTA_DEGEN_SUBCKT, otaDegenBehaviour, otaDegenInputFor, otaDegenSubcircuit } from '../../src/circuits/blocks/ota.ts';
import { LEAK_DEGENERATION_OHM, leakDegenFit } from '../../src/circuits/blocks/leak-reset.ts';
import { otaGm, VDD } from '../../src/circuits/technology.ts';
import { codesForTargets } from '../../src/circuits/targets.ts';
import { membraneCapacitance } from '../../src/circuits/blocks/membrane.ts';
import { crossings, lifChip, lifInterval } from './closed-form.ts';

const VCM = 0.6;
const H = 0.002;
const SPAN = 0.3;

/** Degenerated follower, out held at `vcm`, inp swept vcm ± SPAN (R_D as in the library). */
function followerSweep(biasA: number, vcm = VCM): Netlist {
  return {
    title: `degenerated follower ${biasA} ${vcm}`, includes: [], models: [], subcircuits: [otaDegenSubcircuit()],
    elements: [
      { kind: 'V', name: 'vdd', p: 'vdd', n: '0', value: VDD },
      { kind: 'V', name: 'vp', p: 'inp', n: '0', value: vcm },
      { kind: 'V', name: 'vm', p: 'mem', n: '0', value: vcm },
      { kind: 'I', name: 'ib', p: 'vdd', n: 'nb', value: biasA },
      { kind: 'R', name: 'rd', p: 's1', n: 's2', value: LEAK_DEGENERATION_OHM },
      { kind: 'X', name: 'ota', nodes: ['inp', 'mem', 'mem', 'nb', 's1', 's2', 'vdd', '0'], subckt: OTA_DEGEN_SUBCKT },
    ],
    options: { reltol: 1e-6, abstol: 1e-15, gmin: 1e-15 },
    analysis: { kind: 'dc', source: 'vp', start: vcm - SPAN, stop: vcm + SPAN, step: H },
    save: ['i(vm)'],
  };
}

// One circuit, threshold off, leak degenerated; τ_mem asked of the targets inverse.
const E = 5;
const C5 = neuron(0, E);
const TAU = 2e-6;
const CAP_CODE = 63;
function degenChip() {
  const chip = lifChip([E]);
  const c = chip.neurons[E];
  c.threshold.enable = false;
  const t = codesForTargets({ capacitance_code: CAP_CODE, tau_mem: TAU, v_leak: 0.6, leak_degeneration: true });
  if (t.unreachable.length > 0) throw new Error(JSON.stringify(t.unreachable));
  Object.assign(c.leak, t.config.leak);
  return chip;
}
const chip = degenChip();
const rest = restingSelfTest(chip, 'ideal', [C5]);
const restSeeds = [1, 2].map((seed) => restingSelfTest(chip, { seed }, [C5]));
// Spiking with the leak degenerated and the reset not (the variant's switch toggled by rst).
const lifDegen = (() => {
  const c = lifChip([E]);
  Object.assign(c.neurons[E].leak, chip.neurons[E].leak);
  return c;
})();
// And the reverse: the reset degenerated, the leak not (the other position of the switch).
const lifResetDegen = (() => {
  const c = lifChip([E]);
  c.neurons[E].reset.enable_degeneration = true;
  return c;
})();
const fiResetDeck = buildDeck({ chip: lifResetDegen, die: 'ideal', circuits: [C5], duration: 60e-6, step: 20e-9, stimuli: [{ kind: 'current', circuit: C5, amplitude: 60e-9, start: 2e-6 }] });
const fiDeck = buildDeck({ chip: lifDegen, die: 'ideal', circuits: [C5], duration: 60e-6, step: 20e-9, stimuli: [{ kind: 'current', circuit: C5, amplitude: 300e-9, start: 2e-6 }] });
const I_STEP = 5e-9;
const T0 = 2e-6;
const stepDeck = buildDeck({ chip, die: 'ideal', circuits: [C5], duration: 14e-6, step: 10e-9, stimuli: [{ kind: 'current', circuit: C5, amplitude: I_STEP, start: T0 }] });

const BIASES = [150e-9, 400e-9];
// Off both grids (bias and common mode) where k moves fastest with V_cm: the half tails near
// the edge of saturation at a low reference (helper G's point: k 1.20 at 0.6 V, 0.81 here).
const OFF_BIAS = 470e-9;
const OFF_VCM = 0.42;
const res = new Map<string, SpiceResult>();
beforeAll(async () => {
  const jobs: Array<[string, Netlist]> = [...BIASES.map((b) => [`f${b}`, followerSweep(b)] as [string, Netlist]), ['fLow', followerSweep(OFF_BIAS, OFF_VCM)], ['rest', rest.deck.netlist], ['step', stepDeck.netlist],
    ...restSeeds.map((r, k) => [`rest${k + 1}`, r.deck.netlist] as [string, Netlist]), ['fi', fiDeck.netlist], ['fiReset', fiResetDeck.netlist]];
  const worker = async (): Promise<void> => {
    for (let j = jobs.shift(); j !== undefined; j = jobs.shift()) res.set(j[0], await runSpice(j[1], { backend: 'cli', timeoutSeconds: 60 }));
  };
  await Promise.all([worker(), worker()]);
}, 120_000);

describe('degenerated OTA (R_D between the split tails) against its law', () => {
  for (const b of BIASES) {
    it(`slope and linear range at ${b * 1e9} nA`, () => {
      const i = getVector(res.get(`f${b}`) as SpiceResult, 'i(vm)');
      const k0 = Math.round(SPAN / H);
      const gSpice = (i[k0 + 1] - i[k0 - 1]) / (2 * H);
      const fit = leakDegenFit(b, VCM);
      const law = otaDegenBehaviour(b, VCM, {}, LEAK_DEGENERATION_OHM, fit.k, fit.iSys);
      // Small signal: k and gm interpolated in log bias between fitted points (the fit itself
      // reproduces its grid exactly); gm0 is the plain OTA's table, not the shorted variant's
      // (measured 0.5–1 % apart): 3 % (measured 0.5 % at 150 nA, 0.4 % at 400 nA).
      expect(Math.abs(law.gm / gSpice - 1)).toBeLessThan(0.03);
      // Degeneration is real: the slope is well below the undegenerated gm (×1/(1 + k gm R_D/2)).
      expect(gSpice).toBeLessThan(0.75 * otaGm(b, VCM));
      // Large signal: the input at which the output reaches ±I_t/2 (from the SPICE curve,
      // linear interpolation) against the inverse law (I_t/gm)·atanh(1/2) + k·R_D·I_t/4. 8 %:
      // k is fitted at zero input and the body effect grows with the source swing (measured
      // 0.04–0.5 % at 150 / 400 nA; the emulator's tanh with the same g is 4.7 / 6.9 % wide).
      const gm0 = otaGm(law.tail, VCM);
      const want = otaDegenInputFor(law.tail / 2, law.tail, gm0, LEAK_DEGENERATION_OHM, fit.k);
      const at = (target: number): number => {
        for (let k = 1; k < i.length; k++) {
          if ((i[k - 1] - target) * (i[k] - target) <= 0) return -SPAN + H * (k - 1 + (target - i[k - 1]) / (i[k] - i[k - 1]));
        }
        return NaN;
      };
      const up = at(law.tail / 2 + i[k0]);
      const down = at(-law.tail / 2 + i[k0]);
      expect(Math.abs(up / want - 1)).toBeLessThan(0.08);
      expect(Math.abs(-down / want - 1)).toBeLessThan(0.08);
      // The linear range widened: ±I_t/2 needs more input than the plain tanh's (I_t/gm)·atanh(1/2).
      expect(up).toBeGreaterThan(1.5 * (law.tail / gm0) * Math.atanh(0.5));
    });
  }
});

describe('degenerated OTA off the common-mode grid', () => {
  it(`slope at ${OFF_BIAS * 1e9} nA, V_cm ${OFF_VCM} V`, () => {
    const i = getVector(res.get('fLow') as SpiceResult, 'i(vm)');
    const k0 = Math.round(SPAN / H);
    const gSpice = (i[k0 + 1] - i[k0 - 1]) / (2 * H);
    const fit = leakDegenFit(OFF_BIAS, OFF_VCM);
    const law = otaDegenBehaviour(OFF_BIAS, OFF_VCM, {}, LEAK_DEGENERATION_OHM, fit.k, fit.iSys);
    // k bilinear (log bias, linear V_cm) between 300/500 nA and 0.4/0.5 V, where k at 500 nA
    // falls from 1.15 to 0.64: 5 % (measured +1.7 %: 1.586 vs 1.560 µS, k 0.773). With k fitted
    // at V_cm 0.6 V only (the former table) the law gave 1.20 µS here (−23 %).
    expect(Math.abs(law.gm / gSpice - 1)).toBeLessThan(0.05);
    // The degeneration is the low-V_cm one, not the 0.6 V one: the slope is above the 0.6 V law's.
    const at06 = leakDegenFit(OFF_BIAS, 0.6);
    expect(gSpice).toBeGreaterThan(1.15 * otaDegenBehaviour(OFF_BIAS, OFF_VCM, {}, LEAK_DEGENERATION_OHM, at06.k).gm);
    // Systematic current at zero input, measured per (bias, V_cm) too: referred to the input
    // (÷ g) within 0.1 mV of SPICE's (measured 2.896 vs 2.879 nA, 0.011 mV).
    expect(Math.abs(fit.iSys - i[k0]) / gSpice).toBeLessThan(1e-4);
  });
});

describe('one circuit with a degenerated leak', () => {
  it('lowers to the degenerated variant with R_D in the deck', () => {
    expect(chip.neurons[E].leak.enable_degeneration).toBe(true);
    const els = circuitElements(chip, 'ideal', E, { mem: 'm', excLine: 'le', inhLine: 'li' }).elements;
    expect(els.some((e) => e.kind === 'R' && Math.abs(e.value as number - LEAK_DEGENERATION_OHM) < 1)).toBe(true);
  });

  it('rests where the behavioural model says (SPICE operating point)', () => {
    const node = rest.deck.membrane[E];
    const v = getVector(res.get('rest') as SpiceResult, node)[0];
    // README agreement target: rest within 5 mV. The degenerated OTA refers its systematic
    // current through a smaller g, so the offset is larger than the plain OTA's; 2 mV (measured
    // 0.04 mV).
    expect(Math.abs(v - rest.expected[node])).toBeLessThan(2e-3);
    expect(Math.abs(v - 0.6)).toBeLessThan(5e-3);
  });

  it('follows the die: the split tails\' mismatch moves the rest as the law says', () => {
    const node = rest.deck.membrane[E];
    const v = restSeeds.map((r, k) => getVector(res.get(`rest${k + 1}`) as SpiceResult, node)[0]);
    // Same 1.5 mV as the plain OTA's mismatched rest (spice.test.ts) plus the split tails'
    // offset −k·(I_ta − I_tb)·R_D/2 and the mirror term ×(1 + k·gm·R_D/2), first-order laws:
    // 2 mV (measured 0.56 / 0.45 mV on seeds 1 / 2).
    restSeeds.forEach((r, k) => expect(Math.abs(v[k] - r.expected[node])).toBeLessThan(2e-3));
    expect(Math.abs(v[0] - v[1])).toBeGreaterThan(2e-3);
  });

  it('spikes at the closed-form LIF interval with the reset OTA undegenerated (switch on rst)', () => {
    const p = circuitParameters(lifDegen, 'ideal', E);
    const r = res.get('fi') as SpiceResult;
    const spikes = crossings(getVector(r, 'time'), getVector(r, fiDeck.refractory[E]), 0.6);
    expect(spikes.length).toBeGreaterThanOrEqual(3);
    const mean = (spikes[spikes.length - 1] - spikes[0]) / (spikes.length - 1);
    // As spice.test.ts (2 %): the comparator delay and the parts the behaviour leaves out; the
    // reset mode uses the variant with its switch closed (1 kΩ, 10⁻³ of R_D). The leak's tanh
    // has the stand-in saturation current (degenTanhSaturation): measured +0.8 % (with I_sat =
    // I_t the tanh is too curved for the degenerated OTA and the interval was 5.0 % off).
    expect(Math.abs(mean / lifInterval(p, 300e-9) - 1)).toBeLessThan(0.02);
  });

  it('spikes at the closed-form LIF interval with only the reset degenerated', () => {
    const p = circuitParameters(lifResetDegen, 'ideal', E);
    // Degeneration slows the reset: its conductance is below the undegenerated one.
    expect(p.gReset).toBeLessThan(0.5 * circuitParameters(lifChip([E]), 'ideal', E).gReset);
    const r = res.get('fiReset') as SpiceResult;
    const spikes = crossings(getVector(r, 'time'), getVector(r, fiResetDeck.refractory[E]), 0.6);
    expect(spikes.length).toBeGreaterThanOrEqual(3);
    const mean = (spikes[spikes.length - 1] - spikes[0]) / (spikes.length - 1);
    // 2 % as spice.test.ts's LIF (measured +1.2 %; reset g 1.26 vs 4.88 µS undegenerated).
    expect(Math.abs(mean / lifInterval(p, 60e-9) - 1)).toBeLessThan(0.02);
  });

  it('relaxes with τ_mem = C / g_leak of the behavioural parameters, and that is the τ asked for', () => {
    const p = circuitParameters(chip, 'ideal', E);
    const t = getVector(res.get('step') as SpiceResult, 'time');
    const v = getVector(res.get('step') as SpiceResult, stepDeck.membrane[E]);
    const vAt = (x: number): number => { let k = 0; while (t[k + 1] < x) k++; return v[k] + ((v[k + 1] - v[k]) * (x - t[k])) / (t[k + 1] - t[k]); };
    const v0 = vAt(T0 - 0.05e-6), vEnd = vAt(T0 + 6 * TAU);
    let k = 0;
    while (t[k] < T0 || v[k] < v0 + (1 - Math.exp(-1)) * (vEnd - v0)) k++;
    const tauSpice = t[k] - T0;
    // README agreement target: time constants within 5 %; the 5 nA step (≈ 5 mV) keeps the
    // tanh's curvature below 0.1 % (measured +0.6 %).
    const tauModel = p.capacitance / p.gLeak;
    expect(Math.abs(tauSpice / tauModel - 1)).toBeLessThan(0.05);
    // The targets inverse: τ from the code it chose, within the code step (≈ 1 %) + the law's 3 %.
    expect(Math.abs(tauModel / TAU - 1)).toBeLessThan(0.04);
    expect(p.capacitance).toBeCloseTo(membraneCapacitance(CAP_CODE), 15);
  });
});

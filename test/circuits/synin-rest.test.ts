/**
 * The synaptic inputs' rest current (verification gap 1) and the deck's resting-state solve
 * outside the supply (gap 3). Transistor-level references from ngspice (CLI) operating points;
 * every tolerance says why.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { neuron } from '../../src/chip/coordinates.ts';
import { loadExperimentFile } from '../../src/config/load.ts';
import { lowerExperiment, restPotential } from '../../src/mapping/lower.ts';
import { buildDeck, restingSelfTest, solveRest } from '../../src/netlist/deck.ts';
import { runSpice, getVector } from '../../src/netlist/runner.ts';
import { circuitParameters } from '../../src/circuits/circuit.ts';
import { VDD } from '../../src/circuits/technology.ts';
import type { CircuitParameters } from '../../src/circuits/params.ts';
import type { ChipConfig } from '../../src/chip/chip.ts';
import type { Netlist } from '../../src/netlist/model.ts';
import { lifChip } from './closed-form.ts';

/** Static membrane current of the behavioural model at v (leak tanh + iOffset + remainder), A. */
function modelCurrent(p: CircuitParameters, v: number): number {
  const sat = p.leakSaturationCurrent ?? Infinity;
  const lin = p.gLeak * (p.eLeak - v);
  let i = (Number.isFinite(sat) ? sat * Math.tanh(lin / sat) : lin) + p.iOffset;
  const r = p.membraneCurrentRemainder;
  if (r !== undefined) {
    let k = 0;
    while (k < r.v.length - 2 && r.v[k + 1] < v) k++;
    const f = Math.min(1, Math.max(0, (v - r.v[k]) / (r.v[k + 1] - r.v[k])));
    i += r.i[k] * (1 - f) + r.i[k + 1] * f;
  }
  return i;
}

// The psp neuron of examples/single-neuron.yaml as lowered on the ideal die (excitatory input,
// i_bias_gm code 500, τ_syn through i_bias_tau, reference shift cancelling its rest current at
// the requested 0.42 V), circuit 0.
const lowered = lowerExperiment(loadExperimentFile('examples/single-neuron.yaml'), { die: 'ideal' });
const C0 = neuron(0, 0);
// The lowering enables only the excitatory input (the only one receiving synapses) and trims
// it with its reference shift; the variant with both inputs also enables the inhibitory one with
// the same codes and no shift (what an uncalibrated user would write), so both signs are measured.
function variant(inputs: boolean): ChipConfig {
  const chip = structuredClone(lowered.chip);
  if (!inputs) { chip.neurons[0].excitatory_input.enable = false; chip.neurons[0].inhibitory_input.enable = false; }
  else Object.assign(chip.neurons[0].inhibitory_input, { ...chip.neurons[0].excitatory_input, i_shift_reference: 0 });
  return chip;
}
const CLAMP_V = [0.4, 0.5, 0.6];
const CLAMP_R = 1e3; // the clamp's series resistor: I = (v(mem) − V)/R, 10 nA → 10 µV at the node

function clampDeck(chip: ChipConfig, v: number): { netlist: Netlist; node: string } {
  const { deck } = restingSelfTest(chip, 'ideal', [C0]);
  const node = deck.compartments[0].node;
  const netlist = structuredClone(deck.netlist);
  netlist.elements.push({ kind: 'V', name: 'clamp', p: 'clampsrc', n: '0', value: v }, { kind: 'R', name: 'clampr', p: node, n: 'clampsrc', value: CLAMP_R });
  return { netlist, node };
}

const spiceClamp = new Map<string, number>();
let restSpice = NaN;
const rest = restingSelfTest(lowered.chip, 'ideal', [C0]);

// The same neuron lowered with the die-aware inverse (a perfect calibration: leak and each
// input's reference shift solved for that die) on three mismatched dies.
const calibrated = [1, 2, 3].map((seed) => {
  const die = { seed };
  const low = lowerExperiment(loadExperimentFile('examples/single-neuron.yaml'), { die, inverse: 'die' });
  return { seed, low, test: restingSelfTest(low.chip, die, [C0]), spice: NaN };
});

beforeAll(async () => {
  const jobs: Array<() => Promise<void>> = [];
  for (const c of calibrated) {
    jobs.push(async () => {
      const r = await runSpice(c.test.deck.netlist, { backend: 'cli', timeoutSeconds: 60 });
      c.spice = getVector(r, Object.keys(c.test.expected)[0])[0];
    });
  }
  for (const inputs of [true, false]) for (const v of CLAMP_V) {
    jobs.push(async () => {
      const { netlist, node } = clampDeck(variant(inputs), v);
      const r = await runSpice(netlist, { backend: 'cli', timeoutSeconds: 60 });
      spiceClamp.set(`${inputs} ${v}`, (getVector(r, `v(${node})`)[0] - v) / CLAMP_R);
    });
  }
  jobs.push(async () => {
    const r = await runSpice(rest.deck.netlist, { backend: 'cli', timeoutSeconds: 60 });
    restSpice = getVector(r, Object.keys(rest.expected)[0])[0];
  });
  const queue = [...jobs];
  const worker = async (): Promise<void> => { for (let j = queue.shift(); j !== undefined; j = queue.shift()) await j(); };
  await Promise.all([worker(), worker()]);
}, 120_000);

describe('synaptic inputs at rest (gap 1)', () => {
  it('inject onto a clamped membrane what the transistors inject, 0.4–0.6 V', () => {
    const pOn = circuitParameters(variant(true), 'ideal', 0);
    const pOff = circuitParameters(variant(false), 'ideal', 0);
    for (const v of CLAMP_V) {
      const spice = spiceClamp.get(`true ${v}`)! - spiceClamp.get(`false ${v}`)!;
      const model = modelCurrent(pOn, v) - modelCurrent(pOff, v);
      // The inputs' part alone (the leak's own error cancels in the difference). The table is
      // the same circuit measured in isolation and interpolated in the biases (≤ 3 % off the
      // grid): 0.3 nA (measured ≤ 0.07 nA with the exc input shifted and the inh one not). The
      // former model (line offset fitted at another OTA bias, linear output conductance) was
      // 2.3 / 5.6 / 3.5 nA off with both inputs.
      console.log(`clamp ${v} V: inputs' current SPICE ${(1e9 * spice).toFixed(3)} nA, model ${(1e9 * model).toFixed(3)} nA`);
      expect(Math.abs(model - spice)).toBeLessThan(0.3e-9);
    }
  });

  it('predicts the lowered psp neuron\'s resting potential (restPotential vs the SPICE operating point)', () => {
    const p = circuitParameters(lowered.chip, 'ideal', 0);
    const predicted = restPotential([{ p, parasitic: p.iOffset }]);
    // Measured 0.4200 V predicted vs 0.4202 V in SPICE. (Before the in-situ table: 0.4198 vs
    // 0.4639 V with both inputs enabled and no shift; with the table but without the shift the
    // leak was driven into saturation, whose current sits 0.6 nA below the model's tanh: 11 mV.)
    // The lowered leak is not saturated now (the shift cancels the input's current at rest), and
    // rest agreement on the ideal die is 0.3 mV elsewhere (docs/circuits.md): 1 mV allowed.
    console.log(`rest predicted ${predicted.toFixed(4)} V, SPICE ${restSpice.toFixed(4)} V`);
    expect(Math.abs(predicted - restSpice)).toBeLessThan(1e-3);
    // The deck's own solve agrees with the lowering's rest (same parameters, same root).
    expect(Math.abs(rest.expected[Object.keys(rest.expected)[0]] - predicted)).toBeLessThan(1e-3);
  });
});

describe('calibrated rest on mismatched dies', () => {
  it('puts the transistors\' rest at the requested 0.42 V with the die-aware inverse (leak and reference shifts)', () => {
    for (const c of calibrated) {
      console.log(`die ${c.seed}: shift code ${c.low.chip.neurons[0].excitatory_input.i_shift_reference}, SPICE rest ${c.spice.toFixed(4)} V`);
      // The model's own rest is the target within one leak code (1.875 mV); the transistors'
      // differs by the mismatch term's approximation (the OTA's offset superposed on the nominal
      // table through a tanh): SPICE measured 0.4248 / 0.4205 / 0.4181 V on dies 1 / 2 / 3, i.e.
      // 4.8 / 0.5 / 1.9 mV off (model vs SPICE 5.3 / 1.1 / 2.4 mV; with the nominal inverse
      // 14.1 / 2.2 / 4.4 mV): 8 mV.
      expect(Math.abs(c.spice - 0.42)).toBeLessThan(8e-3);
    }
  });
});

describe('solveRest outside the supply (gap 3)', () => {
  it('starts a membrane without a rest below its threshold at its leak potential, inside [0, VDD]', () => {
    // 50 nA onto a membrane whose leak saturates near 16 nA: no rest below the rail (the former
    // solve returned 5.40 V). The behavioural total current stays positive up to VDD.
    const chip = lifChip([5]);
    Object.assign(chip.neurons[5].constant_current, { enable: true, i_offset: 51, type: 'source' });
    const p = circuitParameters(chip, 'ideal', 5);
    expect(p.iOffset).toBeGreaterThan(p.leakSaturationCurrent!);
    const v = solveRest(chip, 'ideal', new Map([[5, 'm']]), new Map())['m'];
    expect(v).toBeGreaterThanOrEqual(0);
    expect(v).toBeLessThanOrEqual(VDD);
    // Exactly the leak potential (the emulator's start), to rounding.
    expect(Math.abs(v - p.eLeak)).toBeLessThan(1e-12);
    const deck = buildDeck({ chip, die: 'ideal', circuits: [neuron(0, 5)], duration: 1e-6 });
    expect(deck.netlist.ic?.[deck.compartments[0].node]).toBeCloseTo(p.eLeak, 12);
  });

  it('keeps every die\'s solve inside the supply', () => {
    // Dies whose offsets drove the former Newton solve to −4.6 V / 5.4 V (verification gap 3).
    for (const seed of [1, 2, 3]) {
      const low = lowerExperiment(loadExperimentFile('examples/single-neuron.yaml'), { die: { seed } });
      const v = solveRest(low.chip, { seed }, new Map([[0, 'm']]), new Map())['m'];
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(VDD);
    }
  });
});

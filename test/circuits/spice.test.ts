/**
 * Transistor-level decks of the circuit library run in ngspice (CLI), compared with the
 * library's own behavioural parameters and closed forms. All decks are built first and run
 * two at a time (2 cores); every assertion states its tolerance and why.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { neuron } from '../../src/chip/coordinates.ts';
import { buildDeck, restingSelfTest, type Deck } from '../../src/netlist/deck.ts';
import { runSpice, getVector, type SpiceResult } from '../../src/netlist/runner.ts';
import { writeNetlist } from '../../src/netlist/writer.ts';
import { circuitParameters, resolveCircuit } from '../../src/circuits/circuit.ts';
import { ADAPT_C_W } from '../../src/circuits/blocks/adaptation.ts';
import { voltageCell } from '../../src/circuits/blocks/capmem-cell.ts';
import type { ChipConfig } from '../../src/chip/chip.ts';
import { crossings, lifChip, lifInterval, valueAt, timeToThreshold } from './closed-form.ts';

interface Job { name: string; netlist: Deck['netlist'] }
const results = new Map<string, SpiceResult>();

async function runAll(jobs: Job[]): Promise<void> {
  const queue = [...jobs];
  const worker = async (): Promise<void> => {
    for (let j = queue.shift(); j !== undefined; j = queue.shift()) {
      results.set(j.name, await runSpice(j.netlist, { backend: 'cli', timeoutSeconds: 60 }));
    }
  };
  await Promise.all([worker(), worker()]);
}

const E = 5; // circuit enum used for single-circuit decks (row 0, column 5)
const C5 = neuron(0, E);

// ---- single circuit: rest and f–I -----------------------------------------------------------
const lif = lifChip([E]);
const restIdeal = restingSelfTest(lif, 'ideal', [C5]);
const restSeed1 = restingSelfTest(lif, { seed: 1 }, [C5]);
const restSeed2 = restingSelfTest(lif, { seed: 2 }, [C5]);
const CURRENTS = [60e-9, 100e-9];
const fiDecks = CURRENTS.map((i) => buildDeck({
  chip: lif, die: 'ideal', circuits: [C5], duration: 60e-6, step: 20e-9,
  stimuli: [{ kind: 'current', circuit: C5, amplitude: i, start: 2e-6 }],
}));
const fiSeed = (seed: number) => buildDeck({
  chip: lif, die: { seed }, circuits: [C5], duration: 60e-6, step: 20e-9,
  stimuli: [{ kind: 'current', circuit: C5, amplitude: 60e-9, start: 2e-6 }],
});
const fiSeed1 = fiSeed(1);
const fiSeed1Again = fiSeed(1);

// ---- AdEx: spike-triggered adaptation ------------------------------------------------------
function adexChip(): ChipConfig {
  const chip = lifChip([E]);
  const a = chip.neurons[E].adaptation;
  a.enable = true;
  a.enable_pulse = true;
  a.v_leak = 309; // V_wl = 0.60 V
  a.v_ref = 309;
  a.i_bias_tau = 3; // g_τ ≈ 38 nS → τ_w ≈ 50 µs
  a.i_bias_a = 0;
  a.i_bias_b = 250; // 245 nA for one 512 ns adaptation-clock period → b ≈ 8 nA
  return chip;
}
const adex = adexChip();
const adexDeck = buildDeck({
  chip: adex, die: 'ideal', circuits: [C5], duration: 100e-6, step: 20e-9,
  stimuli: [{ kind: 'current', circuit: C5, amplitude: 60e-9, start: 2e-6 }],
});

// ---- two compartments: soma (circuit 10, connect_soma) – dendrite (11, conductance) --------
const S = 10, D = 11;
function pairChip(): ChipConfig {
  const chip = lifChip([S, D]);
  for (const e of [S, D]) {
    chip.neurons[e].threshold.enable = false;
    chip.neurons[e].excitatory_input = {
      ...chip.neurons[e].excitatory_input, enable: true, i_bias_tau: 46, i_bias_gm: 100, enable_small_capacitance: false,
    };
  }
  chip.neurons[S].multicompartment.connect_soma = true;
  chip.neurons[S].multicompartment.connect_soma_right = true;
  chip.neurons[D].multicompartment.enable_conductance = true;
  chip.neurons[D].multicompartment.i_bias_nmda = 20;
  return chip;
}
const pair = pairChip();
const I_STEP = 1e-9;
const pairStep = buildDeck({
  chip: pair, die: 'ideal', circuits: [neuron(0, S)], duration: 100e-6, step: 50e-9,
  stimuli: [{ kind: 'current', circuit: neuron(0, D), amplitude: I_STEP, start: 20e-6 }],
});
const pairPsp = buildDeck({
  chip: pair, die: 'ideal', circuits: [neuron(0, S)], duration: 60e-6, step: 20e-9,
  stimuli: [{ kind: 'spikes', circuit: neuron(0, D), input: 'excitatory', times: [10e-6], weight: 63 }],
});

const pairRest = restingSelfTest(pair, { seed: 7 }, [neuron(0, S)]);

// ---- a 4-compartment chain A(40) – B(41,42) – C(43,44) – D(45) at rest -----------------------
function chainChip(): ChipConfig {
  const chip = lifChip([40, 41, 42, 43, 44, 45]);
  const mc = (e: number) => chip.neurons[e].multicompartment;
  mc(41).connect_right = true;
  mc(43).connect_right = true;
  for (const [direct, through] of [[40, 41], [42, 43], [44, 45]]) {
    mc(direct).connect_soma = true;
    mc(direct).connect_soma_right = true;
    mc(through).enable_conductance = true;
    mc(through).i_bias_nmda = 30;
  }
  return chip;
}
const chainRest = restingSelfTest(chainChip(), { seed: 11 }, [neuron(0, 42)]);

// ---- synaptic input: one excitatory and one inhibitory PSP on a passive circuit ------------
function synChip(): ChipConfig {
  const chip = lifChip([E]);
  chip.neurons[E].threshold.enable = false;
  for (const k of ['excitatory_input', 'inhibitory_input'] as const) {
    chip.neurons[E][k] = { ...chip.neurons[E][k], enable: true, i_bias_tau: 92 /* τ_syn ≈ 10.8 µs: the exc PSP has decayed when the inh one comes */, i_bias_gm: 100, enable_small_capacitance: false };
  }
  return chip;
}
const syn = synChip();
const synDeck = buildDeck({
  chip: syn, die: 'ideal', circuits: [C5], duration: 110e-6, step: 20e-9,
  stimuli: [
    { kind: 'spikes', circuit: C5, input: 'excitatory', times: [5e-6], weight: 63 },
    { kind: 'spikes', circuit: C5, input: 'inhibitory', times: [60e-6], weight: 63 },
  ],
});
// The same circuit without input: its trace is subtracted (the start from the predicted rest
// leaves a ≈ 0.3 mV drift over the first tens of µs).
const synBase = buildDeck({ chip: syn, die: 'ideal', circuits: [C5], duration: 110e-6, step: 20e-9 });

// ---- exponential term: AdEx upswing, first spike from rest under a constant current --------
const expChip = lifChip([E]);
expChip.neurons[E].threshold.v_threshold = 500; // 0.96 V
expChip.neurons[E].exponential = { enable: true, v_exp: 400, i_bias: 30 }; // v_exp 0.77 V, I_max ≈ 29 nA
const EXP_I = 50e-9;
const expDecks = (['ideal', { seed: 3 }] as const).map((die) => ({
  die, deck: buildDeck({ chip: expChip, die, circuits: [C5], duration: 30e-6, step: 10e-9, stimuli: [{ kind: 'current', circuit: C5, amplitude: EXP_I }] }),
}));

beforeAll(async () => {
  await runAll([
    { name: 'restIdeal', netlist: restIdeal.deck.netlist },
    { name: 'restSeed1', netlist: restSeed1.deck.netlist },
    { name: 'restSeed2', netlist: restSeed2.deck.netlist },
    ...fiDecks.map((d, k) => ({ name: `fi${k}`, netlist: d.netlist })),
    { name: 'fiSeed1', netlist: fiSeed1.netlist },
    { name: 'fiSeed1Again', netlist: fiSeed1Again.netlist },
    { name: 'adex', netlist: adexDeck.netlist },
    { name: 'pairStep', netlist: pairStep.netlist },
    { name: 'pairPsp', netlist: pairPsp.netlist },
    { name: 'pairRest', netlist: pairRest.deck.netlist },
    { name: 'chainRest', netlist: chainRest.deck.netlist },
    { name: 'syn', netlist: synDeck.netlist },
    { name: 'synBase', netlist: synBase.netlist },
    ...expDecks.map((x, k) => ({ name: `exp${k}`, netlist: x.deck.netlist })),
  ]);
}, 120_000);

const op = (name: string, node: string): number => getVector(results.get(name) as SpiceResult, node)[0];

describe('one circuit at rest', () => {
  it('settles at the behavioural resting potential and near v_leak', () => {
    const node = restIdeal.deck.membrane[E];
    const v = op('restIdeal', node);
    // Behavioural rest: leak OTA with the fitted systematic offset. The fit tables interpolate
    // ngspice sweeps of the same OTA, so 1 mV covers interpolation and the comparator's load.
    expect(Math.abs(v - restIdeal.expected[node])).toBeLessThan(1e-3);
    // Ideal die: only the OTA's systematic offset separates rest from the v_leak cell (≈ 1 mV
    // measured); the task asks for "a few mV".
    expect(Math.abs(v - voltageCell(309))).toBeLessThan(3e-3);
  });

  it('follows the die: two seeds rest differently, each as predicted', () => {
    const node = restSeed1.deck.membrane[E];
    const v1 = op('restSeed1', node);
    const v2 = op('restSeed2', node);
    // σ of the rest offset is ≈ 5 mV (pair 3.5 mV, mirror 2 mV, capmem 3 mV); seeds 1 and 2
    // differ by ≈ 30 mV, far above the 1 mV agreement with the prediction asserted below.
    expect(Math.abs(v1 - v2)).toBeGreaterThan(5e-3);
    // Weak-inversion mismatch laws (ota.ts) with fitted sensitivities: 1.5 mV.
    expect(Math.abs(v1 - restSeed1.expected[node])).toBeLessThan(1.5e-3);
    expect(Math.abs(v2 - restSeed2.expected[node])).toBeLessThan(1.5e-3);
  });
});

describe('constant current above rheobase', () => {
  it('spikes regularly at the rate of the closed-form LIF with the behavioural parameters', () => {
    const p = circuitParameters(lif, 'ideal', E);
    const rates: number[] = [];
    CURRENTS.forEach((i, k) => {
      const r = results.get(`fi${k}`) as SpiceResult;
      const spikes = crossings(getVector(r, 'time'), getVector(r, fiDecks[k].refractory[E]), 0.6);
      expect(spikes.length).toBeGreaterThanOrEqual(3);
      const isis = spikes.slice(1).map((s, j) => s - spikes[j]);
      const mean = isis.reduce((a, b) => a + b, 0) / isis.length;
      // Regular: a deterministic LIF has identical intervals; 0.5 % allows the output grid.
      for (const isi of isis) expect(Math.abs(isi / mean - 1)).toBeLessThan(5e-3);
      // Closed form (leak and reset OTAs, refractory − holdoff reset phase): 2 % covers the
      // comparator delay (tens of ns), the OTAs' output conductance and junction capacitances
      // the behavioural model leaves out (≈ 0.8 % measured).
      expect(Math.abs(mean / lifInterval(p, i) - 1)).toBeLessThan(0.02);
      rates.push(1 / mean);
    });
    expect(rates[1]).toBeGreaterThan(rates[0]);
  });

  it('matches the prediction on a mismatched die too', () => {
    const p = circuitParameters(lif, { seed: 1 }, E);
    const r = results.get('fiSeed1') as SpiceResult;
    const spikes = crossings(getVector(r, 'time'), getVector(r, fiSeed1.refractory[E]), 0.6);
    const mean = (spikes[spikes.length - 1] - spikes[0]) / (spikes.length - 1);
    // Same 2 % as the ideal die: the mismatch laws are part of the prediction.
    expect(Math.abs(mean / lifInterval(p, 60e-9) - 1)).toBeLessThan(0.02);
  });

  it('gives byte-identical netlists and identical traces for one seed', () => {
    expect(writeNetlist(fiSeed1Again.netlist).text).toBe(writeNetlist(fiSeed1.netlist).text);
    const a = getVector(results.get('fiSeed1') as SpiceResult, fiSeed1.membrane[E]);
    const b = getVector(results.get('fiSeed1Again') as SpiceResult, fiSeed1.membrane[E]);
    expect(b.length).toBe(a.length);
    expect(Buffer.from(b.buffer).equals(Buffer.from(a.buffer))).toBe(true);
  });
});

describe('AdEx: spike-triggered adaptation', () => {
  it('lengthens the inter-spike intervals', () => {
    const r = results.get('adex') as SpiceResult;
    const spikes = crossings(getVector(r, 'time'), getVector(r, adexDeck.refractory[E]), 0.6);
    expect(spikes.length).toBeGreaterThanOrEqual(4);
    const isis = spikes.slice(1).map((s, j) => s - spikes[j]);
    // Each spike adds b ≈ 8 nA against a 60 nA drive that is only ≈ 11 nA above rheobase,
    // decaying with τ_w ≈ 50 µs ≫ ISI: strictly increasing intervals, the first ones by ≥ 5 %.
    for (let k = 1; k < isis.length; k++) expect(isis[k]).toBeGreaterThan(isis[k - 1]);
    expect(isis[1] / isis[0]).toBeGreaterThan(1.05);
    // The adaptation state jumps by b / g_out = I_b · t_pulse / C_W per spike (blocks/adaptation.ts).
    const t = getVector(r, 'time');
    const vw = getVector(r, adexDeck.adaptation[E]);
    const jump = valueAt(t, vw, spikes[0] + 0.7e-6) - valueAt(t, vw, spikes[0] - 0.05e-6);
    const res = resolveCircuit(adex, 'ideal', E);
    // 5 %: the pulse edges (2 ns of 512 ns), the decay through g_τ during the pulse (1 %) and
    // the OTA output conductances on V_w.
    expect(Math.abs(jump / ((res.adapt.iB * res.adapt.pulse) / ADAPT_C_W) - 1)).toBeLessThan(0.05);
    // Without adaptation the same circuit fires at the LIF interval: the first interval
    // (w = b after the first spike) is already longer than it.
    expect(isis[0]).toBeGreaterThan(lifInterval(circuitParameters(adex, 'ideal', E), 60e-9));
  });
});

describe('soma–dendrite pair', () => {
  it('attenuates a dendritic step at the soma as the two-compartment steady state says', () => {
    const r = results.get('pairStep') as SpiceResult;
    const t = getVector(r, 'time');
    const vs = getVector(r, pairStep.membrane[S]);
    const vd = getVector(r, pairStep.membrane[D]);
    const dVs = valueAt(t, vs, 99e-6) - valueAt(t, vs, 19e-6);
    const dVd = valueAt(t, vd, 99e-6) - valueAt(t, vd, 19e-6);
    const ps = circuitParameters(pair, 'ideal', S);
    const pd = circuitParameters(pair, 'ideal', D);
    const gs = ps.gLeak, gd = pd.gLeak, gc = pd.gInterCompartment;
    // Closed form: soma  gs ΔVs = gc (ΔVd − ΔVs); dendrite  gd ΔVd + gc (ΔVd − ΔVs) = I.
    const dVdExp = (I_STEP * (gc + gs)) / (gd * gs + gc * (gd + gs));
    const dVsExp = (dVdExp * gc) / (gc + gs);
    expect(dVs).toBeLessThan(dVd); // attenuated
    // Small signals (≈ 2 mV ≪ the OTAs' 2 n U_T ≈ 80 mV linear range); 80 µs ≈ 8 τ after the
    // step. 3 % covers the OTAs' output conductance and the gm-table interpolation.
    expect(Math.abs(dVd / dVdExp - 1)).toBeLessThan(0.03);
    expect(Math.abs(dVs / dVsExp - 1)).toBeLessThan(0.03);
    expect(Math.abs(dVs / dVd / (gc / (gc + gs)) - 1)).toBeLessThan(0.02);
  });

  it('rests where the coupled behavioural network says (mismatched die)', () => {
    for (const [node, vExp] of Object.entries(pairRest.expected)) {
      // Newton solve over leak laws, offsets and both directions of the conductance. The
      // synaptic OTAs' mismatch (≈ 9 nA of offset current here, a 37 mV shift) is predicted to
      // ≈ 5 % by the weak/moderate-inversion mismatch laws: 3 mV (the emulator target is 5 mV).
      expect(Math.abs(op('pairRest', node) - vExp)).toBeLessThan(3e-3);
    }
  });

  it('finds a whole 4-compartment chain at its predicted rest (mismatched die)', () => {
    expect(chainRest.deck.compartments.length).toBe(4);
    expect(chainRest.deck.circuits).toEqual([40, 41, 42, 43, 44, 45]);
    for (const [node, vExp] of Object.entries(chainRest.expected)) {
      // Leak and conductance OTAs only (no synaptic inputs): the 1.5 mV of the single circuit.
      expect(Math.abs(op('chainRest', node) - vExp)).toBeLessThan(1.5e-3);
    }
  });

  it('shows an attenuated dendritic PSP at the soma', () => {
    const r = results.get('pairPsp') as SpiceResult;
    const t = getVector(r, 'time');
    const vs = getVector(r, pairPsp.membrane[S]);
    const vd = getVector(r, pairPsp.membrane[D]);
    const base = (x: Float64Array) => valueAt(t, x, 9.9e-6);
    let ps = 0, pd = 0;
    for (let i = 0; i < t.length; i++) {
      if (t[i] < 10e-6) continue;
      ps = Math.max(ps, vs[i] - base(vs));
      pd = Math.max(pd, vd[i] - base(vd));
    }
    const p = circuitParameters(pair, 'ideal', D);
    const gc = p.gInterCompartment, gs = circuitParameters(pair, 'ideal', S).gLeak;
    expect(pd).toBeGreaterThan(1e-3);
    // A transient is low-passed by the soma's capacitance on top of the resistive divider, so
    // the peak ratio must lie below the steady-state ratio gc / (gc + gs) (and above zero).
    expect(ps / pd).toBeLessThan(gc / (gc + gs));
    expect(ps / pd).toBeGreaterThan(0.05);
  });
});

describe('synaptic input', () => {
  it('decays with τ_syn and gives the closed-form PSP on the membrane', () => {
    const r = results.get('syn') as SpiceResult;
    const t = getVector(r, 'time');
    const vm = getVector(r, synDeck.membrane[E]);
    const rb = results.get('synBase') as SpiceResult;
    const tb = getVector(rb, 'time');
    const vb = getVector(rb, synBase.membrane[E]);
    const p = circuitParameters(syn, 'ideal', E);
    const tauM = p.capacitance / p.gLeak;
    for (const [k, sign, t0, line] of [[0, 1, 5e-6, synDeck.synapticLines[E].exc], [1, -1, 60e-6, synDeck.synapticLines[E].inh]] as const) {
      const s = p.synapticInput[k];
      const vl = getVector(r, line as string);
      const l0 = valueAt(t, vl, t0 - 0.1e-6);
      // Line: the pulse charge Q = 63 · Q_1 lands on C_line, then decays with τ_syn.
      const q = 63 * p.synapseChargePerWeight;
      const a1 = valueAt(t, vl, t0 + 0.5 * s.tau) - l0;
      const a2 = valueAt(t, vl, t0 + 2.5 * s.tau) - l0;
      // τ from two samples: 5 % (measured 0.6 %; the pseudo-resistor is slightly non-linear
      // over the 1.2 mV swing, and the in-situ fit interpolates between biases).
      expect(Math.abs((2 * s.tau) / Math.log(a1 / a2) / s.tau - 1)).toBeLessThan(0.05);
      // Membrane PSP: V(t) = Q·gain/(τ_s C) · (e^(−t/τ_s) − e^(−t/τ_m)) / (1/τ_m − 1/τ_s).
      const ts = s.tau;
      const tPeak = Math.log(ts / tauM) / (1 / tauM - 1 / ts);
      const peak = ((q * s.gain) / (ts * p.capacitance)) * (Math.exp(-tPeak / ts) - Math.exp(-tPeak / tauM)) / (1 / tauM - 1 / ts);
      const v0 = valueAt(t, vm, t0 - 0.1e-6) - valueAt(tb, vb, t0 - 0.1e-6);
      let ext = 0;
      for (let i = 0; i < t.length; i++) {
        if (t[i] <= t0 || t[i] >= t0 + 40e-6) continue;
        const dv = vm[i] - valueAt(tb, vb, t[i]) - v0;
        ext = sign > 0 ? Math.max(ext, dv) : Math.min(ext, dv);
      }
      // 5 %: the task's PSP-amplitude tolerance (measured +1.0 % exc, +4.7 % inh: output
      // conductances, line non-linearity; the inhibitory excess is not explained yet).
      expect(Math.abs((sign * ext) / peak - 1)).toBeLessThan(0.05);
    }
  });
});

describe('exponential term', () => {
  it('fires where the AdEx ODE with the behavioural exponential parameters says', () => {
    expDecks.forEach((x, k) => {
      const p = circuitParameters(expChip, x.die, E);
      expect(p.exponential.enabled).toBe(true);
      // Δ_T is the pair's weak-inversion slope n U_T ≈ 39 mV (fit).
      expect(p.exponential.deltaT).toBeGreaterThan(0.035);
      expect(p.exponential.deltaT).toBeLessThan(0.045);
      const r = results.get(`exp${k}`) as SpiceResult;
      const spikes = crossings(getVector(r, 'time'), getVector(r, x.deck.refractory[E]), 0.6);
      expect(spikes.length).toBeGreaterThanOrEqual(1);
      // The transient starts at the predicted rest (.ic). The time to threshold through the
      // upswing amplifies small current errors (the net current near v_exp is a small
      // difference of leak and exponential currents; SPICE's dV/dt runs ≈ 2 % below the
      // model's there): +1.3 % (ideal) and +2.6 % (seed 3) measured, 5 % allowed. The
      // threshold (0.9575 V) includes the comparator's fitted trip offset (≈ −23 mV up there).
      const tPred = timeToThreshold(p, p.eLeak, EXP_I);
      expect(Math.abs(spikes[0] / tPred - 1)).toBeLessThan(0.05);
      // Without the exponential term the same drive takes much longer (≥ 30 %): the term acts.
      expect(lifInterval({ ...p, exponential: { enabled: false, deltaT: 0, vT: 0 } }, EXP_I)).toBeGreaterThan(1.3 * spikes[0]);
    });
  });
});

/**
 * The conductance-based (COBA) approximation at transistor level: the COBA OTA's output
 * modulates the synaptic OTA's bias (src/circuits/blocks/synin.ts). One circuit per sign, lowered
 * with e_rev_exc 0.65 V / e_rev_inh 0.30 V (E_ref at the requested rest, 0.45 V); the leak code is
 * then moved so that the membrane rests at different distances from E_rev, with the COBA codes
 * fixed. Two measurements, each COBA against current-based (the same chip with enable_coba_mode
 * off) in ngspice (CLI):
 * - the block's transfer: the membrane clamped at V (1 kΩ to a source), the charge one input
 *   injects; its COBA/CUBA ratio is s(V) = gm(I_b(V))/gm(I_gm) by definition (cobaScale);
 * - the free membrane: PSP heights in SPICE and in the emulator (CircuitParameters' linear law),
 *   which also see the membrane conductance the COBA-modulated rest current adds.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { loadConfigText } from '../../src/config/load.ts';
import { lowerExperiment, type Lowered } from '../../src/mapping/lower.ts';
import { spiceLowered } from '../../src/pipeline/spice.ts';
import { emulateLowered } from '../../src/pipeline/emulate.ts';
import { circuitParameters, resolveCircuit, syninCoba } from '../../src/circuits/circuit.ts';
import { cobaScale } from '../../src/circuits/blocks/synin.ts';
import { buildDeck } from '../../src/netlist/deck.ts';
import { runSpice, getVector } from '../../src/netlist/runner.ts';
import { neuronFromEnum } from '../../src/chip/coordinates.ts';

type Sign = 'exc' | 'inh';
const T_IN = 40e-6;
const E_REV: Record<Sign, number> = { exc: 0.65, inh: 0.30 };
const experiment = (sign: Sign): string => `layer: experiment
duration: 80 us
neurons:
  - {id: a, parameters: {v_leak: 0.45, tau_mem: 10 us, tau_syn_${sign}: 2 us, e_rev_${sign}: ${E_REV[sign]}, spiking: false}}
stimuli:
  - {type: spike_train, times: [40 us], targets: [{neuron: a, receptor: ${sign === 'exc' ? 'excitatory' : 'inhibitory'}, weight: 20}]}
recordings:
  - {neuron: a, observable: v, readout: ideal}
`;
// Leak-code offsets (1.875 mV per code): rests from ≈ 0.41 to ≈ 0.56 V.
const LEAK_STEPS = [-20, 0, 30, 60];

function base(sign: Sign): Lowered {
  const c = loadConfigText('coba.yaml', experiment(sign));
  if (c.layer !== 'experiment') throw new Error('layer');
  return lowerExperiment(c.experiment, { die: 'ideal' });
}
const lowered: Record<Sign, Lowered> = { exc: base('exc'), inh: base('inh') };
const circuitOf = (sign: Sign): number => lowered[sign].placement.neurons[0].compartments[0].circuits[0];

function variant(sign: Sign, step: number, coba: boolean): Lowered {
  const l = lowered[sign];
  const chip = structuredClone(l.chip);
  const c = circuitOf(sign);
  chip.neurons[c].leak.v_leak += step;
  chip.neurons[c][sign === 'exc' ? 'excitatory_input' : 'inhibitory_input'].enable_coba_mode = coba;
  return { ...l, chip };
}

/** PSP: the mean over the 10 µs before the input, and the largest excursion from it within 30 µs after (signed by the input). */
function psp(sign: Sign, times: Float64Array, v: Float64Array): { rest: number; height: number } {
  let s = 0, n = 0, peak = 0;
  for (let k = 0; k < times.length; k++) if (times[k] >= T_IN - 10e-6 && times[k] < T_IN) { s += v[k]; n++; }
  const rest = s / n;
  for (let k = 0; k < times.length; k++) {
    if (times[k] >= T_IN && times[k] <= T_IN + 30e-6) peak = Math.max(peak, sign === 'exc' ? v[k] - rest : rest - v[k]);
  }
  return { rest, height: peak };
}

/** Charge one weight-63 input injects into the membrane clamped at v, C (signed: onto the membrane). */
async function clampedCharge(sign: Sign, coba: boolean, v: number): Promise<number> {
  const c = circuitOf(sign);
  const chip = structuredClone(lowered[sign].chip);
  chip.neurons[c][sign === 'exc' ? 'excitatory_input' : 'inhibitory_input'].enable_coba_mode = coba;
  const at = neuronFromEnum(c);
  const d = buildDeck({
    chip, die: 'ideal', circuits: [at], duration: 25e-6, step: 10e-9,
    stimuli: [{ kind: 'spikes', circuit: at, input: sign === 'exc' ? 'excitatory' : 'inhibitory', times: [10e-6], weight: 63 }],
  });
  const node = d.compartments[0].node;
  // 1 kΩ: the input's ≈ 5 nA peak moves the node by 5 µV, i.e. the membrane is held at v.
  d.netlist.elements.push({ kind: 'V', name: 'clamp', p: 'clampsrc', n: '0', value: v }, { kind: 'R', name: 'clampr', p: node, n: 'clampsrc', value: 1e3 });
  if (d.netlist.ic) d.netlist.ic[node] = v;
  const r = await runSpice(d.netlist, { backend: 'cli', timeoutSeconds: 120 });
  const t = getVector(r, 'time'), vm = getVector(r, `v(${node})`);
  // Current onto the membrane = what the clamp takes out: (V_node − v)/R; minus the static part before the input.
  let base = 0, n = 0, q = 0;
  for (let k = 1; k < t.length; k++) if (t[k] > 5e-6 && t[k] < 10e-6) { base += (vm[k] - v) / 1e3; n++; }
  base /= n;
  for (let k = 1; k < t.length; k++) if (t[k] > 10e-6) q += ((vm[k] - v) / 1e3 - base) * (t[k] - t[k - 1]);
  return q;
}
const CLAMP_V = [0.40, 0.45, 0.50, 0.55, 0.60];
const clamped: Array<{ sign: Sign; v: number; coba?: number; cuba?: number }> = [];

type Psp = ReturnType<typeof psp>;
type Row = { sign: Sign; step: number; spice: { coba?: Psp; cuba?: Psp }; emu: { coba?: Psp; cuba?: Psp } };
const rows: Row[] = [];

beforeAll(async () => {
  const jobs: Array<() => Promise<void>> = [];
  for (const sign of ['exc', 'inh'] as const) {
    for (const step of LEAK_STEPS) {
      const row: Row = { sign, step, spice: {}, emu: {} };
      rows.push(row);
      for (const coba of [true, false]) {
        const key = coba ? 'coba' : 'cuba';
        const low = variant(sign, step, coba);
        const e = emulateLowered(low, { die: 'ideal', noise: false });
        row.emu[key] = psp(sign, e.traces[0].times, e.traces[0].values);
        jobs.push(async () => {
          const r = await spiceLowered(low, { die: 'ideal', backend: 'cli', timeoutSeconds: 120 });
          row.spice[key] = psp(sign, r.traces[0].times, r.traces[0].values);
        });
      }
    }
  }
  for (const sign of ['exc', 'inh'] as const) {
    for (const v of CLAMP_V) {
      const row: (typeof clamped)[number] = { sign, v };
      clamped.push(row);
      jobs.push(async () => { row.coba = await clampedCharge(sign, true, v); });
      jobs.push(async () => { row.cuba = await clampedCharge(sign, false, v); });
    }
  }
  const queue = [...jobs];
  const worker = async (): Promise<void> => { for (let j = queue.shift(); j !== undefined; j = queue.shift()) await j(); };
  await Promise.all([worker(), worker()]);
}, 240_000);

describe('COBA synaptic input at transistor level', () => {
  it('builds the COBA OTA into the deck (its output on the synaptic OTA\'s bias diode)', () => {
    for (const sign of ['exc', 'inh'] as const) {
      const d = buildDeck({ chip: lowered[sign].chip, die: 'ideal', circuits: [neuronFromEnum(circuitOf(sign))], duration: 1e-6 });
      const x = d.netlist.elements.find((el) => el.kind === 'X' && el.name.endsWith(`_${sign}_coba`));
      const ota = d.netlist.elements.find((el) => el.kind === 'X' && el.name.endsWith(`_${sign}_ota`));
      // Ports inp inn out nb: the COBA OTA's output is the synaptic OTA's bias node.
      expect(x !== undefined && ota !== undefined && x.kind === 'X' && ota.kind === 'X' && x.nodes[2] === ota.nodes[3]).toBe(true);
    }
  });

  for (const sign of ['exc', 'inh'] as const) {
    it(`${sign}: the injected charge follows the behavioural scale s(V), falling with E_rev − V (clamped membrane)`, () => {
      const c = circuitOf(sign);
      const r = resolveCircuit(lowered[sign].chip, 'ideal', c);
      const coba = syninCoba(r, sign)!;
      const iGm = (sign === 'exc' ? r.exc : r.inh).iGm;
      const p = circuitParameters(lowered[sign].chip, 'ideal', c).synapticInput[sign === 'exc' ? 0 : 1];
      // The lowering realises the asked reversal potential (the tangent's zero) and puts E_ref at the rest.
      expect(Math.abs(p.eRev - E_REV[sign])).toBeLessThan(3e-3);
      expect(Math.abs(p.eRef - 0.45)).toBeLessThan(2e-3);
      let last = sign === 'exc' ? Infinity : -Infinity;
      for (const row of clamped.filter((x) => x.sign === sign)) {
        const ratio = row.coba! / row.cuba!;
        const model = cobaScale('ideal', c, sign, iGm, coba, row.v);
        const linear = (p.eRev - row.v) / (p.eRev - p.eRef);
        console.log(`${sign} clamped at ${row.v} V: charge COBA/CUBA SPICE ${ratio.toFixed(4)}, s(V) ${model.toFixed(4)}, linear ${linear.toFixed(4)} (CUBA ${(1e15 * row.cuba!).toFixed(3)} fC)`);
        // Excitatory: falls as V approaches E_rev (above); inhibitory: grows as V moves away from E_rev (below).
        if (sign === 'exc') expect(ratio).toBeLessThan(last);
        else expect(ratio).toBeGreaterThan(last);
        last = ratio;
        // s(V) from the COBA OTA's tanh law and the synaptic OTA's gm/I table; measured ≤ 0.013
        // (exc) / 0.017 (inh) off over 0.40–0.60 V, largest where the COBA OTA saturates (its
        // pair's large-signal transfer in moderate inversion is wider than a tanh): 0.03.
        expect(Math.abs(ratio - model)).toBeLessThan(0.03);
        // Near E_ref the linear law (the emulator's) is the same tangent; at ±50 mV the COBA OTA's
        // tanh bends away from it (measured ≤ 0.023, exc at 0.40 V): 0.03.
        if (Math.abs(row.v - p.eRef) <= 0.051) expect(Math.abs(ratio - linear)).toBeLessThan(0.03);
      }
    });

    it(`${sign}: free membrane, the emulator's COBA PSPs agree with SPICE near E_ref`, () => {
      const c = circuitOf(sign);
      const p = circuitParameters(lowered[sign].chip, 'ideal', c).synapticInput[sign === 'exc' ? 0 : 1];
      for (const row of rows.filter((x) => x.sign === sign)) {
        const sc = row.spice.coba!, su = row.spice.cuba!, ec = row.emu.coba!, eu = row.emu.cuba!;
        console.log(`${sign} rest ${sc.rest.toFixed(4)} V: PSP COBA/CUBA SPICE ${(1e3 * sc.height).toFixed(3)} / ${(1e3 * su.height).toFixed(3)} mV, emulator ${(1e3 * ec.height).toFixed(3)} / ${(1e3 * eu.height).toFixed(3)} mV`);
        // The current-based PSP is the same in both levels (measured ≤ 1.1 %): 2 % (the PSP peak
        // tolerance elsewhere is 5 %, docs/circuits.md).
        expect(Math.abs(eu.height / su.height - 1)).toBeLessThan(0.02);
        if (Math.abs(sc.rest - p.eRef) < 0.06) {
          // Within 60 mV of E_ref (measured ≤ 2.7 %, the largest at 30 mV below E_ref for inh,
          // where the COBA-modulated rest current changes the membrane's conductance): 4 %.
          expect(Math.abs(ec.height / sc.height - 1)).toBeLessThan(0.04);
        } else {
          // Further out the COBA OTA saturates (gm_c·ΔV/I_tail > 1) and the emulator's linear law
          // overshoots the transistors' modulation (exc: 0.469 vs 0.585 mV at 108 mV above E_ref),
          // a known limit of the linear contract (docs/circuits.md).
          expect(Math.abs(ec.height / eu.height - 1)).toBeGreaterThan(Math.abs(sc.height / su.height - 1));
        }
      }
    });
  }
});

/**
 * The conductance-based (COBA) approximation at transistor level: the COBA OTA's output
 * modulates the synaptic OTA's bias (src/circuits/blocks/synin.ts). One circuit, lowered with
 * e_rev_exc (E_ref at the requested rest, E_rev 0.65 V); the leak code is then moved so that the
 * membrane rests at different distances from E_rev, with the COBA codes fixed. At each rest: the
 * PSP height of one input in ngspice (CLI) and in the emulator, COBA and current-based (the same
 * chip with enable_coba_mode off), so that the ratio isolates the COBA factor.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { loadConfigText } from '../../src/config/load.ts';
import { lowerExperiment, type Lowered } from '../../src/mapping/lower.ts';
import { spiceLowered } from '../../src/pipeline/spice.ts';
import { emulateLowered } from '../../src/pipeline/emulate.ts';
import { circuitParameters, resolveCircuit, syninCoba } from '../../src/circuits/circuit.ts';
import { cobaScale } from '../../src/circuits/blocks/synin.ts';
import { buildDeck } from '../../src/netlist/deck.ts';
import { neuronFromEnum } from '../../src/chip/coordinates.ts';

const T_IN = 40e-6;
const EXPERIMENT = `layer: experiment
duration: 80 us
neurons:
  - {id: a, parameters: {v_leak: 0.45, tau_mem: 10 us, tau_syn_exc: 2 us, e_rev_exc: 0.65, spiking: false}}
stimuli:
  - {type: spike_train, times: [40 us], targets: [{neuron: a, weight: 20}]}
recordings:
  - {neuron: a, observable: v, readout: ideal}
`;
// Leak-code offsets (1.875 mV per code): rests from ≈ 0.41 to ≈ 0.56 V.
const LEAK_STEPS = [-20, 0, 30, 60];

function base(): Lowered {
  const c = loadConfigText('coba.yaml', EXPERIMENT);
  if (c.layer !== 'experiment') throw new Error('layer');
  return lowerExperiment(c.experiment, { die: 'ideal' });
}
const lowered = base();
const circuit = lowered.placement.neurons[0].compartments[0].circuits[0];

function variant(step: number, coba: boolean): Lowered {
  const chip = structuredClone(lowered.chip);
  chip.neurons[circuit].leak.v_leak += step;
  chip.neurons[circuit].excitatory_input.enable_coba_mode = coba;
  return { ...lowered, chip };
}

/** PSP height: peak within 30 µs after the input minus the mean over the 10 µs before it. */
function psp(times: Float64Array, v: Float64Array): { rest: number; height: number } {
  let s = 0, n = 0, peak = -Infinity;
  for (let k = 0; k < times.length; k++) {
    if (times[k] >= T_IN - 10e-6 && times[k] < T_IN) { s += v[k]; n++; }
    if (times[k] >= T_IN && times[k] <= T_IN + 30e-6) peak = Math.max(peak, v[k]);
  }
  return { rest: s / n, height: peak - s / n };
}

type Row = { step: number; spice: { coba: ReturnType<typeof psp>; cuba: ReturnType<typeof psp> }; emu: { coba: ReturnType<typeof psp>; cuba: ReturnType<typeof psp> } };
const rows: Row[] = [];

beforeAll(async () => {
  const jobs: Array<() => Promise<void>> = [];
  for (const step of LEAK_STEPS) {
    const row = { step } as Row;
    rows.push(row);
    const spice: Partial<Row['spice']> = {};
    const emu: Partial<Row['emu']> = {};
    row.spice = spice as Row['spice'];
    row.emu = emu as Row['emu'];
    for (const coba of [true, false]) {
      const key = coba ? 'coba' : 'cuba';
      const low = variant(step, coba);
      const e = emulateLowered(low, { die: 'ideal', noise: false });
      emu[key] = psp(e.traces[0].times, e.traces[0].values);
      jobs.push(async () => {
        const r = await spiceLowered(low, { die: 'ideal', backend: 'cli', timeoutSeconds: 120 });
        spice[key] = psp(r.traces[0].times, r.traces[0].values);
      });
    }
  }
  const queue = [...jobs];
  const worker = async (): Promise<void> => { for (let j = queue.shift(); j !== undefined; j = queue.shift()) await j(); };
  await Promise.all([worker(), worker()]);
}, 240_000);

describe('COBA synaptic input at transistor level', () => {
  it('builds the COBA OTA into the deck (its output on the synaptic OTA\'s bias diode)', () => {
    const d = buildDeck({ chip: lowered.chip, die: 'ideal', circuits: [neuronFromEnum(circuit)], duration: 1e-6 });
    const x = d.netlist.elements.find((el) => el.kind === 'X' && el.name.endsWith('_exc_coba'));
    expect(x).toBeDefined();
    const ota = d.netlist.elements.find((el) => el.kind === 'X' && el.name.endsWith('_exc_ota'));
    // Ports inp inn out nb: the COBA OTA's output is the synaptic OTA's bias node.
    expect(x!.kind === 'X' && ota!.kind === 'X' && x!.nodes[2] === ota!.nodes[3]).toBe(true);
  });

  it('PSP amplitude falls with E_rev − V_rest as the behavioural transfer says (SPICE), and the emulator agrees', () => {
    const r = resolveCircuit(lowered.chip, 'ideal', circuit);
    const coba = syninCoba(r, 'exc')!;
    const p = circuitParameters(lowered.chip, 'ideal', circuit).synapticInput[0];
    // The lowering realises the asked reversal potential (the tangent's zero) and puts E_ref at the rest.
    expect(Math.abs(p.eRev - 0.65)).toBeLessThan(2e-3);
    expect(Math.abs(p.eRef - 0.45)).toBeLessThan(2e-3);
    let last = Infinity;
    for (const row of rows) {
      const ratio = row.spice.coba.height / row.spice.cuba.height;
      const model = cobaScale('ideal', circuit, 'exc', r.exc.iGm, coba, row.spice.coba.rest);
      const linear = (p.eRev - row.spice.coba.rest) / (p.eRev - p.eRef);
      console.log(`rest ${row.spice.coba.rest.toFixed(4)} V: SPICE ratio ${ratio.toFixed(4)}, model ${model.toFixed(4)}, linear ${linear.toFixed(4)}; PSP coba/cuba SPICE ${(1e3 * row.spice.coba.height).toFixed(3)} / ${(1e3 * row.spice.cuba.height).toFixed(3)} mV, emulator ${(1e3 * row.emu.coba.height).toFixed(3)} / ${(1e3 * row.emu.cuba.height).toFixed(3)} mV`);
      // Falls with the distance from E_rev.
      expect(ratio).toBeLessThan(last);
      last = ratio;
      // The behavioural scale gm(I_gm + I_c(V))/gm(I_gm) with the COBA OTA's tanh law. Measured
      // 0.003 / 0.015 / 0.027 / 0.038 off at 36 mV below to 108 mV above E_ref: the pair's
      // large-signal transfer in moderate inversion is wider than a tanh of the same slope, and
      // the COBA OTA's output sits at the bias diode's voltage (its systematic current differs
      // from the follower fit's): 0.05 allowed.
      expect(Math.abs(ratio - model)).toBeLessThan(0.05);
      // The current-based PSP is the same in both levels (emulator vs SPICE, measured ≤ 0.4 %):
      // 2 % (the PSP peak tolerance elsewhere is 5 %, docs/circuits.md).
      expect(Math.abs(row.emu.cuba.height / row.spice.cuba.height - 1)).toBeLessThan(0.02);
      if (Math.abs(row.spice.coba.rest - p.eRef) < 0.06) {
        // The emulator's linear law (E_rev − V)/(E_rev − E_ref) is the tangent at E_ref: within
        // 60 mV of E_ref the COBA PSPs agree (measured ≤ 1.2 %): 3 %.
        expect(Math.abs(row.emu.coba.height / row.spice.coba.height - 1)).toBeLessThan(0.03);
      } else {
        // Further out the COBA OTA saturates (gm_c·ΔV/I_tail > 1) and the transistors' amplitude
        // stays above the linear law (measured 0.585 vs 0.469 mV at 108 mV above E_ref): a known
        // limit of the linear contract (docs/circuits.md).
        expect(row.emu.coba.height).toBeLessThan(row.spice.coba.height);
      }
    }
  });
});

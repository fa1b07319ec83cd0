/**
 * Lowering: physical targets come back out of the circuit library's forward model on the die the
 * codes were solved for, within the resolution of the codes.
 */
import { describe, expect, it } from 'vitest';
import { deriveCircuitParameters } from '../../src/circuits/derive.ts';
import { loadConfigText, loadExperimentFile } from '../../src/config/load.ts';
import { lowerExperiment, restPotential } from '../../src/mapping/lower.ts';
import { InputError } from '../../src/util/errors.ts';
import { resolveCircuit, syninCoba } from '../../src/circuits/circuit.ts';
import { syninRestCurrentAt, syninRestCurrents } from '../../src/circuits/blocks/synin.ts';
import { otaBehaviour, OTA_TRANSISTORS } from '../../src/circuits/blocks/ota.ts';
import { blockOffsets } from '../../src/circuits/die.ts';
import { R_SHIFT } from '../../src/circuits/blocks/synin.ts';
import { CURRENT_CELL_FULL_SCALE_A } from '../../src/circuits/blocks/capmem-cell.ts';
import { CAPMEM_CODE_MAX } from '../../src/chip/constants.ts';

describe('lowering', () => {
  it('realises τ_mem and the resting potential of the single-neuron example on the ideal die', () => {
    const l = lowerExperiment(loadExperimentFile('examples/single-neuron.yaml'), { die: 'ideal' });
    const p = deriveCircuitParameters(l.chip, 'ideal')[0];
    // τ_mem = C/g_l: the leak bias code is ~1/80 of its value at this setting → ±0.7 %; allow 1 %.
    expect(p.capacitance / p.gLeak).toBeGreaterThan(10e-6 * 0.99);
    expect(p.capacitance / p.gLeak).toBeLessThan(10e-6 * 1.01);
    // Rest including the synaptic inputs' systematic currents: one voltage code is 1.875 mV;
    // allow 2 mV.
    expect(Math.abs(restPotential([{ p, parasitic: p.iOffset }]) - 0.42)).toBeLessThan(2e-3);
    // Threshold as the comparator sees it, within one code.
    expect(Math.abs(p.vThreshold - 0.62)).toBeLessThan(1.9e-3);
  });

  it('solves the codes for one die when asked (a perfect calibration of that die)', () => {
    const exp = loadExperimentFile('examples/single-neuron.yaml');
    const die = { seed: 5 };
    const nominal = deriveCircuitParameters(lowerExperiment(exp, { die }).chip, die)[0];
    const tuned = deriveCircuitParameters(lowerExperiment(exp, { die, inverse: 'die' }).chip, die)[0];
    const err = (p: typeof nominal) => Math.abs(restPotential([{ p, parasitic: p.iOffset }]) - 0.42);
    // The die-aware inverse brings the rest within the code resolution; the nominal one carries
    // the die's mismatch (σ of the leak offset is several mV on this die model).
    expect(err(tuned)).toBeLessThan(2e-3);
    expect(err(tuned)).toBeLessThanOrEqual(err(nominal) + 1e-4);
  });

  it('reports targets no code reaches, with the reachable range, instead of clipping', () => {
    const c = loadConfigText('x.yaml', `layer: experiment
duration: 10 us
neurons:
  - {id: n, parameters: {tau_mem: 100 ms}}
`);
    if (c.layer !== 'experiment') throw new Error('layer');
    try {
      lowerExperiment(c.experiment, { die: 'ideal' });
      throw new Error('accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      const issues = (e as InputError).issues;
      expect(issues.some((i) => /tau_mem/.test(i.location.path ?? '') && /no code reaches/.test(i.message) && i.allowed !== undefined)).toBe(true);
    }
  });

  it('enables only the synaptic inputs that receive synapses, and cancels their rest current with the reference shift', () => {
    const l = lowerExperiment(loadExperimentFile('examples/single-neuron.yaml'), { die: 'ideal' });
    const psp = l.placement.neurons.find((n) => n.population === 'psp')!.compartments[0].circuits[0];
    const regular = l.placement.neurons.find((n) => n.population === 'regular')!.compartments[0].circuits[0];
    // psp receives excitatory spikes only; regular receives none (a constant current).
    expect(l.chip.neurons[psp].excitatory_input.enable).toBe(true);
    expect(l.chip.neurons[psp].inhibitory_input.enable).toBe(false);
    expect(l.chip.neurons[regular].excitatory_input.enable).toBe(false);
    expect(l.chip.neurons[regular].inhibitory_input.enable).toBe(false);
    const r = resolveCircuit(l.chip, 'ideal', psp);
    const shift = l.chip.neurons[psp].excitatory_input.i_shift_reference;
    expect(shift).toBeGreaterThan(0);
    const rest = (iShift: number) => syninRestCurrentAt(syninRestCurrents('ideal', psp, 'exc', { ...r.exc, iShift }), 0.42);
    // The input's own current at the requested rest: several nA unshifted, zero within half a
    // shift code after (one code moves the reference by 1 µA/1022 · 10 kΩ ≈ 9.8 µV, i.e. gm · 9.8 µV).
    const gm = otaBehaviour(r.exc.iGm, 0.6, blockOffsets('ideal', psp, 'synin_exc_ota', OTA_TRANSISTORS)).gm;
    const perCode = gm * (CURRENT_CELL_FULL_SCALE_A / CAPMEM_CODE_MAX) * R_SHIFT;
    expect(rest(0)).toBeGreaterThan(1e-9);
    expect(Math.abs(rest(r.exc.iShift))).toBeLessThan(0.5 * perCode + 1e-12);
  });

  it('lowers e_rev_exc / e_rev_inh to COBA codes (E_ref at the rest) and refuses a reversal on the wrong side', () => {
    const text = (exc: number, inh: number) => `layer: experiment
duration: 50 us
neurons:
  - {id: n, parameters: {v_leak: 0.5, tau_syn_exc: 3 us, tau_syn_inh: 4 us, e_rev_exc: ${exc}, e_rev_inh: ${inh}}}
stimuli:
  - {type: spike_train, times: [10 us], targets: [{neuron: n, receptor: excitatory, weight: 10}, {neuron: n, receptor: inhibitory, weight: 10}]}
`;
    const c = loadConfigText('x.yaml', text(0.8, 0.35));
    if (c.layer !== 'experiment') throw new Error('layer');
    const l = lowerExperiment(c.experiment, { die: 'ideal' });
    const e = l.placement.neurons[0].compartments[0].circuits[0];
    const p = deriveCircuitParameters(l.chip, 'ideal')[e];
    const r = resolveCircuit(l.chip, 'ideal', e);
    expect(syninCoba(r, 'exc')).toBeDefined();
    expect(syninCoba(r, 'inh')).toBeDefined();
    // E_ref through the e_synin_*_rev cell (1.875 mV per code) and E_rev through the COBA bias
    // (|E_rev − E_ref| ∝ 1/code: ≤ 0.5 % per code at these codes): 2 mV / 3 mV.
    expect(Math.abs(p.synapticInput[0].eRef - 0.5)).toBeLessThan(2e-3);
    expect(Math.abs(p.synapticInput[1].eRef - 0.5)).toBeLessThan(2e-3);
    expect(Math.abs(p.synapticInput[0].eRev - 0.8)).toBeLessThan(3e-3);
    expect(Math.abs(p.synapticInput[1].eRev - 0.35)).toBeLessThan(3e-3);
    expect(p.synapticInput[0].coba && p.synapticInput[1].coba).toBe(true);
    // An excitatory reversal below the rest is no conductance-based excitation.
    const bad = loadConfigText('x.yaml', text(0.45, 0.35));
    if (bad.layer !== 'experiment') throw new Error('layer');
    expect(() => lowerExperiment(bad.experiment, { die: 'ideal' })).toThrow(/e_rev_exc/);
    // A reversal potential for an input nothing targets: the input stays off, with a warning.
    const unused = loadConfigText('x.yaml', `layer: experiment
duration: 50 us
neurons:
  - {id: n, parameters: {v_leak: 0.5, e_rev_inh: 0.35}}
`);
    if (unused.layer !== 'experiment') throw new Error('layer');
    const lu = lowerExperiment(unused.experiment, { die: 'ideal' });
    expect(lu.chip.neurons[lu.placement.neurons[0].compartments[0].circuits[0]].inhibitory_input.enable).toBe(false);
    expect(lu.warnings.some((w) => /e_rev_inh/.test(w.message))).toBe(true);
  });
});

/**
 * Lowering with `leak_degeneration`: the switch reaches leak.enable_degeneration of every
 * circuit of the compartment, and τ_mem is inverted through the degenerated law — checked
 * against the degenerated OTA's follower conductance measured with ngspice (characterisation
 * block `leak-degen`, spice/characterization/ideal.json, V_cm 0.6 V; values copied below).
 */
import { describe, expect, it } from 'vitest';
import { deriveCircuitParameters } from '../../src/circuits/derive.ts';
import { membraneCapacitance } from '../../src/circuits/blocks/membrane.ts';
import { currentCell } from '../../src/circuits/blocks/capmem-cell.ts';
import { codesForTargets } from '../../src/circuits/targets.ts';
import { loadConfigText, loadExperimentFile } from '../../src/config/load.ts';
import { lowerExperiment, restPotential } from '../../src/mapping/lower.ts';
import { MEMBRANE_CAPACITANCE_MAX } from '../../src/chip/constants.ts';
import type { NeuronCircuitConfig } from '../../src/chip/neuron.ts';

function lower(parameters: string, circuits = 1) {
  const c = loadConfigText('x.yaml', `layer: experiment
duration: 100 us
neurons:
  - id: n
    parameters: {${parameters}}
    compartments: [{id: soma, circuits: ${circuits}}]
`);
  if (c.layer !== 'experiment') throw new Error('not an experiment');
  const l = lowerExperiment(c.experiment, { die: 'ideal' });
  return { chip: l.chip, params: deriveCircuitParameters(l.chip, 'ideal') };
}

const leakBias = (leak: NeuronCircuitConfig['leak']) => currentCell(leak.i_bias) * (leak.enable_division ? 1 / 8 : leak.enable_multiplication ? 8 : 1);

// ngspice follower slopes of the degenerated leak OTA (R_D 1 MΩ) at V_cm 0.6 V, per tail current
// (block `leak-degen`: biasA, gS); the same OTA undegenerated would give 2.17 / 5.09 / 9.57 µS
// at 200 nA / 500 nA / 1 µA.
const MEASURED: Array<[number, number]> = [[50e-9, 4.348e-7], [200e-9, 9.385e-7], [500e-9, 1.253e-6], [1e-6, 1.453e-6]];

describe('lowering: leak_degeneration', () => {
  it.each(MEASURED)('τ_mem = C / g(SPICE, %s A) is met by the degenerated leak', (_bias, gSpice) => {
    const c = membraneCapacitance(MEMBRANE_CAPACITANCE_MAX);
    const tau = c / gSpice;
    const common = `v_leak: 0.6, v_reset: 0.55, v_threshold: 0.8, tau_mem: ${tau}`;
    const d = lower(`${common}, leak_degeneration: true`);
    const leak = d.chip.neurons[0].leak;
    expect(leak.enable_degeneration).toBe(true);
    expect(d.chip.neurons[0].reset.enable_degeneration).toBe(false);
    const p = d.params[0];
    // The lowering promises τ within its convergence (0.5 %) and one code step (≤ 0.25 % at
    // these codes); 1 %.
    expect(Math.abs(p.capacitance / p.gLeak / tau - 1)).toBeLessThan(0.01);
    // The law at the chosen bias against the ngspice slope at this grid point: the fit is taken
    // there, the residue is the tail-current mapping and a code step (measured ≤ 0.1 %); 1 %.
    expect(Math.abs(p.gLeak / gSpice - 1)).toBeLessThan(0.01);
    // Without degeneration the same τ needs a smaller tail (g of the plain OTA is larger at a
    // given bias): the switch changes the code, not only the flag.
    const plain = lower(common);
    expect(plain.chip.neurons[0].leak.enable_degeneration).toBe(false);
    expect(Math.abs(plain.params[0].capacitance / plain.params[0].gLeak / tau - 1)).toBeLessThan(0.01);
    expect(leakBias(leak) / leakBias(plain.chip.neurons[0].leak)).toBeGreaterThan(1.2);
  });

  it('degenerates every circuit of a compartment and keeps its rest and τ_mem', () => {
    const d = lower('v_leak: 0.42, v_reset: 0.375, v_threshold: 0.62, tau_mem: 2 us, leak_degeneration: true', 2);
    const [n0, n1] = [d.chip.neurons[0], d.chip.neurons[1]];
    expect([n0.leak.enable_degeneration, n1.leak.enable_degeneration]).toEqual([true, true]);
    const [p0, p1] = [d.params[0], d.params[1]];
    // Compartment τ = ΣC / Σg: within 1 % (as above).
    expect(Math.abs((p0.capacitance + p1.capacitance) / (p0.gLeak + p1.gLeak) / 2e-6 - 1)).toBeLessThan(0.01);
    // Rest of the two circuits together: one v_leak code is 1.875 mV; 2 mV.
    expect(Math.abs(restPotential([{ p: p0, parasitic: p0.iOffset }, { p: p1, parasitic: p1.iOffset }]) - 0.42)).toBeLessThan(2e-3);
    // The code is the degenerated inverse's (codesForTargets with leak_degeneration), moved only
    // by the lowering's τ correction for the other conductances on the membrane (measured 0.8 %); 2 %.
    const direct = codesForTargets({ v_leak: 0.42, capacitance_code: n0.membrane_capacitance.capacitance, tau_mem: 2e-6, leak_degeneration: true }).config.leak!;
    expect(direct.enable_degeneration).toBe(true);
    expect([n0.leak.enable_division, n0.leak.enable_multiplication]).toEqual([direct.enable_division, direct.enable_multiplication]);
    expect(Math.abs(n0.leak.i_bias / direct.i_bias! - 1)).toBeLessThan(0.02);
  });

  it('lowers the verification case with every circuit degenerated at τ_mem 2 µs', () => {
    const l = lowerExperiment(loadExperimentFile('examples/verification/degeneration.yaml'), { die: 'ideal' });
    const ps = deriveCircuitParameters(l.chip, 'ideal');
    const heads = [...l.spikeCircuits.values()];
    expect(heads).toHaveLength(4);
    for (const c of heads) {
      expect(l.chip.neurons[c].leak.enable_degeneration).toBe(true);
      // τ = C/g_leak of each circuit (what the lowering composes): 1 % as above.
      expect(Math.abs(ps[c].capacitance / ps[c].gLeak / 2e-6 - 1)).toBeLessThan(0.01);
    }
  });
});

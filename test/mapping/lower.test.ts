/**
 * Lowering: physical targets come back out of the circuit library's forward model on the die the
 * codes were solved for, within the resolution of the codes.
 */
import { describe, expect, it } from 'vitest';
import { deriveCircuitParameters } from '../../src/circuits/derive.ts';
import { loadConfigText, loadExperimentFile } from '../../src/config/load.ts';
import { lowerExperiment, restPotential } from '../../src/mapping/lower.ts';
import { InputError } from '../../src/util/errors.ts';

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
});

/**
 * The experiment layer's `leak_degeneration` switch: a boolean per population or per
 * compartment (like the other leak parameters), default off, a compartment overriding its
 * population; anything but a boolean is a schema error at the key's line and column.
 */
import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../../src/config/load.ts';
import { InputError, type Issue } from '../../src/util/errors.ts';

const doc = (population: string, compartment = '') => `layer: experiment
duration: 100 us
neurons:
  - id: n
    parameters: {tau_mem: 2 us${population}}
    compartments:
      - {id: soma${compartment}}
      - {id: dend}
    connections:
      - {from: soma, to: dend, tau_icc: 5 us}
`;

function experimentOf(text: string) {
  const c = loadConfigText('x.yaml', text);
  if (c.layer !== 'experiment') throw new Error('not an experiment');
  return c.experiment;
}

function issuesOf(text: string): Issue[] {
  try {
    loadConfigText('x.yaml', text);
  } catch (e) {
    if (e instanceof InputError) return e.issues;
    throw e;
  }
  throw new Error('accepted');
}

describe('experiment layer: leak_degeneration', () => {
  it('is absent (off) unless given', () => {
    const e = experimentOf(doc(''));
    expect(e.neurons[0].compartments.map((c) => c.parameters.leak_degeneration)).toEqual([undefined, undefined]);
  });

  it('applies a population value to every compartment; a compartment value overrides it', () => {
    expect(experimentOf(doc(', leak_degeneration: true')).neurons[0].compartments.map((c) => c.parameters.leak_degeneration)).toEqual([true, true]);
    expect(experimentOf(doc(', leak_degeneration: true', ', parameters: {leak_degeneration: false}')).neurons[0].compartments.map((c) => c.parameters.leak_degeneration)).toEqual([false, true]);
    expect(experimentOf(doc('', ', parameters: {leak_degeneration: true}')).neurons[0].compartments.map((c) => c.parameters.leak_degeneration)).toEqual([true, undefined]);
  });

  it('rejects a non-boolean with its path, line and column', () => {
    // `yes` is a string in YAML 1.2 (the loader's schema), not a boolean.
    for (const bad of ['"true"', 'yes', '1']) {
      const issues = issuesOf(doc(`, leak_degeneration: ${bad}`));
      expect(issues).toHaveLength(1);
      const [i] = issues;
      expect(i.message).toMatch(/wrong type: must be boolean/);
      expect(i.location.path).toBe('neurons[0].parameters.leak_degeneration');
      // Line 5 of the document; the value starts after "    parameters: {tau_mem: 2 us, leak_degeneration: ".
      expect(i.location.line).toBe(5);
      expect(i.location.column).toBe('    parameters: {tau_mem: 2 us, leak_degeneration: '.length + 1);
      expect(i.allowed).toMatch(/leak\.enable_degeneration/);
    }
    const inComp = issuesOf(doc('', ', parameters: {leak_degeneration: 0.5}'));
    expect(inComp.map((i) => [i.location.path, i.location.line])).toEqual([['neurons[0].compartments[0].parameters.leak_degeneration', 7]]);
  });

  it('is not a calibration target (the calibration records the switch itself)', () => {
    const issues = issuesOf(`layer: calibration
die: ideal
targets: {leak_degeneration: true}
circuits: []
`);
    expect(issues.map((i) => i.message)).toEqual(['unknown key "leak_degeneration"']);
  });
});

/**
 * Configuration layers: every bundled example validates; every broken fixture is rejected with
 * the right YAML path and line, all problems of a file at once.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile, loadConfigText } from '../../src/config/load.ts';
import { InputError, type Issue } from '../../src/util/errors.ts';
import { neuronEnum } from '../../src/chip/coordinates.ts';
import { analyzeCompartments } from '../../src/chip/multicompartment.ts';

const examples = readdirSync('examples').filter((f) => f.endsWith('.yaml')).map((f) => join('examples', f));

function issuesOf(file: string): Issue[] {
  try {
    loadConfigFile(file);
  } catch (e) {
    if (e instanceof InputError) return e.issues;
    throw e;
  }
  throw new Error(`${file} was accepted`);
}

describe('bundled examples', () => {
  it.each(examples)('%s validates', (file) => {
    expect(() => loadConfigFile(file)).not.toThrow();
  });
});

// Each broken fixture: the expected [path, line] of every issue, in file order.
const broken: Record<string, Array<[string | undefined, number | undefined, RegExp]>> = {
  'syntax.yaml': [[undefined, 6, /YAML syntax/]],
  'unknown-key.yaml': [['neurons[0].leak.v_leek', 6, /unknown key "v_leek".*/]],
  'code-range.yaml': [
    ['neurons[0].threshold.v_threshold', 4, /out of range/],
    ['neurons[0].membrane_capacitance.capacitance', 5, /out of range/],
  ],
  'soma-and-conductance.yaml': [['neurons[0].multicompartment.enable_conductance', 6, /connect_soma and enable_conductance/]],
  'madc-parity.yaml': [['readout.madc[1]', 5, /both MADC channels are on even columns/]],
  'unknown-reference.yaml': [
    ['stimuli[0].targets[0].neuron', 9, /unknown neuron "ghost"/],
    ['recordings[0].compartment', 11, /no compartment "dendrite"/],
  ],
  'wrong-unit.yaml': [
    ['neurons[0].parameters.tau_mem', 6, /unit V, expected s/],
    ['neurons[0].parameters.v_leak', 7, /outside the analog supply range/],
  ],
  'alias-bomb.yaml': [[undefined, undefined, /alias/]],
  'no-layer.yaml': [[undefined, 1, /missing "layer"/]],
  'open-segment.yaml': [
    ['neurons[1].multicompartment.connect_right', 6, /other backend half/],
    ['neurons[0].multicompartment.connect_soma_right', 4, /open-ended/],
  ],
  'many-errors.yaml': [
    ['duration', 2, /must be positive/],
    ['neurons[1].id', 5, /duplicate neuron id/],
    ['neurons[1].parameters.v_threshold', 7, /supply range/],
    ['neurons[1].parameters.holdoff', 8, /holdoff is longer/],
    ['stimuli[0].neuron', 12, /unknown neuron "b"/],
    ['recordings[2].readout', 17, /3 traces recorded with the MADC/],
  ],
};

describe('broken fixtures', () => {
  for (const [name, expected] of Object.entries(broken)) {
    it(`rejects ${name} naming path and line`, () => {
      const issues = issuesOf(join('test/fixtures/broken', name));
      expect(issues.map((i) => i.location.path)).toEqual(expected.map((e) => e[0]));
      expect(issues.map((i) => i.location.line)).toEqual(expected.map((e) => e[1]));
      issues.forEach((i, k) => expect(i.message).toMatch(expected[k][2]));
      for (const i of issues) expect(i.location.file).toBe(join('test/fixtures/broken', name));
    });
  }
});

describe('quantities and the bio convenience', () => {
  it('converts biological times and rates at 1000×', () => {
    const c = loadConfigText('x.yaml', `layer: experiment
duration: {bio: 100 ms}
neurons:
  - id: n
    parameters: {tau_mem: {bio: 10 ms}, refractory: 2 us, v_leak: 420 mV}
stimuli:
  - {type: poisson, rate: {bio: 20 Hz}, targets: [{neuron: n}]}
`);
    if (c.layer !== 'experiment') throw new Error('layer');
    const e = c.experiment;
    // 100 ms biological = 100 µs on the chip; 20 Hz biological = 20 kHz on the chip.
    expect(e.duration).toBe(1e-4);
    expect(e.neurons[0].compartments[0].parameters.tau_mem).toBe(1e-5);
    expect(e.neurons[0].compartments[0].parameters.refractory).toBe(2e-6);
    expect(e.neurons[0].compartments[0].parameters.v_leak).toBe(0.42);
    const s = e.stimuli[0];
    expect(s.type === 'poisson' && s.rate).toBe(20000);
    expect(s.type === 'poisson' && s.stop).toBe(1e-4);
  });
});

describe('chip layer semantics', () => {
  it('builds the two-compartment example topology', () => {
    const c = loadConfigFile('examples/chip-raw.yaml');
    if (c.layer !== 'chip') throw new Error('layer');
    const { topology, issues } = analyzeCompartments(c.chip);
    expect(issues).toEqual([]);
    const soma = topology.compartmentOf[neuronEnum({ row: 0, column: 0 })];
    const dend = topology.compartmentOf[neuronEnum({ row: 0, column: 2 })];
    expect(topology.compartmentOf[1]).toBe(soma);
    expect(topology.compartmentOf[3]).toBe(dend);
    expect(soma).not.toBe(dend);
    // 512 circuits, two of them pairs: 510 compartments.
    expect(topology.compartments.length).toBe(510);
    expect(topology.segments).toEqual([{ row: 0, circuits: [1, 2], direct: [soma], conductance: [2] }]);
    expect(c.chip.weights[0 * 256 + 3]).toBe(32);
    expect(c.chip.labels[0 * 256 + 3]).toBe(5);
    expect(c.chip.drivers[0].row_mode_top).toBe('excitatory');
  });

  it('refuses oversized files', () => {
    const big = 'layer: chip\ndescription: "' + 'x'.repeat(17 * 1024 * 1024) + '"\n';
    expect(() => loadConfigText('big.yaml', big)).toThrow(/too large/);
  });
});

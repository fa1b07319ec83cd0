/**
 * Placement and routing: the bundled experiments lower to chip configurations that pass the
 * chip's own structural rules, with the compartment topology and the synapse labels the
 * experiment asks for.
 */
import { describe, expect, it } from 'vitest';
import { defaultChipConfig } from '../../src/chip/chip.ts';
import { backendClockHz } from '../../src/chip/constants.ts';
import { analyzeCompartments } from '../../src/chip/multicompartment.ts';
import { loadExperimentFile } from '../../src/config/load.ts';
import { place } from '../../src/mapping/place.ts';
import { route } from '../../src/mapping/route.ts';
import { holdoffCycles, planHalf, scaleFor } from '../../src/mapping/timing.ts';
import { chipSemanticIssues } from '../../src/config/chip-layer.ts';

describe('placement', () => {
  it('wires the 4-compartment chain as four compartments linked by conductances', () => {
    const exp = loadExperimentFile('examples/compartment-chain.yaml');
    const chip = defaultChipConfig();
    const placement = place(exp, chip);
    expect(chipSemanticIssues(chip)).toEqual([]);
    const { topology } = analyzeCompartments(chip);
    const comps = placement.neurons[0].compartments;
    expect(comps.map((c) => c.circuits)).toEqual([[0, 1], [2, 3], [4, 5], [6, 7]]);
    // Each compartment's two circuits are one compartment of the chip.
    for (const c of comps) expect(topology.compartmentOf[c.circuits[0]]).toBe(topology.compartmentOf[c.circuits[1]]);
    // Three isolated segments, each tying one compartment directly and the next by conductance.
    expect(topology.segments).toEqual([
      { row: 0, circuits: [1, 2], direct: [topology.compartmentOf[0]], conductance: [2] },
      { row: 0, circuits: [3, 4], direct: [topology.compartmentOf[2]], conductance: [4] },
      { row: 0, circuits: [5, 6], direct: [topology.compartmentOf[4]], conductance: [6] },
    ]);
  });

  it('places populations after one another inside backend halves', () => {
    const exp = loadExperimentFile('examples/recurrent.yaml');
    const chip = defaultChipConfig();
    const placement = place(exp, chip);
    expect(placement.neurons.length).toBe(100);
    const circuits = placement.neurons.map((n) => n.compartments[0].circuits[0]);
    expect(new Set(circuits).size).toBe(100);
    expect(circuits.slice(0, 3)).toEqual([0, 1, 2]);
  });
});

describe('routing', () => {
  it('gives every synapse of a source its label and every row one mode', () => {
    const exp = loadExperimentFile('examples/recurrent.yaml');
    const chip = defaultChipConfig();
    const placement = place(exp, chip);
    const summary = route(exp, placement, chip);
    // Expected synapse count: connections drawn with the same seeds give ~ p·N per source; the
    // exact count is checked by recounting the weights written.
    let nonzero = 0;
    for (let i = 0; i < chip.weights.length; i++) if (chip.weights[i] > 0) nonzero++;
    expect(nonzero).toBe(summary.synapsesUsed);
    // Expected connections: 80·79·0.1 + 80·20·0.2 + 20·80·0.3 ≈ 632 + 320 + 480 = 1432, plus the
    // 100 background synapses; binomial sd ≈ 33 → accept ±5 sd.
    expect(Math.abs(summary.synapsesUsed - 1532)).toBeLessThan(170);
    // Labels per bus never exceed 64, rows never exceed 64.
    for (const n of summary.labelsPerBus) expect(n).toBeLessThanOrEqual(64);
    for (const n of summary.rowsPerBus) expect(n).toBeLessThanOrEqual(64);
    // Every source neuron sends with the source flag and a unique label on its bus.
    const addresses = placement.neurons.map((n) => chip.neurons[n.compartments[0].circuits[0]].event_routing.address);
    for (const a of addresses) expect(a & 0x80).toBe(0x80);
    expect(chip.background[0].enable).toBe(true);
    // 100 targets over at most 32 labels: rate per label = the stimulus rate (2 kHz bio = 2 MHz hw).
    expect(chip.background[0].rate_hz / (chip.background[0].label_random_mask + 1)).toBeCloseTo(2e6, 6);
  });

  it('turns spike trains into external events with the stimulus label', () => {
    const exp = loadExperimentFile('examples/single-neuron.yaml');
    const chip = defaultChipConfig();
    const placement = place(exp, chip);
    const summary = route(exp, placement, chip);
    expect(summary.externalEvents.map((e) => e.time)).toEqual([20e-6, 60e-6, 65e-6, 120e-6]);
    const label = summary.externalEvents[0].label;
    const col = placement.neurons[0].compartments[0].circuits[0];
    // The synapse in the target's column carries the label and the weight 40.
    let found = 0;
    for (let row = 0; row < 256; row++) {
      const idx = row * 256 + col;
      if (chip.weights[idx] > 0) {
        expect(chip.labels[idx]).toBe(label & 0x3f);
        expect(chip.weights[idx]).toBe(40);
        found++;
      }
    }
    expect(found).toBe(1);
  });
});

describe('refractory timing', () => {
  it('picks the finest clock that covers the period', () => {
    // 2 µs at scale 0 (125 MHz) is 250 cycles ≤ 255.
    expect(scaleFor(2e-6)).toBe(0);
    // 3 µs needs 62.5 MHz (scale 1): 187.5 cycles.
    expect(scaleFor(3e-6)).toBe(1);
    const plan = planHalf([{ refractory: 2e-6, holdoff: 0, where: 'a' }, { refractory: 40e-6, holdoff: 1e-6, where: 'b' }], { slow: 9, fast: 3 });
    expect(plan.clocks.clock_scale_fast).toBe(0);
    const fSlow = backendClockHz(plan.clocks.clock_scale_slow);
    expect(40e-6 * fSlow).toBeLessThanOrEqual(255.5);
    // Quantisation: realised period within half a cycle of the request.
    expect(Math.abs(plan.settings[1].refractorySeconds - 40e-6)).toBeLessThanOrEqual(0.5 / fSlow);
    expect(Math.abs(plan.settings[1].holdoffSeconds - 1e-6)).toBeLessThanOrEqual(1 / fSlow);
    expect(holdoffCycles(15)).toBe(1);
    expect(holdoffCycles(0)).toBe(31);
  });
});

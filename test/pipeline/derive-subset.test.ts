/**
 * Deriving only the circuits an experiment uses (`deriveCircuitParameters(chip, die, { circuits })`,
 * docs/verification.md "Speed"): the used circuits' parameters and the experiment's results must
 * be the same bytes as with all 512 circuits derived; the circuits left in the reset
 * configuration get the reset circuit's nominal parameters.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../../src/config/load.ts';
import { lowerExperiment, type Lowered } from '../../src/mapping/lower.ts';
import { circuitsInUse, deriveCircuitParameters, isResetConfig } from '../../src/circuits/derive.ts';
import { defaultNeuronConfig } from '../../src/chip/neuron.ts';
import { emulateLowered, placedCircuits, type ExperimentRun } from '../../src/pipeline/emulate.ts';
import type { Die } from '../../src/circuits/die.ts';

// A two-compartment chain (a coupled group: shorted circuits, conductance, segment) and an
// AdEx circuit (adaptation, exponential term) in one experiment: every kind of circuit state
// the lowering writes.
const EXPERIMENT = `layer: experiment
duration: 60 us
neurons:
  - id: chain
    parameters: {v_leak: 0.42, tau_mem: 10 us, tau_syn_exc: 2 us, spiking: false}
    compartments:
      - {id: c0, circuits: 2}
      - {id: c1, circuits: 2}
    connections:
      - {from: c0, to: c1, tau_icc: 2 us}
  - id: adex
    model: adex
    parameters:
      v_leak: 0.42
      v_threshold: 0.7
      v_reset: 0.40
      tau_mem: 10 us
      refractory: 1 us
      i_offset: 40 nA
      exponential: {delta_t: 40 mV, v_t: 0.6}
      adaptation: {a: 200 nS, b: 5 nA, tau_w: 50 us}
stimuli:
  - {id: in0, type: spike_train, times: [20 us], targets: [{neuron: chain, compartment: c0, weight: 63}]}
recordings:
  - {neuron: chain, compartment: c0, observable: v}
  - {neuron: chain, compartment: c1, observable: v}
  - {neuron: adex, observable: spikes}
`;

function lowered(die: Die): Lowered {
  const c = loadConfigText('subset.yaml', EXPERIMENT);
  if (c.layer !== 'experiment') throw new Error('layer');
  return lowerExperiment(c.experiment, { die });
}

function digest(run: ExperimentRun): string {
  const h = createHash('sha256');
  h.update(JSON.stringify(run.spikes));
  for (const t of run.traces) h.update(Buffer.from(t.values.buffer, t.values.byteOffset, t.values.byteLength));
  return h.digest('hex');
}

describe('deriveCircuitParameters with { circuits }', () => {
  for (const die of ['ideal', { seed: 3 }] as const) {
    it(`gives the placed circuits the same parameters and the run the same bytes (die ${JSON.stringify(die)})`, () => {
      const l = lowered(die);
      const placed = placedCircuits(l);
      // chain: 2 compartments of 2 circuits; adex: 1.
      expect(placed.length).toBe(5);
      const all = deriveCircuitParameters(l.chip, die);
      const sub = deriveCircuitParameters(l.chip, die, { circuits: placed });
      for (const e of placed) expect(JSON.stringify(sub[e])).toBe(JSON.stringify(all[e]));
      // Exact: the same spikes and traces, bit for bit (noise on for the mismatched die: the
      // threshold draws are addressed by circuit, so unused circuits change none of them).
      const noise = die !== 'ideal';
      const a = emulateLowered(l, { die, noise, params: all });
      const b = emulateLowered(l, { die, noise });
      expect(Object.values(a.spikes).flat().length).toBeGreaterThan(0);
      expect(digest(b)).toBe(digest(a));
    });
  }

  it('on the ideal die gives every reset circuit exactly its own parameters', () => {
    // On the ideal die a reset circuit's parameters depend only on its quadrant and backend
    // half configuration, which is what the shared stand-in is keyed by.
    const l = lowered('ideal');
    const all = deriveCircuitParameters(l.chip, 'ideal');
    const sub = deriveCircuitParameters(l.chip, 'ideal', { circuits: [] });
    expect(sub.map((p) => JSON.stringify(p))).toEqual(all.map((p) => JSON.stringify(p)));
  });

  it('derives every configured circuit and its compartment exactly even when not listed', () => {
    const l = lowered({ seed: 3 });
    const use = circuitsInUse(l.chip, []);
    const placed = new Set(placedCircuits(l));
    // Everything the lowering configured is placed, and nothing else is in use.
    for (let e = 0; e < 512; e++) expect(use[e] === 1).toBe(placed.has(e));
    // An unlisted circuit shorted to a configured one is derived exactly.
    const chip = structuredClone(l.chip);
    const free = [...Array(511).keys()].find((e) => !placed.has(e) && !placed.has(e + 1) && (e % 256) !== 255)!;
    chip.neurons[free].multicompartment.connect_right = true;
    const u2 = circuitsInUse(chip, []);
    expect([u2[free], u2[free + 1]]).toEqual([1, 1]);
    const all = deriveCircuitParameters(chip, { seed: 3 });
    const sub = deriveCircuitParameters(chip, { seed: 3 }, { circuits: [] });
    expect(JSON.stringify(sub[free + 1])).toBe(JSON.stringify(all[free + 1]));
    // A reset circuit on a mismatched die: inert both ways (no threshold, no input, no
    // conductance), so it holds its start potential; the stand-in's leak is the nominal 0, its
    // own derivation has the code-0 cell's error (a few nS), which moves nothing but that
    // unused membrane's constant value.
    const other = [...Array(512).keys()].find((e) => u2[e] === 0)!;
    for (const p of [sub[other], all[other]]) {
      expect(Number.isFinite(p.vThreshold)).toBe(false);
      expect(p.synapticInput.map((s) => s.enabled)).toEqual([false, false]);
      expect([p.adaptation.enabled, p.exponential.enabled, p.gInterCompartment]).toEqual([false, false, 0]);
    }
    expect(sub[other].gLeak).toBe(0);
  });

  it('recognises the reset configuration and any change of it', () => {
    expect(isResetConfig(defaultNeuronConfig())).toBe(true);
    // Every member of every group, changed alone, makes it a configured circuit (this also
    // catches a member added to the configuration but not to isResetConfig).
    const d = defaultNeuronConfig() as unknown as Record<string, Record<string, unknown>>;
    let flipped = 0;
    for (const g of Object.keys(d)) {
      for (const m of Object.keys(d[g])) {
        const c = defaultNeuronConfig() as unknown as Record<string, Record<string, unknown>>;
        const v = c[g][m];
        c[g][m] = typeof v === 'number' ? v + 1 : typeof v === 'boolean' ? !v : `${String(v)}-changed`;
        expect(isResetConfig(c as unknown as ReturnType<typeof defaultNeuronConfig>), `${g}.${m}`).toBe(false);
        flipped++;
      }
    }
    expect(flipped).toBeGreaterThan(60);
  });

  it('rejects a circuit out of range', () => {
    expect(() => deriveCircuitParameters(lowered('ideal').chip, 'ideal', { circuits: [512] })).toThrow(/out of range/);
  });
});

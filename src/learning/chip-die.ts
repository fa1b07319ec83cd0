/**
 * The training loop's die from the chip itself: the network's neurons (hidden and output layers)
 * are lowered onto neuron circuits as current-based LIF neurons with the model's time constants
 * (one model time unit = MODEL_TIME_UNIT_S of hardware time), through the same lowering as every
 * other level (src/mapping), and the circuit library gives their parameters on the ideal die
 * (what the codes were solved for) and on the virtual die `seed`. By default the codes are the
 * nominal ones (an uncalibrated die: training in the loop absorbs its fixed mismatch, which is
 * the point of in-the-loop training); `calibrated` solves them on the die instead. The ratios die/nominal of
 * threshold distance, τ_mem, τ_syn and PSP scale per circuit become the die profile
 * (`dieProfileFromCircuitParameters`); trial noise, spike jitter and delay elements keep the
 * magnitudes of `mismatch` (they are not circuit parameters).
 */
import { deriveCircuitParameters } from '../circuits/derive.ts';
import type { Experiment } from '../config/experiment-layer.ts';
import { lowerExperiment } from '../mapping/lower.ts';
import { dieProfileFromCircuitParameters, type DieMismatch, type DieProfile } from './die.ts';
import type { NeuronModel } from './gradients.ts';
import { MODEL_TIME_UNIT_S } from './network.ts';

/** The lowered network's circuits, nominal and on the die (cached: lowering takes ~1 s). */
const cache = new Map<string, { nominal: ReturnType<typeof deriveCircuitParameters>; actual: ReturnType<typeof deriveCircuitParameters> }>();

export function circuitDieProfile(seed: number, sizes: number[], delayCounts: number[], model: NeuronModel, mismatch: DieMismatch, rowsPerSource?: number[], calibrated = false): DieProfile {
  const key = JSON.stringify([seed, sizes, model, calibrated]);
  let p = cache.get(key);
  if (!p) {
    const parameters = {
      tau_mem: model.tauMem * MODEL_TIME_UNIT_S,
      tau_syn_exc: model.tauSyn * MODEL_TIME_UNIT_S,
      tau_syn_inh: model.tauSyn * MODEL_TIME_UNIT_S,
      refractory: 0.5 * MODEL_TIME_UNIT_S,
    };
    const exp: Experiment = {
      name: 'ttfs-network', description: '', duration: 1e-4, seed,
      neurons: sizes.slice(1).map((size, l) => ({
        id: `layer${l + 1}`, size, model: 'lif' as const, compartments: [{ id: 'soma', circuits: 1, parameters }], connections: [],
      })),
      // The lowering enables only synaptic inputs that receive synapses: declare both receptors
      // of every layer as receiving (the network's weights have both signs). No spike times:
      // only the circuits' parameters are used here.
      stimuli: sizes.slice(1).map((_, l) => ({
        type: 'spike_train' as const, id: `input${l + 1}`, times: [],
        targets: (['excitatory', 'inhibitory'] as const).map((receptor) => ({ neuron: `layer${l + 1}`, compartment: 'soma', receptor, weight: 1 })),
      })),
      projections: [], recordings: [],
    };
    const nominal = lowerExperiment(exp, { die: 'ideal' });
    const die = { seed };
    const chip = calibrated ? lowerExperiment(exp, { die, inverse: 'die' }).chip : nominal.chip;
    p = { nominal: deriveCircuitParameters(nominal.chip, 'ideal'), actual: deriveCircuitParameters(chip, die) };
    cache.set(key, p);
  }
  return dieProfileFromCircuitParameters(seed, p.nominal, p.actual, sizes, delayCounts, mismatch, 0, rowsPerSource);
}

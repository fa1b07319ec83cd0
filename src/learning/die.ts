/**
 * The die as seen by a first-spike-time network trained in the loop: fixed per-neuron deviations
 * (drawn once from the die seed), trial-to-trial noise (drawn per presented sample), and the
 * synapse format (6-bit magnitude, 1/30 of the unit weight, sign per row).
 *
 * Until the circuit library's `deriveCircuitParameters(chip, die)` is available, the deviations
 * come from `hashNormal(dieSeed, 'neuron', circuit, quantity)`: addressed draws, so a circuit's
 * deviation does not depend on which other circuits are used. A `DieProfile` is plain data and
 * can later be filled from `CircuitParameters` (ratios of the die's value to the nominal one).
 * Magnitudes (modelling decisions, docs/learning.md): threshold 3 % fixed and 1.5 % per trial
 * (hardware.md, training papers), τ_m 2 %, τ_s 1 %, synaptic gain 2 % (calibrated residuals),
 * spike-time jitter 0.01 τ_s, delay elements 2 % fixed and 0.01 τ_s jitter (DelGrad's
 * hardware-aware configuration).
 */
import { hashNormal } from '../util/random.ts';

export interface DieMismatch {
  /** Relative std of the fixed threshold deviation (of θ = ϑ − E_l). */
  threshold: number;
  tauMem: number;
  tauSyn: number;
  /** Relative std of the per-neuron synaptic gain (synapse DAC / input-stage gain). */
  synapseGain: number;
  /** Relative std of a delay element's fixed error. */
  delay: number;
  /** Relative std of the threshold per trial (per presented sample). */
  thresholdTrial: number;
  /** Std of the spike-time jitter, in units of τ_s. */
  spikeJitter: number;
  /** Std of a delay element's jitter per trial, units of τ_s. */
  delayJitter: number;
}

export const DEFAULT_DIE_MISMATCH: DieMismatch = {
  threshold: 0.03,
  tauMem: 0.02,
  tauSyn: 0.01,
  synapseGain: 0.02,
  delay: 0.02,
  thresholdTrial: 0.015,
  spikeJitter: 0.01,
  delayJitter: 0.01,
};

/** Synapse format of the chip: weights rounded to `step` and clipped at ±`max` (6-bit magnitude). */
export const CHIP_WEIGHT_STEP = 1 / 30;
export const CHIP_WEIGHT_MAX = 63 / 30;

export interface DieLayerProfile {
  /** Circuit index (neuron enum) of each neuron of the layer. */
  circuits: Int32Array;
  thresholdScale: Float64Array;
  tauMemScale: Float64Array;
  tauSynScale: Float64Array;
  weightGain: Float64Array;
  /** Fixed relative error of each delay element (per synapse, per input or per neuron). */
  delayScale: Float64Array;
}

export interface DieProfile {
  seed: number;
  mismatch: DieMismatch;
  weightStep: number;
  /** Largest weight of one synapse (63 LSB). */
  weightMax: number;
  /**
   * Synapse rows (of each sign) that carry one source in layer l: a weight above 63 LSB is split
   * over several rows (hardware.md: "weights > 63 split over several rows"), so the largest
   * weight of layer l is rowsPerSource[l] · weightMax, still on the 1/30 grid.
   */
  rowsPerSource: number[];
  layers: DieLayerProfile[];
}

/** Largest weight magnitude a layer can hold on the chip. */
export function layerWeightMax(die: DieProfile, l: number): number {
  return die.weightMax * (die.rowsPerSource[l] ?? 1);
}

/**
 * Draw the profile of a die for a layered network with `sizes` = [n_in, n_1, ..., n_out]
 * (neurons placed on consecutive circuits from 0, layer after layer) and `delayCounts[l]` delay
 * elements in layer l.
 */
export function makeDieProfile(seed: number, sizes: number[], delayCounts: number[], mismatch: DieMismatch = DEFAULT_DIE_MISMATCH, rowsPerSource?: number[]): DieProfile {
  const layers: DieLayerProfile[] = [];
  let circuit = 0;
  for (let l = 1; l < sizes.length; l++) {
    const n = sizes[l];
    const p: DieLayerProfile = {
      circuits: new Int32Array(n),
      thresholdScale: new Float64Array(n),
      tauMemScale: new Float64Array(n),
      tauSynScale: new Float64Array(n),
      weightGain: new Float64Array(n),
      delayScale: new Float64Array(delayCounts[l - 1] ?? 0),
    };
    for (let j = 0; j < n; j++, circuit++) {
      p.circuits[j] = circuit;
      p.thresholdScale[j] = 1 + mismatch.threshold * hashNormal(seed, 'neuron', circuit, 'threshold');
      p.tauMemScale[j] = 1 + mismatch.tauMem * hashNormal(seed, 'neuron', circuit, 'tau_mem');
      p.tauSynScale[j] = 1 + mismatch.tauSyn * hashNormal(seed, 'neuron', circuit, 'tau_syn');
      p.weightGain[j] = 1 + mismatch.synapseGain * hashNormal(seed, 'neuron', circuit, 'synapse_gain');
    }
    for (let k = 0; k < p.delayScale.length; k++) p.delayScale[k] = 1 + mismatch.delay * hashNormal(seed, 'delay', l - 1, k);
    layers.push(p);
  }
  const rows = rowsPerSource ?? sizes.slice(1).map(() => 1);
  return { seed, mismatch, weightStep: CHIP_WEIGHT_STEP, weightMax: CHIP_WEIGHT_MAX, rowsPerSource: rows, layers };
}

/** Round to the synapse grid and clip: what a weight becomes when written to the chip. */
export function quantiseWeight(w: number, step: number, max: number): number {
  const q = Math.round(w / step) * step;
  return q > max ? max : q < -max ? -max : q;
}

/**
 * A die profile from the circuit library's physical parameters (`deriveCircuitParameters`):
 * `nominal` for the ideal die and `actual` for the die, both for the same (calibrated) chip
 * configuration, indexed by circuit enum. Neurons are placed on consecutive circuits from
 * `firstCircuit`, layer after layer, as `makeDieProfile` does. Ratios die/nominal:
 * threshold gap (ϑ − E_l), τ_m = C/g_l, τ_s of the excitatory input, and the synaptic gain
 * as the PSP scale per unit weight, (Q_w · gain / τ_s) / C. Trial noise and delay-element
 * errors are not circuit parameters and come from `mismatch`.
 */
export function dieProfileFromCircuitParameters(
  seed: number, nominal: readonly CircuitParametersLike[], actual: readonly CircuitParametersLike[],
  sizes: number[], delayCounts: number[], mismatch: DieMismatch = DEFAULT_DIE_MISMATCH, firstCircuit = 0, rowsPerSource?: number[],
): DieProfile {
  const base = makeDieProfile(seed, sizes, delayCounts, mismatch, rowsPerSource);
  const gap = (p: CircuitParametersLike): number => p.vThreshold - p.eLeak;
  const tauMem = (p: CircuitParametersLike): number => p.capacitance / p.gLeak;
  const psp = (p: CircuitParametersLike): number => (p.synapseChargePerWeight * p.synapticInput[0].gain) / p.synapticInput[0].tau / p.capacitance;
  let circuit = firstCircuit;
  for (const layer of base.layers) {
    for (let j = 0; j < layer.circuits.length; j++, circuit++) {
      const n = nominal[circuit];
      const a = actual[circuit];
      if (!n || !a) throw new RangeError(`no circuit parameters for circuit ${circuit}`);
      const ratios = [gap(a) / gap(n), tauMem(a) / tauMem(n), a.synapticInput[0].tau / n.synapticInput[0].tau, psp(a) / psp(n)];
      if (!ratios.every((r) => Number.isFinite(r) && r > 0)) throw new RangeError(`circuit ${circuit}: parameters do not describe a working neuron (threshold, leak and synaptic input must be enabled)`);
      layer.circuits[j] = circuit;
      [layer.thresholdScale[j], layer.tauMemScale[j], layer.tauSynScale[j], layer.weightGain[j]] = ratios;
    }
  }
  return base;
}

/** The fields of `CircuitParameters` (src/circuits/params.ts) that the profile reads. */
export interface CircuitParametersLike {
  capacitance: number;
  gLeak: number;
  eLeak: number;
  vThreshold: number;
  synapseChargePerWeight: number;
  synapticInput: ReadonlyArray<{ tau: number; gain: number }>;
}

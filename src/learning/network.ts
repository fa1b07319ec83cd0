/**
 * A layered first-spike-time network (Fast & Deep / DelGrad): current-based LIF neurons, one
 * spike per neuron, inputs latency coded, a bias spike per layer, optional learned delays.
 * Time is in units of τ_s; `MODEL_TIME_UNIT_S` maps it onto hardware time.
 *
 * `TtfsRunner` holds the scratch buffers of one network and runs the forward pass (ideal, or in
 * the loop on a die: mismatch, trial noise, quantised weights, realised delays) and the exact
 * backward pass (./gradients.ts) at the spike times of that forward pass. The ideal network
 * without delays and with τ_m = τ_s (Fast & Deep's model) runs its forward pass on the
 * WebAssembly kernel (../emulator/event/wasm-layer.ts), which gives the TypeScript layer
 * kernel's spike times bit for bit; everything else on the TypeScript kernel.
 */
import { LayerScratch, layerForward, type LayerDelays, type LayerNeurons } from '../emulator/event/layer.ts';
import { KIND_EQUAL, kernelKind } from '../emulator/event/lif.ts';
import { WasmFeedForward } from '../emulator/event/wasm-layer.ts';
import { layerBackward, type LayerGradients, type NeuronModel } from './gradients.ts';
import { layerWeightMax, quantiseWeight, type DieProfile } from './die.ts';
import type { Rng } from '../util/random.ts';

/** One model time unit (τ_s) on the chip: 6 µs (Fast & Deep BSS-2 settings, taum = 6 × 1 µs). */
export const MODEL_TIME_UNIT_S = 6e-6;

export type DelayKind = 'none' | 'axonal' | 'dendritic' | 'synaptic';
export const DELAY_KINDS: readonly DelayKind[] = ['none', 'axonal', 'dendritic', 'synaptic'];

/** d = shift + scale·σ(θ) keeps delays positive and bounded (DelGrad's DelayLayer). */
export interface DelayParameterisation {
  kind: DelayKind;
  shift: number;
  scale: number;
}

/** t = early + v·(late − early) for every feature v ∈ [0, 1]; one bias spike per layer. */
export interface InputEncoding {
  early: number;
  late: number;
  biasTime: number;
}

export interface TtfsNetwork {
  /** Layer sizes without bias inputs, e.g. [4, 120, 3]. */
  sizes: number[];
  /** Bias inputs per layer (0 or 1). */
  nBias: number;
  model: NeuronModel;
  encoding: InputEncoding;
  delays: DelayParameterisation;
  /** Layer l: sizes[l+1] × (sizes[l] + nBias), row = post neuron. */
  weights: Float64Array[];
  /** Raw delay parameters θ per layer (empty when kind is 'none'). */
  delayTheta: Float64Array[];
}

export function layerInputs(net: Pick<TtfsNetwork, 'sizes' | 'nBias'>, l: number): number {
  return net.sizes[l] + net.nBias;
}

export function delayCount(kind: DelayKind, nIn: number, nOut: number): number {
  switch (kind) {
    case 'none': return 0;
    case 'axonal': return nIn;
    case 'dendritic': return nOut;
    case 'synaptic': return nIn * nOut;
  }
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Initialise weights N(mean_l, std_l) and delay parameters N(0, thetaStd) from one seeded stream. */
export function initNetwork(
  spec: Omit<TtfsNetwork, 'weights' | 'delayTheta'>, init: Array<[number, number]>, thetaStd: number, rng: Rng,
): TtfsNetwork {
  const weights: Float64Array[] = [];
  const delayTheta: Float64Array[] = [];
  for (let l = 0; l + 1 < spec.sizes.length; l++) {
    const nIn = layerInputs(spec, l);
    const nOut = spec.sizes[l + 1];
    const w = new Float64Array(nIn * nOut);
    const [mean, std] = init[l];
    for (let k = 0; k < w.length; k++) w[k] = mean + std * rng.normal();
    weights.push(w);
    const d = new Float64Array(delayCount(spec.delays.kind, nIn, nOut));
    for (let k = 0; k < d.length; k++) d[k] = thetaStd * rng.normal();
    delayTheta.push(d);
  }
  return { ...spec, weights, delayTheta };
}

interface LayerBuffers {
  nIn: number;
  nOut: number;
  input: Float64Array;
  output: Float64Array;
  scratch: LayerScratch;
  /** Neurons as the forward pass sees them (die + trial noise), and their fixed part. */
  neurons: LayerNeurons;
  fixedThreshold: Float64Array;
  /** Weights written to the chip (quantised in the loop) and as the neurons feel them (× gain). */
  wModel: Float64Array;
  wEffective: Float64Array;
  /** Nominal delay values d and the realised ones (die: element error + jitter). */
  delayNominal: Float64Array;
  delayRealised: Float64Array;
  gOut: Float64Array;
  gIn: Float64Array;
  grads: LayerGradients;
  gDelay: Float64Array;
  rowBuf: Float64Array;
  esBuf: Float64Array;
  missing: Int32Array;
}

function delaysOf(kind: DelayKind, d: Float64Array): LayerDelays | null {
  switch (kind) {
    case 'none': return null;
    case 'axonal': return { axonal: d };
    case 'dendritic': return { dendritic: d };
    case 'synaptic': return { synaptic: d };
  }
}

export interface ForwardNoise {
  /** Trial-to-trial draws (threshold noise, jitter). */
  rng: Rng;
}

/** Samples per call of the WebAssembly kernel in `forwardBatch`. */
const WASM_BATCH = 256;

export class TtfsRunner {
  readonly net: TtfsNetwork;
  readonly die: DieProfile | null;
  readonly layers: LayerBuffers[];
  /** The WebAssembly forward pass, when the network qualifies (see the module comment). */
  readonly wasm: WasmFeedForward | null;
  /** Missing spikes counted since the last `resetStats`: per layer. */
  missingTotal: number[];
  samplesSeen = 0;
  skippedGradients = 0;

  /** `opts.wasm = false` keeps the TypeScript kernel (the WebAssembly one's test oracle). */
  constructor(net: TtfsNetwork, die: DieProfile | null, opts: { wasm?: boolean } = {}) {
    this.net = net;
    this.die = die;
    this.layers = [];
    const m0 = net.model;
    const nLayers = net.sizes.length - 1;
    // The TypeScript kernel's τ_m = τ_s path serves layers of more than one neuron that share
    // τ and C; the WebAssembly kernel is that path, so it takes the same networks.
    const qualifies = (opts.wasm ?? true) && die === null && net.delays.kind === 'none'
      && kernelKind(m0.tauMem, m0.tauSyn) === KIND_EQUAL && net.sizes.slice(1).every((n) => n > 1);
    const ff = qualifies
      ? new WasmFeedForward(Array.from({ length: nLayers }, (_, l) => ({ nIn: layerInputs(net, l), nOut: net.sizes[l + 1], tau: m0.tauMem, capacitance: m0.capacitance })), WASM_BATCH)
      : null;
    this.wasm = ff;
    for (let l = 0; l + 1 < net.sizes.length; l++) {
      const nIn = layerInputs(net, l);
      const nOut = net.sizes[l + 1];
      const nd = delayCount(net.delays.kind, nIn, nOut);
      const m = net.model;
      const dl = die?.layers[l];
      const neurons: LayerNeurons = {
        size: nOut,
        tauMem: new Float64Array(nOut).map((_, j) => m.tauMem * (dl ? dl.tauMemScale[j] : 1)),
        tauSyn: new Float64Array(nOut).map((_, j) => m.tauSyn * (dl ? dl.tauSynScale[j] : 1)),
        capacitance: new Float64Array(nOut).fill(m.capacitance),
        threshold: new Float64Array(nOut).map((_, j) => m.threshold * (dl ? dl.thresholdScale[j] : 1)),
      };
      const grads: LayerGradients = { weights: new Float64Array(nIn * nOut) };
      const gDelay = new Float64Array(nd);
      if (net.delays.kind !== 'none') grads[net.delays.kind] = gDelay;
      this.layers.push({
        nIn, nOut,
        // On the WebAssembly kernel: views of its linear memory (the kernel's own input and
        // output regions), so a forward pass leaves them where the backward pass reads them.
        input: ff ? ff.layerInput(l) : new Float64Array(nIn),
        output: ff ? ff.layerOutput(l) : new Float64Array(nOut),
        scratch: new LayerScratch(nIn),
        neurons,
        fixedThreshold: new Float64Array(neurons.threshold),
        wModel: new Float64Array(nIn * nOut),
        wEffective: new Float64Array(nIn * nOut),
        delayNominal: new Float64Array(nd),
        delayRealised: new Float64Array(nd),
        gOut: new Float64Array(nOut),
        gIn: new Float64Array(nIn),
        grads,
        gDelay,
        rowBuf: new Float64Array(nIn),
        esBuf: new Float64Array(nIn),
        missing: new Int32Array(nOut),
      });
    }
    this.missingTotal = this.layers.map(() => 0);
    if (this.wasm) {
      for (let l = 0; l < this.layers.length; l++) {
        this.wasm.setThresholds(l, this.layers[l].neurons.threshold);
        if (l > 0) this.wasm.setFixedInputs(l, new Array<number>(net.nBias).fill(net.encoding.biasTime));
      }
    }
    this.sync();
  }

  /** Recompute the weights and delays the forward pass uses from the trained parameters. */
  sync(): void {
    const { net, die } = this;
    for (let l = 0; l < this.layers.length; l++) {
      const L = this.layers[l];
      const w = net.weights[l];
      const wMax = die ? layerWeightMax(die, l) : Infinity;
      for (let j = 0; j < L.nOut; j++) {
        const gain = die ? die.layers[l].weightGain[j] : 1;
        for (let i = 0; i < L.nIn; i++) {
          const k = j * L.nIn + i;
          const q = die ? quantiseWeight(w[k], die.weightStep, wMax) : w[k];
          L.wModel[k] = q;
          L.wEffective[k] = q * gain;
        }
      }
      const th = net.delayTheta[l];
      for (let k = 0; k < th.length; k++) {
        const d = net.delays.shift + net.delays.scale * sigmoid(th[k]);
        L.delayNominal[k] = d;
        L.delayRealised[k] = die ? d * die.layers[l].delayScale[k] : d;
      }
      this.wasm?.setWeights(l, L.wEffective);
    }
  }

  /** Encode one sample (features in [0, 1]) into layer-0 input times at `dst[at..]`. */
  private encodeInto(features: Float64Array, offset: number, dst: Float64Array, at: number): void {
    const { early, late, biasTime } = this.net.encoding;
    const nF = this.net.sizes[0];
    for (let i = 0; i < nF; i++) dst[at + i] = early + features[offset + i] * (late - early);
    for (let b = 0; b < this.net.nBias; b++) dst[at + nF + b] = biasTime;
  }

  /** Missing-spike statistics of one layer's output. */
  private countMissing(l: number): void {
    const L = this.layers[l];
    // Branch-free count: which neurons stay silent is unpredictable from neuron to neuron.
    let miss = 0;
    const out = L.output;
    const missing = L.missing;
    for (let j = 0; j < L.nOut; j++) {
      const m = Number(!(out[j] < Infinity));
      miss += m;
      missing[j] += m;
    }
    this.missingTotal[l] += miss;
  }

  /**
   * Forward passes of `count` samples (sample s's features at `offset + s·sizes[0]`, as
   * `forward` takes them), without trial noise: the last layer's spike times of sample s go to
   * `out[s·nOut … (s + 1)·nOut)`. On the WebAssembly kernel the samples run in batches in one
   * call each (the layers' `input`/`output` buffers are left holding parts of the last batch,
   * and the missing-spike statistics are not updated); otherwise sample by sample through
   * `forward`.
   */
  forwardBatch(features: Float64Array, offset: number, count: number, out: Float64Array): void {
    const nOut = this.layers[this.layers.length - 1].nOut;
    const nF = this.net.sizes[0];
    const ff = this.wasm;
    if (!ff) {
      for (let s = 0; s < count; s++) out.set(this.forward(features, offset + s * nF, null), s * nOut);
      return;
    }
    const nIn0 = this.layers[0].nIn;
    for (let s0 = 0; s0 < count; s0 += ff.maxBatch) {
      const n = Math.min(ff.maxBatch, count - s0);
      for (let s = 0; s < n; s++) this.encodeInto(features, offset + (s0 + s) * nF, ff.batchInput, s * nIn0);
      ff.forwardBatch(n);
      out.set(ff.batchOutput.subarray(0, n * nOut), s0 * nOut);
    }
  }

  /**
   * Forward pass of one sample; returns the output layer's spike times (a view, overwritten by
   * the next call). With a die and `noise`, draws the trial's threshold noise and jitter.
   */
  forward(features: Float64Array, offset: number, noise: ForwardNoise | null): Float64Array {
    const ff = this.wasm;
    if (ff) {
      // The whole pass in one call, in the layers' own buffers (views of the kernel's memory).
      this.encodeInto(features, offset, ff.batchInput, 0);
      ff.forward();
      for (let l = 0; l < this.layers.length; l++) this.countMissing(l);
      this.samplesSeen++;
      return this.layers[this.layers.length - 1].output;
    }
    this.encodeInto(features, offset, this.layers[0].input, 0);
    const die = this.die;
    const mm = die?.mismatch;
    for (let l = 0; l < this.layers.length; l++) {
      const L = this.layers[l];
      if (l > 0) {
        const prev = this.layers[l - 1];
        L.input.set(prev.output);
        for (let b = 0; b < this.net.nBias; b++) L.input[prev.nOut + b] = this.net.encoding.biasTime;
      }
      let delays = delaysOf(this.net.delays.kind, L.delayRealised);
      if (die && noise && mm) {
        for (let j = 0; j < L.nOut; j++) L.neurons.threshold[j] = L.fixedThreshold[j] * (1 + mm.thresholdTrial * noise.rng.normal());
        if (delays && mm.delayJitter > 0) {
          // Jitter is per trial; write into the realised buffer and restore the fixed part after.
          for (let k = 0; k < L.delayRealised.length; k++) L.delayRealised[k] = L.delayNominal[k] * die.layers[l].delayScale[k] + mm.delayJitter * noise.rng.normal();
          delays = delaysOf(this.net.delays.kind, L.delayRealised);
        }
      }
      layerForward(L.input, L.nIn, L.wEffective, L.neurons, delays, L.output, L.scratch);
      if (die && noise && mm && mm.spikeJitter > 0) {
        for (let j = 0; j < L.nOut; j++) if (L.output[j] < Infinity) L.output[j] += mm.spikeJitter * noise.rng.normal();
      }
      this.countMissing(l);
    }
    this.samplesSeen++;
    return this.layers[this.layers.length - 1].output;
  }

  /**
   * Backward pass for the last forward pass, given ∂L/∂t_out in the last layer's `gOut`
   * (filled by the caller through `outputGradient()`); accumulates into the gradient buffers.
   */
  backward(maxDwNorm: number): void {
    const model = this.net.model;
    for (let l = this.layers.length - 1; l >= 0; l--) {
      const L = this.layers[l];
      L.gIn.fill(0);
      const delays = delaysOf(this.net.delays.kind, L.delayNominal);
      this.skippedGradients += layerBackward(L.input, L.nIn, L.wModel, delays, L.output, L.gOut, L.nOut, model, L.grads, l > 0 ? L.gIn : null, maxDwNorm, L.rowBuf, L.esBuf);
      if (l > 0) {
        const prev = this.layers[l - 1];
        for (let j = 0; j < prev.nOut; j++) prev.gOut[j] = L.gIn[j];
      }
    }
  }

  /** The buffer into which a loss writes ∂L/∂t_out. */
  outputGradient(): Float64Array {
    return this.layers[this.layers.length - 1].gOut;
  }

  zeroGradients(): void {
    for (const L of this.layers) {
      L.grads.weights.fill(0);
      L.gDelay.fill(0);
    }
  }

  resetStats(): void {
    this.missingTotal.fill(0);
    for (const L of this.layers) L.missing.fill(0);
    this.samplesSeen = 0;
    this.skippedGradients = 0;
  }

  /** Gradients w.r.t. the raw delay parameters θ: ∂L/∂θ = ∂L/∂d · scale·σ(θ)(1 − σ(θ)). */
  delayThetaGradient(l: number, out: Float64Array): void {
    const th = this.net.delayTheta[l];
    const g = this.layers[l].gDelay;
    const scale = this.net.delays.scale;
    for (let k = 0; k < th.length; k++) {
      const s = sigmoid(th[k]);
      out[k] = g[k] * scale * s * (1 - s);
    }
  }
}

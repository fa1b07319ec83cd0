/**
 * Training of first-spike-time networks on Yin-Yang: Fast & Deep (`ttfs`, Göltz et al. 2021)
 * and DelGrad (`delgrad`, weights and delays, Göltz et al. 2025), ideal or in the loop on a die.
 * Mini-batch Adam with StepLR, the reference code's safeguards (per-neuron gradient clipping,
 * weight bumping when too many spikes are missing), deterministic from (seed, die seed):
 * initial weights, shuffling and trial noise all come from addressed seeded streams, so a run
 * resumed from a checkpoint continues bit for bit as if it had never stopped.
 */
import { Rng, hashWords } from '../util/random.ts';
import { inputError } from '../util/errors.ts';
import { adamInit, adamStep, type AdamState } from './adam.ts';
import { layerWeightMax, DEFAULT_DIE_MISMATCH, type DieMismatch, type DieProfile } from './die.ts';
import { circuitDieProfile } from './chip-die.ts';
import { classify, shiftInvariantMse, ttfsCrossEntropy } from './loss.ts';
import { TtfsRunner, initNetwork, layerInputs, delayCount, type DelayKind, type TtfsNetwork, type InputEncoding } from './network.ts';
import type { NeuronModel } from './gradients.ts';
import { yinYangSplit, type YinYangDataset } from './yinyang.ts';

export type TrainMethod = 'ttfs' | 'delgrad';

export type LossConfig =
  | { kind: 'cross-entropy'; xi: number; alpha: number; beta: number }
  | { kind: 'shift-invariant-mse'; deltaT: number };

export interface TrainConfig {
  method: TrainMethod;
  delays: DelayKind;
  /** Die seed for training in the loop, or null for the ideal model. */
  dieSeed: number | null;
  mismatch: DieMismatch;
  epochs: number;
  seed: number;
  sizes: number[];
  nBias: number;
  model: NeuronModel;
  encoding: InputEncoding;
  delayShift: number;
  delayScale: number;
  /** (mean, std) of the initial weights per layer. */
  init: Array<[number, number]>;
  /** Std of the initial delay parameters θ. */
  thetaStd: number;
  batchSize: number;
  lrWeights: number;
  lrDelays: number;
  lrStepEpochs: number;
  lrGamma: number;
  loss: LossConfig;
  maxDwNorm: number;
  /** Largest tolerated fraction of missing spikes per layer before weights are bumped. */
  maxMissing: number[];
  bumpValue: number;
  /** Synapse rows per source and sign, per layer, on the die (weights up to rows·63/30). */
  rowsPerSource: number[];
  /** Train on the first `trainSize` samples of the train split (default all 5000). */
  trainSize: number;
  validationSize: number;
  testSize: number;
}

/**
 * The reference configurations (learning-notes §3, §4):
 * - ttfs: 4(+bias 0.9)-120-3, τ_m = τ_s, init (1.5, 0.8), (0.5, 0.8), batch 150, lr 0.005,
 *   ×0.95 every 20 epochs, cross-entropy ξ 0.2, α 0.005, β 1, max |Δw| 0.2, missing [0.3, 0].
 * - delgrad: 4-30-3 without bias (yin_yang_H30_WS), τ_m = 2τ_s (g_l 0.5), init (1, 1),
 *   shift-invariant MSE Δt 0.2,
 *   delays d = σ(θ) (shift 0, scale 1), θ ~ N(0, 0.25); lr weights 0.01 / delays 0.003 for
 *   synaptic, 0.005 / 0.005 for axonal and dendritic.
 * In the loop on a die the tolerated missing fraction of the output layer is 0.05 (hx config),
 * and a source uses 4 synapse rows per sign into the hidden layer and 1 into the output layer
 * (1 and 1 with synaptic delay elements), see `checkMapping`.
 */
export function defaultTrainConfig(method: TrainMethod, delays: DelayKind, opts: Partial<TrainConfig> = {}): TrainConfig {
  const dieSeed = opts.dieSeed ?? null;
  const base: TrainConfig = method === 'ttfs'
    ? {
      method, delays, dieSeed, mismatch: DEFAULT_DIE_MISMATCH, epochs: 300, seed: 0,
      sizes: [4, 120, 3], nBias: 1,
      model: { tauMem: 1, tauSyn: 1, capacitance: 1, threshold: 1 },
      encoding: { early: 0.15, late: 2.0, biasTime: 0.9 },
      delayShift: 0, delayScale: 1, init: [[1.5, 0.8], [0.5, 0.8]], thetaStd: 0.25,
      batchSize: 150, lrWeights: 0.005, lrDelays: 0.005, lrStepEpochs: 20, lrGamma: 0.95,
      loss: { kind: 'cross-entropy', xi: 0.2, alpha: 0.005, beta: 1 },
      maxDwNorm: 0.2, maxMissing: [0.3, dieSeed === null ? 0 : 0.05], bumpValue: 0.0005,
      rowsPerSource: [4, 1], trainSize: 5000, validationSize: 1000, testSize: 1000,
    }
    : {
      method, delays, dieSeed, mismatch: DEFAULT_DIE_MISMATCH, epochs: 300, seed: 0,
      sizes: [4, 30, 3], nBias: 0,
      model: { tauMem: 2, tauSyn: 1, capacitance: 1, threshold: 1 },
      encoding: { early: 0.15, late: 2.0, biasTime: 0.9 },
      delayShift: 0, delayScale: 1, init: [[1, 1], [1, 1]], thetaStd: 0.25,
      batchSize: 150,
      lrWeights: delays === 'synaptic' ? 0.01 : 0.005, lrDelays: delays === 'synaptic' ? 0.003 : 0.005,
      lrStepEpochs: 20, lrGamma: 0.95,
      loss: { kind: 'shift-invariant-mse', deltaT: 0.2 },
      maxDwNorm: 0.2, maxMissing: [0.3, dieSeed === null ? 0 : 0.05], bumpValue: 0.0005,
      // Synaptic delay elements each feed one synapse: one row pair each already fills the arrays.
      rowsPerSource: delays === 'synaptic' ? [1, 1] : [4, 1], trainSize: 5000, validationSize: 1000, testSize: 1000,
    };
  return { ...base, ...opts, method, delays, dieSeed };
}

export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  validationAccuracy: number;
  bumps: number;
  learningRate: number;
}

/** Everything a run needs to continue: written as the checkpoint. */
export interface TrainState {
  config: TrainConfig;
  net: TtfsNetwork;
  adam: AdamState;
  /** Epochs completed. */
  epoch: number;
  bumpValue: number;
  lastBumped: number;
  history: EpochRecord[];
  wallSeconds: number;
  /** The parameters of the epoch with the best validation accuracy so far (model selection). */
  best: BestParameters | null;
}

export interface BestParameters {
  epoch: number;
  validationAccuracy: number;
  weights: Float64Array[];
  delayTheta: Float64Array[];
}

export interface TrainData {
  train: YinYangDataset;
  validation: YinYangDataset;
  test: YinYangDataset;
}

export function loadYinYang(config: Pick<TrainConfig, 'trainSize' | 'validationSize' | 'testSize'>): TrainData {
  return {
    train: yinYangSplit('train', config.trainSize),
    validation: yinYangSplit('validation', config.validationSize),
    test: yinYangSplit('test', config.testSize),
  };
}

export function validateConfig(c: TrainConfig): void {
  const bad = (path: string, value: unknown, allowed: string): never => {
    throw inputError(`invalid training setting ${path}`, { path }, { value, allowed });
  };
  if (!Number.isInteger(c.epochs) || c.epochs < 0 || c.epochs > 100000) bad('epochs', c.epochs, 'integer 0..100000');
  if (!Number.isInteger(c.seed) || c.seed < 0) bad('seed', c.seed, 'non-negative integer');
  if (c.dieSeed !== null && (!Number.isInteger(c.dieSeed) || c.dieSeed < 0)) bad('die', c.dieSeed, "non-negative integer or 'ideal'");
  if (!Number.isInteger(c.batchSize) || c.batchSize < 1) bad('batchSize', c.batchSize, 'integer ≥ 1');
  if (!Number.isInteger(c.trainSize) || c.trainSize < 1 || c.trainSize > 5000) bad('trainSize', c.trainSize, 'integer 1..5000');
  if (c.method === 'ttfs' && c.delays !== 'none') bad('delays', c.delays, "'none' with --method ttfs (delays need --method delgrad)");
  if (c.sizes.length < 2 || c.sizes.some((n) => !Number.isInteger(n) || n < 1)) bad('sizes', c.sizes, 'at least two positive integers');
  if (c.sizes[0] !== 4 || c.sizes[c.sizes.length - 1] !== 3) bad('sizes', c.sizes, 'Yin-Yang needs 4 inputs and 3 outputs');
  if (!Array.isArray(c.rowsPerSource) || c.rowsPerSource.length !== c.sizes.length - 1 || c.rowsPerSource.some((k) => !Number.isInteger(k) || k < 1)) bad('rowsPerSource', c.rowsPerSource, `${c.sizes.length - 1} positive integers (one per layer)`);
  if (c.dieSeed !== null) checkMapping(c);
}

/**
 * Mapping limits of the chip model for a layered network in the loop. Every neuron and every
 * delay element is one neuron circuit (512). Layer l's neurons sit in neuron row l mod 2 (256
 * circuits each) and receive their inputs through synapse array l mod 2 (256 rows): each source
 * needs rowsPerSource[l] excitatory and as many inhibitory rows (sign per row); a synaptic delay
 * element feeds one synapse, so it needs its own rows.
 */
export function checkMapping(c: Pick<TrainConfig, 'sizes' | 'nBias' | 'delays'> & { rowsPerSource?: number[] }): { circuits: number; rows: number[] } {
  let circuits = 0;
  const rows = [0, 0];
  const neuronsPerRow = [0, 0];
  for (let l = 0; l + 1 < c.sizes.length; l++) {
    const nIn = layerInputs(c, l);
    const nOut = c.sizes[l + 1];
    const k = c.rowsPerSource?.[l] ?? 1;
    circuits += nOut + (c.delays === 'none' ? 0 : delayCount(c.delays, nIn, nOut));
    neuronsPerRow[l % 2] += nOut;
    rows[l % 2] += 2 * k * (c.delays === 'synaptic' ? nIn * nOut : nIn);
  }
  if (circuits > 512 || neuronsPerRow.some((n) => n > 256)) throw inputError('network does not fit on the chip', { path: 'sizes' }, { value: { circuits, neuronsPerRow }, allowed: 'at most 512 neuron circuits (neurons + delay elements), 256 neurons per layer row' });
  if (rows.some((r) => r > 256)) throw inputError('network does not fit on the chip', { path: 'rowsPerSource' }, { value: { rowsPerArray: rows }, allowed: 'at most 256 synapse rows per array (2 × rows per source × sources of the layers in that array)' });
  return { circuits, rows };
}

export function dieFor(c: TrainConfig): DieProfile | null {
  if (c.dieSeed === null) return null;
  const counts: number[] = [];
  for (let l = 0; l + 1 < c.sizes.length; l++) counts.push(delayCount(c.delays, layerInputs(c, l), c.sizes[l + 1]));
  return circuitDieProfile(c.dieSeed, c.sizes, counts, c.model, c.mismatch, c.rowsPerSource);
}

export function initState(config: TrainConfig): TrainState {
  validateConfig(config);
  const rng = new Rng(hashWords(config.seed, 'init'));
  const net = initNetwork({
    sizes: config.sizes, nBias: config.nBias, model: config.model, encoding: config.encoding,
    delays: { kind: config.delays, shift: config.delayShift, scale: config.delayScale },
  }, config.init, config.thetaStd, rng);
  const adam = adamInit([...net.weights, ...net.delayTheta]);
  return { config, net, adam, epoch: 0, bumpValue: config.bumpValue, lastBumped: -2, history: [], wallSeconds: 0, best: null };
}

function lossOf(c: LossConfig, times: Float64Array, n: number, label: number, grad: Float64Array): number {
  return c.kind === 'cross-entropy'
    ? ttfsCrossEntropy(times, n, label, c.xi, c.alpha, c.beta, grad)
    : shiftInvariantMse(times, n, label, c.deltaT, grad);
}

/** Trial-noise stream of one pass over a data set (addressed: independent of history). */
function noiseFor(die: DieProfile | null, ...key: Array<number | string>): { rng: Rng } | null {
  return die ? { rng: new Rng(hashWords(die.seed, ...key)) } : null;
}

/** Accuracy of a network on a data set (die effects and trial noise included when `die`). */
export function evaluate(net: TtfsNetwork, die: DieProfile | null, data: YinYangDataset, noiseSeed = 0): { accuracy: number; loss: number } {
  const runner = new TtfsRunner(net, die);
  const noise = noiseFor(die, noiseSeed, 'eval', data.seed, data.size);
  const nOut = net.sizes[net.sizes.length - 1];
  const grad = new Float64Array(nOut);
  let correct = 0;
  let loss = 0;
  for (let s = 0; s < data.size; s++) {
    const out = runner.forward(data.samples, s * 4, noise);
    if (classify(out, nOut) === data.labels[s]) correct++;
    loss += ttfsCrossEntropy(out, nOut, data.labels[s], 0.2, 0, 1, grad);
  }
  return { accuracy: data.size ? correct / data.size : 0, loss: data.size ? loss / data.size : 0 };
}

/**
 * One epoch: shuffle (seeded by (seed, epoch)), mini-batches, forward (on the die if any),
 * exact backward, Adam, or weight bumping when too many spikes are missing (Fast & Deep:
 * only the earliest offending layer, only its neurons that missed a spike, value doubled on
 * consecutive bumps of the same layer).
 */
export function trainEpoch(state: TrainState, data: TrainData, runner: TtfsRunner): EpochRecord {
  const c = state.config;
  const net = state.net;
  const nLayers = net.weights.length;
  const nOut = c.sizes[c.sizes.length - 1];
  const epoch = state.epoch;
  const lr = c.lrStepEpochs > 0 ? c.lrGamma ** Math.floor(epoch / c.lrStepEpochs) : 1;
  const order = new Int32Array(data.train.size);
  for (let i = 0; i < order.length; i++) order[i] = i;
  const shuffle = new Rng(hashWords(c.seed, 'shuffle', epoch));
  for (let i = order.length - 1; i > 0; i--) {
    const j = shuffle.int(i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  const noise = noiseFor(runner.die, c.seed, 'train', epoch);
  const params = [...net.weights, ...net.delayTheta];
  const grads = [...runner.layers.map((L) => L.grads.weights), ...net.delayTheta.map((t) => new Float64Array(t.length))];
  const lrs = [...net.weights.map(() => c.lrWeights * lr), ...net.delayTheta.map(() => c.lrDelays * lr)];
  let lossSum = 0;
  let lossCount = 0;
  let correct = 0;
  let bumps = 0;
  for (let b0 = 0; b0 < order.length; b0 += c.batchSize) {
    const b1 = Math.min(order.length, b0 + c.batchSize);
    const bs = b1 - b0;
    runner.zeroGradients();
    runner.resetStats();
    let batchLoss = 0;
    for (let k = b0; k < b1; k++) {
      const s = order[k];
      const label = data.train.labels[s];
      const out = runner.forward(data.train.samples, s * 4, noise);
      if (classify(out, nOut) === label) correct++;
      const gOut = runner.outputGradient();
      batchLoss += lossOf(c.loss, out, nOut, label, gOut);
      // Batch-mean loss: the 1/B factor enters before the backward pass, so the per-neuron
      // clipping threshold means what it means in the reference code.
      for (let k = 0; k < nOut; k++) gOut[k] /= bs;
      runner.backward(c.maxDwNorm);
    }
    // Missing-spike check: the earliest layer whose missing fraction exceeds its limit.
    let bumped = -2;
    for (let l = 0; l < nLayers; l++) {
      const limit = c.maxMissing[Math.min(l, c.maxMissing.length - 1)];
      if (runner.missingTotal[l] / (bs * runner.layers[l].nOut) > limit) {
        bumped = l;
        break;
      }
    }
    if (bumped !== -2) {
      state.bumpValue = bumped === state.lastBumped ? state.bumpValue * 2 : c.bumpValue;
      const L = runner.layers[bumped];
      const w = net.weights[bumped];
      for (let j = 0; j < L.nOut; j++) {
        if (L.missing[j] === 0) continue;
        for (let i = 0; i < L.nIn; i++) w[j * L.nIn + i] += state.bumpValue;
      }
      bumps++;
    } else {
      for (let l = 0; l < nLayers; l++) {
        const gθ = grads[nLayers + l];
        runner.delayThetaGradient(l, gθ);
      }
      adamStep(state.adam, params, grads, lrs);
      lossSum += batchLoss;
      lossCount += bs;
    }
    state.lastBumped = bumped;
    if (runner.die) {
      // The chip holds weights only within ±rows·63/30: keep the trained (shadow) weights there.
      for (let l = 0; l < nLayers; l++) {
        const m = layerWeightMax(runner.die, l);
        const w = net.weights[l];
        for (let k = 0; k < w.length; k++) w[k] = w[k] > m ? m : w[k] < -m ? -m : w[k];
      }
    }
    runner.sync();
  }
  runner.resetStats();
  const val = evaluate(net, runner.die, data.validation, c.seed);
  const rec: EpochRecord = {
    epoch: epoch + 1,
    trainLoss: lossCount ? lossSum / lossCount : NaN,
    trainAccuracy: correct / order.length,
    validationAccuracy: val.accuracy,
    bumps,
    learningRate: c.lrWeights * lr,
  };
  state.history.push(rec);
  // Model selection on the validation split only (the test split is evaluated once, at the end).
  if (state.best === null || rec.validationAccuracy > state.best.validationAccuracy) {
    state.best = { epoch: rec.epoch, validationAccuracy: rec.validationAccuracy, weights: net.weights.map((w) => w.slice()), delayTheta: net.delayTheta.map((d) => d.slice()) };
  }
  state.epoch++;
  return rec;
}

export interface TrainResult {
  /** Parameters of the epoch with the best validation accuracy. */
  net: TtfsNetwork;
  config: TrainConfig;
  epochs: number;
  bestEpoch: number;
  /** Validation accuracy of the returned (best) network, and of the last epoch. */
  validationAccuracy: number;
  lastValidationAccuracy: number;
  testAccuracy: number;
  wallSeconds: number;
  history: EpochRecord[];
}

export interface TrainHooks {
  /** Called after every epoch (progress display, checkpoints). */
  onEpoch?: (rec: EpochRecord, state: TrainState) => void;
  /** Monotonic clock in seconds (injected so the library never reads a global clock itself). */
  now?: () => number;
}

/** Train from `state` (fresh or resumed) up to `config.epochs`, then test. */
export function runTraining(state: TrainState, data: TrainData, hooks: TrainHooks = {}): TrainResult {
  const c = state.config;
  const runner = new TtfsRunner(state.net, dieFor(c));
  const now = hooks.now ?? (() => performance.now() / 1000);
  let t0 = now();
  while (state.epoch < c.epochs) {
    const rec = trainEpoch(state, data, runner);
    const t1 = now();
    state.wallSeconds += t1 - t0;
    t0 = t1;
    hooks.onEpoch?.(rec, state);
  }
  // The returned network is the best-validation one; `state.net` keeps the last epoch's
  // parameters so that a resumed run continues from where it stopped.
  const best = state.best;
  const net: TtfsNetwork = best ? { ...state.net, weights: best.weights.map((w) => w.slice()), delayTheta: best.delayTheta.map((d) => d.slice()) } : state.net;
  const test = evaluate(net, runner.die, data.test, c.seed);
  return {
    net, config: c, epochs: state.epoch,
    bestEpoch: best ? best.epoch : 0,
    validationAccuracy: best ? best.validationAccuracy : evaluate(net, runner.die, data.validation, c.seed).accuracy,
    lastValidationAccuracy: state.history.length ? state.history[state.history.length - 1].validationAccuracy : NaN,
    testAccuracy: test.accuracy,
    wallSeconds: state.wallSeconds + (now() - t0),
    history: state.history,
  };
}

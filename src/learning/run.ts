/**
 * Entry points used by the CLI: a training run with checkpoints and resume, and the evaluation
 * of a saved model, ideal or on a die.
 */
import { existsSync } from 'node:fs';
import { inputError } from '../util/errors.ts';
import { loadCheckpoint, loadModel, saveCheckpoint, saveModel } from './model.ts';
import { defaultTrainConfig, dieFor, evaluate, initState, loadYinYang, runTraining, type EpochRecord, type TrainMethod, type TrainResult, type TrainState } from './train.ts';
import type { DelayKind } from './network.ts';
import { DEFAULT_DIE_MISMATCH } from './die.ts';
import { circuitDieProfile } from './chip-die.ts';
import { delayCount, layerInputs } from './network.ts';
import { yinYangSplit, type YinYangSplit } from './yinyang.ts';

export interface TrainRunOptions {
  method: TrainMethod;
  delays: DelayKind;
  dieSeed: number | null;
  epochs: number;
  seed: number;
  /** Hidden layer size (default: 120 for ttfs, 30 for delgrad). */
  hidden?: number;
  /** Train on the first N samples of the train split. */
  trainSize?: number;
  /** Synapse rows per source and sign, per layer, on the die. */
  rowsPerSource?: number[];
  /** Model output file (written atomically at the end). */
  output?: string;
  /** Checkpoint file, written atomically after every epoch. */
  checkpoint?: string;
  /** Continue from `checkpoint` if it exists (otherwise start fresh). */
  resume?: boolean;
  onEpoch?: (rec: EpochRecord, state: TrainState) => void;
}

export interface TrainRunResult extends TrainResult {
  resumedFromEpoch: number;
}

export function trainYinYang(o: TrainRunOptions): TrainRunResult {
  const overrides: Parameters<typeof defaultTrainConfig>[2] = { epochs: o.epochs, seed: o.seed, dieSeed: o.dieSeed };
  if (o.trainSize !== undefined) overrides.trainSize = o.trainSize;
  if (o.rowsPerSource !== undefined) overrides.rowsPerSource = o.rowsPerSource;
  let config = defaultTrainConfig(o.method, o.delays, overrides);
  if (o.hidden !== undefined) config = { ...config, sizes: [config.sizes[0], o.hidden, config.sizes[2]] };
  let state: TrainState;
  let resumedFromEpoch = 0;
  if (o.resume && !o.checkpoint) throw inputError('--resume needs a checkpoint file (--checkpoint, or -o to use <output>.ckpt.json)', { path: '--resume' });
  // With --resume and no checkpoint yet, the run starts fresh: the same command line can be
  // repeated after an interruption.
  if (o.resume && o.checkpoint && existsSync(o.checkpoint)) {
    state = loadCheckpoint(o.checkpoint);
    const c = state.config;
    const mismatch = ['method', 'delays', 'dieSeed', 'seed', 'trainSize', 'rowsPerSource'].filter((k) => JSON.stringify(c[k as keyof typeof c]) !== JSON.stringify(config[k as keyof typeof config]));
    if (c.sizes.join() !== config.sizes.join()) mismatch.push('hidden');
    if (mismatch.length) throw inputError('checkpoint was written with different settings', { file: o.checkpoint, path: mismatch.join(', ') }, { value: mismatch.map((k) => `${k}=${JSON.stringify(c[k as keyof typeof c] ?? c.sizes)}`), allowed: 'the same settings as the run that wrote it (only --epochs may change)' });
    state.config = { ...c, epochs: o.epochs };
    resumedFromEpoch = state.epoch;
  } else {
    state = initState(config);
  }
  const data = loadYinYang(state.config);
  const result = runTraining(state, data, {
    onEpoch: (rec, s) => {
      if (o.checkpoint) saveCheckpoint(o.checkpoint, s);
      o.onEpoch?.(rec, s);
    },
  });
  if (o.output) {
    saveModel(o.output, result.net, result.config, {
      testAccuracy: result.testAccuracy, validationAccuracy: result.validationAccuracy, bestEpoch: result.bestEpoch,
      lastValidationAccuracy: result.lastValidationAccuracy, epochs: result.epochs, wallSeconds: result.wallSeconds,
    });
  }
  return { ...result, resumedFromEpoch };
}

export interface EvalOptions {
  /** Die seed, or null for the ideal model. */
  dieSeed: number | null;
  /** Rows per source for a model trained without a die (default: one row, ±63/30). */
  rowsPerSource?: number[];
  split: YinYangSplit;
  /** Seed of the trial-to-trial noise on the die. */
  noiseSeed: number;
}

export interface EvalResult {
  accuracy: number;
  loss: number;
  split: YinYangSplit;
  samples: number;
  die: number | 'ideal';
  method: string;
  delays: DelayKind;
}

export function evaluateModelFile(file: string, o: EvalOptions): EvalResult {
  const { net, config } = loadModel(file);
  let die = null;
  if (o.dieSeed !== null) {
    const counts: number[] = [];
    for (let l = 0; l + 1 < net.sizes.length; l++) counts.push(delayCount(net.delays.kind, layerInputs(net, l), net.sizes[l + 1]));
    // A die-trained model keeps the rows per source it was trained with; for a model trained
    // without a die the rows are a deployment choice (its config's value was never applied):
    // `rowsPerSource`, default one per layer.
    const rows = config && config.dieSeed !== null ? config.rowsPerSource : o.rowsPerSource ?? net.sizes.slice(1).map(() => 1);
    die = config && config.dieSeed === o.dieSeed ? dieFor(config) : circuitDieProfile(o.dieSeed, net.sizes, counts, net.model, config?.mismatch ?? DEFAULT_DIE_MISMATCH, rows);
  }
  const data = yinYangSplit(o.split);
  const r = evaluate(net, die, data, o.noiseSeed);
  return { accuracy: r.accuracy, loss: r.loss, split: o.split, samples: data.size, die: o.dieSeed ?? 'ideal', method: config?.method ?? 'unknown', delays: net.delays.kind };
}

/**
 * Trained models and checkpoints as JSON. Numbers are written with JavaScript's shortest
 * round-trip form, so a reloaded network is bit-identical. A checkpoint is a model plus the
 * optimiser state, the epoch and the weight-bumping state: enough to resume exactly.
 */
import { readFileSync } from 'node:fs';
import { inputError } from '../util/errors.ts';
import { writeFileAtomic } from '../util/fs.ts';
import type { TtfsNetwork } from './network.ts';
import { DELAY_KINDS } from './network.ts';
import type { EpochRecord, TrainConfig, TrainState } from './train.ts';

export const MODEL_FORMAT = 'plateau-ttfs-model';
export const CHECKPOINT_FORMAT = 'plateau-ttfs-checkpoint';

export interface ModelResults {
  testAccuracy: number;
  validationAccuracy: number;
  bestEpoch: number;
  lastValidationAccuracy: number;
  epochs: number;
  wallSeconds: number;
}

interface NetworkJson {
  sizes: number[];
  nBias: number;
  model: TtfsNetwork['model'];
  encoding: TtfsNetwork['encoding'];
  delays: TtfsNetwork['delays'];
  weights: number[][];
  delayTheta: number[][];
}

function networkToJson(net: TtfsNetwork): NetworkJson {
  return {
    sizes: net.sizes, nBias: net.nBias, model: net.model, encoding: net.encoding, delays: net.delays,
    weights: net.weights.map((w) => Array.from(w)), delayTheta: net.delayTheta.map((d) => Array.from(d)),
  };
}

function isNumArray(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x));
}

function networkFromJson(v: unknown, file: string): TtfsNetwork {
  const bad = (path: string, value: unknown, allowed: string): never => {
    throw inputError('invalid model file', { file, path }, { value, allowed });
  };
  if (typeof v !== 'object' || v === null) return bad('network', v, 'an object');
  const n = v as Partial<NetworkJson>;
  if (!isNumArray(n.sizes) || n.sizes.length < 2) return bad('network.sizes', n.sizes, 'array of ≥ 2 positive integers');
  if (n.nBias !== 0 && n.nBias !== 1) return bad('network.nBias', n.nBias, '0 or 1');
  const m = n.model;
  if (!m || ![m.tauMem, m.tauSyn, m.capacitance, m.threshold].every((x) => typeof x === 'number' && x > 0)) return bad('network.model', m, '{tauMem, tauSyn, capacitance, threshold} all > 0');
  const e = n.encoding;
  if (!e || ![e.early, e.late, e.biasTime].every((x) => typeof x === 'number' && Number.isFinite(x))) return bad('network.encoding', e, '{early, late, biasTime} numbers');
  const d = n.delays;
  if (!d || !DELAY_KINDS.includes(d.kind) || typeof d.shift !== 'number' || typeof d.scale !== 'number') return bad('network.delays', d, `{kind: ${DELAY_KINDS.join('|')}, shift, scale}`);
  const layers = n.sizes.length - 1;
  if (!Array.isArray(n.weights) || n.weights.length !== layers) return bad('network.weights', '(array)', `${layers} layers`);
  if (!Array.isArray(n.delayTheta) || n.delayTheta.length !== layers) return bad('network.delayTheta', '(array)', `${layers} layers`);
  for (let l = 0; l < layers; l++) {
    const nIn = n.sizes[l] + n.nBias;
    const nOut = n.sizes[l + 1];
    if (!isNumArray(n.weights[l]) || n.weights[l].length !== nIn * nOut) return bad(`network.weights[${l}]`, n.weights[l]?.length, `${nIn * nOut} finite numbers`);
    const nd = d.kind === 'none' ? 0 : d.kind === 'axonal' ? nIn : d.kind === 'dendritic' ? nOut : nIn * nOut;
    if (!isNumArray(n.delayTheta[l]) || n.delayTheta[l].length !== nd) return bad(`network.delayTheta[${l}]`, n.delayTheta[l]?.length, `${nd} finite numbers`);
  }
  return {
    sizes: n.sizes, nBias: n.nBias, model: m, encoding: e, delays: d,
    weights: n.weights.map((w) => Float64Array.from(w)), delayTheta: n.delayTheta.map((t) => Float64Array.from(t)),
  };
}

function readJson(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw inputError('cannot read file', { file }, { value: (err as Error).message });
  }
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch (err) {
    throw inputError('not a JSON object', { file }, { value: (err as Error).message });
  }
}

export function modelToJson(net: TtfsNetwork, config: TrainConfig, results: ModelResults): string {
  return JSON.stringify({ format: MODEL_FORMAT, version: 1, config, results, network: networkToJson(net) }, null, 1) + '\n';
}

export function saveModel(file: string, net: TtfsNetwork, config: TrainConfig, results: ModelResults): void {
  writeFileAtomic(file, modelToJson(net, config, results));
}

export function loadModel(file: string): { net: TtfsNetwork; config: TrainConfig | null; results: ModelResults | null } {
  const v = readJson(file);
  if (v.format !== MODEL_FORMAT && v.format !== CHECKPOINT_FORMAT) throw inputError('not a plateau model file', { file, path: 'format' }, { value: v.format, allowed: `'${MODEL_FORMAT}' or '${CHECKPOINT_FORMAT}'` });
  return { net: networkFromJson(v.network, file), config: (v.config as TrainConfig) ?? null, results: (v.results as ModelResults) ?? null };
}

export function saveCheckpoint(file: string, s: TrainState): void {
  const json = {
    format: CHECKPOINT_FORMAT, version: 1, config: s.config, epoch: s.epoch, bumpValue: s.bumpValue,
    lastBumped: s.lastBumped, wallSeconds: s.wallSeconds, history: s.history,
    best: s.best ? { epoch: s.best.epoch, validationAccuracy: s.best.validationAccuracy, weights: s.best.weights.map((w) => Array.from(w)), delayTheta: s.best.delayTheta.map((d) => Array.from(d)) } : null,
    adam: { step: s.adam.step, m: s.adam.m.map((a) => Array.from(a)), v: s.adam.v.map((a) => Array.from(a)) },
    network: networkToJson(s.net),
  };
  writeFileAtomic(file, JSON.stringify(json) + '\n');
}

function bestFromJson(v: unknown, net: TtfsNetwork, file: string): TrainState['best'] {
  if (v === null || v === undefined) return null;
  const b = v as { epoch: number; validationAccuracy: number; weights: number[][]; delayTheta: number[][] };
  const shapeOk = Array.isArray(b.weights) && Array.isArray(b.delayTheta)
    && b.weights.length === net.weights.length && b.weights.every((w, l) => isNumArray(w) && w.length === net.weights[l].length)
    && b.delayTheta.length === net.delayTheta.length && b.delayTheta.every((d, l) => isNumArray(d) && d.length === net.delayTheta[l].length);
  if (!shapeOk || typeof b.epoch !== 'number' || typeof b.validationAccuracy !== 'number') throw inputError('invalid checkpoint', { file, path: 'best' }, { allowed: 'parameters shaped like the network' });
  return { epoch: b.epoch, validationAccuracy: b.validationAccuracy, weights: b.weights.map((w) => Float64Array.from(w)), delayTheta: b.delayTheta.map((d) => Float64Array.from(d)) };
}

export function loadCheckpoint(file: string): TrainState {
  const v = readJson(file);
  if (v.format !== CHECKPOINT_FORMAT) throw inputError('not a plateau checkpoint', { file, path: 'format' }, { value: v.format, allowed: `'${CHECKPOINT_FORMAT}'` });
  const net = networkFromJson(v.network, file);
  const adam = v.adam as { step: number; m: number[][]; v: number[][] } | undefined;
  const groups = net.weights.length + net.delayTheta.length;
  if (!adam || !Number.isInteger(adam.step) || !Array.isArray(adam.m) || adam.m.length !== groups || !Array.isArray(adam.v) || adam.v.length !== groups) {
    throw inputError('invalid checkpoint', { file, path: 'adam' }, { allowed: `{step, m, v} with ${groups} groups` });
  }
  return {
    config: v.config as TrainConfig,
    net,
    adam: { step: adam.step, m: adam.m.map((a) => Float64Array.from(a)), v: adam.v.map((a) => Float64Array.from(a)) },
    epoch: v.epoch as number,
    bumpValue: v.bumpValue as number,
    lastBumped: v.lastBumped as number,
    history: v.history as EpochRecord[],
    wallSeconds: v.wallSeconds as number,
    best: bestFromJson(v.best, net, file),
  };
}

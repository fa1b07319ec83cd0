/**
 * The Yin-Yang data set (Kriener, Göltz, Petrovici 2022; `lkriener/yin_yang_data_set`,
 * `dataset.py`), reproduced bit for bit: NumPy legacy MT19937 seeded with `init_genrand(seed)`,
 * then for every sample `goal = randint(3)` and rejection sampling of (x, y) = rand(2)·2·r_big
 * (x drawn before y) until the point lies in the big disc and its class equals the goal.
 * Samples are (x, y, 1 − x, 1 − y); labels 0 = yin, 1 = yang, 2 = dot.
 */
import { MT19937 } from '../util/mt19937.ts';
import { inputError } from '../util/errors.ts';

export const YINYANG_CLASSES = ['yin', 'yang', 'dot'] as const;
export const YINYANG_FEATURES = 4;

/** The published splits: sizes and seeds (README: the three seeds must differ). */
export const YINYANG_SPLITS = {
  train: { size: 5000, seed: 42 },
  validation: { size: 1000, seed: 41 },
  test: { size: 1000, seed: 40 },
} as const;
export type YinYangSplit = keyof typeof YINYANG_SPLITS;

export interface YinYangDataset {
  /** Row-major (size × 4): x, y, 1 − x, 1 − y. */
  samples: Float64Array;
  /** 0 yin, 1 yang, 2 dot. */
  labels: Int32Array;
  size: number;
  seed: number;
  rSmall: number;
  rBig: number;
}

export interface YinYangOptions {
  seed: number;
  size: number;
  rSmall?: number;
  rBig?: number;
}

function dist(x1: number, y1: number, x2: number, y2: number): number {
  return Math.sqrt((x1 - x2) ** 2 + (y1 - y2) ** 2);
}

/**
 * `YinYangDataset.which_class`, same comparisons in the same order. Note the reference returns
 * `int(is_yin)`, so the points its criteria call "yin" carry label 1 (class name 'yang' in its
 * class list); plateau keeps the published labels, not the names.
 */
export function yinYangClass(x: number, y: number, rSmall = 0.1, rBig = 0.5): number {
  const dRight = dist(x, y, 1.5 * rBig, rBig);
  const dLeft = dist(x, y, 0.5 * rBig, rBig);
  const criterion1 = dRight <= rSmall;
  const criterion2 = dLeft > rSmall && dLeft <= 0.5 * rBig;
  const criterion3 = y > rBig && dRight > 0.5 * rBig;
  const isYin = criterion1 || criterion2 || criterion3;
  const isCircles = dRight < rSmall || dLeft < rSmall;
  if (isCircles) return 2;
  // The reference returns int(is_yin): the region its code calls "yin" gets label 1.
  return isYin ? 1 : 0;
}

/** Generate `size` samples with NumPy's draw order (see module comment). */
export function generateYinYang(opts: YinYangOptions): YinYangDataset {
  const { seed, size } = opts;
  const rSmall = opts.rSmall ?? 0.1;
  const rBig = opts.rBig ?? 0.5;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw inputError('Yin-Yang seed out of range', { path: 'seed' }, { value: seed, allowed: 'integer 0..4294967295 (NumPy RandomState int seed)' });
  }
  if (!Number.isInteger(size) || size < 0 || size > 1e8) {
    throw inputError('Yin-Yang size out of range', { path: 'size' }, { value: size, allowed: 'integer 0..100000000' });
  }
  if (!(rSmall > 0 && rBig > 0 && rSmall < rBig)) {
    throw inputError('Yin-Yang radii invalid', { path: 'rSmall/rBig' }, { value: [rSmall, rBig], allowed: '0 < rSmall < rBig' });
  }
  const rng = new MT19937(seed);
  const samples = new Float64Array(size * 4);
  const labels = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    const goal = rng.randint(3);
    let x = 0;
    let y = 0;
    let c = -1;
    for (;;) {
      // rng.rand(2) * 2 * r_big: evaluated left to right in NumPy, (rand·2)·r_big.
      x = rng.randomSample() * 2 * rBig;
      y = rng.randomSample() * 2 * rBig;
      if (Math.sqrt((x - rBig) ** 2 + (y - rBig) ** 2) > rBig) continue;
      c = yinYangClass(x, y, rSmall, rBig);
      if (c === goal) break;
    }
    samples[i * 4] = x;
    samples[i * 4 + 1] = y;
    samples[i * 4 + 2] = 1 - x;
    samples[i * 4 + 3] = 1 - y;
    labels[i] = c;
  }
  return { samples, labels, size, seed, rSmall, rBig };
}

/** One of the published splits (train 5000 / seed 42, validation 1000 / 41, test 1000 / 40). */
export function yinYangSplit(split: YinYangSplit, size?: number): YinYangDataset {
  const s = YINYANG_SPLITS[split];
  return generateYinYang({ seed: s.seed, size: size ?? s.size });
}

/** CSV `x,y,1-x,1-y,label`, numbers in shortest round-trip form (JS `String`). */
export function yinYangToCsv(ds: YinYangDataset): string {
  const lines: string[] = ['x,y,1-x,1-y,label'];
  for (let i = 0; i < ds.size; i++) {
    const o = i * 4;
    lines.push(`${ds.samples[o]},${ds.samples[o + 1]},${ds.samples[o + 2]},${ds.samples[o + 3]},${ds.labels[i]}`);
  }
  return lines.join('\n') + '\n';
}

/** JSON form: `{seed, size, classes, samples: [[x,y,1-x,1-y],...], labels: [...]}`. */
export function yinYangToJson(ds: YinYangDataset): string {
  const rows: number[][] = [];
  for (let i = 0; i < ds.size; i++) rows.push(Array.from(ds.samples.subarray(i * 4, i * 4 + 4)));
  return JSON.stringify({ seed: ds.seed, size: ds.size, classes: YINYANG_CLASSES, samples: rows, labels: Array.from(ds.labels) });
}

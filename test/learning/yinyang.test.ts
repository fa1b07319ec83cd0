import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { generateYinYang, yinYangSplit, yinYangToCsv, YINYANG_SPLITS, type YinYangSplit } from '../../src/learning/yinyang.ts';
import { MT19937 } from '../../src/util/mt19937.ts';

interface SplitFixture {
  size: number;
  samplesSha256: string;
  labelsInt32Sha256: string;
  classCounts: number[];
  firstSamples: Record<string, { sample: number[]; label: number }>;
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/yinyang/published.json', import.meta.url), 'utf8')) as {
  splits: Record<YinYangSplit, SplitFixture>;
};

function sha256(a: Float64Array | Int32Array): string {
  return createHash('sha256').update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest('hex');
}

describe('MT19937 with NumPy legacy conventions', () => {
  it('matches the reference MT19937 output and NumPy RandomState(42) draws', () => {
    // Reference values: mt19937ar.c with init_genrand(5489) starts 3499211612, 581869302;
    // NumPy 2.4: RandomState(42).random_sample() = 0.3745401188473625, then randint(3) → 0, 2,
    // randint(1000) → 106 (exact integers / doubles, so the comparison is exact).
    const a = new MT19937(5489);
    expect([a.nextU32(), a.nextU32()]).toEqual([3499211612, 581869302]);
    const b = new MT19937(42);
    expect(b.randomSample()).toBe(0.3745401188473625);
    expect([b.randint(3), b.randint(3), b.randint(1000)]).toEqual([0, 2, 106]);
  });
});

describe('Yin-Yang generator', () => {
  for (const split of Object.keys(YINYANG_SPLITS) as YinYangSplit[]) {
    it(`is bit-exact with the published ${split} split`, () => {
      const f = fixture.splits[split];
      const ds = yinYangSplit(split);
      expect(ds.size).toBe(f.size);
      // Bit exactness: the SHA-256 of all float64 values must match the published .npy bytes.
      expect(sha256(ds.samples)).toBe(f.samplesSha256);
      expect(sha256(ds.labels)).toBe(f.labelsInt32Sha256);
      const counts = [0, 0, 0];
      for (const l of ds.labels) counts[l]++;
      expect(counts).toEqual(f.classCounts);
      for (const [i, s] of Object.entries(f.firstSamples)) {
        const k = Number(i);
        expect(Array.from(ds.samples.subarray(k * 4, k * 4 + 4))).toEqual(s.sample);
        expect(ds.labels[k]).toBe(s.label);
      }
    });
  }

  it('is a prefix-stable stream: the first n samples do not depend on the size asked for', () => {
    const small = generateYinYang({ seed: 7, size: 10 });
    const big = generateYinYang({ seed: 7, size: 50 });
    expect(Array.from(big.samples.subarray(0, 40))).toEqual(Array.from(small.samples));
  });

  it('writes CSV that reads back to the same doubles', () => {
    const ds = generateYinYang({ seed: 3, size: 20 });
    const rows = yinYangToCsv(ds).trim().split('\n').slice(1);
    rows.forEach((r, i) => {
      const v = r.split(',').map(Number);
      expect(v.slice(0, 4)).toEqual(Array.from(ds.samples.subarray(i * 4, i * 4 + 4)));
      expect(v[4]).toBe(ds.labels[i]);
    });
  });

  it('rejects a bad seed with a typed input error', () => {
    expect(() => generateYinYang({ seed: -1, size: 3 })).toThrow(/seed/);
    expect(() => generateYinYang({ seed: 1, size: 1.5 })).toThrow(/size/);
  });
});

/**
 * The engine draws the background sources' trains ahead in blocks with its own copy of the
 * xoshiro128** generator (typed-array state). It must give exactly the numbers of the reference
 * path, one event at a time through `Rng` (`nextBackgroundEvent`, `advanceBackground`): the same
 * entry times and labels bit for bit, for Poisson and regular sources, with and without random
 * label bits, across several blocks. The Poisson train's mean interval is also checked against
 * 1/rate (law of large numbers: 3000 draws, relative standard error 1.8 %, bound 4 SE).
 */
import { describe, expect, it } from 'vitest';
import { defaultChipConfig } from '../../src/chip/chip.ts';
import { advanceBackground, backgroundBlocks, backgroundSources, nextBackgroundEvent, refillBackground } from '../../src/emulator/engine.ts';

describe('background event stream', () => {
  it('equals the one-event-at-a-time reference bit for bit', () => {
    const chip = defaultChipConfig();
    chip.background[0] = { enable: true, mode: 'poisson', rate_hz: 12.5e6, label: 0x155, label_random_mask: 0x7ff, seed: 100 };
    chip.background[3] = { enable: true, mode: 'poisson', rate_hz: 1e5, label: 0x2a5, label_random_mask: 0, seed: 7 };
    chip.background[5] = { enable: true, mode: 'regular', rate_hz: 3e6, label: 0x3ff, label_random_mask: 0x03f, seed: 9 };
    chip.background[7] = { enable: true, mode: 'regular', rate_hz: 7e5, label: 0x123, label_random_mask: 0, seed: 1 };
    const ref = backgroundSources(chip);
    const bb = backgroundBlocks(chip);
    expect(bb.sources.length).toBe(4);
    for (let k = 0; k < ref.length; k++) {
      const times: number[] = [];
      const labels: number[] = [];
      for (let j = 0; j < 3000; j++) {
        labels.push(nextBackgroundEvent(ref[k]));
        times.push(ref[k].next);
        advanceBackground(ref[k]);
      }
      const gotT: number[] = [];
      const gotL: number[] = [];
      while (gotT.length < 3000) {
        refillBackground(bb, k);
        const base = k * 256;
        for (let j = 0; j < 256 && gotT.length < 3000; j++) { gotT.push(bb.time[base + j]); gotL.push(bb.label[base + j]); }
      }
      expect(gotT).toEqual(times);
      expect(gotL).toEqual(labels);
      if (bb.poisson[k] === 1) {
        const mean = times[2999] / 3000; // the first entry is an exponential draw too: 3000 draws
        expect(Math.abs(mean * bb.rate[k] - 1)).toBeLessThan(4 / Math.sqrt(3000));
      }
    }
  });
});

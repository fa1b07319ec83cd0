/**
 * Seeded randomness. Every random draw in plateau comes from here, from an explicit seed.
 *
 * - `Rng`: a sequential generator (xoshiro128**, Blackman & Vigna 2018) for streams of draws.
 * - `hashUniform` / `hashNormal`: counter-based draws addressed by a key (seed, coordinates...),
 *   so that one value (for example one transistor's mismatch) is found without drawing the
 *   whole die. The hash is a 32-bit avalanche mix (splitmix-style, murmur3 finaliser) over the
 *   key words.
 */

/** 32-bit avalanche mix (murmur3 finaliser). */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash a list of integers or strings into a 32-bit word. */
export function hashWords(...key: Array<number | string>): number {
  let h = 0x9e3779b9;
  for (const part of key) {
    if (typeof part === 'number') {
      // Split into two 32-bit halves so that seeds up to 2^53 are distinct.
      const lo = part >>> 0;
      const hi = Math.floor(part / 4294967296) >>> 0;
      h = fmix32(h ^ lo) + 0x632be5ab;
      h = fmix32(h ^ hi) + 0x632be5ab;
    } else {
      for (let i = 0; i < part.length; i++) h = fmix32(h ^ part.charCodeAt(i)) + 0x1b873593;
      h = fmix32(h ^ part.length);
    }
  }
  return fmix32(h);
}

/** A uniform double in (0, 1) addressed by key. */
export function hashUniform(...key: Array<number | string>): number {
  const a = hashWords(...key, 1);
  const b = hashWords(...key, 2);
  // 53 random bits, offset by half an ulp so that 0 is never returned.
  return ((a >>> 5) * 67108864 + (b >>> 6) + 0.5) / 9007199254740992;
}

/** A standard normal draw addressed by key (Box–Muller on two addressed uniforms). */
export function hashNormal(...key: Array<number | string>): number {
  const u1 = hashUniform(...key, 'n1');
  const u2 = hashUniform(...key, 'n2');
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** xoshiro128** sequential generator, seeded through splitmix32 from one integer seed. */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | null = null;

  constructor(seed: number | string) {
    let x = typeof seed === 'number' ? hashWords(seed) : hashWords(seed);
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      return fmix32(x);
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Next 32-bit unsigned integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const a = this.nextU32() >>> 5;
    const b = this.nextU32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Standard normal (Marsaglia polar method). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u: number, v: number, s: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * f;
    return u * f;
  }

  /** Exponential with the given rate (mean 1/rate). */
  exponential(rate: number): number {
    return -Math.log(1 - this.uniform()) / rate;
  }

  /** Integer uniform in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** A derived, independent generator for a named sub-stream. */
  fork(name: string | number): Rng {
    return new Rng(hashWords(this.nextU32(), name));
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

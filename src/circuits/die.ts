/**
 * The virtual die: one seed fixes every device's mismatch. A draw is addressed by
 * (seed, circuit enum, block, transistor) through `addressedNormal` (hashWords of
 * util/random.ts), so one transistor's offset is
 * found without drawing the whole die, and the SPICE deck and the behavioural transfer
 * functions read the same numbers. `'ideal'` means no mismatch at all.
 *
 * Magnitudes (plateau's choices, docs/circuits.md "The die"):
 *   transistor threshold: σ(ΔV_th) = A_VT / √(W·L) (technology.ts A_VT);
 *   capmem voltage cell: offset σ 3 mV, gain σ 1 %;
 *   capmem current cell: offset σ 0.3 LSB, gain σ 2 %.
 */
import { hashWords, fmix32 } from '../util/random.ts';
import { inputError } from '../util/errors.ts';
import { pelgromSigma, type TransistorSpec } from './technology.ts';
import { NEURON_CAPMEM_CELLS, QUADRANT_CAPMEM_CELLS } from '../chip/capmem.ts';

export type Die = { seed: number } | 'ideal';

export function checkDie(die: Die): void {
  if (die === 'ideal') return;
  if (typeof die !== 'object' || die === null || !Number.isSafeInteger(die.seed) || die.seed < 0) {
    throw inputError('die must be "ideal" or { seed: non-negative integer }', { path: 'die' }, { value: die, allowed: "'ideal' | { seed: 0..2^53-1 }" });
  }
}

/**
 * Stable numeric ids of the blocks of a neuron circuit: part of every draw's address (numbers
 * hash faster than strings). Never renumber: it would change every die.
 */
export const BLOCK_IDS: Readonly<Record<string, number>> = {
  leak_reset: 1, comparator: 2, comparator_inv: 3, synin_exc_res: 4, synin_exc_ota: 5,
  synin_inh_res: 6, synin_inh_ota: 7, adapt_tau: 8, adapt_a: 9, adapt_out: 10,
  icc_to_mem: 11, icc_to_line: 12, exponential: 13, synin_exc_coba: 14, synin_inh_coba: 15,
};

const DOMAIN_VTH = 1;
const DOMAIN_CAPMEM_OFFSET = 2;
const DOMAIN_CAPMEM_GAIN = 3;

/**
 * A standard normal addressed by (base, index): `base` = hashWords(seed, domain, owner) from
 * util/random.ts, `index` the draw inside that owner. Two avalanche-mixed 32-bit words give
 * two uniforms in (0, 1), Box–Muller gives the normal. This is `hashNormal`'s construction with
 * the common key prefix hashed once (a whole chip is derived in a few ms instead of ~100 ms).
 */
export function addressedNormal(base: number, index: number): number {
  const h1 = fmix32((base ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0);
  const h2 = fmix32((h1 ^ 0x632be5ab) + index);
  const u1 = (h1 + 0.5) / 4294967296;
  const u2 = (h2 + 0.5) / 4294967296;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

function blockId(block: string): number {
  const id = BLOCK_IDS[block];
  if (id === undefined) throw new Error(`internal: unknown block ${block}`);
  return id;
}

/**
 * ΔV_th of transistor number `index` of a block of one circuit, V. Address:
 * (seed, domain 1, circuit enum, block id · 256 + index).
 */
export function transistorOffset(die: Die, circuitEnum: number, block: string, t: TransistorSpec, index: number): number {
  if (die === 'ideal') return 0;
  return pelgromSigma(t) * addressedNormal(hashWords(die.seed, DOMAIN_VTH, circuitEnum), blockId(block) * 256 + index);
}

/** ΔV_th of every transistor of a block (in declaration order), by transistor name. */
export function blockOffsets(die: Die, circuitEnum: number, block: string, ts: readonly TransistorSpec[]): Record<string, number> {
  const out: Record<string, number> = {};
  if (die === 'ideal') {
    for (const t of ts) out[t.name] = 0;
    return out;
  }
  const base = hashWords(die.seed, DOMAIN_VTH, circuitEnum);
  const id = blockId(block) * 256;
  for (let k = 0; k < ts.length; k++) out[ts[k].name] = pelgromSigma(ts[k]) * addressedNormal(base, id + k);
  return out;
}

export const CAPMEM_VOLTAGE_OFFSET_SIGMA = 3e-3;
export const CAPMEM_VOLTAGE_GAIN_SIGMA = 0.01;
export const CAPMEM_CURRENT_OFFSET_SIGMA_LSB = 0.3;
export const CAPMEM_CURRENT_GAIN_SIGMA = 0.02;

export interface CellError {
  /** Additive offset (V for voltage cells, LSB for current cells). */
  offset: number;
  /** Multiplicative gain (1 = nominal). */
  gain: number;
}

const cellCache = { seed: NaN, owner: NaN, offset: 0, gain: 0 };

const CELL_INDEX = new Map<string, number>([
  ...NEURON_CAPMEM_CELLS.map((c) => [c.name, c.row] as [string, number]),
  ...QUADRANT_CAPMEM_CELLS.map((c, k) => [c.name, 100 + k] as [string, number]),
]);

/**
 * Error of one capmem cell: `owner` is the circuit enum for per-circuit cells, or
 * −1 − quadrant for quadrant-shared cells; `cell` the cell's hardware name. Address:
 * (seed, domain 2 or 3, owner, cell row (per circuit) or 100 + index (quadrant cells)).
 */
export function capmemCellError(die: Die, owner: number, cell: string, kind: 'voltage' | 'current'): CellError {
  if (die === 'ideal') return { offset: 0, gain: 1 };
  const idx = CELL_INDEX.get(cell);
  if (idx === undefined) throw new Error(`internal: unknown capmem cell ${cell}`);
  // The two key prefixes of the last owner are kept: a circuit's 24 cells share them.
  if (cellCache.seed !== die.seed || cellCache.owner !== owner) {
    cellCache.seed = die.seed;
    cellCache.owner = owner;
    cellCache.offset = hashWords(die.seed, DOMAIN_CAPMEM_OFFSET, owner);
    cellCache.gain = hashWords(die.seed, DOMAIN_CAPMEM_GAIN, owner);
  }
  const zo = addressedNormal(cellCache.offset, idx);
  const zg = addressedNormal(cellCache.gain, idx);
  return kind === 'voltage'
    ? { offset: CAPMEM_VOLTAGE_OFFSET_SIGMA * zo, gain: 1 + CAPMEM_VOLTAGE_GAIN_SIGMA * zg }
    : { offset: CAPMEM_CURRENT_OFFSET_SIGMA_LSB * zo, gain: 1 + CAPMEM_CURRENT_GAIN_SIGMA * zg };
}

/**
 * The characterisation table: what `plateau characterize` measures with ngspice on the
 * library's own subcircuits, as plain JSON. The ideal-die table is shipped
 * (spice/characterization/ideal.json) and the circuit library's transfer functions read their
 * fitted numbers from it (technology.ts OTA_FIT, blocks/exponential.ts EXP_FIT, ...), so the
 * behavioural model is derived from the transistor level instead of pasted by hand.
 *
 * This module imports nothing from the circuit library (technology.ts loads it at start-up).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { PlateauError } from '../util/errors.ts';

/** Bumped when the shape of the table changes (readers refuse other versions). */
export const TABLE_FORMAT_VERSION = 1;

/** The shipped ideal-die table. */
export const SHIPPED_TABLE_PATH: string = fileURLToPath(new URL('../../spice/characterization/ideal.json', import.meta.url));

/** The command that regenerates the shipped table (named in every staleness message). */
export const REGENERATE_COMMAND = 'npx plateau characterize --die ideal --out spice/characterization/ideal.json --jobs 2';

/** OTA (blocks/ota.ts) fits: the shape technology.ts has always exported as OTA_FIT. */
export interface OtaEntry {
  biasA: number[];
  vcmV: number[];
  /** gm / I_tail [bias][vcm], 1/V (follower: inn = out held, d I / d V_inp). */
  gmPerAmp: number[][];
  /** Output current at zero differential input [bias][vcm], A. */
  offsetCurrentA: number[][];
  /** −d ln I_tail / dΔV_t,mt per bias, 1/V. */
  tailSensitivity: number[];
  /** Input-referred offset per volt of ΔV_t,m4 per bias. */
  mirrorRatio: number[];
  /** Output conductance / I_tail per bias (inputs balanced at 0.6 V), 1/V. */
  outputConductancePerAmp: number[];
}

/** Pseudo-resistor of the synaptic input, in situ (blocks/synin.ts SYNRES_FIT). */
export interface SynresEntry {
  biasA: number[];
  /** k_r = g · U_T / ((S_r/S_rep) · I_tau). */
  k: number[];
  /** Line rest minus the reference, V. */
  offsetV: number[];
}

/**
 * Synaptic inputs at rest, in situ (blocks/synin-rest-fit.ts SYNIN_REST_CURRENT_A):
 * currentA[gm bias][tau bias][V_mem] onto the clamped membrane, A; lineOffsetV = v(line) − 0.6 V.
 */
export interface SyninRestEntry {
  vMemV: number[];
  gmBiasA: number[];
  tauBiasA: number[];
  exc: { currentA: number[][][]; lineOffsetV: number[][][] };
  inh: { currentA: number[][][]; lineOffsetV: number[][][] };
}

/** Exponential term (blocks/exponential.ts EXP_FIT). */
export interface ExponentialEntry {
  biasA: number[];
  delta: number[];
  floorA: number[];
}

/** Comparator + buffer trip offset (blocks/spike.ts COMPARATOR_FIT). */
export interface ComparatorEntry {
  biasA: number[];
  vthV: number[];
  tripOffsetV: number[][];
}

/**
 * Inter-compartment conductance (blocks/icc.ts): the back-to-back OTA pair between a held
 * membrane and a held shared line, per bias and operating voltage V_op (both nodes at V_op),
 * plus the large-signal chord at V_line − V_mem = ±dvChordV.
 */
export interface IccEntry {
  biasA: number[];
  vOpV: number[];
  /** ∂I_mem/∂V_line / I_b [bias][vop], 1/V: the coupling the membrane sees. */
  crossPerAmp: number[][];
  /** −∂I_mem/∂V_mem / I_b [bias][vop], 1/V: the membrane's own load (coupling + output conductance). */
  selfPerAmp: number[][];
  /** ∂I_line/∂V_mem / I_b and −∂I_line/∂V_line / I_b [bias][vop], 1/V. */
  lineCrossPerAmp: number[][];
  lineSelfPerAmp: number[][];
  /** I_mem and I_line at V_line = V_mem = V_op [bias][vop], A. */
  memCurrentA: number[][];
  lineCurrentA: number[][];
  /** Difference of the chord: (I_mem(+dv) − I_mem(−dv)) / (2 dv · crossPerAmp · I_b) [bias][vop]. */
  chordRatio: number[][];
  dvChordV: number;
}

/** Leak conductance vs code and range switch (in situ): what the leak law must reproduce. */
export interface LeakEntry {
  codes: number[];
  ranges: string[];
  vRefV: number;
  /** Bias after the range factor [range][code], A. */
  biasA: number[][];
  /** Measured −dI/dV_mem [range][code], S. */
  conductanceS: number[][];
}

/** Source-degenerated leak/reset OTA (blocks/leak-reset.ts LEAK_DEGEN_FIT), follower; grids [bias][vcm]. */
export interface LeakDegenEntry {
  rDOhm: number;
  /** Common modes of the follower (columns), V. */
  vcmV: number[];
  /** Biases (rows), A. */
  biasA: number[];
  /** Body factor k of g = gm/(1 + k·gm·R_D/2) [bias][vcm]. */
  k: number[][];
  /** Measured follower slope with R_D, and with the sources shorted, S [bias][vcm]. */
  gS: number[][];
  gShortS: number[][];
  /** Output current at zero differential input with R_D, A [bias][vcm]. */
  iSysA: number[][];
}

/** Per-die measurement of one OTA instance of one circuit (follower, nominal bias point). */
export interface DieOtaMeasure {
  circuit: number;
  block: string;
  biasA: number;
  vcmV: number;
  /** Measured input-referred offset of the follower: V_out − V_inp (sign: as otaBehaviour's vOs, negated). */
  followerOffsetV: number;
  /** Measured gm, S. */
  gm: number;
  /** The behavioural law's prediction of both, from the same die draws (with the OTA entry the library read during the run). */
  predicted: { followerOffsetV: number; gm: number };
}

export interface BlockEntries {
  ota?: OtaEntry;
  synres?: SynresEntry;
  'synin-rest'?: SyninRestEntry;
  exponential?: ExponentialEntry;
  comparator?: ComparatorEntry;
  icc?: IccEntry;
  leak?: LeakEntry;
  'leak-degen'?: LeakDegenEntry;
  /** Per-circuit OTA instances on a seeded die (`--die SEED --circuits ...`). */
  'die-ota'?: DieOtaMeasure[];
  /** Entries of blocks registered later (the registry's names). */
  [name: string]: unknown;
}

export interface CharacterizationTable {
  format: 'plateau-characterization';
  formatVersion: number;
  /** sha256 of spice/ptm65.lib (hex). */
  modelCardSha256: string;
  /** sha256 over the written text of every subcircuit the sweeps used (hex). */
  subcircuitsSha256: string;
  /** `ideal`, or a seed with the circuits whose per-circuit sweeps ran. */
  die: 'ideal' | { seed: number; circuits: number[] };
  /** First line of `ngspice --version` (or the WASM backend's). */
  ngspice: string;
  /** Blocks measured, in registry order. */
  blockNames: string[];
  blocks: BlockEntries;
  /** The command that produced the table. */
  command: string;
}

export class CharacterizationTableError extends PlateauError {
  constructor(message: string) {
    super(message, 1);
    this.name = 'CharacterizationTableError';
  }
}

export function sha256Hex(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Parse and check a table (format and version); the block entries are checked by their readers. */
export function parseTable(text: string, where: string): CharacterizationTable {
  let t: unknown;
  try {
    t = JSON.parse(text);
  } catch (e) {
    throw new CharacterizationTableError(`${where}: not JSON (${(e as Error).message}); regenerate it with: ${REGENERATE_COMMAND}`);
  }
  const o = t as Partial<CharacterizationTable>;
  if (o?.format !== 'plateau-characterization' || o.formatVersion !== TABLE_FORMAT_VERSION || typeof o.blocks !== 'object' || o.blocks === null) {
    throw new CharacterizationTableError(`${where}: not a plateau characterisation table of format version ${TABLE_FORMAT_VERSION}; regenerate it with: ${REGENERATE_COMMAND}`);
  }
  return o as CharacterizationTable;
}

let shipped: CharacterizationTable | undefined;

/** The shipped ideal-die table (read once). */
export function shippedTable(): CharacterizationTable {
  if (shipped === undefined) {
    let text: string;
    try {
      text = readFileSync(SHIPPED_TABLE_PATH, 'utf8');
    } catch (e) {
      throw new CharacterizationTableError(`cannot read the characterisation table ${SHIPPED_TABLE_PATH} (${(e as Error).message}); regenerate it with: ${REGENERATE_COMMAND}`);
    }
    shipped = parseTable(text, SHIPPED_TABLE_PATH);
  }
  return shipped;
}

/**
 * One block's entry of the shipped table, checked by `check` (which throws a
 * CharacterizationTableError for a malformed entry). A missing or malformed table does not
 * fail at import: the entry is then a stand-in that throws that error on first use, so that
 * the characterisation itself (which needs only the subcircuits) can still regenerate it.
 */
export function shippedEntry<K extends 'ota' | 'synres' | 'synin-rest' | 'exponential' | 'comparator' | 'icc' | 'leak-degen'>(name: K, check: (e: NonNullable<BlockEntries[K]>) => void = () => {}): NonNullable<BlockEntries[K]> {
  try {
    const e = shippedTable().blocks[name];
    if (e === undefined || e === null || typeof e !== 'object') throw new CharacterizationTableError(`the characterisation table ${SHIPPED_TABLE_PATH} has no "${name}" entry; regenerate it with: ${REGENERATE_COMMAND}`);
    const entry = e as NonNullable<BlockEntries[K]>;
    check(entry);
    return entry;
  } catch (err) {
    if (!(err instanceof CharacterizationTableError)) throw err;
    return new Proxy({}, { get: () => { throw err; } }) as NonNullable<BlockEntries[K]>;
  }
}

/** The error a block's check throws for a malformed entry. */
export function malformedEntry(name: string, what: string): CharacterizationTableError {
  return new CharacterizationTableError(`the "${name}" entry of ${SHIPPED_TABLE_PATH} does not match its ${what}; regenerate it with: ${REGENERATE_COMMAND}`);
}

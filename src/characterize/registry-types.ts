/** The shape of one registered characterisation (the registry itself is registry.ts). */
import type { Subcircuit } from '../netlist/model.ts';
import type { SpiceResult } from '../netlist/runner.ts';
import type { Die } from '../circuits/die.ts';
import type { SweepPoint } from './sweep.ts';

export interface CharacterizeContext {
  die: Die;
  /** Circuit enums of the per-circuit sweeps (`--circuits`); empty for library fits. */
  circuits: readonly number[];
}

/**
 * One block's characterisation: the SPICE sweeps it runs (decks built from the library's own
 * subcircuits), and how their results reduce to the table entry it produces.
 * `scope: 'library'` entries measure the design on the ideal die (the shipped fits);
 * `scope: 'die'` entries measure the given circuits of a seeded die with its delvto offsets.
 */
export interface Characterization<E = unknown> {
  name: string;
  description: string;
  scope: 'library' | 'die';
  /** Where the entry is read (the library's consumer), for the docs and the command's listing. */
  consumer: string;
  subcircuits(): Subcircuit[];
  sweeps(ctx: CharacterizeContext): SweepPoint[];
  /** `results` maps each sweep's key to its result. Throws CharacterizationError on a bad measurement. */
  reduce(results: ReadonlyMap<string, SpiceResult>, ctx: CharacterizeContext): E;
}

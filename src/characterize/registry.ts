/**
 * The registry of block characterisations, in the order the table lists them. Adding a block
 * is one import and one entry in CHARACTERIZATIONS (its name must be unique).
 */
import type { Characterization } from './registry-types.ts';
import { otaCharacterization } from './blocks/ota.ts';
import { synresCharacterization } from './blocks/synres.ts';
import { syninRestCharacterization } from './blocks/synin-rest.ts';
import { exponentialCharacterization } from './blocks/exponential.ts';
import { comparatorCharacterization } from './blocks/comparator.ts';
import { iccCharacterization } from './blocks/icc.ts';
import { leakCharacterization } from './blocks/leak.ts';
import { leakDegenCharacterization } from './blocks/leak-degen.ts';
import { dieOtaCharacterization } from './blocks/die-ota.ts';
import { inputError } from '../util/errors.ts';

export const CHARACTERIZATIONS: readonly Characterization[] = [
  otaCharacterization,
  synresCharacterization,
  syninRestCharacterization,
  exponentialCharacterization,
  comparatorCharacterization,
  iccCharacterization,
  leakCharacterization,
  leakDegenCharacterization,
  dieOtaCharacterization,
];

export function characterizationNames(): string[] {
  return CHARACTERIZATIONS.map((c) => c.name);
}

/** The named characterisations in registry order; an unknown name is an InputError listing the allowed ones. */
export function selectCharacterizations(names: readonly string[], where = '--blocks'): Characterization[] {
  const known = new Set(characterizationNames());
  const bad = names.filter((n) => !known.has(n));
  if (bad.length > 0) throw inputError(`unknown block ${bad.map((b) => JSON.stringify(b)).join(', ')}`, { path: where }, { value: bad.length === 1 ? bad[0] : bad, allowed: characterizationNames().join(', ') });
  const want = new Set(names);
  return CHARACTERIZATIONS.filter((c) => want.has(c.name));
}

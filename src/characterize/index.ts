/** Characterisation of the circuit library's blocks with ngspice (docs/circuits.md, "Characterisation"). */
export { characterize, writeTable, formatTable, ngspiceVersion, type CharacterizeOptions, type CharacterizeProgress } from './run.ts';
export { CHARACTERIZATIONS, characterizationNames, selectCharacterizations } from './registry.ts';
export type { Characterization, CharacterizeContext } from './registry-types.ts';
export { modelCardSha256, subcircuitsSha256 } from './hashes.ts';
export { CharacterizationError } from './errors.ts';
export { shippedTable, shippedEntry, parseTable, SHIPPED_TABLE_PATH, REGENERATE_COMMAND, TABLE_FORMAT_VERSION, type CharacterizationTable } from './table.ts';

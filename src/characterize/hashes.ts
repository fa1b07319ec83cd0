/**
 * What a characterisation table was measured on: the model card's sha256 and a hash over the
 * written text of the subcircuits the sweeps instantiate. An edited circuit or card changes
 * them, and the shipped table is then stale (test/characterize checks it).
 */
import { readFileSync } from 'node:fs';
import type { Subcircuit } from '../netlist/model.ts';
import { MODEL_CARD_PATH, writeNetlist } from '../netlist/writer.ts';
import { sha256Hex } from './table.ts';
import type { Characterization } from './registry-types.ts';

export function modelCardSha256(): string {
  return sha256Hex(readFileSync(MODEL_CARD_PATH));
}

/** The `.subckt ... .ends` text the writer produces for one subcircuit. */
export function subcircuitText(s: Subcircuit): string {
  const text = writeNetlist({ title: 'hash', includes: [], models: [], subcircuits: [s], elements: [], analysis: { kind: 'op' }, save: [] }, { control: false }).text;
  const lines = text.split('\n');
  const a = lines.findIndex((l) => l.toLowerCase().startsWith('.subckt'));
  const b = lines.findIndex((l) => l.toLowerCase().startsWith('.ends'));
  return lines.slice(a, b + 1).join('\n');
}

/** sha256 over the sorted, de-duplicated subcircuit texts of the given characterisations. */
export function subcircuitsSha256(chars: readonly Characterization[]): string {
  const texts = new Map<string, string>();
  for (const c of chars) for (const s of c.subcircuits()) texts.set(s.name, subcircuitText(s));
  const names = [...texts.keys()].sort();
  return sha256Hex(names.map((n) => texts.get(n)).join('\n'));
}

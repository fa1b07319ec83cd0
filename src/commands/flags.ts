/** Flags shared by several commands. */
import { Flags } from '@oclif/core';
import type { Die } from '../circuits/die.ts';
import { inputError } from '../util/errors.ts';

export const dieFlag = Flags.string({
  description: 'virtual die: a seed (non-negative integer) or "ideal" (no mismatch, no noise)',
  default: 'ideal',
  helpValue: 'SEED|ideal',
});

export function parseDie(value: string): Die {
  if (value === 'ideal') return 'ideal';
  if (/^\d+$/.test(value) && Number.isSafeInteger(Number(value))) return { seed: Number(value) };
  throw inputError('invalid --die', { path: '--die' }, { value, allowed: '"ideal" or a non-negative integer seed' });
}

export function dieName(die: Die): string {
  return die === 'ideal' ? 'ideal' : String(die.seed);
}

export const backendFlag = Flags.string({
  description: 'SPICE backend: the ngspice CLI, the bundled WASM ngspice, or auto (the CLI where installed)',
  options: ['auto', 'cli', 'wasm'],
  default: 'auto',
});

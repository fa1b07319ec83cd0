/** Verification of a file or a directory of experiment files (every *.yaml / *.yml, sorted). */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Die } from '../circuits/die.ts';
import { loadExperimentFile } from '../config/load.ts';
import { inputError } from '../util/errors.ts';
import { verifyExperiment, type VerifyOptions, type VerifyReport } from './verify.ts';

export interface VerifyRun {
  pass: boolean;
  die: Die;
  reports: Array<VerifyReport & { file: string }>;
}

export function experimentFiles(path: string): string[] {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw inputError(`no such file or directory: ${path}`, { file: path }, { value: path, allowed: 'an experiment file or a directory of them' });
  }
  if (!st.isDirectory()) return [path];
  const files = readdirSync(path).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(path, f));
  if (files.length === 0) throw inputError(`no experiment files (*.yaml) in ${path}`, { file: path }, { value: path, allowed: 'a directory holding *.yaml experiment files' });
  return files;
}

/** Every file is loaded (and validated) before anything runs, so bad input fails fast. */
export async function verifyPath(path: string, opts: VerifyOptions): Promise<VerifyRun> {
  const experiments = experimentFiles(path).map((file) => ({ file, exp: loadExperimentFile(file) }));
  const reports: VerifyRun['reports'] = [];
  for (const { file, exp } of experiments) reports.push({ file, ...(await verifyExperiment(exp, opts)) });
  return { pass: reports.every((r) => r.pass), die: opts.die, reports };
}

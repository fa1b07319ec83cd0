/**
 * Writing run results to a directory: spikes as JSON, traces as CSV (one file per trace,
 * `time_s,<quantity>`), a summary JSON. Every file is written atomically (temporary name, then
 * rename), so an interrupted run leaves no half-written file.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../util/fs.ts';

export interface TraceOut {
  id: string;
  times: ArrayLike<number>;
  values: ArrayLike<number>;
  /** Column header of the values, e.g. `v_V`. */
  quantity?: string;
  /** Suffix of the file name, e.g. `madc`. */
  tag?: string;
}

/** A file-name-safe version of a result id. */
export function safeName(id: string): string {
  return id.replace(/[^A-Za-z0-9_.-]+/g, '_');
}

export function traceCsv(t: TraceOut): string {
  const lines = [`time_s,${t.quantity ?? 'v_V'}`];
  for (let i = 0; i < t.times.length; i++) lines.push(`${t.times[i]},${t.values[i]}`);
  return lines.join('\n') + '\n';
}

/** Write spikes.json, one CSV per trace and summary.json; returns the paths written. */
export function writeRunOutput(dir: string, spikes: Record<string, number[]>, traces: TraceOut[], summary: Record<string, unknown>): string[] {
  const written: string[] = [];
  const put = (name: string, content: string) => {
    const p = join(dir, name);
    writeFileAtomic(p, content);
    written.push(p);
  };
  put('spikes.json', JSON.stringify(spikes, null, 2) + '\n');
  for (const t of traces) put(`trace-${safeName(t.id)}${t.tag ? `-${t.tag}` : ''}.csv`, traceCsv(t));
  put('summary.json', JSON.stringify(summary, null, 2) + '\n');
  return written;
}

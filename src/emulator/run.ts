/**
 * Emulate a chip-layer configuration file on a virtual die: load, derive the circuits' physical
 * parameters (circuit library), run the stepped engine, summarise. Used by `plateau emulate`.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { loadChipFile } from '../config/load.ts';
import { deriveCircuitParameters } from '../circuits/derive.ts';
import type { Die } from '../circuits/die.ts';
import { emulate } from './index.ts';
import type { EmulationOptions, EmulationResult } from './types.ts';

export interface EmulationSummary {
  file: string;
  die: string;
  simulatedSeconds: number;
  dt: number;
  steps: number;
  spikes: number;
  spikingCircuits: number;
  /** Circuits with spikes: enum, count, mean rate (hardware Hz). */
  rates: { circuit: number; count: number; rateHz: number }[];
  synapticEvents: number;
  crossbarEvents: number;
  wallSeconds: number;
  /** Wall time over emulated hardware time (the chip runs at 1). */
  slowdownVsChip: number;
}

export function summarizeEmulation(file: string, die: Die, dt: number, r: EmulationResult): EmulationSummary {
  const rates = r.spikeTrains
    .map((t, circuit) => ({ circuit, count: t.length, rateHz: t.length / r.simulatedSeconds }))
    .filter((x) => x.count > 0);
  return {
    file, die: die === 'ideal' ? 'ideal' : String(die.seed), simulatedSeconds: r.simulatedSeconds, dt, steps: r.steps,
    spikes: r.spikes.length, spikingCircuits: rates.length, rates, synapticEvents: r.synapticEvents, crossbarEvents: r.crossbarEvents,
    wallSeconds: r.wallSeconds, slowdownVsChip: r.wallSeconds / r.simulatedSeconds,
  };
}

/** Plain JSON form of a result (typed arrays as arrays). */
export function resultToJson(r: EmulationResult): unknown {
  return JSON.parse(JSON.stringify(r, (_k, v: unknown) => (ArrayBuffer.isView(v) && !(v instanceof DataView) ? Array.from(v as unknown as ArrayLike<number>) : v)));
}

export function emulateChipFile(file: string, die: Die, opts: EmulationOptions, outFile?: string): EmulationSummary {
  const chip = loadChipFile(file);
  const params = deriveCircuitParameters(chip, die);
  const result = emulate(chip, params, opts);
  if (outFile) {
    const tmp = `${outFile}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify(resultToJson(result)) + '\n');
    renameSync(tmp, outFile);
  }
  return summarizeEmulation(file, die, opts.dt ?? 10e-9, result);
}

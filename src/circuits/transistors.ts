/**
 * One definition per block: its transistors (name, type, W, L) give both the SPICE devices
 * (each with its own `delvto` subcircuit parameter, so the die's threshold offsets reach every
 * device) and the list the die draws mismatch for.
 */
import type { Mosfet } from '../netlist/model.ts';
import type { TransistorSpec } from './technology.ts';

/** Name of the subcircuit parameter carrying a transistor's threshold offset. */
export function delvtoParam(t: TransistorSpec): string {
  return `dvt_${t.name}`;
}

/** The MOSFET element of a declared transistor, its delvto bound to the subcircuit parameter. */
export function mos(t: TransistorSpec, drain: string, gate: string, source: string, bulk: string): Mosfet {
  return { kind: 'M', name: t.name, drain, gate, source, bulk, model: t.type, w: t.w, l: t.l, delvto: { expr: delvtoParam(t) } };
}

/** Default (zero) delvto parameters of a block's subcircuit. */
export function delvtoDefaults(ts: readonly TransistorSpec[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of ts) out[delvtoParam(t)] = 0;
  return out;
}

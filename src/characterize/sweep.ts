/**
 * Building blocks of the characterisation decks: a test bench around the library's own
 * subcircuits (one definition: the decks instantiate `otaSubcircuit()` etc., never a copy),
 * and readers of the DC / OP results.
 */
import type { Element, Netlist, Subcircuit, Analysis } from '../netlist/model.ts';
import { getVector, type SpiceResult } from '../netlist/runner.ts';
import { VDD } from '../circuits/technology.ts';
import { CharacterizationError } from './errors.ts';

/** One SPICE run of a characterisation: a key the reducer finds it by, and the deck. */
export interface SweepPoint {
  key: string;
  netlist: Netlist;
}

/**
 * Simulator options of the fit decks: tight tolerances (the quantities are derivatives of
 * sub-nA currents) and gmin 1e-15 unless a bench needs the library's default (see its block).
 */
export const FIT_OPTIONS: Readonly<Record<string, number>> = { reltol: 1e-6, abstol: 1e-16, gmin: 1e-15 };

/** A bench: the supply plus the given elements, subcircuits, analysis and saved vectors. */
export function bench(title: string, subcircuits: Subcircuit[], elements: Element[], analysis: Analysis, save: string[], options: Record<string, number> = FIT_OPTIONS, nodeset?: Record<string, number>): Netlist {
  return {
    title, includes: [], models: [], subcircuits,
    elements: [{ kind: 'V', name: 'vdd', p: 'vdd', n: '0', value: VDD }, ...elements],
    options, analysis, save, ...(nodeset ? { nodeset } : {}),
  };
}

/** The result of sweep `key` (a characterisation's reduce step needs every one of its sweeps). */
export function resultFor(results: ReadonlyMap<string, SpiceResult>, key: string): SpiceResult {
  const r = results.get(key);
  if (r === undefined) throw new CharacterizationError(`characterisation: no result for sweep ${key}`);
  return r;
}

/** A saved vector of a run (first plot). */
export function vec(r: SpiceResult, name: string): Float64Array {
  return getVector(r, name);
}

/** Central difference at sample k of an evenly spaced sweep with step h: (y[k+1] − y[k−1]) / 2h. */
export function centralDerivative(y: Float64Array, k: number, h: number): number {
  return (y[k + 1] - y[k - 1]) / (2 * h);
}

/**
 * Guard against a false DC solution at sample k (ngspice occasionally accepts one isolated
 * wrong point): the second difference there must stay below a quarter of the first difference
 * across it (the measured curves are smooth on the 1 mV grid), plus 1 pA of slack.
 */
export function checkSmooth(y: Float64Array, k: number, what: string): void {
  const second = Math.abs(y[k + 1] - 2 * y[k] + y[k - 1]);
  if (!(second <= 0.25 * Math.abs(y[k + 1] - y[k - 1]) + 1e-12)) {
    throw new CharacterizationError(`${what}: sample ${k} is off the curve (${y[k - 1]}, ${y[k]}, ${y[k + 1]}); rerun or tighten the bench's tolerances`);
  }
}

/** Round to `digits` significant digits (the tables keep what the measurement resolves). */
export function sig(x: number, digits = 4): number {
  return Number(x.toPrecision(digits));
}

/** Index of the sweep sample nearest `x` on an evenly spaced sweep from `start` with step `h`. */
export function sampleAt(start: number, h: number, x: number): number {
  return Math.round((x - start) / h);
}

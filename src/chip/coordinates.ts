/**
 * Typed coordinates of the chip and their conversions (halco conventions):
 * enum = row·256 + column; quadrant = enum / 128 (0 top-left, 1 top-right, 2 bottom-left,
 * 3 bottom-right); backend half = column / 128; capmem column = column mod 128;
 * neuron event output = column / 32 (0..7).
 */
import {
  CIRCUITS_PER_QUADRANT, COLUMNS_PER_BACKEND_HALF, COLUMNS_PER_EVENT_OUTPUT, NEURON_CIRCUITS,
  NEURON_COLUMNS, NEURON_ROWS, SYNAPSE_DRIVERS, SYNAPSE_DRIVERS_PER_BLOCK, SYNAPSE_ROWS, SYNAPSE_COLUMNS,
  DRIVERS_PER_BUS,
} from './constants.ts';
import { inputError } from '../util/errors.ts';

export type NeuronRow = 0 | 1;

/** One neuron circuit ("atomic neuron"). */
export interface NeuronCoordinate {
  readonly row: NeuronRow;
  readonly column: number;
}

function checkInt(v: number, lo: number, hi: number, what: string): void {
  if (!Number.isInteger(v) || v < lo || v > hi) {
    throw inputError(`${what} out of range`, {}, { value: v, allowed: `integer ${lo}..${hi}` });
  }
}

export function neuron(row: number, column: number): NeuronCoordinate {
  checkInt(row, 0, NEURON_ROWS - 1, 'neuron row');
  checkInt(column, 0, NEURON_COLUMNS - 1, 'neuron column');
  return { row: row as NeuronRow, column };
}

export function neuronEnum(c: NeuronCoordinate): number {
  return c.row * NEURON_COLUMNS + c.column;
}

export function neuronFromEnum(e: number): NeuronCoordinate {
  checkInt(e, 0, NEURON_CIRCUITS - 1, 'neuron enum');
  return { row: Math.floor(e / NEURON_COLUMNS) as NeuronRow, column: e % NEURON_COLUMNS };
}

/** 0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right. */
export function quadrantOf(c: NeuronCoordinate): number {
  return Math.floor(neuronEnum(c) / CIRCUITS_PER_QUADRANT);
}

/** Digital backend half (0: columns 0–127, 1: columns 128–255, both rows). */
export function backendHalfOf(c: NeuronCoordinate): number {
  return Math.floor(c.column / COLUMNS_PER_BACKEND_HALF);
}

/** Column of the circuit inside its quadrant's analog parameter block (0..127). */
export function capmemColumnOf(c: NeuronCoordinate): number {
  return c.column % CIRCUITS_PER_QUADRANT;
}

/** Which of the 8 neuron event outputs carries this circuit's spikes (32 columns each). */
export function eventOutputOf(c: NeuronCoordinate): number {
  return Math.floor(c.column / COLUMNS_PER_EVENT_OUTPUT);
}

/** Synapse array (hemisphere) that feeds this circuit: the top array feeds row 0. */
export function synapseArrayOf(c: NeuronCoordinate): number {
  return c.row;
}

/** MADC input line: the readout mux has one line for even and one for odd columns. */
export function madcParityOf(c: NeuronCoordinate): 'even' | 'odd' {
  return c.column % 2 === 0 ? 'even' : 'odd';
}

export function formatNeuron(c: NeuronCoordinate): string {
  return `circuit row ${c.row} column ${c.column} (enum ${neuronEnum(c)})`;
}

/** One synapse: array (= neuron row it feeds), synapse row 0..255, column 0..255 (= neuron column). */
export interface SynapseCoordinate {
  readonly array: number;
  readonly row: number;
  readonly column: number;
}

export function synapseIndex(s: SynapseCoordinate): number {
  return (s.array * SYNAPSE_ROWS + s.row) * SYNAPSE_COLUMNS + s.column;
}

/**
 * Synapse drivers: 256 in 2 blocks (block b feeds synapse array b). Driver d of a block drives
 * synapse rows 2d and 2d+1 of its array. Driver d listens to bus (4·block + d mod 4), and its
 * 5-bit row-select address position on that bus is floor(d / 4).
 */
export interface SynapseDriverCoordinate {
  readonly block: number;
  readonly driver: number;
}

export function driverEnum(d: SynapseDriverCoordinate): number {
  return d.block * SYNAPSE_DRIVERS_PER_BLOCK + d.driver;
}

export function driverFromEnum(e: number): SynapseDriverCoordinate {
  checkInt(e, 0, SYNAPSE_DRIVERS - 1, 'synapse driver');
  return { block: Math.floor(e / SYNAPSE_DRIVERS_PER_BLOCK), driver: e % SYNAPSE_DRIVERS_PER_BLOCK };
}

export function busOfDriver(d: SynapseDriverCoordinate): number {
  return d.block * 4 + (d.driver % 4);
}

export function driverOnBus(d: SynapseDriverCoordinate): number {
  const pos = Math.floor(d.driver / 4);
  if (pos >= DRIVERS_PER_BUS) throw new Error('unreachable: driver position');
  return pos;
}

export function synapseRowsOfDriver(d: SynapseDriverCoordinate): [number, number] {
  return [2 * d.driver, 2 * d.driver + 1];
}

/** All 512 neuron coordinates in enum order. */
export function allNeurons(): NeuronCoordinate[] {
  const out: NeuronCoordinate[] = [];
  for (let e = 0; e < NEURON_CIRCUITS; e++) out.push(neuronFromEnum(e));
  return out;
}

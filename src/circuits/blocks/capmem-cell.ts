/**
 * The analog parameter cell (capmem): a 10-bit code → a voltage or a bias current.
 * Voltage cells: V = 0.02 V + code · 1.875 mV (hardware-notes §1.3: calix's CADC target maps
 * codes 70 → 550 to ≈ 0.15 → 1.05 V), limited to the 0 … 1.2 V supply. Current cells:
 * I = code · 1 µA / 1022 (plateau's choice, the same full scale as the public synapse DAC bias
 * 0–1 µA). Code 1023 (refresh disabled) lets the cell droop: plateau models its output as 0.
 * In SPICE a cell is an ideal source carrying this value (the cell itself is a sampled
 * capacitor refreshed by the digital controller, outside the analog core).
 */
import { CAPMEM_CODE_MAX, CAPMEM_DISABLE_REFRESH } from '../../chip/constants.ts';
import { inputError } from '../../util/errors.ts';
import type { CellError } from '../die.ts';
import { VDD } from '../technology.ts';

export const VOLTAGE_CELL_OFFSET_V = 0.02;
export const VOLTAGE_CELL_LSB_V = 1.875e-3;
export const CURRENT_CELL_FULL_SCALE_A = 1e-6;
export const CURRENT_CELL_LSB_A = CURRENT_CELL_FULL_SCALE_A / CAPMEM_CODE_MAX;

function checkCode(code: number, what: string): void {
  if (!Number.isInteger(code) || code < 0 || code > CAPMEM_DISABLE_REFRESH) {
    throw inputError(`${what}: capmem code out of range`, {}, { value: code, allowed: 'integer 0..1023' });
  }
}

const NOMINAL: CellError = { offset: 0, gain: 1 };

export function voltageCell(code: number, err: CellError = NOMINAL, what = 'voltage cell'): number {
  checkCode(code, what);
  if (code === CAPMEM_DISABLE_REFRESH) return 0;
  const v = err.gain * (VOLTAGE_CELL_OFFSET_V + code * VOLTAGE_CELL_LSB_V) + err.offset;
  return Math.min(VDD, Math.max(0, v));
}

export function currentCell(code: number, err: CellError = NOMINAL, what = 'current cell'): number {
  checkCode(code, what);
  if (code === CAPMEM_DISABLE_REFRESH) return 0;
  return Math.max(0, err.gain * (code + err.offset) * CURRENT_CELL_LSB_A);
}

/** Nominal inverse: the code whose nominal voltage is nearest `v` (may fall outside 0..1022). */
export function voltageCode(v: number): number {
  return Math.round((v - VOLTAGE_CELL_OFFSET_V) / VOLTAGE_CELL_LSB_V);
}

/** Nominal inverse of a current cell: nearest code (may fall outside 0..1022). */
export function currentCode(i: number): number {
  return Math.round(i / CURRENT_CELL_LSB_A);
}

export const VOLTAGE_CELL_RANGE: readonly [number, number] = [VOLTAGE_CELL_OFFSET_V, Math.min(VDD, VOLTAGE_CELL_OFFSET_V + CAPMEM_CODE_MAX * VOLTAGE_CELL_LSB_V)];

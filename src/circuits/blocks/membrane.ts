/**
 * Membrane capacitor: a 6-bit switchable MOM/MIM bank plus the circuit's parasitic part.
 *   C = C_PAR + code · C_LSB,  C_LSB = 2.25 pF / 63 (hardware.md: 0 to ≈ 2.2–2.3 pF),
 *   C_PAR = 0.15 pF (plateau's choice: membrane wiring, OTA and switch junctions).
 * No transistors; in SPICE an ideal capacitor to ground.
 */
import type { TwoTerminal } from '../../netlist/model.ts';
import { MEMBRANE_CAPACITANCE_MAX } from '../../chip/constants.ts';
import { inputError } from '../../util/errors.ts';

export const MEMBRANE_C_LSB = 2.25e-12 / MEMBRANE_CAPACITANCE_MAX;
export const MEMBRANE_C_PARASITIC = 0.15e-12;

export function membraneCapacitance(code: number): number {
  if (!Number.isInteger(code) || code < 0 || code > MEMBRANE_CAPACITANCE_MAX) {
    throw inputError('membrane capacitance code out of range', {}, { value: code, allowed: `integer 0..${MEMBRANE_CAPACITANCE_MAX}` });
  }
  return MEMBRANE_C_PARASITIC + code * MEMBRANE_C_LSB;
}

export function membraneElement(prefix: string, mem: string, code: number): TwoTerminal {
  return { kind: 'C', name: `${prefix}_cmem`, p: mem, n: '0', value: membraneCapacitance(code) };
}

/**
 * Synapse DAC pulse: an event makes every matching synapse drive a current pulse of
 * amplitude (w / 63) · I_dac for 4 ns onto its column's synaptic-input line (hardware.md: pulse
 * ∝ weight × the quadrant's DAC bias, 0–1 µA; 4 ns pulses). Charge per unit weight:
 *   Q_1 = I_dac · 4 ns / 63.
 * In SPICE a pulse is an ideal current source (PULSE) into the line; the synapse's own
 * transistors are not modelled (plateau's choice, docs/circuits.md).
 */
import { WEIGHT_MAX } from '../../chip/constants.ts';

export const SYNAPSE_PULSE_WIDTH = 4e-9;

export function synapseChargePerWeight(iDac: number): number {
  return (iDac * SYNAPSE_PULSE_WIDTH) / WEIGHT_MAX;
}

/** Pulse amplitude for a weight, A. */
export function synapsePulseAmplitude(iDac: number, weight: number): number {
  return (weight / WEIGHT_MAX) * iDac;
}

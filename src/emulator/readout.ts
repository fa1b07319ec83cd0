/**
 * Readout models: the MADC (10 bit, ≈29.4 MSa/s, two inputs: one even and one odd column) and
 * the CADC (8 bit per column, calibrated 0.15 V → 20 LSB, 1.05 V → 220 LSB). Full scales and
 * noise are plateau's choices where the public record is silent (docs/emulator.md, "Readout").
 */
import { MADC_BITS, MADC_CHANNELS, MADC_MAX_SAMPLES, CADC_MAX_RATE_HZ } from '../chip/constants.ts';
import type { MadcChannel } from '../chip/chip.ts';
import { neuronEnum } from '../chip/coordinates.ts';
import { InputError, type Issue } from '../util/errors.ts';

/** MADC input range 0..1.2 V over 10 bits (the lab course characterises it over 0–1.2 V). */
export const MADC_FULL_SCALE_V = 1.2;
export const MADC_LSB_V = MADC_FULL_SCALE_V / 2 ** MADC_BITS;
/** Membrane readout noise seen on the chip: ≈ 3 MADC LSB (attenuation experiment code). */
export const MADC_NOISE_LSB = 3;
/** CADC: 20 LSB at 0.15 V, 220 LSB at 1.05 V (calix default calibration target). */
export const CADC_V0 = 0.15;
export const CADC_CODE0 = 20;
export const CADC_LSB_V = 0.9 / 200;
/** CADC noise: the same membrane-referred noise as the MADC, in CADC LSB. */
export const CADC_NOISE_LSB = (MADC_NOISE_LSB * MADC_LSB_V) / CADC_LSB_V;

export function madcCode(v: number, noise: number): number {
  const c = Math.round(v / MADC_LSB_V + noise);
  return c < 0 ? 0 : c > 1023 ? 1023 : c;
}

export function madcVoltage(code: number): number {
  return code * MADC_LSB_V;
}

export function cadcCode(v: number, noise: number): number {
  const c = Math.round(CADC_CODE0 + (v - CADC_V0) / CADC_LSB_V + noise);
  return c < 0 ? 0 : c > 255 ? 255 : c;
}

export function cadcVoltage(code: number): number {
  return CADC_V0 + (code - CADC_CODE0) * CADC_LSB_V;
}

/** The readout rules: ≤ 2 MADC channels, one in an even and one in an odd column, membrane only. */
export function checkMadcChannels(channels: MadcChannel[], path = 'readout.madc'): void {
  const issues: Issue[] = [];
  if (channels.length > MADC_CHANNELS) {
    issues.push({ message: 'too many MADC channels', location: { path }, value: channels.length, allowed: `at most ${MADC_CHANNELS}` });
  }
  channels.forEach((ch, k) => {
    if (ch.source !== 'membrane') {
      issues.push({ message: 'the emulated MADC digitises the membrane only', location: { path: `${path}[${k}].source` }, value: ch.source, allowed: 'membrane (record other sources as ideal traces)' });
    }
    if (!Number.isInteger(ch.circuit?.column) || ch.circuit.column < 0 || ch.circuit.column > 255 || (ch.circuit.row !== 0 && ch.circuit.row !== 1)) {
      issues.push({ message: 'MADC channel circuit out of range', location: { path: `${path}[${k}].circuit` }, value: ch.circuit, allowed: 'row 0..1, column 0..255' });
    }
  });
  if (channels.length === 2 && channels[0].circuit.column % 2 === channels[1].circuit.column % 2) {
    issues.push({
      message: 'the two MADC channels must sit in one even and one odd column (the mux has one line each)',
      location: { path }, value: channels.map((c) => `row ${c.circuit.row} column ${c.circuit.column}`),
      allowed: 'one even and one odd column',
    });
  }
  if (issues.length > 0) throw new InputError(issues, 'invalid MADC recording');
}

export function checkCadc(periodS: number, path = 'readout.cadc.period_s'): void {
  if (!(periodS >= 1 / CADC_MAX_RATE_HZ - 1e-15) || !Number.isFinite(periodS)) {
    throw new InputError({ message: 'CADC sampling period too short', location: { path }, value: periodS, allowed: `≥ ${(1e6 / CADC_MAX_RATE_HZ).toFixed(3)} µs (≤ 1.85 MSa/s)` });
  }
}

export function madcSampleCount(duration: number, rate: number): number {
  return Math.min(MADC_MAX_SAMPLES, Math.floor(duration * rate + 1e-9) + 1);
}

export { neuronEnum };

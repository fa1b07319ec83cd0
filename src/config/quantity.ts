/**
 * Physical quantities in configuration files. A quantity is written as
 *   - a plain number in SI units (seconds, volts, amperes, farads, siemens, hertz), hardware time;
 *   - a string with an SI prefix and the unit, e.g. "10 us", "450 mV", "2.5nA", "1 MHz";
 *   - for times and rates, `{ bio: <number or string> }`: a biological value converted at the
 *     chip's 1000× speed-up (10 ms biological → 10 µs hardware; 20 Hz → 20 kHz).
 * Units are checked: "10 mV" where a time is expected is an error.
 */
import { SPEEDUP } from '../chip/constants.ts';

export type Unit = 's' | 'V' | 'A' | 'F' | 'S' | 'Hz';

/** Decimal exponent of each SI prefix (applied in decimal, so "10 us" is exactly 1e-5). */
const PREFIX_EXP: Record<string, number> = {
  '': 0, T: 12, G: 9, M: 6, k: 3, m: -3, u: -6, 'µ': -6, 'μ': -6, n: -9, p: -12, f: -15,
};

export const QUANTITY_PATTERN = '^\\s*[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?\\s*(T|G|M|k|m|u|µ|μ|n|p|f)?(s|V|A|F|S|Hz|Ohm)\\s*$';
const RE = new RegExp(QUANTITY_PATTERN);

export type QuantityInput = number | string | { bio: number | string };

/** JSON Schema of a quantity of the given unit. */
export function quantitySchema(unit: Unit, description: string, opts: { bio?: boolean } = {}): Record<string, unknown> {
  const alts: Record<string, unknown>[] = [
    { type: 'number' },
    { type: 'string', pattern: QUANTITY_PATTERN },
  ];
  if (opts.bio) {
    alts.push({
      type: 'object', additionalProperties: false, required: ['bio'],
      properties: { bio: { anyOf: [{ type: 'number' }, { type: 'string', pattern: QUANTITY_PATTERN }] } },
      description: 'biological value, converted at 1000× speed-up',
    });
  }
  return { description: `${description} [${unit}]`, anyOf: alts };
}

export class QuantityError extends Error {}

/** Parse to an SI number in hardware time. Throws QuantityError with a readable reason. */
export function parseQuantity(input: unknown, unit: Unit): number {
  if (typeof input === 'object' && input !== null && 'bio' in input) {
    if (unit !== 's' && unit !== 'Hz') throw new QuantityError(`a biological value ({bio: ...}) is only meaningful for times and rates, not ${unit}`);
    const v = parseQuantity((input as { bio: unknown }).bio, unit);
    return unit === 's' ? v / SPEEDUP : v * SPEEDUP;
  }
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) throw new QuantityError('not a finite number');
    return input;
  }
  if (typeof input === 'string') {
    const m = RE.exec(input);
    if (!m) throw new QuantityError(`"${input}" is not a quantity; write a number in ${unit} or e.g. "10 u${unit}"`);
    const u = m[4];
    if (u !== unit) throw new QuantityError(`"${input}" has unit ${u}, expected ${unit}`);
    const mantissa = input.trim().match(/^[-+]?(\d+\.?\d*|\.\d+)/)![0];
    const exp = Number(m[2] ? m[2].slice(1) : 0) + PREFIX_EXP[m[3] ?? ''];
    return Number(`${mantissa}e${exp}`);
  }
  throw new QuantityError(`expected a number in ${unit} or a string like "10 u${unit}"`);
}

/** A readable rendering with an SI prefix, e.g. 1.2e-5 s → "12 µs". */
export function formatQuantity(value: number, unit: Unit, digits = 3): string {
  if (value === 0 || !Number.isFinite(value)) return `${value} ${unit}`;
  const prefixes: Array<[string, number]> = [['G', 1e9], ['M', 1e6], ['k', 1e3], ['', 1], ['m', 1e-3], ['µ', 1e-6], ['n', 1e-9], ['p', 1e-12], ['f', 1e-15]];
  const a = Math.abs(value);
  for (const [p, f] of prefixes) {
    if (a >= f * 0.9999999) return `${Number((value / f).toPrecision(digits))} ${p}${unit}`;
  }
  return `${value.toExponential(digits - 1)} ${unit}`;
}

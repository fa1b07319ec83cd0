/**
 * Text form of verification metrics, shared by `plateau verify` and `plateau demo` so both print
 * the same line for the same metric.
 */
import type { MetricResult } from './metrics.ts';

/** A metric value in its display unit (mV, µs, kHz; plain otherwise); '—' when absent. */
export function formatMetricValue(x: number | null, unit: string): string {
  if (x === null) return '—';
  if (unit === 'V') return `${(x * 1e3).toFixed(2)} mV`;
  if (unit === 's') return `${(x * 1e6).toFixed(3)} µs`;
  if (unit === 'Hz') return `${(x / 1e3).toFixed(2)} kHz`;
  return x.toPrecision(4);
}

/** The error with its tolerance: `1.23 % (±5 %)` or `-0.40 mV (±5.00 mV)`. */
export function formatMetricError(m: MetricResult): string {
  if (m.error === null) return '—';
  if (m.toleranceKind === 'rel') return `${(m.error * 100).toFixed(2)} % (±${(m.tolerance * 100).toFixed(0)} %)`;
  return `${formatMetricValue(m.error, m.unit)} (±${formatMetricValue(m.tolerance, m.unit)})`;
}

/** One line per metric: status, name, both values, error and tolerance. */
export function formatMetricLine(m: MetricResult, nameWidth = 44): string {
  return `${m.pass ? 'ok  ' : 'FAIL'} ${m.name.padEnd(nameWidth)} emulator ${formatMetricValue(m.emulator, m.unit).padStart(12)}  SPICE ${formatMetricValue(m.spice, m.unit).padStart(12)}  error ${formatMetricError(m)}`;
}

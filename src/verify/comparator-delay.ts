/**
 * The threshold comparator's delay at transistor level: the deck's comparator, buffer and
 * refractory one-shot (blocks/spike.ts) on an ideal die, the membrane driven by a voltage ramp
 * through the threshold; the delay is the time from the ramp crossing the comparator's static
 * trip point (v_threshold + `comparatorOffset`) to the refractory output crossing VDD/2. This is
 * what the deck adds to every spike time and the emulator (which fires at the crossing) does
 * not (docs/verification.md, gap 9). `COMPARATOR_DELAY_FIT` in blocks/spike.ts is fitted from it.
 */
import { spikeTimes } from '../analysis/spikes.ts';
import { bufferSubcircuit, comparatorOffset, spikeElements } from '../circuits/blocks/spike.ts';
import { otaSubcircuit } from '../circuits/blocks/ota.ts';
import { VDD } from '../circuits/technology.ts';
import type { Netlist } from '../netlist/model.ts';
import { getVector, runSpice, type SpiceBackendChoice } from '../netlist/runner.ts';
import { PlateauError } from '../util/errors.ts';

/** Ramp span either side of the threshold, V (the comparator is settled 25 mV below it). */
const RAMP_HALF_SPAN = 0.025;
/** Circuit whose (ideal-die) devices the measurement uses. */
const CIRCUIT = 5;

export interface ComparatorDelayPoint {
  /** Comparator bias (neuron_i_bias_spike_comparator after its cell), A. */
  biasA: number;
  /** v_threshold, V. */
  vTh: number;
  /** Membrane slope through the threshold, V/s. */
  slope: number;
}

/** Delay from the static trip crossing to the spike (refractory output at VDD/2), s. */
export async function measureComparatorDelay(pt: ComparatorDelayPoint, opts: { backend?: SpiceBackendChoice } = {}): Promise<number> {
  const t0 = 1e-6;
  const span = (2 * RAMP_HALF_SPAN) / pt.slope;
  const s = spikeElements('n', 'ideal', CIRCUIT, 'mem', { vTh: pt.vTh, iComparator: pt.biasA, refractory: 1e-6, holdoff: 8e-9 });
  const netlist: Netlist = {
    title: `comparator delay ${pt.biasA} ${pt.vTh} ${pt.slope}`,
    includes: [], models: [], subcircuits: [otaSubcircuit(), bufferSubcircuit()],
    elements: [
      { kind: 'V', name: 'vdd', p: 'vdd', n: '0', value: VDD },
      { kind: 'V', name: 'ramp', p: 'mem', n: '0', value: { fn: 'pwl', points: [[0, pt.vTh - RAMP_HALF_SPAN], [t0, pt.vTh - RAMP_HALF_SPAN], [t0 + span, pt.vTh + RAMP_HALF_SPAN]] } },
      ...s.elements,
    ],
    options: { method: 'gear', reltol: 1e-4, abstol: 1e-14, vntol: 1e-7, chgtol: 1e-16 },
    // 1 ns resolution of the edges (the delays are 25 ns and more).
    analysis: { kind: 'tran', step: 1e-9, stop: t0 + span + 1e-6, maxStep: Math.min(2e-9, span / 1000) },
    save: [`v(${s.refr})`],
  };
  const r = await runSpice(netlist, { backend: opts.backend ?? 'cli', timeoutSeconds: 120 });
  const spikes = spikeTimes(getVector(r, 'time'), getVector(r, `v(${s.refr})`), VDD / 2);
  if (spikes.length === 0) throw new PlateauError(`comparator did not fire on a ramp through ${pt.vTh} V`);
  const trip = pt.vTh + comparatorOffset('ideal', CIRCUIT, pt.biasA, pt.vTh);
  return spikes[0] - (t0 + (trip - (pt.vTh - RAMP_HALF_SPAN)) / pt.slope);
}

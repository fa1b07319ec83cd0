/** One-line summaries of loaded configurations, for `plateau validate`. */
import { NEURON_CIRCUITS } from '../chip/constants.ts';
import { analyzeCompartments } from '../chip/multicompartment.ts';
import type { LoadedConfig } from './load.ts';

export function summarize(c: LoadedConfig): string {
  if (c.layer === 'chip') {
    const chip = c.chip;
    const active = chip.neurons.filter((n) => n.threshold.enable || n.leak.i_bias > 0).length;
    let synapses = 0;
    for (let i = 0; i < chip.weights.length; i++) if (chip.weights[i] > 0) synapses++;
    const drivers = chip.drivers.filter((d) => d.enable_receiver).length;
    const { topology } = analyzeCompartments(chip);
    const multi = topology.compartments.filter((x) => x.circuits.length > 1).length;
    return `chip: ${active}/${NEURON_CIRCUITS} circuits configured, ${synapses} synapses with weight > 0, ${drivers} drivers enabled, ${multi} multi-circuit compartments, ${topology.segments.length} shared-line segments, ${chip.readout.madc.length} MADC channels`;
  }
  if (c.layer === 'calibration') {
    return `calibration for die ${c.calibration.die}: ${c.calibration.circuits.length} circuits`;
  }
  const e = c.experiment;
  const neurons = e.neurons.reduce((s, n) => s + n.size, 0);
  const comps = e.neurons.reduce((s, n) => s + n.size * n.compartments.length, 0);
  const circuits = e.neurons.reduce((s, n) => s + n.size * n.compartments.reduce((t, x) => t + x.circuits, 0), 0);
  return `experiment "${e.name}": ${neurons} neuron(s) in ${e.neurons.length} population(s), ${comps} compartment(s) on ${circuits} circuits, ${e.stimuli.length} stimuli, ${e.projections.length} projections, ${e.recordings.length} recordings, ${(e.duration * 1e6).toPrecision(4)} µs`;
}

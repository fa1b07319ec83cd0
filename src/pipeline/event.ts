/**
 * An experiment on the event-driven engine (exact spike times for current-based LIF networks).
 * The network is read off the lowered chip configuration itself, through the same routing table
 * the stepped engine uses (crossbar nodes → buses → drivers → rows → synapses with matching
 * labels), so both engines see the same synapses; each event arrives after the routing latency.
 *
 * Applicable when every neuron is a single spiking compartment without adaptation, exponential
 * term or conductance-based input, with one synaptic time constant for its inputs, no on-chip
 * background source (its trains are generated inside the stepped engine), and a resting
 * potential below threshold. `engineApplicability` says why not otherwise.
 */
import { deriveCircuitParameters } from '../circuits/derive.ts';
import type { CircuitParameters } from '../circuits/params.ts';
import { eventNeuronsFromCircuits, simulateEventNetwork, synapsesFromList } from '../emulator/event/network.ts';
import { ROUTING_LATENCY_S } from '../emulator/index.ts';
import { buildRoutingTable, LABELS_PER_BUS } from '../emulator/routing.ts';
import type { Lowered } from '../mapping/lower.ts';
import { inputError } from '../util/errors.ts';
import { placedCircuits, resultId, type EmulateExperimentOptions } from './emulate.ts';

export function engineApplicability(lowered: Lowered, params: CircuitParameters[]): string | null {
  const exp = lowered.experiment;
  for (const n of exp.neurons) {
    if (n.compartments.length > 1 || n.compartments[0].circuits > 1) return `neuron "${n.id}" has several compartments or circuits`;
    if (n.model !== 'lif') return `neuron "${n.id}" is an AdEx neuron`;
  }
  if (exp.stimuli.some((s) => s.type === 'background')) return 'on-chip background sources drive the network';
  for (const c of lowered.spikeCircuits.values()) {
    const p = params[c];
    const rest = p.eLeak + p.iOffset / p.gLeak;
    if (!(rest < p.vThreshold)) return `circuit ${c} rests at or above its threshold (a constant drive above rheobase)`;
    // The event engine is linear: the leak transconductor must stay in its linear range up to
    // threshold (tanh(x) within 8 % of x for x ≤ 0.5).
    const sat = (p as { leakSaturationCurrent?: number }).leakSaturationCurrent;
    if (sat !== undefined && Number.isFinite(sat) && p.gLeak * (p.vThreshold - rest) > 0.5 * sat) {
      return `circuit ${c}: the threshold lies beyond the leak transconductor's linear range (g·(ϑ − rest) = ${(p.gLeak * (p.vThreshold - rest) * 1e9).toFixed(1)} nA > half its ${(sat * 1e9).toFixed(1)} nA tail current)`;
    }
    const [e, i] = p.synapticInput;
    if (e.coba || i.coba) return `circuit ${c} has a conductance-based input`;
    if (e.enabled && i.enabled && Math.abs(e.tau - i.tau) > 1e-3 * e.tau) return `circuit ${c} has different excitatory and inhibitory time constants`;
  }
  return null;
}

export interface EventRun {
  spikes: Record<string, number[]>;
  wallSeconds: number;
  simulatedSeconds: number;
  events: number;
}

export function emulateLoweredEvent(lowered: Lowered, opts: EmulateExperimentOptions): EventRun {
  const t0 = performance.now();
  const exp = lowered.experiment;
  const params = opts.params ?? deriveCircuitParameters(lowered.chip, opts.die, { circuits: placedCircuits(lowered) });
  const why = engineApplicability(lowered, params);
  if (why) throw inputError(`the event-driven engine does not apply: ${why}`, { path: '--engine' }, { allowed: 'stepped (or auto)' });

  // Neurons: the spiking circuits, with the rest shifted by their constant currents.
  const circuits = [...lowered.spikeCircuits.values()];
  const index = new Map(circuits.map((c, k) => [c, k]));
  const eff = circuits.map((c) => {
    const p = params[c];
    const rest = p.eLeak + p.iOffset / p.gLeak;
    const [e, i] = p.synapticInput;
    const tauSyn = e.enabled ? e.tau : i.tau;
    return { ...p, eLeak: rest, synapticInput: [{ tau: tauSyn, gain: e.gain }, { tau: tauSyn, gain: i.gain }] };
  });
  const neurons = eventNeuronsFromCircuits(eff);

  // Synapses from the routing table: sources are the spiking circuits and the external
  // (input, label) pairs.
  const table = buildRoutingTable(lowered.chip, params);
  const externalKeys = [...new Set(lowered.externalEvents.map((e) => `${e.input}/${e.label}`))];
  const extIndex = new Map(externalKeys.map((k, i) => [k, i]));
  const src: number[] = [], tgt: number[] = [], w: number[] = [], delay: number[] = [];
  const deliver = (source: number, input: number, label: number) => {
    for (let n = table.nodePtr[input]; n < table.nodePtr[input + 1]; n += 3) {
      const out = table.nodes[n], mask = table.nodes[n + 1], target = table.nodes[n + 2];
      if (out >= 8 || (label & mask) !== target) continue;
      const key = out * LABELS_PER_BUS + (label & 0x7ff);
      for (let k = table.rowPtr[key]; k < table.rowPtr[key + 1]; k++) {
        const circuit = table.target[k] >> 1;
        const j = index.get(circuit);
        if (j === undefined) continue;
        src.push(source);
        tgt.push(j);
        w.push(table.amplitude[k]);
        delay.push(ROUTING_LATENCY_S);
      }
    }
  };
  circuits.forEach((c, j) => {
    const cfg = lowered.chip.neurons[c];
    if (!cfg.event_routing.enable_digital) return;
    const label = (Math.floor((c % 256) / 32) << 8) | cfg.event_routing.address;
    deliver(j, Math.floor((c % 256) / 32), label);
  });
  externalKeys.forEach((k, i) => {
    const [input, label] = k.split('/').map(Number);
    deliver(circuits.length + i, input, label);
  });
  const order = src.map((_, k) => k).sort((a, b) => src[a] - src[b] || tgt[a] - tgt[b]);
  const synapses = synapsesFromList(circuits.length, externalKeys.length, order.map((k) => src[k]), order.map((k) => tgt[k]), order.map((k) => w[k]), order.map((k) => delay[k]));
  const ext = lowered.externalEvents;
  const record = simulateEventNetwork({ neurons, synapses }, {
    source: Int32Array.from(ext, (e) => extIndex.get(`${e.input}/${e.label}`)!),
    time: Float64Array.from(ext, (e) => e.time),
  }, exp.duration);

  const spikes: Record<string, number[]> = {};
  const idOf = new Map<number, string>();
  for (const [key, c] of lowered.spikeCircuits) {
    const [neuron, idx, compartment] = key.split('/');
    const id = resultId(exp, neuron, Number(idx), compartment);
    spikes[id] = [];
    idOf.set(index.get(c)!, id);
  }
  for (let k = 0; k < record.count; k++) spikes[idOf.get(record.neuron[k])!].push(record.time[k]);
  return { spikes, wallSeconds: (performance.now() - t0) / 1e3, simulatedSeconds: exp.duration, events: record.events };
}

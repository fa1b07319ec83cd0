import { describe, expect, it } from 'vitest';
import { emulate, ROUTING_LATENCY_S, type ExternalSpike } from '../../src/emulator/index.ts';
import { simulateEventNetwork, synapsesFromList } from '../../src/emulator/event/network.ts';
import { pulseAmplitudePerWeight } from '../../src/emulator/routing.ts';
import { Rng } from '../../src/util/random.ts';
import { allParams, chipWithInput, lifParams, syn } from './helpers.ts';

/**
 * The stepped engine against the event-driven engine (exact spike times for current-based LIF)
 * on a layered network: 64 external sources (4 row-select addresses × 16 labels) onto 20
 * circuits, plus on-chip spikes of circuits 0–4 routed back onto circuits 5–19.
 *
 * Where the two differ by construction, and what it allows:
 * - the chip registers a spike on the next edge of its refractory clock (8 ns here) and counts
 *   the refractory time from there: each spike can add up to one clock period to the lag of the
 *   following ones of that neuron (k-th spike: ≤ k·8 ns), plus the PSP of a lagging spike arrives late;
 * - the chip's reset is a conductance (τ_reset = C/g_R = 1 ns here; it settles g_L(E_L − V_r)/
 *   (g_L + g_R) = 5 µV above V_r), the event engine clamps;
 * - the stepped engine interpolates the crossing linearly within a step (≤ dt = 2 ns early);
 * - events between step boundaries are placed to second order ((h/τ_s)² ≈ 1e-7 at dt = 2 ns).
 */
describe('stepped engine vs event-driven engine', () => {
  it('same spikes on a layered LIF network within the clock-registration bound', () => {
    const rng = new Rng(2024);
    const chip = chipWithInput();
    const N = 20;
    const pos = [0, 1, 2, 3];
    // Drivers 0, 4, 8, 12: bus 0, positions 0..3; top row excitatory, bottom inhibitory.
    for (const p of pos) chip.drivers[4 * p] = { enable_receiver: true, row_mode_top: 'excitatory', row_mode_bottom: 'inhibitory', row_address_compare_mask: 31 };
    const params = allParams();
    const spec = { vThreshold: 0.6, vReset: 0.4, gReset: 2e-3, refractoryTime: 125 * 8e-9, chargePerWeight: 4e-15 };
    for (let j = 0; j < N; j++) {
      params[j] = lifParams(spec);
      // Gate the input off the membrane during the reset: the event engine holds V at V_reset
      // while the synaptic current keeps integrating, which is what enable_pause does.
      chip.neurons[j].refractory_period.enable_pause = true;
    }
    const srcList: number[] = [], tgtList: number[] = [], wList: number[] = [], dList: number[] = [];
    for (const p of pos) {
      for (const half of [0, 1]) {
        const row = 2 * 4 * p + half;
        for (let j = 0; j < N; j++) {
          if (rng.uniform() < 0.3) continue;
          const w = 10 + rng.int(54);
          const label = rng.int(16);
          chip.weights[syn(0, row, j)] = w;
          chip.labels[syn(0, row, j)] = label;
          srcList.push(N + p * 16 + label);
          tgtList.push(j);
          wList.push(w * pulseAmplitudePerWeight(params[j], half));
          dList.push(0); // external times below are arrival times
        }
      }
    }
    // Recurrent: circuits 0..4 send address 48+k (row select 0, synapse label 48+k) on event
    // output 0 → bus 0 → driver 0 rows 0/1, synapses of columns 5..19 with label 48+k.
    chip.crossbar.push({ input: 0, output: 0, mask: 0, target: 0 });
    for (let k = 0; k < 5; k++) {
      chip.neurons[k].event_routing.enable_digital = true;
      chip.neurons[k].event_routing.address = 48 + k;
    }
    for (let j = 5; j < N; j++) {
      const row = rng.uniform() < 0.7 ? 0 : 1;
      const k = rng.int(5);
      const w = 20 + rng.int(40);
      // Column j of row 0/1 may already carry an external synapse: this one replaces it.
      const idx = syn(0, row, j);
      if (chip.weights[idx] !== 0) {
        const at = srcList.findIndex((s, q) => tgtList[q] === j && s >= N && Math.floor((s - N) / 16) === 0 && wList[q] * (row === 0 ? 1 : -1) > 0 && chip.labels[idx] === (s - N) % 16);
        if (at >= 0) { srcList.splice(at, 1); tgtList.splice(at, 1); wList.splice(at, 1); dList.splice(at, 1); }
      }
      chip.weights[idx] = w;
      chip.labels[idx] = 48 + k;
      srcList.push(k);
      tgtList.push(j);
      wList.push(w * pulseAmplitudePerWeight(params[j], row));
      dList.push(ROUTING_LATENCY_S);
    }
    // External input: Poisson, 64 sources at 150 kHz each for 100 µs.
    const duration = 100e-6;
    const ext: ExternalSpike[] = [];
    const evSrc: number[] = [];
    const evT: number[] = [];
    for (let s = 0; s < 64; s++) {
      for (let t = rng.exponential(1.5e5); t < duration - 1e-6; t += rng.exponential(1.5e5)) {
        ext.push({ time: t, input: 0, label: (Math.floor(s / 16) << 6) | (s % 16) });
        evSrc.push(s);
        evT.push(t + ROUTING_LATENCY_S);
      }
    }
    const stepped = emulate(chip, params, { duration, dt: 2e-9, seed: 0, noise: false, externalSpikes: ext });

    const p0 = params[0];
    const net = {
      neurons: {
        size: N,
        tauMem: new Float64Array(N).fill(p0.capacitance / p0.gLeak),
        tauSyn: new Float64Array(N).fill(p0.synapticInput[0].tau),
        capacitance: new Float64Array(N).fill(p0.capacitance),
        threshold: new Float64Array(N).fill(p0.vThreshold - p0.eLeak),
        reset: new Float64Array(N).fill(p0.vReset - p0.eLeak),
        refractory: new Float64Array(N).fill(p0.refractoryTime),
      },
      synapses: synapsesFromList(N, 64, srcList, tgtList, wList, dList),
    };
    const ev = simulateEventNetwork(net, { source: Int32Array.from(evSrc), time: Float64Array.from(evT) }, duration);
    const evTrains: number[][] = Array.from({ length: N }, () => []);
    for (let k = 0; k < ev.count; k++) evTrains[ev.neuron[k]].push(ev.time[k]);

    let total = 0;
    let maxLagOverBound = -Infinity;
    let maxLagRecurrent = 0;
    const hasRecurrentInput = new Set(tgtList.filter((_, q) => srcList[q] < N));
    for (let j = 0; j < N; j++) {
      const a = stepped.spikeTrains[j];
      const b = evTrains[j];
      total += b.length;
      expect(a.length).toBe(b.length);
      for (let k = 0; k < b.length; k++) {
        const lag = a[k] - b[k];
        // Never early by more than the interpolation step (2 ns) plus the 5 µV reset offset
        // (≈0.5 ns at the usual slope).
        expect(lag).toBeGreaterThan(-3e-9);
        if (hasRecurrentInput.has(j)) maxLagRecurrent = Math.max(maxLagRecurrent, lag);
        else maxLagOverBound = Math.max(maxLagOverBound, lag - (k + 1) * 8e-9);
      }
    }
    expect(total).toBeGreaterThan(40);
    // Neurons driven by external input only: late by at most one clock period per spike so far
    // (registration; the refractory time counts from the edge) plus 10 ns (reset settling,
    // sub-step event placement).
    expect(maxLagOverBound).toBeLessThan(10e-9);
    // Neurons that also receive on-chip spikes inherit the lag of their presynaptic spikes
    // (amplified by 1/slope near threshold): bounded here by 0.5 µs, 5 % of τ_mem.
    expect(maxLagRecurrent).toBeLessThan(0.5e-6);
  });
});

import { describe, expect, it } from 'vitest';
import { defaultChipConfig } from '../../src/chip/chip.ts';
import { buildRoutingTable, LABELS_PER_BUS, pulseAmplitudePerWeight } from '../../src/emulator/routing.ts';
import { emulate, ROUTING_LATENCY_S } from '../../src/emulator/index.ts';
import { allParams, chipWithInput, lifParams, syn } from './helpers.ts';

/** Targets (circuit·2 + receptor) reached by a label on a bus. */
function targets(table: ReturnType<typeof buildRoutingTable>, bus: number, label: number): number[] {
  const key = bus * LABELS_PER_BUS + (label & 0x7ff);
  return Array.from(table.target.subarray(table.rowPtr[key], table.rowPtr[key + 1])).sort((a, b) => a - b);
}

describe('routing rules', () => {
  it('driver d of block b listens to bus 4b + d mod 4 at position ⌊d/4⌋ under its row-select mask', () => {
    const chip = defaultChipConfig();
    // Block 1, driver 5: bus 5, position 1; rows 10 (excitatory) and 11 (inhibitory) of array 1.
    chip.drivers[128 + 5] = { enable_receiver: true, row_mode_top: 'excitatory', row_mode_bottom: 'inhibitory', row_address_compare_mask: 31 };
    chip.weights[syn(1, 10, 3)] = 20; chip.labels[syn(1, 10, 3)] = 9;
    chip.weights[syn(1, 10, 4)] = 20; chip.labels[syn(1, 10, 4)] = 8; // other label
    chip.weights[syn(1, 11, 200)] = 5; chip.labels[syn(1, 11, 200)] = 9;
    chip.weights[syn(1, 10, 6)] = 0; chip.labels[syn(1, 10, 6)] = 9; // weight 0: no pulse
    const params = allParams();
    const t = buildRoutingTable(chip, params);
    const lab = (rs: number, l: number) => (rs << 6) | l;
    // Row select 1 = position 1, synapse label 9: column 3 excitatory (circuit 256+3) and
    // column 200 inhibitory (circuit 456).
    expect(targets(t, 5, lab(1, 9))).toEqual([(256 + 3) * 2, (256 + 200) * 2 + 1]);
    expect(targets(t, 5, lab(1, 8))).toEqual([(256 + 4) * 2]);
    expect(targets(t, 5, lab(2, 9))).toEqual([]); // wrong row select
    expect(targets(t, 4, lab(1, 9))).toEqual([]); // wrong bus
    expect(t.synapsesInUse).toBe(3);
    // Amplitude = weight × charge per weight × gain / τ, negative for inhibition.
    const s = t.rowPtr[5 * LABELS_PER_BUS + lab(1, 9)];
    expect(t.amplitude[s]).toBeCloseTo(20 * pulseAmplitudePerWeight(params[259], 0), 25);
    expect(t.amplitude[s + 1]).toBeLessThan(0);
    // Mask 30 ignores bit 0: row selects 0 and 1 both match position 1.
    chip.drivers[128 + 5].row_address_compare_mask = 30;
    const t2 = buildRoutingTable(chip, params);
    expect(targets(t2, 5, lab(0, 9)).length).toBe(2);
    expect(targets(t2, 5, lab(1, 9)).length).toBe(2);
    expect(targets(t2, 5, lab(3, 9)).length).toBe(0);
  });

  it('crossbar node passes an event when (label & mask) === target', () => {
    const chip = chipWithInput();
    chip.crossbar = [{ input: 8, output: 0, mask: 0x40, target: 0x40 }]; // row-select bit 0 must be 1
    chip.drivers[4] = { enable_receiver: true, row_mode_top: 'excitatory', row_mode_bottom: 'disabled', row_address_compare_mask: 31 }; // bus 0, position 1
    chip.weights[syn(0, 8, 9)] = 30; chip.labels[syn(0, 8, 9)] = 2;
    chip.weights[syn(0, 0, 9)] = 30; chip.labels[syn(0, 0, 9)] = 2; // driver 0, position 0
    chip.drivers[0].row_address_compare_mask = 31; // driver 0 now only takes row select 0
    const params = allParams();
    const res = emulate(chip, params, {
      duration: 10e-6, dt: 10e-9, seed: 0, noise: false,
      externalSpikes: [{ time: 1e-6, input: 0, label: (1 << 6) | 2 }, { time: 5e-6, input: 0, label: (0 << 6) | 2 }],
      record: { ideal: [{ circuit: 9 }] },
    });
    // Only the first event passes the node (bit 6 set) and it reaches driver 4 only: one pulse.
    expect(res.crossbarEvents).toBe(2);
    expect(res.synapticEvents).toBe(1);
  });

  it('on-chip spikes are routed back: label = (column/32) << 8 | address, after the fixed latency', () => {
    const chip = chipWithInput();
    // Circuit 40 (event output 1) fires from a strong constant current; address 0x4A.
    chip.neurons[40].event_routing = { enable_digital: true, address: 0x4a, enable_bypass_excitatory: false, enable_bypass_inhibitory: false };
    // Label 0x14A: row select 5, synapse label 10. Event output 1 → bus 0; driver 20 (bus 0, pos 5).
    chip.crossbar.push({ input: 1, output: 0, mask: 0, target: 0 });
    chip.drivers[20] = { enable_receiver: true, row_mode_top: 'excitatory', row_mode_bottom: 'disabled', row_address_compare_mask: 31 };
    chip.weights[syn(0, 40, 7)] = 50; chip.labels[syn(0, 40, 7)] = 10;
    const params = allParams();
    params[40] = lifParams({ vThreshold: 0.6, iOffset: 1e-7, refractoryTime: 1e-6 });
    const dt = 4e-9;
    const res = emulate(chip, params, { duration: 20e-6, dt, seed: 0, noise: false, record: { ideal: [{ circuit: 7 }] } });
    const t40 = res.spikeTrains[40];
    expect(t40.length).toBeGreaterThan(0);
    expect(res.spikes.find((s) => s.circuit === 40)!.label).toBe((1 << 8) | 0x4a);
    const tr = res.traces.ideal[0];
    const arrival = t40[0] + ROUTING_LATENCY_S;
    const kFirst = tr.values.findIndex((v) => v > 0.45 + 1e-12);
    // The PSP starts in the step that contains the arrival (spike on an 8 ns edge + 32 ns).
    expect(tr.times[kFirst]).toBeGreaterThanOrEqual(arrival - 1e-12);
    expect(tr.times[kFirst]).toBeLessThan(arrival + dt + 1e-12);
  });

  it('background sources: regular rate and seeded Poisson statistics', () => {
    const chip = chipWithInput();
    chip.crossbar.push({ input: 12, output: 0, mask: 0, target: 0 }, { input: 13, output: 0, mask: 0, target: 0 });
    chip.background[0] = { enable: true, mode: 'regular', rate_hz: 10e6, label: 1, label_random_mask: 0, seed: 3 };
    chip.background[1] = { enable: true, mode: 'poisson', rate_hz: 20e6, label: 0, label_random_mask: 0x3f, seed: 4 };
    const res = emulate(chip, allParams(), { duration: 200e-6, dt: 50e-9, seed: 0, noise: false });
    // Regular: events at 0, 0.1 µs, ... whose arrival (t + 32 ns) is within 200 µs: 2000.
    // Poisson: mean 4000, sd √4000 ≈ 63: ±5 sd.
    const poisson = res.crossbarEvents - 2000;
    expect(Math.abs(poisson - 4000)).toBeLessThan(5 * Math.sqrt(4000));
    const again = emulate(chip, allParams(), { duration: 200e-6, dt: 50e-9, seed: 99, noise: false });
    expect(again.crossbarEvents).toBe(res.crossbarEvents); // the source's own seed decides
  });

  it('bypass: an input pulse produces an output spike at its arrival', () => {
    const chip = chipWithInput();
    chip.neurons[5].event_routing.enable_bypass_excitatory = true;
    chip.weights[syn(0, 0, 5)] = 1; chip.labels[syn(0, 0, 5)] = 0;
    const res = emulate(chip, allParams(), { duration: 5e-6, dt: 10e-9, seed: 0, noise: false, externalSpikes: [{ time: 1e-6, input: 0, label: 0 }] });
    expect(res.spikeTrains[5]).toEqual([1e-6 + ROUTING_LATENCY_S]);
  });
});

/**
 * Hand-set physical parameters and small chip configurations for the emulator tests. The values
 * are chip-like (2 pF, τ_mem 10 µs, potentials 0.3–0.9 V) but the tests only rely on the
 * equations, not on these particular numbers.
 */
import { defaultChipConfig, type ChipConfig } from '../../src/chip/chip.ts';
import { NEURON_CIRCUITS } from '../../src/chip/constants.ts';
import type { CircuitParameters } from '../../src/circuits/params.ts';
import { emulate } from '../../src/emulator/index.ts';

export interface LifSpec {
  C?: number;
  gLeak?: number;
  eLeak?: number;
  vThreshold?: number;
  vReset?: number;
  gReset?: number;
  refractoryTime?: number;
  holdoffTime?: number;
  tauExc?: number;
  tauInh?: number;
  iOffset?: number;
  chargePerWeight?: number;
  gInter?: number;
}

export function lifParams(s: LifSpec = {}): CircuitParameters {
  return {
    capacitance: s.C ?? 2e-12,
    gLeak: s.gLeak ?? 2e-7, // τ_mem = 10 µs
    eLeak: s.eLeak ?? 0.45,
    vThreshold: s.vThreshold ?? Infinity,
    vReset: s.vReset ?? 0.4,
    gReset: s.gReset ?? 4e-6, // τ_reset = 0.5 µs
    refractoryTime: s.refractoryTime ?? 2e-6,
    holdoffTime: s.holdoffTime ?? 0,
    synapticInput: [
      { enabled: true, tau: s.tauExc ?? 5e-6, gain: 1, coba: false, eRev: 1.0, eRef: 0.6 },
      { enabled: true, tau: s.tauInh ?? 5e-6, gain: 1, coba: false, eRev: 0.2, eRef: 0.5 },
    ],
    iOffset: s.iOffset ?? 0,
    adaptation: { enabled: false, a: 0, b: 0, tauW: 1e-4, vRef: 0.45 },
    exponential: { enabled: false, deltaT: 0.002, vT: 0.6 },
    gInterCompartment: s.gInter ?? 0,
    synapseChargePerWeight: s.chargePerWeight ?? 2e-15,
  };
}

export function allParams(s: LifSpec = {}): CircuitParameters[] {
  return Array.from({ length: NEURON_CIRCUITS }, () => lifParams(s));
}

/**
 * A chip where external input 0 reaches bus 0 (crossbar node, all labels pass), driver 0 of
 * block 0 (receiver on, row-select mask 0) drives synapse row 0 (excitatory) and row 1
 * (inhibitory) of the top array. Synapses are set by the caller.
 */
export function chipWithInput(): ChipConfig {
  const chip = defaultChipConfig();
  chip.crossbar.push({ input: 8, output: 0, mask: 0, target: 0 });
  chip.drivers[0] = { enable_receiver: true, row_mode_top: 'excitatory', row_mode_bottom: 'inhibitory', row_address_compare_mask: 0 };
  // Fast refractory clock 125 MHz (8 ns) on both halves for tight timing.
  for (const b of chip.backends) { b.clock_scale_fast = 0; b.clock_scale_slow = 0; }
  return chip;
}

/** Index of synapse (array, row, column) in chip.weights / chip.labels. */
export function syn(array: number, row: number, column: number): number {
  return (array * 256 + row) * 256 + column;
}

/** The fast refractory clock's period at scale 0 (125 MHz). */
export const P8 = 8e-9;

/**
 * The f–I closed-form set-up: circuit 3 of `chipWithInput` (fast clock) under a constant current
 * I = g_L·(vInf − E_L), threshold 0.6 V, reset 0.4 V (g_R 2e-5 S), τ_ref = 250 clock periods,
 * 200 µs at dt = 8 ns, and circuit 4 the same just below rheobase (V∞ = 0.59 V); `extra` overrides parameters (e.g. the comparator's delay law). Returns the
 * spike train (and every circuit's), the circuit's parameters, I, and the closed-form rise time from the reset
 * equilibrium V_r' = V_r + I/g_R to θ: T = τ_m ln((V∞ − V_r')/(V∞ − θ)).
 */
export function constantCurrentRun(vInf: number, extra: Partial<CircuitParameters> = {}): { spikes: number[]; trains: number[][]; p: CircuitParameters; I: number; T: number } {
  const I = 2e-7 * (vInf - 0.45);
  const params = allParams();
  params[3] = { ...lifParams({ vThreshold: 0.6, vReset: 0.4, gReset: 2e-5, refractoryTime: 250 * P8, iOffset: I }), ...extra };
  // Circuit 4: the same circuit just below rheobase (V∞ = 0.59 V < θ): it must never fire.
  params[4] = { ...lifParams({ vThreshold: 0.6, vReset: 0.4, gReset: 2e-5, refractoryTime: 250 * P8, iOffset: 2e-7 * (0.59 - 0.45) }), ...extra };
  const chip = chipWithInput();
  for (const e of [3, 4]) chip.neurons[e].refractory_period.input_clock = 'fast';
  const res = emulate(chip, params, { duration: 200e-6, dt: P8, seed: 0, noise: false });
  const p = params[3];
  const vr = p.vReset + I / p.gReset;
  return { spikes: res.spikeTrains[3], trains: res.spikeTrains, p, I, T: 10e-6 * Math.log((vInf - vr) / (vInf - 0.6)) };
}

/**
 * The WebAssembly lean kernel (src/emulator/wasm-kernel.ts, emitted byte by byte) against the
 * TypeScript kernel it replaces: the same expressions in IEEE 754 binary64 without contraction,
 * so the two engines must agree bit for bit — membranes and input currents after every step,
 * and the spike lists — including compartments falling asleep at their fixed point and waking on
 * input, and a recurrent die driven by Poisson background sources. The TypeScript kernel itself
 * is checked against closed forms elsewhere (psp, neuron, quiescent tests).
 */
import { describe, expect, it } from 'vitest';
import { buildModel } from '../../src/emulator/model.ts';
import { SteppedEngine } from '../../src/emulator/engine.ts';
import { leanKernelWasmBytes } from '../../src/emulator/wasm-kernel.ts';
import { defaultChipConfig, type ChipConfig } from '../../src/chip/chip.ts';
import { NEURON_CIRCUITS, SYNAPSES } from '../../src/chip/constants.ts';
import type { ExternalSpike } from '../../src/emulator/types.ts';
import { Rng } from '../../src/util/random.ts';
import { allParams, chipWithInput, lifParams, syn } from './helpers.ts';

function lockstep(a: SteppedEngine, b: SteppedEngine, nSteps: number): { firstMismatch: number; minAwake: number } {
  let firstMismatch = -1;
  let minAwake = Infinity;
  for (let k = 0; k < nSteps; k++) {
    a.step();
    b.step();
    minAwake = Math.min(minAwake, a.awakeScalarCompartments);
    if (firstMismatch < 0) {
      for (let c = 0; c < a.V.length; c++) if (!Object.is(a.V[c], b.V[c])) { firstMismatch = k; break; }
      for (let t = 0; t < a.I.length; t++) if (!Object.is(a.I[t], b.I[t])) { firstMismatch = k; break; }
    }
  }
  return { firstMismatch, minAwake };
}

/**
 * A recurrent full die: every circuit routes its spikes (random addresses) back through the
 * crossbar, all synapses in use with random 6-bit weights and labels, 8 Poisson sources at
 * 12.5 MEvent/s (seeds bgSeed + k); `pause(i)` sets circuit i's pause.
 */
function recurrentDie(rng: Rng, bgSeed: number, pause: (i: number) => boolean): ChipConfig {
  const chip = defaultChipConfig();
  for (const b of chip.backends) { b.clock_scale_fast = 3; b.clock_scale_slow = 3; }
  chip.neurons.forEach((n, i) => {
    n.refractory_period.input_clock = 'fast';
    if (pause(i)) n.refractory_period.enable_pause = true;
    n.event_routing.enable_digital = true;
    n.event_routing.address = rng.int(256);
  });
  for (let d = 0; d < 256; d++) chip.drivers[d] = { enable_receiver: true, row_mode_top: 'excitatory', row_mode_bottom: 'inhibitory', row_address_compare_mask: 31 };
  for (let s = 0; s < SYNAPSES; s++) { chip.weights[s] = 1 + rng.int(63); chip.labels[s] = rng.int(64); }
  for (let k = 0; k < 8; k++) {
    chip.crossbar.push({ input: 12 + k, output: k, mask: 0, target: 0 }, { input: k, output: k, mask: 0, target: 0 });
    chip.background[k] = { enable: true, mode: 'poisson', rate_hz: 12.5e6, label: 0, label_random_mask: 0x7ff, seed: bgSeed + k };
  }
  return chip;
}

describe('WebAssembly lean kernel', () => {
  it('is a valid module', () => {
    const wa = (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly;
    expect(wa.validate(leanKernelWasmBytes())).toBe(true);
  });

  it('gives the same bytes as the TypeScript kernel, asleep and awake', () => {
    const chip = chipWithInput();
    for (let col = 0; col < 32; col++) chip.weights[syn(0, 0, col)] = 20 + col;
    for (let col = 32; col < 64; col++) chip.weights[syn(0, 1, col)] = 30;
    for (const n of chip.neurons) n.refractory_period.input_clock = 'fast';
    const params = allParams({ vThreshold: 0.5, chargePerWeight: 3e-15 });
    params[100] = { ...params[100], iOffset: 3e-8 }; // fires tonically, never sleeps
    // Two bursts 600 µs apart: the currents (τ_s = 5 µs) fall below 1e-30 A in between and the
    // membranes reach their fixed point, so compartments sleep and are woken by the second burst.
    const ext: ExternalSpike[] = [];
    for (let b = 0; b < 2; b++) for (let k = 0; k < 5; k++) ext.push({ time: b * 600e-6 + k * 1.3e-6, input: 0, label: 0 });
    const model = buildModel(chip, params);
    const opts = { dt: 1e-7, seed: 3, noise: true, externalSpikes: ext };
    const wasm = new SteppedEngine(model, chip, opts);
    const js = new SteppedEngine(model, chip, { ...opts, kernel: 'js', delivery: 'js' });
    expect(wasm.leanKernelKind).toBe('wasm');
    expect(wasm.wasmPaths.dense).toBe(true);
    expect(js.leanKernelKind).toBe('js');
    const { firstMismatch, minAwake } = lockstep(wasm, js, 9000);
    expect(firstMismatch).toBe(-1);
    expect(wasm.spikeTime).toEqual(js.spikeTime);
    expect(wasm.spikeCircuit).toEqual(js.spikeCircuit);
    expect(wasm.spikeCircuit.filter((i) => i < 32).length).toBeGreaterThan(0);
    expect(minAwake).toBe(1); // only the tonic circuit stays awake between the bursts
    // The dense kernel ran while most were awake (the start, the bursts), the sparse one between.
    expect(wasm.denseSteps).toBeGreaterThan(0);
    expect(wasm.denseSteps).toBeLessThan(4500);
  });

  it('gives the same bytes on a recurrent die with Poisson background (reset, refractory, routing; dense f64x2 kernel, sparse kernel and WebAssembly delivery against TypeScript)', () => {
    const rng = new Rng(7);
    const chip = recurrentDie(rng, 100, () => false);
    const params = Array.from({ length: NEURON_CIRCUITS }, () => lifParams({ vThreshold: 0.6, gReset: 2e-5, refractoryTime: 31 * 64e-9, chargePerWeight: 2.5e-15 }));
    const model = buildModel(chip, params);
    const opts = { dt: 1e-7, seed: 1, noise: true, externalSpikes: [{ time: 2e-6, input: 0, label: 3 }] };
    // Default: the dense kernel (all 512 compartments awake) and the WebAssembly delivery; the
    // TypeScript kernel and delivery; the sparse WebAssembly kernel with the TypeScript delivery.
    const wasm = new SteppedEngine(model, chip, opts);
    const js = new SteppedEngine(model, chip, { ...opts, kernel: 'js', delivery: 'js' });
    const sparse = new SteppedEngine(model, chip, { ...opts, kernel: 'sparse', delivery: 'js' });
    expect(wasm.wasmPaths).toEqual({ dense: true, delivery: true, apply: true });
    expect(sparse.wasmPaths).toEqual({ dense: false, delivery: false, apply: false });
    expect(js.leanKernelKind).toBe('js');
    expect(lockstep(wasm, js, 1500).firstMismatch).toBe(-1);
    // Dense in all steps but every 128th (the sparse pass that lets fixed points fall asleep).
    expect(wasm.denseSteps).toBe(1500 - Math.floor(1500 / 128));
    for (let k = 0; k < 1500; k++) sparse.step();
    expect(sparse.denseSteps).toBe(0);
    for (const e of [wasm, sparse]) {
      expect(e.spikeTime).toEqual(js.spikeTime);
      expect(e.spikeCircuit).toEqual(js.spikeCircuit);
      expect(e.synapticEvents).toBe(js.synapticEvents);
      expect(e.crossbarEvents).toBe(js.crossbarEvents);
      expect(Array.from(e.V)).toEqual(Array.from(js.V));
    }
    expect(wasm.spikeTime.length).toBeGreaterThan(50); // the die fires (≈ 9 kHz per circuit at this input)
  });

  it('gives the same bytes with COBA inputs and the pause (WebAssembly delivery, TypeScript application; mixed pairs in the dense kernel)', () => {
    const rng = new Rng(11);
    const chip = recurrentDie(rng, 200, (i) => i % 5 === 0);
    const params = Array.from({ length: NEURON_CIRCUITS }, (_, i) => {
      const p = lifParams({ vThreshold: 0.6, gReset: 2e-5, refractoryTime: 31 * 64e-9, chargePerWeight: 2.5e-15 });
      // Every third circuit conductance-based: not simple, so its pair goes through the dense
      // kernel's scalar body and the general kernel.
      if (i % 3 === 0) p.synapticInput = [{ ...p.synapticInput[0], coba: true }, { ...p.synapticInput[1], coba: true }];
      return p;
    });
    const model = buildModel(chip, params);
    const opts = { dt: 1e-7, seed: 2, noise: true, externalSpikes: [] };
    const wasm = new SteppedEngine(model, chip, opts);
    const js = new SteppedEngine(model, chip, { ...opts, kernel: 'js', delivery: 'js' });
    expect(wasm.wasmPaths).toEqual({ dense: true, delivery: true, apply: false });
    expect(lockstep(wasm, js, 1200).firstMismatch).toBe(-1);
    expect(wasm.denseSteps).toBeGreaterThan(1000);
    expect(wasm.spikeTime).toEqual(js.spikeTime);
    expect(wasm.spikeCircuit).toEqual(js.spikeCircuit);
    expect(wasm.synapticEvents).toBe(js.synapticEvents);
    expect(wasm.spikeCircuit.some((i) => i % 3 === 0)).toBe(true); // COBA circuits fire too
    expect(wasm.spikeCircuit.some((i) => i % 5 === 0)).toBe(true); // and paused ones
  });
});

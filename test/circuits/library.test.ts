/**
 * The circuit library without SPICE: the die's addressing and statistics, the capmem cells,
 * the whole-chip derivation, the lowering inverse and the deck builder's checks.
 */
import { describe, it, expect } from 'vitest';
import { defaultChipConfig } from '../../src/chip/chip.ts';
import { neuron } from '../../src/chip/coordinates.ts';
import { backendClockHz } from '../../src/chip/constants.ts';
import { blockOffsets, capmemCellError, transistorOffset, addressedNormal, checkDie } from '../../src/circuits/die.ts';
import { OTA_TRANSISTORS, otaBehaviour } from '../../src/circuits/blocks/ota.ts';
import { currentCell, voltageCell, CURRENT_CELL_LSB_A } from '../../src/circuits/blocks/capmem-cell.ts';
import { membraneCapacitance } from '../../src/circuits/blocks/membrane.ts';
import { A_VT, U_T, pelgromSigma } from '../../src/circuits/technology.ts';
import { deriveCircuitParameters } from '../../src/circuits/derive.ts';
import { circuitParameters } from '../../src/circuits/circuit.ts';
import { codesForTargets, holdoffSettingFor, refractoryCounterFor } from '../../src/circuits/targets.ts';
import { buildDeck } from '../../src/netlist/deck.ts';
import { writeNetlist } from '../../src/netlist/writer.ts';
import { InputError } from '../../src/util/errors.ts';
import { lifChip } from './closed-form.ts';

describe('virtual die', () => {
  it('draws Pelgrom offsets with σ = A_VT/√(WL), addressed and reproducible', () => {
    const t = OTA_TRANSISTORS[2]; // 1 µm × 1 µm NMOS
    expect(pelgromSigma(t)).toBeCloseTo(A_VT.nmos / 1e-6, 12); // 3.5 mV
    const n = 20000;
    let s = 0, s2 = 0;
    for (let e = 0; e < n; e++) {
      const x = transistorOffset({ seed: 11 }, e % 512, 'leak_reset', t, 2 + 6 * Math.floor(e / 512));
      s += x;
      s2 += x * x;
    }
    const mean = s / n, sd = Math.sqrt(s2 / n - mean * mean);
    // Sample σ of 20 000 normal draws: relative standard error 1/√(2n) = 0.5 %; 3 % is 6 SE.
    expect(Math.abs(sd / pelgromSigma(t) - 1)).toBeLessThan(0.03);
    // Mean: SE = σ/√n = 25 µV; 125 µV is 5 SE.
    expect(Math.abs(mean)).toBeLessThan(1.25e-4);
    // Addressed: the same (seed, circuit, block, transistor) gives the same value, in any order.
    const a = blockOffsets({ seed: 5 }, 300, 'comparator', OTA_TRANSISTORS);
    const b = transistorOffset({ seed: 5 }, 300, 'comparator', OTA_TRANSISTORS[3], 3);
    expect(b).toBe(a[OTA_TRANSISTORS[3].name]);
    expect(blockOffsets({ seed: 6 }, 300, 'comparator', OTA_TRANSISTORS)).not.toEqual(a);
    expect(blockOffsets('ideal', 300, 'comparator', OTA_TRANSISTORS)).toEqual({ mb: 0, mt: 0, m1: 0, m2: 0, m3: 0, m4: 0 });
  });

  it('gives standard normals from addressed draws', () => {
    // Fraction within ±1σ of 40 000 draws: 0.6827 ± 0.0023 (binomial SE); 0.01 is 4 SE.
    let inside = 0;
    for (let k = 0; k < 40000; k++) if (Math.abs(addressedNormal(12345, k)) < 1) inside++;
    expect(Math.abs(inside / 40000 - 0.6827)).toBeLessThan(0.01);
  });

  it('rejects a malformed die', () => {
    expect(() => checkDie({ seed: -1 })).toThrow(InputError);
    expect(() => checkDie({ seed: 1.5 })).toThrow(InputError);
  });

  it('maps a bias mirror offset to the weak-inversion current factor', () => {
    // ΔV_t of +n U_T on the tail (mirror output) divides the tail current by e (weak inversion,
    // 1 nA: fitted sensitivity 26.0 /V ≈ 1/(n U_T)).
    const b = otaBehaviour(1e-9, 0.6, { mt: 1 / 26.01 });
    expect(b.tail).toBeCloseTo(1e-9 / Math.E, 12);
    expect(U_T).toBeCloseTo(0.025865, 5);
  });
});

describe('capmem cells and membrane capacitor', () => {
  it('follow the documented transfer', () => {
    expect(voltageCell(70)).toBeCloseTo(0.02 + 70 * 1.875e-3, 12); // ≈ 0.151 V (calix: ≈ 0.15 V)
    expect(voltageCell(550)).toBeCloseTo(1.05125, 12); // calix: ≈ 1.05 V
    expect(voltageCell(1022)).toBe(1.2); // limited by the supply
    expect(currentCell(1022)).toBeCloseTo(1e-6, 15);
    expect(currentCell(1023)).toBe(0); // refresh disabled
    expect(membraneCapacitance(63)).toBeCloseTo(2.4e-12, 15);
    const err = capmemCellError({ seed: 3 }, 17, 'v_leak', 'voltage');
    expect(voltageCell(300, err)).toBeCloseTo(err.gain * (0.02 + 300 * 1.875e-3) + err.offset, 12);
    expect(() => voltageCell(1024)).toThrow(InputError);
    expect(CURRENT_CELL_LSB_A).toBeCloseTo(1e-6 / 1022, 18);
  });
});

describe('deriveCircuitParameters', () => {
  const chip = lifChip(Array.from({ length: 512 }, (_, e) => e));
  it('gives 512 entries in enum order, deterministic per seed', () => {
    const a = deriveCircuitParameters(chip, { seed: 9 });
    const b = deriveCircuitParameters(chip, { seed: 9 });
    expect(a.length).toBe(512);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(a[77]).toEqual(circuitParameters(chip, { seed: 9 }, 77));
    const ideal = deriveCircuitParameters(chip, 'ideal');
    // Ideal die: every circuit identical; τ_mem = C / g ≈ 10 µs for i_bias_leak 20 at 2.4 pF
    // (gm/I = 12.4 /V from the fit: 2.4 pF / (19.6 nA · 12.4 /V) = 9.9 µs).
    expect(new Set(ideal.map((p) => p.eLeak)).size).toBe(1);
    expect(ideal[0].capacitance / ideal[0].gLeak).toBeGreaterThan(9e-6);
    expect(ideal[0].capacitance / ideal[0].gLeak).toBeLessThan(11e-6);
    // Refractory 31 cycles of the fast clock (scale 3: 15.625 MHz) = 1.984 µs.
    expect(ideal[0].refractoryTime).toBeCloseTo(31 / backendClockHz(3), 15);
    // Mismatch spreads the resting potential: σ ≈ 5 mV (pair, mirror, capmem cell), so the
    // spread over 512 circuits lies well between 2 and 10 mV.
    const rests = a.map((p) => p.eLeak);
    const m = rests.reduce((x, y) => x + y, 0) / rests.length;
    const sd = Math.sqrt(rests.reduce((x, y) => x + (y - m) ** 2, 0) / rests.length);
    expect(sd).toBeGreaterThan(2e-3);
    expect(sd).toBeLessThan(10e-3);
  });
});

describe('codesForTargets', () => {
  it('lowers targets so that the forward transfer reads them back within one code step', () => {
    // i_offset −2 nA keeps the rest in the range the synaptic input is linearised in (circuit.ts,
    // SYNIN_LINEAR_RANGE_V): τ_mem is the small-signal τ at the rest, which the inverse
    // evaluates at v_leak (with −20 nA the rest fell to 0.34 V, off the inverse's point).
    const t = { v_leak: 0.62, v_reset: 0.48, v_threshold: 0.85, capacitance_code: 40, tau_mem: 12e-6, tau_syn_exc: 6e-6, gain_exc: 8, i_offset: -2e-9, tau_icc: 5e-6 };
    for (const die of ['ideal', { seed: 4 }] as const) {
      const coord = neuron(1, 200);
      const { config, unreachable } = codesForTargets(t, die === 'ideal' ? {} : { die, coordinate: coord });
      expect(unreachable).toEqual([]);
      const chip = defaultChipConfig();
      const e = 256 + 200;
      const n = chip.neurons[e];
      Object.assign(n.leak, config.leak);
      Object.assign(n.reset, config.reset);
      Object.assign(n.threshold, config.threshold);
      Object.assign(n.membrane_capacitance, config.membrane_capacitance);
      Object.assign(n.excitatory_input, config.excitatory_input);
      Object.assign(n.constant_current, config.constant_current);
      Object.assign(n.multicompartment, config.multicompartment, { enable_conductance: true });
      const p = circuitParameters(chip, die, e);
      // One voltage code is 1.875 mV (± half a code); the synaptic input's conductance is
      // written towards the leak's potential (circuit.ts), the icc's offsets move E_L by < 0.1 mV: 2 mV.
      expect(Math.abs(p.eLeak - t.v_leak)).toBeLessThan(2e-3);
      expect(Math.abs(p.vThreshold - t.v_threshold)).toBeLessThan(1.5e-3);
      expect(Math.abs(p.vReset - t.v_reset)).toBeLessThan(1.5e-3);
      // τ_mem: one bias code near code 60 (÷8 range) is ≈ 1 %.
      expect(Math.abs(p.capacitance / p.gLeak / t.tau_mem - 1)).toBeLessThan(0.015);
      // τ_syn: one tau code near code 10 is ≈ 5 %.
      expect(Math.abs(p.synapticInput[0].tau / t.tau_syn_exc - 1)).toBeLessThan(0.06);
      expect(Math.abs(p.synapticInput[0].gain / t.gain_exc - 1)).toBeLessThan(0.03);
      expect(Math.abs(p.capacitance / p.gInterCompartment / t.tau_icc - 1)).toBeLessThan(0.03);
    }
  });

  it('reports unreachable targets with the reachable range instead of clipping', () => {
    const { unreachable } = codesForTargets({ capacitance_code: 63, tau_mem: 10e-3, v_threshold: 1.5, exponential: { delta_t: 0.01 } });
    const paths = unreachable.map((i) => i.location.path);
    expect(paths).toContain('tau_mem');
    expect(paths).toContain('threshold.v_threshold');
    expect(paths).toContain('exponential.delta_t');
    const tau = unreachable.find((i) => i.location.path === 'tau_mem');
    expect(tau?.value).toBe(10e-3);
    expect(tau?.allowed).toMatch(/ s$/);
  });

  it('gives holdoff settings for a clock', () => {
    // 5 cycles at 15.625 MHz = 320 ns ↔ setting 13 (2·(15 − 13) + 1 = 5).
    expect(holdoffSettingFor(320e-9, 15.625e6)).toEqual({ setting: 13, seconds: 5 / 15.625e6 });
    expect(holdoffSettingFor(64e-9, 15.625e6).setting).toBe(15);
    expect(holdoffSettingFor(10e-6, 15.625e6).issue?.value).toBe(10e-6);
  });

  it('gives refractory counters for a clock', () => {
    expect(refractoryCounterFor(2e-6, 15.625e6)).toEqual({ counter: 31, seconds: 31 / 15.625e6 });
    const r = refractoryCounterFor(1e-3, 15.625e6);
    expect(r.counter).toBe(255);
    expect(r.issue?.value).toBe(1e-3);
  });
});

describe('buildDeck', () => {
  it('closes the selection over the compartment wiring and names one node per membrane', () => {
    const chip = lifChip([20, 21, 22]);
    chip.neurons[20].multicompartment.connect_right = true; // 20–21 one compartment
    chip.neurons[21].multicompartment.connect_soma = true;
    chip.neurons[21].multicompartment.connect_soma_right = true;
    chip.neurons[22].multicompartment.enable_conductance = true;
    chip.neurons[22].multicompartment.i_bias_nmda = 50;
    const d = buildDeck({ chip, die: { seed: 1 }, circuits: [neuron(0, 20)], duration: 1e-6 });
    expect(d.circuits).toEqual([20, 21, 22]);
    expect(d.compartments.map((c) => c.circuits)).toEqual([[20, 21], [22]]);
    expect(d.membrane[20]).toBe(d.membrane[21]);
    // Same request → byte-identical text.
    const again = buildDeck({ chip, die: { seed: 1 }, circuits: [neuron(0, 20)], duration: 1e-6 });
    expect(writeNetlist(again.netlist).text).toBe(writeNetlist(d.netlist).text);
  });

  it('refuses a contradictory configuration, with the circuit named', () => {
    // (COBA mode has a transistor-level model now: test/circuits/coba.test.ts.)
    const chip = lifChip([3]);
    chip.neurons[3].multicompartment.connect_soma = true;
    chip.neurons[3].multicompartment.enable_conductance = true;
    let err: unknown;
    try { buildDeck({ chip, die: 'ideal', circuits: [neuron(0, 3)] }); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).issues.length).toBe(1);
    expect((err as InputError).issues[0].message).toMatch(/connect_soma/);
    expect((err as InputError).issues[0].location.circuit).toMatch(/column 3/);
  });
});

/**
 * What the emulator calls: the physical parameters of all 512 circuits (enum order) of a
 * configured chip on one virtual die. Deterministic (the die is addressed, not drawn in
 * sequence) and pure.
 *
 * A small experiment uses a handful of the 512 circuits and leaves the rest in the chip-reset
 * configuration (`defaultNeuronConfig`: every cell at code 0, threshold, inputs and outputs off).
 * Deriving those through the circuit library is most of the cost of such an experiment
 * (≈ 15–40 µs each), so `{ circuits }` derives only the circuits in use and gives every circuit
 * left in the reset configuration the reset circuit's nominal parameters (docs/verification.md,
 * "Speed"): g_L = 0, no threshold, inputs and adaptation off, so its membrane holds its start
 * value e_leak(code 0) ≈ 0.02 V whatever the die; on a mismatched die its own value differs by the
 * v_leak cell's error at code 0, which shows only in a CADC/MADC sample of that unused circuit.
 */
import type { ChipConfig } from '../chip/chip.ts';
import { NEURON_CIRCUITS } from '../chip/constants.ts';
import { backendHalfOf, neuronFromEnum, quadrantOf } from '../chip/coordinates.ts';
import { analyzeCompartments } from '../chip/multicompartment.ts';
import { defaultNeuronConfig, type NeuronCircuitConfig } from '../chip/neuron.ts';
import { inputError } from '../util/errors.ts';
import type { CircuitParameters } from './params.ts';
import { checkDie, type Die } from './die.ts';
import { circuitParameters } from './circuit.ts';
import { linearizeCouplingsAtRest } from './neuron-rest.ts';

export interface DeriveOptions {
  /**
   * Derive these circuits (enums) exactly, together with every circuit whose configuration is
   * not the reset one and every circuit shorted into a compartment with one of those; every other
   * circuit gets the reset circuit's nominal parameters (module comment). Absent: all 512 exactly.
   */
  circuits?: Iterable<number>;
}

export function deriveCircuitParameters(chip: ChipConfig, die: Die, opts: DeriveOptions = {}): CircuitParameters[] {
  checkDie(die);
  if (!Array.isArray(chip.neurons) || chip.neurons.length !== NEURON_CIRCUITS) {
    throw inputError('chip configuration must hold 512 neuron circuits', { path: 'neurons' }, { value: chip.neurons?.length, allowed: String(NEURON_CIRCUITS) });
  }
  const out: CircuitParameters[] = new Array(NEURON_CIRCUITS);
  if (opts.circuits === undefined) {
    for (let e = 0; e < NEURON_CIRCUITS; e++) out[e] = circuitParameters(chip, die, e);
    return linearizeCouplingsAtRest(chip, die, out);
  }
  const exact = circuitsInUse(chip, opts.circuits);
  const keys = new Map<string, string>();
  for (let e = 0; e < NEURON_CIRCUITS; e++) {
    if (exact[e] === 1) { out[e] = circuitParameters(chip, die, e); continue; }
    const coord = neuronFromEnum(e);
    const q = quadrantOf(coord);
    const h = backendHalfOf(coord);
    const qh = `${q}|${h}`;
    let key = keys.get(qh);
    if (key === undefined) keys.set(qh, key = `${qh}|${JSON.stringify(chip.quadrants[q])}|${JSON.stringify(chip.backends[h])}`);
    out[e] = resetCircuitParameters(chip, e, key);
  }
  return linearizeCouplingsAtRest(chip, die, out);
}

/**
 * 1 for each circuit that must be derived exactly: the listed ones, every circuit not in the
 * reset configuration, and every circuit whose membrane is shorted to one of those (a reset
 * circuit inside a used compartment adds its capacitance and leak to it).
 */
export function circuitsInUse(chip: ChipConfig, listed: Iterable<number>): Uint8Array {
  const use = new Uint8Array(NEURON_CIRCUITS);
  for (const e of listed) {
    if (!Number.isInteger(e) || e < 0 || e >= NEURON_CIRCUITS) throw inputError('circuit out of range', { path: 'circuits' }, { value: e, allowed: `integer 0..${NEURON_CIRCUITS - 1}` });
    use[e] = 1;
  }
  let shorted = false;
  for (let e = 0; e < NEURON_CIRCUITS; e++) {
    const cfg = chip.neurons[e];
    if (use[e] === 0 && !isResetConfig(cfg)) use[e] = 1;
    const mc = cfg.multicompartment;
    if (mc.connect_right || mc.connect_vertical) shorted = true;
  }
  if (shorted) {
    // Compartments with a circuit in use: all their circuits (analyzeCompartments is the same
    // membrane union the emulator's model uses; wiring errors are reported there).
    const { topology } = analyzeCompartments(chip);
    for (const comp of topology.compartments) {
      if (comp.circuits.some((e) => use[e] === 1)) for (const e of comp.circuits) use[e] = 1;
    }
  }
  return use;
}

/**
 * Whether a circuit's configuration is the reset one (`defaultNeuronConfig`): every member of
 * every group compared with a plain property read (the configurations share their shapes, so
 * this costs ≈ 0.1 µs per circuit where a generic walk over the keys cost ≈ 1 µs;
 * test/pipeline/derive-subset.test.ts flips every member of the reset configuration in turn, so
 * a member added to NeuronCircuitConfig but not here fails it).
 */
export function isResetConfig(cfg: NeuronCircuitConfig): boolean {
  const l = cfg.leak;
  if (l.v_leak !== 0 || l.i_bias !== 0 || l.enable_degeneration !== false || l.enable_division !== false || l.enable_multiplication !== false) return false;
  const r = cfg.reset;
  if (r.v_reset !== 0 || r.i_bias !== 0 || r.enable_degeneration !== false || r.enable_division !== false || r.enable_multiplication !== false) return false;
  const t = cfg.threshold;
  if (t.enable !== false || t.v_threshold !== 0) return false;
  for (const x of [cfg.excitatory_input, cfg.inhibitory_input]) {
    if (x.enable !== false || x.i_bias_tau !== 0 || x.i_bias_coba !== 0 || x.i_shift_reference !== 0 || x.i_bias_gm !== 0 || x.v_rev_coba !== 0 || x.enable_small_capacitance !== true || x.enable_high_resistance !== false || x.enable_coba_mode !== false) return false;
  }
  if (cfg.membrane_capacitance.capacitance !== 0) return false;
  const a = cfg.adaptation;
  if (a.enable !== false || a.enable_pulse !== false || a.invert_a !== false || a.invert_b !== false || a.v_ref !== 0 || a.v_leak !== 0 || a.i_bias_tau !== 0 || a.i_bias_a !== 0 || a.i_bias_b !== 0) return false;
  const e = cfg.exponential;
  if (e.enable !== false || e.v_exp !== 0 || e.i_bias !== 0) return false;
  const c = cfg.constant_current;
  if (c.enable !== false || c.i_offset !== 0 || c.type !== 'source') return false;
  const m = cfg.multicompartment;
  if (m.connect_soma !== false || m.connect_soma_right !== false || m.connect_right !== false || m.connect_vertical !== false || m.enable_conductance !== false || m.enable_conductance_division !== false || m.enable_conductance_multiplication !== false || m.i_bias_nmda !== 0) return false;
  const rp = cfg.refractory_period;
  if (rp.input_clock !== 'slow' || rp.reset_holdoff !== 15 || rp.refractory_time !== 0 || rp.enable_pause !== false) return false;
  const ev = cfg.event_routing;
  if (ev.enable_digital !== false || ev.address !== 0 || ev.enable_bypass_excitatory !== false || ev.enable_bypass_inhibitory !== false) return false;
  const ro = cfg.readout;
  if (ro.enable_buffered_access !== false || ro.source !== 'membrane') return false;
  const f = cfg.fire_line;
  if (f.operation !== 'local' || f.connect_fire_vertical !== false || f.connect_fire_to_right !== false || f.enable_master !== false || f.enable_slave !== false) return false;
  return true;
}

/**
 * Per process: the reset circuit's parameters on the ideal die for each (quadrant, backend half)
 * configuration (the only chip state besides its own that a circuit's parameters read), frozen
 * and shared.
 */
const resetCache = new Map<string, CircuitParameters>();

function resetCircuitParameters(chip: ChipConfig, e: number, key: string): CircuitParameters {
  let p = resetCache.get(key);
  if (p === undefined) {
    const neurons = Array.from({ length: NEURON_CIRCUITS }, defaultNeuronConfig);
    p = deepFreeze(circuitParameters({ ...chip, neurons }, 'ideal', e));
    if (resetCache.size > 64) resetCache.clear();
    resetCache.set(key, p);
  }
  return p;
}

function deepFreeze<T>(x: T): T {
  if (typeof x === 'object' && x !== null && !Object.isFrozen(x)) {
    for (const v of Object.values(x)) deepFreeze(v);
    Object.freeze(x);
  }
  return x;
}

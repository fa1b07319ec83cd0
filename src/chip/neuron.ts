/**
 * Configuration of one neuron circuit, grouped as on the chip (lola `AtomicNeuron` groups; the
 * same names as PyNN's `<group>_<member>` keys). Analog fields are capmem codes (0..1022, 1023 =
 * refresh disabled); switches are booleans; counters are integers.
 */
import type { CapmemCode } from './capmem.ts';

export interface LeakConfig {
  v_leak: CapmemCode;
  i_bias: CapmemCode;
  enable_degeneration: boolean;
  /** Leak conductance ÷ 8. */
  enable_division: boolean;
  /** Leak conductance × 8. */
  enable_multiplication: boolean;
}

export interface ResetConfig {
  v_reset: CapmemCode;
  i_bias: CapmemCode;
  enable_degeneration: boolean;
  enable_division: boolean;
  enable_multiplication: boolean;
}

export interface ThresholdConfig {
  enable: boolean;
  v_threshold: CapmemCode;
}

export interface SynapticInputConfig {
  enable: boolean;
  i_bias_tau: CapmemCode;
  i_bias_coba: CapmemCode;
  i_shift_reference: CapmemCode;
  i_bias_gm: CapmemCode;
  v_rev_coba: CapmemCode;
  /** Disconnects the input capacitor, leaving the line parasitics: shorter τ_syn. */
  enable_small_capacitance: boolean;
  /** High-resistance mode of the tunable resistor: longer τ_syn. */
  enable_high_resistance: boolean;
  enable_coba_mode: boolean;
}

export interface MembraneCapacitanceConfig {
  /** 6-bit switchable capacitor, 0..63. */
  capacitance: number;
}

export interface AdaptationConfig {
  enable: boolean;
  /** Spike-triggered increment (b) pulses. */
  enable_pulse: boolean;
  invert_a: boolean;
  invert_b: boolean;
  v_ref: CapmemCode;
  v_leak: CapmemCode;
  i_bias_tau: CapmemCode;
  i_bias_a: CapmemCode;
  i_bias_b: CapmemCode;
}

export interface ExponentialConfig {
  enable: boolean;
  v_exp: CapmemCode;
  i_bias: CapmemCode;
}

export interface ConstantCurrentConfig {
  enable: boolean;
  i_offset: CapmemCode;
  type: 'source' | 'sink';
}

export interface MulticompartmentConfig {
  /** Tie the membrane directly to its shared-line segment. */
  connect_soma: boolean;
  /** Join this column's shared-line segment to the right neighbour's. */
  connect_soma_right: boolean;
  /** Short this membrane to the right neighbour's (same row). */
  connect_right: boolean;
  /** Short this membrane to the other row's circuit in the same column. */
  connect_vertical: boolean;
  /** Tie the membrane to its shared-line segment through the inter-compartment conductance. */
  enable_conductance: boolean;
  /** Inter-compartment conductance bias ÷ 4. */
  enable_conductance_division: boolean;
  /** Inter-compartment conductance bias × 4. */
  enable_conductance_multiplication: boolean;
  i_bias_nmda: CapmemCode;
}

export interface RefractoryConfig {
  /** Which of the backend half's two clocks drives the refractory counter. */
  input_clock: 'slow' | 'fast';
  /** 4 bit; reset is released 2·(15 − reset_holdoff) + 1 cycles before the refractory period ends. */
  reset_holdoff: number;
  /** 8-bit refractory counter, in clock cycles. */
  refractory_time: number;
  /** Gate synaptic input and exponential term while the reset is active. */
  enable_pause: boolean;
}

export interface EventRoutingConfig {
  /** Send spikes out of the backend (to the event outputs). */
  enable_digital: boolean;
  /** Lower 8 bits of the spike label; the event output (column / 32) gives bits 8..10. */
  address: number;
  enable_bypass_excitatory: boolean;
  enable_bypass_inhibitory: boolean;
}

export type ReadoutSource = 'membrane' | 'exc_synin' | 'inh_synin' | 'adaptation';

export interface ReadoutConfig {
  enable_buffered_access: boolean;
  source: ReadoutSource;
}

export type FireLineOperation = 'local' | 'and' | 'xnor' | 'muller_c';

export interface FireLineConfig {
  operation: FireLineOperation;
  connect_fire_vertical: boolean;
  connect_fire_to_right: boolean;
  enable_master: boolean;
  enable_slave: boolean;
}

export interface NeuronCircuitConfig {
  leak: LeakConfig;
  reset: ResetConfig;
  threshold: ThresholdConfig;
  excitatory_input: SynapticInputConfig;
  inhibitory_input: SynapticInputConfig;
  membrane_capacitance: MembraneCapacitanceConfig;
  adaptation: AdaptationConfig;
  exponential: ExponentialConfig;
  constant_current: ConstantCurrentConfig;
  multicompartment: MulticompartmentConfig;
  refractory_period: RefractoryConfig;
  event_routing: EventRoutingConfig;
  readout: ReadoutConfig;
  fire_line: FireLineConfig;
}

function synin(): SynapticInputConfig {
  return {
    enable: false, i_bias_tau: 0, i_bias_coba: 0, i_shift_reference: 0, i_bias_gm: 0, v_rev_coba: 0,
    enable_small_capacitance: true, enable_high_resistance: false, enable_coba_mode: false,
  };
}

/**
 * The state of a circuit after a chip reset: every analog cell at code 0, every switch open,
 * threshold, inputs and outputs disabled (the lola defaults, except that the synaptic inputs start
 * with the small capacitance as on the chip).
 */
export function defaultNeuronConfig(): NeuronCircuitConfig {
  return {
    leak: { v_leak: 0, i_bias: 0, enable_degeneration: false, enable_division: false, enable_multiplication: false },
    reset: { v_reset: 0, i_bias: 0, enable_degeneration: false, enable_division: false, enable_multiplication: false },
    threshold: { enable: false, v_threshold: 0 },
    excitatory_input: synin(),
    inhibitory_input: synin(),
    membrane_capacitance: { capacitance: 0 },
    adaptation: { enable: false, enable_pulse: false, invert_a: false, invert_b: false, v_ref: 0, v_leak: 0, i_bias_tau: 0, i_bias_a: 0, i_bias_b: 0 },
    exponential: { enable: false, v_exp: 0, i_bias: 0 },
    constant_current: { enable: false, i_offset: 0, type: 'source' },
    multicompartment: {
      connect_soma: false, connect_soma_right: false, connect_right: false, connect_vertical: false,
      enable_conductance: false, enable_conductance_division: false, enable_conductance_multiplication: false, i_bias_nmda: 0,
    },
    refractory_period: { input_clock: 'slow', reset_holdoff: 15, refractory_time: 0, enable_pause: false },
    event_routing: { enable_digital: false, address: 0, enable_bypass_excitatory: false, enable_bypass_inhibitory: false },
    readout: { enable_buffered_access: false, source: 'membrane' },
    fire_line: { operation: 'local', connect_fire_vertical: false, connect_fire_to_right: false, enable_master: false, enable_slave: false },
  };
}

/** Read a capmem code by its `group.member` field path. */
export function getCode(cfg: NeuronCircuitConfig, field: string): CapmemCode {
  const [g, m] = field.split('.');
  const group = (cfg as unknown as Record<string, Record<string, unknown>>)[g];
  const v = group?.[m];
  if (typeof v !== 'number') throw new Error(`not a capmem field: ${field}`);
  return v;
}

export function setCode(cfg: NeuronCircuitConfig, field: string, code: CapmemCode): void {
  const [g, m] = field.split('.');
  const group = (cfg as unknown as Record<string, Record<string, unknown>>)[g];
  if (!group || typeof group[m] !== 'number') throw new Error(`not a capmem field: ${field}`);
  group[m] = code;
}

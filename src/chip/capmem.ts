/**
 * The analog parameter memory ("capmem"): 10-bit cells, codes 0..1022, 1023 = refresh disabled.
 * Per neuron circuit 24 cells (8 voltages, 16 bias currents); per quadrant a few shared cells.
 * Row indices and names follow the HICANN-X v3 organisation (docs/chip-model.md).
 */

export type CapmemKind = 'voltage' | 'current';

export interface CapmemCellInfo {
  /** Row of the cell in the quadrant's parameter block (0..23). */
  readonly row: number;
  /** Hardware name of the row. */
  readonly name: string;
  /** Path of the field in the neuron circuit configuration, `group.member`. */
  readonly field: string;
  readonly kind: CapmemKind;
  readonly description: string;
}

export const NEURON_CAPMEM_CELLS: readonly CapmemCellInfo[] = [
  { row: 0, name: 'v_leak', field: 'leak.v_leak', kind: 'voltage', description: 'resting potential (through a source follower)' },
  { row: 1, name: 'v_reset', field: 'reset.v_reset', kind: 'voltage', description: 'reset potential (through a source follower)' },
  { row: 2, name: 'v_threshold', field: 'threshold.v_threshold', kind: 'voltage', description: 'spike threshold' },
  { row: 3, name: 'e_synin_exc_rev', field: 'excitatory_input.v_rev_coba', kind: 'voltage', description: 'reference of the conductance-based approximation, excitatory' },
  { row: 4, name: 'e_synin_inh_rev', field: 'inhibitory_input.v_rev_coba', kind: 'voltage', description: 'reference of the conductance-based approximation, inhibitory' },
  { row: 5, name: 'v_adapt_leak', field: 'adaptation.v_leak', kind: 'voltage', description: 'adaptation reference' },
  { row: 6, name: 'v_exp', field: 'exponential.v_exp', kind: 'voltage', description: 'exponential-term onset' },
  { row: 7, name: 'v_adapt_ref', field: 'adaptation.v_ref', kind: 'voltage', description: 'adaptation baseline' },
  { row: 8, name: 'i_bias_leak', field: 'leak.i_bias', kind: 'current', description: 'leak conductance' },
  { row: 9, name: 'i_bias_reset', field: 'reset.i_bias', kind: 'current', description: 'reset conductance' },
  { row: 10, name: 'i_bias_synin_exc_tau', field: 'excitatory_input.i_bias_tau', kind: 'current', description: 'excitatory τ_syn (tunable resistor)' },
  { row: 11, name: 'i_bias_synin_exc_coba', field: 'excitatory_input.i_bias_coba', kind: 'current', description: 'excitatory conductance-based strength' },
  { row: 12, name: 'i_bias_synin_exc_shift', field: 'excitatory_input.i_shift_reference', kind: 'current', description: 'excitatory reference shift' },
  { row: 13, name: 'i_bias_synin_exc_gm', field: 'excitatory_input.i_bias_gm', kind: 'current', description: 'excitatory transconductance' },
  { row: 14, name: 'i_bias_synin_inh_tau', field: 'inhibitory_input.i_bias_tau', kind: 'current', description: 'inhibitory τ_syn (tunable resistor)' },
  { row: 15, name: 'i_bias_synin_inh_coba', field: 'inhibitory_input.i_bias_coba', kind: 'current', description: 'inhibitory conductance-based strength' },
  { row: 16, name: 'i_bias_synin_inh_shift', field: 'inhibitory_input.i_shift_reference', kind: 'current', description: 'inhibitory reference shift' },
  { row: 17, name: 'i_bias_synin_inh_gm', field: 'inhibitory_input.i_bias_gm', kind: 'current', description: 'inhibitory transconductance' },
  { row: 18, name: 'i_bias_adapt_tau', field: 'adaptation.i_bias_tau', kind: 'current', description: 'adaptation τ_w' },
  { row: 19, name: 'i_bias_adapt_a', field: 'adaptation.i_bias_a', kind: 'current', description: 'sub-threshold adaptation a' },
  { row: 20, name: 'i_bias_adapt_b', field: 'adaptation.i_bias_b', kind: 'current', description: 'spike-triggered adaptation b' },
  { row: 21, name: 'i_bias_exp', field: 'exponential.i_bias', kind: 'current', description: 'exponential-term strength' },
  { row: 22, name: 'i_mem_offset', field: 'constant_current.i_offset', kind: 'current', description: 'constant current (source or sink)' },
  { row: 23, name: 'i_bias_nmda', field: 'multicompartment.i_bias_nmda', kind: 'current', description: 'inter-compartment conductance' },
];

/**
 * Quadrant-shared cells (parameter-block columns 128/129). Only the ones the model uses are
 * listed; names as on the chip.
 */
export const QUADRANT_CAPMEM_CELLS: readonly { name: string; kind: CapmemKind; description: string; default: number }[] = [
  { name: 'syn_i_bias_dac', kind: 'current', description: 'synapse DAC bias: scales every synapse weight of the quadrant', default: 600 },
  { name: 'neuron_v_bias_casc_n', kind: 'voltage', description: 'cascode bias of the neuron circuits', default: 250 },
  { name: 'neuron_i_bias_readout_amp', kind: 'current', description: 'readout amplifier bias', default: 110 },
  { name: 'neuron_i_bias_leak_source_follower', kind: 'current', description: 'bias of the source followers of v_leak, v_reset and the other follower-fed voltages', default: 100 },
  { name: 'neuron_i_bias_spike_comparator', kind: 'current', description: 'threshold comparator bias', default: 200 },
  { name: 'neuron_i_bias_synin_drop', kind: 'current', description: 'synaptic-input line drop bias', default: 300 },
];

export type QuadrantCellName = 'syn_i_bias_dac' | 'neuron_v_bias_casc_n' | 'neuron_i_bias_readout_amp'
  | 'neuron_i_bias_leak_source_follower' | 'neuron_i_bias_spike_comparator' | 'neuron_i_bias_synin_drop';

/** A capmem code: an integer 0..1022, or 1023 for "refresh disabled". */
export type CapmemCode = number;

export function isCapmemCode(v: unknown): v is CapmemCode {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 1023;
}

export function cellByField(field: string): CapmemCellInfo | undefined {
  return NEURON_CAPMEM_CELLS.find((c) => c.field === field);
}

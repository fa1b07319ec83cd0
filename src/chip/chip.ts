/**
 * The whole chip state as plain data: what a configuration file describes and what the
 * emulator and the netlist builder read. Shared settings live where they are on the chip:
 * refractory clocks per backend half, synapse DAC bias per quadrant, sign per synapse row.
 */
import {
  BACKEND_HALVES, BACKGROUND_SOURCES, NEURON_CIRCUITS, QUADRANTS, SYNAPSES, SYNAPSE_DRIVERS,
} from './constants.ts';
import { QUADRANT_CAPMEM_CELLS, type QuadrantCellName } from './capmem.ts';
import { defaultNeuronConfig, type NeuronCircuitConfig, type ReadoutSource } from './neuron.ts';
import type { NeuronCoordinate } from './coordinates.ts';

export type QuadrantConfig = Record<QuadrantCellName, number>;

/** One of the two digital backend halves (columns 0–127 / 128–255, both rows). */
export interface BackendHalfConfig {
  /** f = 250 MHz / 2^(scale+1). */
  clock_scale_slow: number;
  clock_scale_fast: number;
  clock_scale_adaptation_pulse: number;
  enable_clocks: boolean;
}

export type RowMode = 'disabled' | 'excitatory' | 'inhibitory' | 'excitatory_and_inhibitory';

export interface SynapseDriverConfig {
  enable_receiver: boolean;
  /** Row mode of the driver's first (even) and second (odd) synapse row: the sign lives here. */
  row_mode_top: RowMode;
  row_mode_bottom: RowMode;
  /** 5-bit mask: which row-select bits must match the driver's position on its bus. */
  row_address_compare_mask: number;
}

/** A crossbar node passes an event from input to output when (label & mask) === target. */
export interface CrossbarNode {
  /** 0–7 neuron event outputs, 8–11 external inputs, 12–19 background sources. */
  input: number;
  /** 0–7 buses, 8–11 external outputs. */
  output: number;
  mask: number;
  target: number;
}

export interface BackgroundSourceConfig {
  enable: boolean;
  mode: 'regular' | 'poisson';
  /** Mean rate in hardware Hz (≤ 125 MHz). */
  rate_hz: number;
  /** 14-bit label sent with each event (row-select bits 6..10, synapse label bits 0..5). */
  label: number;
  /** Bits of the label that are randomised per event (spread over synapse labels). */
  label_random_mask: number;
  /** Seed of the source's generator. */
  seed: number;
}

export interface MadcChannel {
  circuit: NeuronCoordinate;
  source: ReadoutSource;
}

export interface ReadoutChainConfig {
  /** At most two channels: one in an even and one in an odd column. */
  madc: MadcChannel[];
  /** CADC membrane sampling of every enabled circuit. */
  cadc: { enable: boolean; period_s: number };
}

export interface ChipConfig {
  /** 512 circuits in enum order (row·256 + column). */
  neurons: NeuronCircuitConfig[];
  quadrants: QuadrantConfig[];
  backends: BackendHalfConfig[];
  /** 6-bit weights, index = (array·256 + row)·256 + column. */
  weights: Uint8Array;
  /** 6-bit labels, same indexing. */
  labels: Uint8Array;
  drivers: SynapseDriverConfig[];
  crossbar: CrossbarNode[];
  background: BackgroundSourceConfig[];
  readout: ReadoutChainConfig;
}

export function defaultQuadrantConfig(): QuadrantConfig {
  const q = {} as QuadrantConfig;
  for (const c of QUADRANT_CAPMEM_CELLS) q[c.name as QuadrantCellName] = c.default;
  return q;
}

export function defaultChipConfig(): ChipConfig {
  return {
    neurons: Array.from({ length: NEURON_CIRCUITS }, defaultNeuronConfig),
    quadrants: Array.from({ length: QUADRANTS }, defaultQuadrantConfig),
    backends: Array.from({ length: BACKEND_HALVES }, () => ({
      clock_scale_slow: 9, clock_scale_fast: 3, clock_scale_adaptation_pulse: 6, enable_clocks: true,
    })),
    weights: new Uint8Array(SYNAPSES),
    labels: new Uint8Array(SYNAPSES),
    drivers: Array.from({ length: SYNAPSE_DRIVERS }, () => ({
      enable_receiver: false, row_mode_top: 'disabled' as RowMode, row_mode_bottom: 'disabled' as RowMode, row_address_compare_mask: 0,
    })),
    crossbar: [],
    background: Array.from({ length: BACKGROUND_SOURCES }, () => ({
      enable: false, mode: 'poisson' as const, rate_hz: 0, label: 0, label_random_mask: 0, seed: 0,
    })),
    readout: { madc: [], cadc: { enable: false, period_s: 2e-6 } },
  };
}

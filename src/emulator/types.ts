/**
 * Inputs and outputs of the behavioural emulator (hardware time, SI units).
 */
import type { ReadoutSource } from '../chip/neuron.ts';
import type { MadcChannel } from '../chip/chip.ts';

/** One event entering the crossbar from one of the 4 external (FPGA) inputs. */
export interface ExternalSpike {
  /** Time the event enters the crossbar, s. */
  time: number;
  /** External crossbar input 0..3 (crossbar input index 8 + input). */
  input: number;
  /** 14-bit label: bits 6..10 row-select address, bits 0..5 synapse label. */
  label: number;
}

/** What to record besides spikes. */
export interface RecordOptions {
  /** Ideal (unquantised, noiseless) traces, one sample per time step. */
  ideal?: { circuit: number; source?: ReadoutSource }[];
  /** MADC channels; overrides chip.readout.madc when given (≤ 2, one even and one odd column). */
  madc?: MadcChannel[];
  /** CADC membrane samples of all 512 circuits; overrides chip.readout.cadc when given. */
  cadc?: { enable: boolean; period_s: number };
}

export interface EmulationOptions {
  /** Hardware time to emulate, s. */
  duration: number;
  /** Time step, s (default 10 ns). */
  dt?: number;
  /** Seed of every random draw of the run (trial-to-trial noise, readout noise). */
  seed: number;
  /** Trial-to-trial threshold noise and readout noise; default true. */
  noise?: boolean;
  record?: RecordOptions;
  externalSpikes?: ExternalSpike[];
  /**
   * Integrate every compartment with the general matrix-exponential path even where the
   * scalar closed form applies (used by the tests to check that both agree).
   */
  forceGeneric?: boolean;
  /**
   * Start state: 'rest' (default) every compartment at its steady state without input
   * (leak saturation, offsets, coupling, exponential term, adaptation at steady state; the leak
   * potential where there is none below threshold), 'leak' every membrane at its leak potential.
   */
  start?: 'rest' | 'leak';
}

export interface SpikeEvent {
  /** Circuit enum (row·256 + column). */
  circuit: number;
  /** Registration time (a clock edge of the circuit's refractory clock), s. */
  time: number;
  /** 11-bit on-chip label: (event output = column/32) << 8 | address_out. */
  label: number;
}

export interface IdealTrace {
  circuit: number;
  source: ReadoutSource;
  /** Sample times, s (every step, starting at 0). */
  times: Float64Array;
  /** V for the membrane, A for synaptic inputs and adaptation. */
  values: Float64Array;
}

export interface MadcTrace {
  circuit: number;
  source: ReadoutSource;
  times: Float64Array;
  /** 10-bit codes, with readout noise unless noise is off. */
  codes: Uint16Array;
  /** The membrane voltage at the sample times before quantisation, V. */
  ideal: Float64Array;
}

export interface CadcTrace {
  times: Float64Array;
  /** 8-bit codes, sample-major: codes[sample·512 + circuit]. */
  codes: Uint8Array;
}

export interface SpikeCounters {
  /** 8-bit count per circuit (wraps). */
  count: Uint8Array;
  /** Set when the 8-bit count overflowed. */
  overflow: Uint8Array;
}

export interface EmulationResult {
  /** Every registered spike, sorted by time then circuit. */
  spikes: SpikeEvent[];
  /** Spike times per circuit (512 arrays). */
  spikeTrains: number[][];
  traces: { ideal: IdealTrace[]; madc: MadcTrace[]; cadc: CadcTrace | null };
  counters: SpikeCounters;
  /** Synaptic pulses delivered (one per synapse hit). */
  synapticEvents: number;
  /** Events that entered the crossbar (background, external, on-chip). */
  crossbarEvents: number;
  steps: number;
  simulatedSeconds: number;
  /** Wall time of the whole call, s. */
  wallSeconds: number;
  /** Part of wallSeconds spent compiling the model (compartments, routing tables, engine), s. */
  setupSeconds: number;
}

export interface EmulationJob {
  chip: import('../chip/chip.ts').ChipConfig;
  params: import('../circuits/params.ts').CircuitParameters[];
  opts: EmulationOptions;
}

/** Resource counts of the chip, as reported by `plateau chip info`. */
import * as K from './constants.ts';

export interface ChipResources {
  neuronCircuits: number;
  neuronRows: number;
  neuronColumns: number;
  quadrants: number;
  backendHalves: number;
  synapses: number;
  synapseArrays: number;
  synapseRowsPerArray: number;
  synapseColumnsPerArray: number;
  synapseDrivers: number;
  buses: number;
  neuronEventOutputs: number;
  backgroundSources: number;
  crossbarInputs: number;
  crossbarOutputs: number;
  capmemCellsPerCircuit: number;
  capmemVoltageCellsPerCircuit: number;
  capmemCurrentCellsPerCircuit: number;
  capmemCodeMax: number;
  weightBits: number;
  labelBits: number;
  membraneCapacitanceBits: number;
  madcBits: number;
  madcSampleRateHz: number;
  madcChannels: number;
  cadcBits: number;
  speedup: number;
}

export function chipResources(): ChipResources {
  return {
    neuronCircuits: K.NEURON_CIRCUITS,
    neuronRows: K.NEURON_ROWS,
    neuronColumns: K.NEURON_COLUMNS,
    quadrants: K.QUADRANTS,
    backendHalves: K.BACKEND_HALVES,
    synapses: K.SYNAPSES,
    synapseArrays: K.SYNAPSE_ARRAYS,
    synapseRowsPerArray: K.SYNAPSE_ROWS,
    synapseColumnsPerArray: K.SYNAPSE_COLUMNS,
    synapseDrivers: K.SYNAPSE_DRIVERS,
    buses: K.BUSES,
    neuronEventOutputs: K.NEURON_EVENT_OUTPUTS,
    backgroundSources: K.BACKGROUND_SOURCES,
    crossbarInputs: K.CROSSBAR_INPUTS,
    crossbarOutputs: K.CROSSBAR_OUTPUTS,
    capmemCellsPerCircuit: K.CAPMEM_CELLS_PER_CIRCUIT,
    capmemVoltageCellsPerCircuit: K.CAPMEM_VOLTAGE_CELLS,
    capmemCurrentCellsPerCircuit: K.CAPMEM_CURRENT_CELLS,
    capmemCodeMax: K.CAPMEM_CODE_MAX,
    weightBits: 6,
    labelBits: 6,
    membraneCapacitanceBits: 6,
    madcBits: K.MADC_BITS,
    madcSampleRateHz: K.MADC_SAMPLE_RATE_HZ,
    madcChannels: K.MADC_CHANNELS,
    cadcBits: K.CADC_BITS,
    speedup: K.SPEEDUP,
  };
}

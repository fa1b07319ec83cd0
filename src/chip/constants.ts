/**
 * Counts and fixed figures of the modelled chip (HICANN-X v3 organisation).
 * Sources: ../docs/chip-model.md, section "Public facts".
 */

export const NEURON_ROWS = 2;
export const NEURON_COLUMNS = 256;
export const NEURON_CIRCUITS = NEURON_ROWS * NEURON_COLUMNS; // 512
export const QUADRANTS = 4;
export const CIRCUITS_PER_QUADRANT = 128;
export const BACKEND_HALVES = 2;
export const COLUMNS_PER_BACKEND_HALF = 128;

export const SYNAPSE_ARRAYS = 2;
export const SYNAPSE_ROWS = 256;
export const SYNAPSE_COLUMNS = 256;
export const SYNAPSES = SYNAPSE_ARRAYS * SYNAPSE_ROWS * SYNAPSE_COLUMNS; // 131 072
export const WEIGHT_MAX = 63;
export const LABEL_MAX = 63;

export const SYNAPSE_DRIVERS = 256;
export const SYNAPSE_DRIVER_BLOCKS = 2;
export const SYNAPSE_DRIVERS_PER_BLOCK = 128;
export const ROWS_PER_DRIVER = 2;
export const DRIVERS_PER_BUS = 32;
export const ROW_SELECT_MAX = 31; // 5-bit row-select address and mask

export const NEURON_EVENT_OUTPUTS = 8;
export const COLUMNS_PER_EVENT_OUTPUT = 32;
export const EXTERNAL_INPUTS = 4;
export const BACKGROUND_SOURCES = 8;
export const CROSSBAR_INPUTS = NEURON_EVENT_OUTPUTS + EXTERNAL_INPUTS + BACKGROUND_SOURCES; // 20
export const BUSES = 8; // PADI buses, 4 per synapse-driver block
export const EXTERNAL_OUTPUTS = 4;
export const CROSSBAR_OUTPUTS = BUSES + EXTERNAL_OUTPUTS; // 12
export const BACKGROUND_MAX_RATE_HZ = 125e6;

export const CAPMEM_CELLS_PER_CIRCUIT = 24;
export const CAPMEM_VOLTAGE_CELLS = 8;
export const CAPMEM_CURRENT_CELLS = 16;
export const CAPMEM_CODE_MAX = 1022;
export const CAPMEM_DISABLE_REFRESH = 1023;

export const MEMBRANE_CAPACITANCE_MAX = 63; // 6-bit switchable capacitor
export const REFRACTORY_TIME_MAX = 255; // 8-bit counter
export const RESET_HOLDOFF_MAX = 15; // 4-bit
export const CLOCK_SCALE_MAX = 15; // 4-bit
export const ADDRESS_OUT_MAX = 255; // 8-bit

/** Backend (refractory) clock: f = 250 MHz / 2^(scale + 1). */
export const BACKEND_BASE_CLOCK_HZ = 250e6;
export const SPEEDUP = 1000; // bio = 1000 × hardware
export const ANALOG_SUPPLY_V = 1.2;

export const CADC_BITS = 8;
export const CADC_MAX_RATE_HZ = 1.85e6;
export const MADC_BITS = 10;
export const MADC_CLOCK_HZ = 500e6;
export const MADC_CYCLES_PER_SAMPLE = 17; // 12 minimal + 5 default sample_duration_adjust
export const MADC_SAMPLE_RATE_HZ = MADC_CLOCK_HZ / MADC_CYCLES_PER_SAMPLE; // ≈ 29.4 MSa/s
export const MADC_MAX_SAMPLES = 65535;
export const MADC_CHANNELS = 2;
export const SPIKE_COUNTER_BITS = 8;

/** Frequency of a backend clock for a 4-bit scale. */
export function backendClockHz(scale: number): number {
  return BACKEND_BASE_CLOCK_HZ / 2 ** (scale + 1);
}

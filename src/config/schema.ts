/**
 * JSON Schemas (draft-07) of the three configuration layers. The neuron-circuit part of the chip
 * schema is derived from the chip model itself (src/chip/neuron.ts), so the two cannot drift.
 * `plateau schema <layer>` prints them for editors (yaml-language-server: `# yaml-language-server:
 * $schema=...`).
 */
import { NEURON_CAPMEM_CELLS, QUADRANT_CAPMEM_CELLS } from '../chip/capmem.ts';
import {
  ADDRESS_OUT_MAX, BACKGROUND_MAX_RATE_HZ, BACKGROUND_SOURCES, CAPMEM_DISABLE_REFRESH, CLOCK_SCALE_MAX,
  CROSSBAR_INPUTS, CROSSBAR_OUTPUTS, LABEL_MAX, MEMBRANE_CAPACITANCE_MAX, NEURON_CIRCUITS, NEURON_COLUMNS,
  REFRACTORY_TIME_MAX, RESET_HOLDOFF_MAX, ROW_SELECT_MAX, SYNAPSE_DRIVERS, SYNAPSE_DRIVERS_PER_BLOCK,
  SYNAPSE_ROWS, WEIGHT_MAX,
} from '../chip/constants.ts';
import { defaultNeuronConfig } from '../chip/neuron.ts';
import { quantitySchema } from './quantity.ts';

type Schema = Record<string, unknown>;

export const LAYERS = ['chip', 'calibration', 'experiment'] as const;
export type Layer = (typeof LAYERS)[number];

const int = (min: number, max: number, description?: string): Schema => ({ type: 'integer', minimum: min, maximum: max, ...(description ? { description } : {}) });

/** An index, or an inclusive range `{from, to}`. */
const indexOrRange = (max: number, what: string): Schema => ({
  description: `${what}: an integer 0..${max}, or an inclusive range {from, to}`,
  anyOf: [
    int(0, max),
    { type: 'object', additionalProperties: false, required: ['from', 'to'], properties: { from: int(0, max), to: int(0, max) } },
  ],
});

export const circuitSelectorSchema: Schema = {
  description: 'neuron circuits: {row, column} (each an index or a {from, to} range), or {enum} (row·256 + column)',
  anyOf: [
    {
      type: 'object', additionalProperties: false, required: ['row', 'column'],
      properties: { row: indexOrRange(1, 'row'), column: indexOrRange(NEURON_COLUMNS - 1, 'column') },
    },
    { type: 'object', additionalProperties: false, required: ['enum'], properties: { enum: indexOrRange(NEURON_CIRCUITS - 1, 'enum') } },
  ],
};

export const circuitCoordinateSchema: Schema = {
  type: 'object', additionalProperties: false, required: ['row', 'column'],
  description: 'one neuron circuit',
  properties: { row: int(0, 1), column: int(0, NEURON_COLUMNS - 1) },
};

const COUNTER_LIMITS: Record<string, [number, number, string]> = {
  'membrane_capacitance.capacitance': [0, MEMBRANE_CAPACITANCE_MAX, '6-bit switchable membrane capacitor'],
  'refractory_period.reset_holdoff': [0, RESET_HOLDOFF_MAX, '4-bit holdoff: reset released 2·(15 − value) + 1 clock cycles before the refractory period ends'],
  'refractory_period.refractory_time': [0, REFRACTORY_TIME_MAX, '8-bit refractory counter, in cycles of the selected clock'],
  'event_routing.address': [0, ADDRESS_OUT_MAX, 'lower 8 bits of the spike label'],
};

const ENUMS: Record<string, string[]> = {
  'constant_current.type': ['source', 'sink'],
  'refractory_period.input_clock': ['slow', 'fast'],
  'readout.source': ['membrane', 'exc_synin', 'inh_synin', 'adaptation'],
  'fire_line.operation': ['local', 'and', 'xnor', 'muller_c'],
};

/** Schema of one neuron circuit's groups; every member optional (a patch over the defaults). */
export function neuronCircuitSchema(): Schema {
  const groups: Record<string, Schema> = {};
  const defaults = defaultNeuronConfig() as unknown as Record<string, Record<string, unknown>>;
  for (const [group, members] of Object.entries(defaults)) {
    const props: Record<string, Schema> = {};
    for (const [member, dflt] of Object.entries(members)) {
      const field = `${group}.${member}`;
      if (typeof dflt === 'boolean') props[member] = { type: 'boolean' };
      else if (typeof dflt === 'string') props[member] = { enum: ENUMS[field] };
      else if (COUNTER_LIMITS[field]) props[member] = int(COUNTER_LIMITS[field][0], COUNTER_LIMITS[field][1], COUNTER_LIMITS[field][2]);
      else {
        const cell = NEURON_CAPMEM_CELLS.find((c) => c.field === field);
        props[member] = int(0, CAPMEM_DISABLE_REFRESH, `capmem row ${cell?.row} ${cell?.name} (${cell?.kind}): ${cell?.description}; code 0..1022, 1023 = refresh disabled`);
      }
    }
    groups[group] = { type: 'object', additionalProperties: false, properties: props };
  }
  return { type: 'object', additionalProperties: false, properties: groups };
}

const rowMode = { enum: ['disabled', 'excitatory', 'inhibitory', 'excitatory_and_inhibitory'] };

export function chipSchema(): Schema {
  const circuit = neuronCircuitSchema();
  const quadrantCells: Record<string, Schema> = {};
  for (const c of QUADRANT_CAPMEM_CELLS) quadrantCells[c.name] = int(0, CAPMEM_DISABLE_REFRESH, `${c.description} (${c.kind}); default ${c.default}`);
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://plateau.dev/schema/chip.json',
    title: 'plateau chip configuration (raw codes and switches)',
    type: 'object', additionalProperties: false, required: ['layer'],
    properties: {
      layer: { const: 'chip' },
      version: { const: 1 },
      description: { type: 'string' },
      neurons: {
        type: 'array', description: 'applied in order over the reset state; later entries override earlier ones',
        items: { ...circuit, required: ['circuits'], properties: { circuits: circuitSelectorSchema, ...(circuit.properties as Schema) } },
      },
      quadrants: {
        type: 'array',
        items: { type: 'object', additionalProperties: false, required: ['quadrant'], properties: { quadrant: int(0, 3, '0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right'), ...quadrantCells } },
      },
      backends: {
        type: 'array',
        items: {
          type: 'object', additionalProperties: false, required: ['half'],
          properties: {
            half: int(0, 1, 'backend half: 0 = columns 0–127, 1 = columns 128–255'),
            clock_scale_slow: int(0, CLOCK_SCALE_MAX, 'f = 250 MHz / 2^(scale+1)'),
            clock_scale_fast: int(0, CLOCK_SCALE_MAX, 'f = 250 MHz / 2^(scale+1)'),
            clock_scale_adaptation_pulse: int(0, CLOCK_SCALE_MAX),
            enable_clocks: { type: 'boolean' },
          },
        },
      },
      synapse_drivers: {
        type: 'array',
        items: {
          type: 'object', additionalProperties: false, required: ['drivers'],
          properties: {
            drivers: {
              description: 'drivers: {enum} (0..255) or {block, driver}',
              anyOf: [
                { type: 'object', additionalProperties: false, required: ['enum'], properties: { enum: indexOrRange(SYNAPSE_DRIVERS - 1, 'driver enum') } },
                { type: 'object', additionalProperties: false, required: ['block', 'driver'], properties: { block: indexOrRange(1, 'block'), driver: indexOrRange(SYNAPSE_DRIVERS_PER_BLOCK - 1, 'driver') } },
              ],
            },
            enable_receiver: { type: 'boolean' },
            row_mode_top: rowMode,
            row_mode_bottom: rowMode,
            row_address_compare_mask: int(0, ROW_SELECT_MAX, '5-bit mask of the row-select compare'),
          },
        },
      },
      synapses: {
        type: 'array',
        items: {
          type: 'object', additionalProperties: false, required: ['array', 'rows', 'columns'],
          properties: {
            array: int(0, 1, 'synapse array (0 feeds neuron row 0, 1 feeds row 1)'),
            rows: indexOrRange(SYNAPSE_ROWS - 1, 'synapse rows'),
            columns: indexOrRange(NEURON_COLUMNS - 1, 'synapse columns (= neuron columns)'),
            weight: int(0, WEIGHT_MAX, '6-bit weight'),
            label: int(0, LABEL_MAX, '6-bit address label'),
          },
        },
      },
      crossbar: {
        type: 'array',
        items: {
          type: 'object', additionalProperties: false, required: ['input', 'output'],
          properties: {
            input: int(0, CROSSBAR_INPUTS - 1, '0–7 neuron event outputs, 8–11 external inputs, 12–19 background sources'),
            output: int(0, CROSSBAR_OUTPUTS - 1, '0–7 buses, 8–11 external outputs'),
            mask: int(0, 0x3fff, 'label bits compared'),
            target: int(0, 0x3fff, 'required value of the masked label bits'),
          },
        },
      },
      background_sources: {
        type: 'array',
        items: {
          type: 'object', additionalProperties: false, required: ['source'],
          properties: {
            source: int(0, BACKGROUND_SOURCES - 1),
            enable: { type: 'boolean' },
            mode: { enum: ['regular', 'poisson'] },
            rate_hz: { type: 'number', minimum: 0, maximum: BACKGROUND_MAX_RATE_HZ, description: 'hardware Hz' },
            label: int(0, 0x3fff, '14-bit label: row select (bits 6–10) and synapse label (bits 0–5)'),
            label_random_mask: int(0, 0x3fff, 'label bits randomised per event'),
            seed: int(0, 0xffffffff),
          },
        },
      },
      readout: {
        type: 'object', additionalProperties: false,
        properties: {
          madc: {
            type: 'array', maxItems: 2, description: 'at most two channels, one even and one odd column',
            items: {
              type: 'object', additionalProperties: false, required: ['circuit'],
              properties: { circuit: circuitCoordinateSchema, source: { enum: ['membrane', 'exc_synin', 'inh_synin', 'adaptation'] } },
            },
          },
          cadc: {
            type: 'object', additionalProperties: false,
            properties: { enable: { type: 'boolean' }, period_s: { type: 'number', minimum: 1 / 1.85e6, description: 'sampling period, ≥ 1/1.85 MHz' } },
          },
        },
      },
    },
  };
}

/** Physical parameters of a compartment (experiment layer). */
export function physicalParameterProperties(): Record<string, Schema> {
  return {
    v_leak: quantitySchema('V', 'resting potential'),
    v_reset: quantitySchema('V', 'reset potential (above v_threshold makes a plateau potential)'),
    v_threshold: quantitySchema('V', 'spike threshold'),
    tau_mem: quantitySchema('s', 'membrane time constant C/g_leak', { bio: true }),
    membrane_capacitance: quantitySchema('F', 'membrane capacitance of the compartment (default: the largest setting of its circuits)'),
    tau_syn_exc: quantitySchema('s', 'excitatory synaptic time constant', { bio: true }),
    tau_syn_inh: quantitySchema('s', 'inhibitory synaptic time constant', { bio: true }),
    e_rev_exc: quantitySchema('V', 'excitatory reversal potential: enables the conductance-based approximation'),
    e_rev_inh: quantitySchema('V', 'inhibitory reversal potential: enables the conductance-based approximation'),
    refractory: quantitySchema('s', 'refractory period', { bio: true }),
    holdoff: quantitySchema('s', 'holdoff: last part of the refractory period, reset released, no new spike', { bio: true }),
    i_offset: quantitySchema('A', 'constant current onto the membrane (negative: sink)'),
    spiking: { type: 'boolean', description: 'threshold comparator enabled (default true for the first compartment)' },
    adaptation: {
      type: 'object', additionalProperties: false, description: 'AdEx adaptation',
      properties: {
        a: quantitySchema('S', 'sub-threshold adaptation (either sign)'),
        b: quantitySchema('A', 'spike-triggered increment (either sign)'),
        tau_w: quantitySchema('s', 'adaptation time constant', { bio: true }),
      },
    },
    exponential: {
      type: 'object', additionalProperties: false, description: 'AdEx exponential term',
      properties: {
        delta_t: quantitySchema('V', 'slope factor Δ_T'),
        v_t: quantitySchema('V', 'onset V_T'),
      },
    },
  };
}

export function calibrationSchema(): Schema {
  const targets = { type: 'object', additionalProperties: false, properties: physicalParameterProperties() };
  const codeKeys: Record<string, Schema> = {};
  for (const c of NEURON_CAPMEM_CELLS) codeKeys[c.field] = int(0, CAPMEM_DISABLE_REFRESH, `${c.name}: ${c.description}`);
  const switchKeys: Record<string, Schema> = {};
  for (const f of ['leak.enable_division', 'leak.enable_multiplication', 'leak.enable_degeneration', 'reset.enable_division', 'reset.enable_multiplication',
    'reset.enable_degeneration', 'excitatory_input.enable_small_capacitance', 'excitatory_input.enable_high_resistance',
    'inhibitory_input.enable_small_capacitance', 'inhibitory_input.enable_high_resistance',
    'multicompartment.enable_conductance_division', 'multicompartment.enable_conductance_multiplication']) switchKeys[f] = { type: 'boolean' };
  const quadrantCells: Record<string, Schema> = {};
  for (const c of QUADRANT_CAPMEM_CELLS) quadrantCells[c.name] = int(0, CAPMEM_DISABLE_REFRESH, c.description);
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://plateau.dev/schema/calibration.json',
    title: 'plateau calibration: targets in physical units and the codes found for one die',
    type: 'object', additionalProperties: false, required: ['layer', 'die', 'circuits'],
    properties: {
      layer: { const: 'calibration' },
      version: { const: 1 },
      description: { type: 'string' },
      die: { description: 'die seed (integer) or "ideal"', anyOf: [{ const: 'ideal' }, int(0, Number.MAX_SAFE_INTEGER)] },
      targets: { ...targets, description: 'targets applying to every circuit unless overridden' },
      circuits: {
        type: 'array',
        items: {
          type: 'object', additionalProperties: false, required: ['circuit', 'codes'],
          properties: {
            circuit: circuitCoordinateSchema,
            targets,
            codes: { type: 'object', additionalProperties: false, properties: codeKeys, description: 'capmem codes found, by field' },
            switches: { type: 'object', additionalProperties: false, properties: switchKeys, description: 'range switches chosen' },
            refractory_time: int(0, REFRACTORY_TIME_MAX),
            reset_holdoff: int(0, RESET_HOLDOFF_MAX),
            input_clock: { enum: ['slow', 'fast'] },
          },
        },
      },
      quadrants: {
        type: 'array',
        items: { type: 'object', additionalProperties: false, required: ['quadrant'], properties: { quadrant: int(0, 3), ...quadrantCells } },
      },
      backends: {
        type: 'array',
        items: {
          type: 'object', additionalProperties: false, required: ['half'],
          properties: { half: int(0, 1), clock_scale_slow: int(0, CLOCK_SCALE_MAX), clock_scale_fast: int(0, CLOCK_SCALE_MAX) },
        },
      },
    },
  };
}

const id = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_.-]{0,63}$', description: 'identifier: letters, digits, _ . -; starts with a letter or _' };
const receptor = { enum: ['excitatory', 'inhibitory'] };
const weight = { type: 'integer', minimum: 0, maximum: WEIGHT_MAX * SYNAPSE_ROWS, description: '6-bit weight per synapse (0..63); larger weights are split over several synapse rows' };
const target = {
  type: 'object', additionalProperties: false, required: ['neuron'],
  properties: { neuron: id, compartment: id, receptor, weight },
};
const time = (d: string) => quantitySchema('s', d, { bio: true });
const rate = (d: string) => quantitySchema('Hz', d, { bio: true });

export function experimentSchema(): Schema {
  // leak_degeneration is a circuit choice the lowering makes, not a calibration target (the
  // calibration layer records it as the switch leak.enable_degeneration): experiment only.
  const params = {
    type: 'object', additionalProperties: false,
    properties: {
      ...physicalParameterProperties(),
      leak_degeneration: { type: 'boolean', description: 'source-degenerate the leak OTA (leak.enable_degeneration, R_D 1 MΩ): wider linear range, leak conductance capped near 1–1.5 µS up to ≈ 1 µA bias (default false)' },
    },
  };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://plateau.dev/schema/experiment.json',
    title: 'plateau experiment: neurons, stimuli and recordings in physical units (hardware time)',
    type: 'object', additionalProperties: false, required: ['layer', 'duration', 'neurons'],
    properties: {
      layer: { const: 'experiment' },
      version: { const: 1 },
      name: { type: 'string' },
      description: { type: 'string' },
      duration: time('run duration'),
      seed: { type: 'integer', minimum: 0, maximum: 0xffffffff, description: 'seed of every random draw of the experiment (Poisson stimuli, noise)' },
      dt: time('time step of the stepped emulator (default 10 ns)'),
      neurons: {
        type: 'array', minItems: 1,
        items: {
          type: 'object', additionalProperties: false, required: ['id'],
          properties: {
            id,
            size: { type: 'integer', minimum: 1, maximum: 512, description: 'number of identical neurons in this population (default 1)' },
            model: { enum: ['lif', 'adex'], description: 'lif (default) or adex (adaptation and exponential term)' },
            circuit: { ...circuitCoordinateSchema, description: 'place the first circuit here (default: next free columns)' },
            parameters: { ...params, description: 'parameters of every compartment, unless the compartment overrides them' },
            compartments: {
              type: 'array', minItems: 1,
              items: {
                type: 'object', additionalProperties: false, required: ['id'],
                properties: {
                  id,
                  circuits: { type: 'integer', minimum: 1, maximum: 64, description: 'neuron circuits shorted into this compartment (default 1; 2 for a compartment inside a chain)' },
                  parameters: params,
                },
              },
            },
            connections: {
              type: 'array',
              items: {
                type: 'object', additionalProperties: false, required: ['from', 'to'],
                properties: {
                  from: id, to: id,
                  tau_icc: time('inter-compartment time constant C/g_icc (of the "to" compartment)'),
                  g_icc: quantitySchema('S', 'inter-compartment conductance'),
                },
              },
            },
          },
        },
      },
      stimuli: {
        type: 'array',
        items: {
          type: 'object', required: ['type'],
          discriminator: { propertyName: 'type' },
          oneOf: [
            {
              type: 'object', additionalProperties: false, required: ['type', 'times', 'targets'],
              properties: { type: { const: 'spike_train' }, id, times: { type: 'array', items: time('spike time') }, targets: { type: 'array', minItems: 1, items: target } },
            },
            {
              type: 'object', additionalProperties: false, required: ['type', 'rate', 'targets'],
              properties: {
                type: { const: 'poisson' }, id, rate: rate('mean rate'), start: time('start'), stop: time('stop'),
                seed: { type: 'integer', minimum: 0 }, targets: { type: 'array', minItems: 1, items: target },
              },
            },
            {
              type: 'object', additionalProperties: false, required: ['type', 'rate', 'targets'],
              properties: {
                type: { const: 'background' }, id, mode: { enum: ['regular', 'poisson'] }, rate: rate('rate of the on-chip source (≤ 125 MHz)'),
                seed: { type: 'integer', minimum: 0 }, targets: { type: 'array', minItems: 1, items: target },
              },
            },
            {
              type: 'object', additionalProperties: false, required: ['type', 'neuron', 'amplitude'],
              properties: { type: { const: 'current' }, id, neuron: id, compartment: id, amplitude: quantitySchema('A', 'constant current for the whole run (the chip\'s offset current cell); negative sinks') },
            },
          ],
        },
      },
      projections: {
        type: 'array',
        items: {
          type: 'object', additionalProperties: false, required: ['from', 'to', 'weight'],
          properties: {
            from: id, to: id, compartment: id, receptor, weight,
            connector: {
              description: 'which pairs are connected (default all_to_all)',
              anyOf: [
                { type: 'object', additionalProperties: false, required: ['type'], properties: { type: { enum: ['all_to_all', 'one_to_one'] }, allow_self_connections: { type: 'boolean' } } },
                {
                  type: 'object', additionalProperties: false, required: ['type', 'probability'],
                  properties: { type: { const: 'fixed_probability' }, probability: { type: 'number', minimum: 0, maximum: 1 }, seed: { type: 'integer', minimum: 0 }, allow_self_connections: { type: 'boolean' } },
                },
              ],
            },
          },
        },
      },
      recordings: {
        type: 'array',
        items: {
          type: 'object', additionalProperties: false, required: ['neuron'],
          properties: {
            neuron: id, compartment: id,
            index: { type: 'integer', minimum: 0, description: 'which neuron of the population (default 0; spikes are recorded for all)' },
            observable: { enum: ['v', 'spikes', 'exc_synin', 'inh_synin', 'adaptation'], description: 'default v' },
            readout: { enum: ['madc', 'cadc', 'ideal'], description: 'default madc for traces' },
          },
        },
      },
    },
  };
}

export function schemaFor(layer: Layer): Schema {
  if (layer === 'chip') return chipSchema();
  if (layer === 'calibration') return calibrationSchema();
  return experimentSchema();
}

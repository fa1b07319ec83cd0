/**
 * Event routing compiled into lookup tables.
 *
 * Path of an event (docs/emulator.md, "Routing"): crossbar input → every crossbar node of that
 * input whose (label & mask) === target → output 0..7 (a synapse-driver bus; outputs 8..11 go
 * off chip and are not modelled) → the 32 drivers on the bus (driver d of block b listens to bus
 * 4·b + d mod 4 at position ⌊d/4⌋) whose receiver is enabled and whose position matches the
 * label's row-select bits 6..10 under the driver's 5-bit compare mask → the driver's two synapse
 * rows (sign from the row mode) → every synapse of the row whose 6-bit label equals the event's
 * bits 0..5 and whose weight is not 0 → a charge pulse weight × synapseChargePerWeight into the
 * excitatory or inhibitory input of the circuit of that column in the row of the array.
 *
 * The bus part is compiled into one CSR table indexed by bus·2048 + (label & 0x7ff); each entry
 * is a target input (circuit·2 + receptor) and the jump of that input's current.
 */
import {
  BUSES, CROSSBAR_INPUTS, DRIVERS_PER_BUS, NEURON_COLUMNS, SYNAPSE_COLUMNS, SYNAPSE_DRIVERS_PER_BLOCK,
  SYNAPSE_ROWS,
} from '../chip/constants.ts';
import type { ChipConfig, RowMode } from '../chip/chip.ts';
import type { CircuitParameters } from '../circuits/params.ts';
import { inputError } from '../util/errors.ts';

export const LABELS_PER_BUS = 2048; // 5-bit row select × 6-bit synapse label

// Module-local copies: imported bindings are live (getter) accesses under the TS loader, which
// costs a call per access in the hot loops below.
const N_BUSES = BUSES;
const N_DRIVERS_PER_BUS = DRIVERS_PER_BUS;
const N_COLUMNS = NEURON_COLUMNS;
const N_SYN_COLUMNS = SYNAPSE_COLUMNS;
const N_SYN_ROWS = SYNAPSE_ROWS;
const N_DRIVERS_PER_BLOCK = SYNAPSE_DRIVERS_PER_BLOCK;

export interface RoutingTable {
  /** CSR row pointers, length BUSES·2048 + 1. */
  rowPtr: Int32Array;
  /** Target input index circuit·2 + receptor (0 excitatory, 1 inhibitory). */
  target: Int32Array;
  /** Jump of the target's input current per pulse, A (negative for inhibitory). */
  amplitude: Float64Array;
  /**
   * The synapse's 6-bit weight of each entry and the jump per unit weight of each input
   * (circuit·2 + receptor): amplitude[s] = weight[s] · amplitudePerWeight[target[s]] exactly (the
   * product that defines it), so a compact copy of the table can carry the weight instead.
   */
  weight: Uint8Array;
  amplitudePerWeight: Float64Array;
  /** Crossbar nodes per input: flattened [output, mask, target] triples, CSR by input. */
  nodePtr: Int32Array;
  nodes: Int32Array;
  /** Number of synapses in use (weight > 0 on an enabled row of an enabled driver). */
  synapsesInUse: number;
}

function receptorsOf(mode: RowMode): number[] {
  switch (mode) {
    case 'disabled': return [];
    case 'excitatory': return [0];
    case 'inhibitory': return [1];
    case 'excitatory_and_inhibitory': return [0, 1];
  }
}

/**
 * The current jump of one pulse of unit weight into input `receptor` of a circuit: a charge Q
 * on the input line gives a current (Q/τ)·gain decaying with τ (src/circuits/params.ts), so the
 * time integral of the membrane current is Q·gain. Inhibitory inputs pull the membrane down.
 */
export function pulseAmplitudePerWeight(p: CircuitParameters, receptor: number): number {
  const s = p.synapticInput[receptor];
  if (!s.enabled || !(s.tau > 0)) return 0;
  const a = (p.synapseChargePerWeight * s.gain) / s.tau;
  return receptor === 0 ? a : -a;
}

/**
 * `bypass` (optional, per input circuit·2 + receptor) keeps pulses into inputs that are disabled
 * but have bypass on; other pulses into a disabled input have no effect and are left out.
 */
export function buildRoutingTable(chip: ChipConfig, params: CircuitParameters[], bypass?: Uint8Array): RoutingTable {
  // Crossbar nodes grouped by input.
  const byInput: number[][] = Array.from({ length: CROSSBAR_INPUTS }, () => []);
  chip.crossbar.forEach((node, k) => {
    if (!Number.isInteger(node.input) || node.input < 0 || node.input >= CROSSBAR_INPUTS) {
      throw inputError('crossbar node input out of range', { path: `crossbar[${k}].input` }, { value: node.input, allowed: `integer 0..${CROSSBAR_INPUTS - 1}` });
    }
    if (!Number.isInteger(node.output) || node.output < 0 || node.output >= 12) {
      throw inputError('crossbar node output out of range', { path: `crossbar[${k}].output` }, { value: node.output, allowed: 'integer 0..11' });
    }
    byInput[node.input].push(node.output, node.mask | 0, node.target | 0);
  });
  const nodePtr = new Int32Array(CROSSBAR_INPUTS + 1);
  for (let i = 0; i < CROSSBAR_INPUTS; i++) nodePtr[i + 1] = nodePtr[i] + byInput[i].length;
  const nodes = new Int32Array(byInput.flat());

  // Per-target amplitude per unit weight.
  const ampPerWeight = new Float64Array(params.length * 2);
  for (let c = 0; c < params.length; c++) {
    ampPerWeight[2 * c] = pulseAmplitudePerWeight(params[c], 0);
    ampPerWeight[2 * c + 1] = pulseAmplitudePerWeight(params[c], 1);
  }

  // Every synapse reachable from each (bus, label), in two passes over the same loops: the first
  // counts the entries per key (bus·2048 + label), the second places them at their key's cursor,
  // so that each key's entries keep the loops' order (as a stable counting sort would) without a
  // growing intermediate list.
  const nKeys = N_BUSES * LABELS_PER_BUS;
  const rowPtr = new Int32Array(nKeys + 1);
  let cursor = rowPtr;
  let target = new Int32Array(0);
  let amplitude = new Float64Array(0);
  let weight = new Uint8Array(0);
  let synapsesInUse = 0;
  const weights = chip.weights;
  const labels = chip.labels;
  // Per driver: its bus, the row-select addresses it answers to, the receptors of its two rows.
  const drivers: { bus: number; selects: Int32Array; receptors: [number[], number[]] }[] = [];
  for (let block = 0; block < 2; block++) {
    for (let d = 0; d < N_DRIVERS_PER_BLOCK; d++) {
      const drv = chip.drivers[block * N_DRIVERS_PER_BLOCK + d];
      const pos = Math.floor(d / 4);
      const mask = drv.row_address_compare_mask & 31;
      const selects: number[] = [];
      for (let rs = 0; rs < N_DRIVERS_PER_BUS; rs++) if ((rs & mask) === (pos & mask)) selects.push(rs);
      drivers.push({
        bus: block * 4 + (d % 4), selects: Int32Array.from(selects),
        receptors: drv.enable_receiver ? [receptorsOf(drv.row_mode_top), receptorsOf(drv.row_mode_bottom)] : [[], []],
      });
    }
  }
  for (let pass = 0; pass < 2; pass++) {
    const place = pass === 1;
    for (let block = 0; block < 2; block++) {
      for (let d = 0; d < N_DRIVERS_PER_BLOCK; d++) {
        const { bus, selects, receptors: rec } = drivers[block * N_DRIVERS_PER_BLOCK + d];
        const keyBase = bus * LABELS_PER_BUS;
        for (let half = 0; half < 2; half++) {
          const receptors = rec[half];
          if (receptors.length === 0) continue;
          const row = 2 * d + half;
          const rowBase = (block * N_SYN_ROWS + row) * N_SYN_COLUMNS;
          for (let col = 0; col < N_SYN_COLUMNS; col++) {
            const w = weights[rowBase + col];
            if (w === 0) continue;
            const label = labels[rowBase + col] & 63;
            const circuit = block * N_COLUMNS + col;
            if (!place) synapsesInUse++;
            for (let ri = 0; ri < receptors.length; ri++) {
              const tgt = circuit * 2 + receptors[ri];
              const amp = w * ampPerWeight[tgt];
              if (amp === 0 && !(bypass && bypass[tgt])) continue;
              for (let si = 0; si < selects.length; si++) {
                const key = keyBase + ((selects[si] << 6) | label);
                if (!place) {
                  rowPtr[key + 1]++;
                } else {
                  const at = cursor[key]++;
                  target[at] = tgt;
                  amplitude[at] = amp;
                  weight[at] = w;
                }
              }
            }
          }
        }
      }
    }
    if (!place) {
      for (let k = 0; k < nKeys; k++) rowPtr[k + 1] += rowPtr[k];
      const nEntries = rowPtr[nKeys];
      target = new Int32Array(nEntries);
      amplitude = new Float64Array(nEntries);
      weight = new Uint8Array(nEntries);
      cursor = rowPtr.slice(0, nKeys);
    }
  }
  return { rowPtr, target, amplitude, weight, amplitudePerWeight: ampPerWeight, nodePtr, nodes, synapsesInUse };
}

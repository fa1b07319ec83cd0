/**
 * In-situ fit of the synaptic inputs' rest current (docs/circuits.md, "Fits"; verification gap 1):
 * resistor, line and OTA exactly as the deck builds them (`syninElements`, nominal transistors,
 * the decks' solver options), no input, the membrane clamped by a voltage source swept over
 * SYNIN_REST_FIT.vMemV; the current onto the membrane is read from the clamp, per sign × OTA
 * bias (i_bias_gm) × replica current (i_bias_tau). Its result is the "synin-rest" entry of the
 * shipped characterisation table (`npx plateau characterize --blocks synin-rest` re-measures it;
 * `npx tsx bench/synin-fit.ts` compares a fresh run with the shipped entry). Why a table and not a line offset plus a linear output conductance: the line's
 * leakage (gate currents of the OTA's input device) depends on the OTA's bias and, for the
 * inhibitory input, on V_mem, and the output current is not linear in V_mem away from 0.6 V.
 */
import type { Netlist } from '../../netlist/model.ts';
import { otaSubcircuit } from './ota.ts';
import { SYN_LINE_REFERENCE_V, SYNIN_REST_FIT, syninElements, syninResistorSubcircuit } from './synin.ts';
import { VDD } from '../technology.ts';

/** The clamp deck of one input at one (OTA bias, replica current): a DC sweep of the membrane. */
export function syninRestFitDeck(sign: 'exc' | 'inh', iGm: number, iTau: number): Netlist {
  const vs = SYNIN_REST_FIT.vMemV;
  return {
    title: `synin rest ${sign} igm=${iGm} itau=${iTau}`,
    includes: [], models: [], subcircuits: [syninResistorSubcircuit(), otaSubcircuit()],
    elements: [
      { kind: 'V', name: 'vdd', p: 'vdd', n: '0', value: VDD },
      { kind: 'V', name: 'vm', p: 'mem', n: '0', value: vs[0] },
      ...syninElements('s', 'ideal', 0, sign, 'mem', 'line', { iTau, iGm, iShift: 0, small: false, high: false }),
    ],
    nodeset: { line: SYN_LINE_REFERENCE_V },
    // The options of the library's decks (src/netlist/deck.ts), so the table is what they compute.
    options: { reltol: 1e-4, abstol: 1e-14, vntol: 1e-7 },
    analysis: { kind: 'dc', source: 'vm', start: vs[0], stop: vs[vs.length - 1], step: vs[1] - vs[0] },
    save: ['i(vm)', 'v(line)'],
  };
}

/**
 * The fitted table, the "synin-rest" entry of the shipped characterisation table
 * (src/characterize/blocks/synin-rest.ts runs the decks above). It is read in ./synin.ts next
 * to its grids (reading it here would close an import cycle with synin.ts) and re-exported.
 */
export { SYNIN_REST_CURRENT_A } from './synin.ts';

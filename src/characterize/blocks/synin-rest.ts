/**
 * Synaptic inputs at rest, in situ (circuits/blocks/synin-rest-fit.ts): resistor, line and OTA
 * exactly as the deck builds them (`syninRestFitDeck`), no input, the membrane clamped and
 * swept over SYNIN_REST_FIT.vMemV, per sign × OTA bias (i_bias_gm) × replica current
 * (i_bias_tau). The clamp's branch current is the current the input pushes onto the membrane.
 * Read by blocks/synin-rest-fit.ts (SYNIN_REST_CURRENT_A) → blocks/synin.ts (the inputs' rest
 * current in the leak balance). Decks use the library decks' own options (not FIT_OPTIONS), so
 * the table is what the circuit decks compute.
 */
import { otaSubcircuit } from '../../circuits/blocks/ota.ts';
import { SYNIN_REST_FIT, SYN_LINE_REFERENCE_V, syninResistorSubcircuit } from '../../circuits/blocks/synin.ts';
import { syninRestFitDeck } from '../../circuits/blocks/synin-rest-fit.ts';
import type { SyninRestEntry } from '../table.ts';
import type { Characterization } from '../registry-types.ts';
import { CharacterizationError } from '../errors.ts';
import { resultFor, sig, vec, type SweepPoint } from '../sweep.ts';

const SIGNS = ['exc', 'inh'] as const;

function key(sign: 'exc' | 'inh', iGm: number, iTau: number): string {
  return `synin-rest:${sign}:${iGm}:${iTau}`;
}

export function syninRestPoints(): SweepPoint[] {
  return SIGNS.flatMap((s) => SYNIN_REST_FIT.gmBiasA.flatMap((g) => SYNIN_REST_FIT.tauBiasA.map((t) => ({ key: key(s, g, t), netlist: syninRestFitDeck(s, g, t) }))));
}

export const syninRestCharacterization: Characterization<SyninRestEntry> = {
  name: 'synin-rest',
  description: 'synaptic inputs at rest in situ: current onto a clamped membrane and line offset vs sign × i_bias_gm × i_bias_tau × V_mem',
  scope: 'library',
  consumer: 'src/circuits/blocks/synin-rest-fit.ts (SYNIN_REST_CURRENT_A): the inputs\' rest current in the leak balance',
  subcircuits: () => [syninResistorSubcircuit(), otaSubcircuit()],
  sweeps: () => syninRestPoints(),
  reduce(results) {
    const { vMemV, gmBiasA, tauBiasA } = SYNIN_REST_FIT;
    const per = (s: 'exc' | 'inh') => {
      const runs = gmBiasA.map((g) => tauBiasA.map((t) => {
        const r = resultFor(results, key(s, g, t));
        const i = vec(r, 'i(vm)'), vl = vec(r, 'v(line)');
        if (i.length !== vMemV.length) throw new CharacterizationError(`synin-rest ${s} ${g} ${t}: ${i.length} points, expected ${vMemV.length}`);
        return { i, vl };
      }));
      return {
        currentA: runs.map((row) => row.map((x) => Array.from(x.i, (v) => sig(v)))),
        lineOffsetV: runs.map((row) => row.map((x) => Array.from(x.vl, (v) => sig(v - SYN_LINE_REFERENCE_V)))),
      };
    };
    return { vMemV: [...vMemV], gmBiasA: [...gmBiasA], tauBiasA: [...tauBiasA], exc: per('exc'), inh: per('inh') };
  },
};

/**
 * Pseudo-resistor of the synaptic input (circuits/blocks/synin.ts), in situ: the line floats,
 * loaded by the synaptic OTA's input (bias 100 nA, output held at 0.6 V) as in the circuit.
 * Leakage into the line (mostly the resistor's own gate) lifts its rest by ΔV0 and lowers the
 * conductance there. Measured: ΔV0 = v(line) − V_ref at zero injected current, and
 * g = dI/dV from a ±20 pA current sweep into the line (10 pA steps, central difference):
 * k_r = g · U_T / ((S_r/S_rep) · I_tau). Default gmin, as in the library's decks (the
 * high-resistance device is ≈ 0.5 GΩ). Read by blocks/synin.ts (SYNRES_FIT).
 */
import { otaSubcircuit, OTA_SUBCKT } from '../../circuits/blocks/ota.ts';
import { SYNRES_RATIO, SYN_LINE_REFERENCE_V, syninResistorSubcircuit, SYNIN_RES_SUBCKT } from '../../circuits/blocks/synin.ts';
import { U_T } from '../../circuits/technology.ts';
import type { SynresEntry } from '../table.ts';
import type { Characterization } from '../registry-types.ts';
import { bench, centralDerivative, resultFor, sig, vec, type SweepPoint } from '../sweep.ts';

export const SYNRES_BIAS_A = [1e-9, 2e-9, 5e-9, 10e-9, 20e-9, 50e-9, 100e-9, 200e-9, 500e-9, 1e-6];
const I_STEP = 10e-12;

export function synresPoint(iTau: number): SweepPoint {
  const vr = SYN_LINE_REFERENCE_V;
  return {
    key: `synres:${iTau}`,
    netlist: bench(`resistor fit ${iTau}`, [syninResistorSubcircuit(), otaSubcircuit()], [
      { kind: 'V', name: 'vr', p: 'ref', n: '0', value: vr },
      { kind: 'V', name: 'vo', p: 'o', n: '0', value: 0.6 },
      { kind: 'I', name: 'il', p: '0', n: 'line', value: 0 },
      { kind: 'I', name: 'it', p: 'vdd', n: 'ntau', value: iTau },
      { kind: 'I', name: 'ib', p: 'vdd', n: 'nb', value: 100e-9 },
      { kind: 'X', name: 'r', nodes: ['line', 'ref', 'ntau', 'vdd', '0'], subckt: SYNIN_RES_SUBCKT },
      { kind: 'X', name: 'ota', nodes: ['line', 'ref', 'o', 'nb', 'vdd', '0'], subckt: OTA_SUBCKT },
    ], { kind: 'dc', source: 'il', start: -2 * I_STEP, stop: 2 * I_STEP, step: I_STEP }, ['v(line)'], { reltol: 1e-6, abstol: 1e-16 }, { line: vr }),
  };
}

/** k_r and ΔV0 of one bias from its result. */
export function synresFrom(iTau: number, r: Parameters<typeof vec>[0]): { k: number; offsetV: number } {
  const v = vec(r, 'v(line)');
  const dvdi = centralDerivative(v, 2, I_STEP);
  return { k: (1 / dvdi) * U_T / (SYNRES_RATIO * iTau), offsetV: v[2] - SYN_LINE_REFERENCE_V };
}

export const synresCharacterization: Characterization<SynresEntry> = {
  name: 'synres',
  description: 'synaptic pseudo-resistor in situ: conductance factor k_r and line rest offset vs i_bias_tau',
  scope: 'library',
  consumer: 'src/circuits/blocks/synin.ts (SYNRES_FIT): τ_syn and the line rest',
  subcircuits: () => [syninResistorSubcircuit(), otaSubcircuit()],
  sweeps: () => SYNRES_BIAS_A.map(synresPoint),
  reduce(results) {
    const m = SYNRES_BIAS_A.map((b) => synresFrom(b, resultFor(results, `synres:${b}`)));
    return { biasA: SYNRES_BIAS_A, k: m.map((x) => sig(x.k)), offsetV: m.map((x) => sig(x.offsetV)) };
  },
};

/**
 * A mismatched die's synaptic-input rest current (verification gap 11): the current one
 * excitatory input puts onto a clamped membrane, ngspice (CLI) vs `syninRestCurrents`, and the
 * measured threshold gain of the OTA's input pair (OTA_PAIR_VT_GAIN). Every tolerance says why.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { OTA_PAIR_VT_GAIN, otaBehaviour, otaSubcircuit, OTA_TRANSISTORS } from '../../src/circuits/blocks/ota.ts';
import {
  SYN_LINE_REFERENCE_V, SYNIN_REST_FIT, syninElements, syninResistorSubcircuit, syninRestCurrents,
} from '../../src/circuits/blocks/synin.ts';
import { VDD } from '../../src/circuits/technology.ts';
import { delvtoParam } from '../../src/circuits/transistors.ts';
import type { Die } from '../../src/circuits/die.ts';
import { runSpice, getVector } from '../../src/netlist/runner.ts';
import type { Element, Netlist } from '../../src/netlist/model.ts';

type Bias = { iTau: number; iGm: number; iShift: number; small: boolean; high: boolean };

/** One input, its membrane clamped by a source swept over SYNIN_REST_FIT.vMemV (the table's deck, on a die). */
function clampDeck(die: Die, circuitEnum: number, b: Bias, pairDelvto?: number): Netlist {
  const vs = SYNIN_REST_FIT.vMemV;
  const m1 = OTA_TRANSISTORS.find((t) => t.name === 'm1');
  const els: Element[] = syninElements('s', die, circuitEnum, 'exc', 'mem', 'line', b).map((e) =>
    pairDelvto !== undefined && m1 !== undefined && e.kind === 'X' && e.name.endsWith('_ota')
      ? { ...e, params: { ...e.params, [delvtoParam(m1)]: pairDelvto } } : e);
  return {
    title: 'synin clamp', includes: [], models: [], subcircuits: [syninResistorSubcircuit(), otaSubcircuit()],
    elements: [{ kind: 'V', name: 'vdd', p: 'vdd', n: '0', value: VDD }, { kind: 'V', name: 'vm', p: 'mem', n: '0', value: vs[0] }, ...els],
    nodeset: { line: SYN_LINE_REFERENCE_V },
    options: { reltol: 1e-4, abstol: 1e-14, vntol: 1e-7 },
    analysis: { kind: 'dc', source: 'vm', start: vs[0], stop: vs[vs.length - 1], step: vs[1] - vs[0] },
    save: ['i(vm)'],
  };
}

async function clampCurrent(n: Netlist): Promise<Float64Array> {
  return getVector(await runSpice(n, { backend: 'cli', timeoutSeconds: 60 }), 'i(vm)');
}

// The psp neuron of examples/verification/single-circuit.yaml as lowered on dies 1 and 3
// (circuit 0, excitatory input only, reference shift trimming its rest at v_leak = 0.42 V):
// the biases `resolveCircuit` gives there, literal so the test pins the circuit, not the lowering.
const PSP: ReadonlyArray<{ die: Die; bias: Bias }> = [
  { die: { seed: 1 }, bias: { iTau: 6.176184995919383e-7, iGm: 4.685716063015409e-7, iShift: 2.864395817759809e-7, small: false, high: false } },
  { die: { seed: 3 }, bias: { iTau: 5.818829415852727e-7, iGm: 4.782950081659338e-7, iShift: 2.9207992221211874e-7, small: false, high: false } },
];
// Membrane voltages 0.40–0.60 V (indices into vMemV): where the circuit rests and the PSPs run.
const WINDOW = SYNIN_REST_FIT.vMemV.flatMap((v, k) => (v >= 0.4 - 1e-9 && v <= 0.6 + 1e-9 ? [k] : []));

describe('mismatched synaptic input at rest (gap 11)', () => {
  const spice: Float64Array[] = [];
  beforeAll(async () => {
    for (const c of PSP) spice.push(await clampCurrent(clampDeck(c.die, 0, c.bias)));
  }, 60_000);

  it('die 1 and die 3: the clamped current agrees with syninRestCurrents within 0.3 nA over 0.40–0.60 V', () => {
    PSP.forEach((c, j) => {
      const model = syninRestCurrents(c.die, 0, 'exc', c.bias);
      for (const k of WINDOW) {
        // 0.3 nA: the law's residual over 24 mismatched instances at this bias is 0.24 nA rms
        // (mirror and tail terms at the transistor level, not in the law), the ideal die's
        // table interpolation in bias adds ≤ 0.1 nA. Before the pair gain, die 1 was 0.9–1.0 nA low.
        expect(Math.abs(spice[j][k] - model[k]), `die ${JSON.stringify(c.die)} V=${SYNIN_REST_FIT.vMemV[k]}`).toBeLessThan(0.3e-9);
      }
    });
  });

  it('the input pair\'s threshold offset acts OTA_PAIR_VT_GAIN times the model\'s gm (ngspice, ±1 mV on m1)', async () => {
    const b: Bias = { iTau: 600e-9, iGm: 200e-9, iShift: 0, small: false, high: false };
    const h = 1e-3;
    const [up, down] = await Promise.all([clampCurrent(clampDeck('ideal', 0, b, h)), clampCurrent(clampDeck('ideal', 0, b, -h))]);
    const k = SYNIN_REST_FIT.vMemV.indexOf(0.5);
    // Excitatory: m1 is the non-inverting side, a higher threshold there lowers the output current.
    const gain = (down[k] - up[k]) / (2 * h) / otaBehaviour(b.iGm, SYN_LINE_REFERENCE_V, {}).gm;
    // 1 %: the measured gain spreads 1.047–1.056 over tails of 50–500 nA, both signs, i_bias_tau 100/600 nA.
    expect(gain).toBeGreaterThan(OTA_PAIR_VT_GAIN * 0.99);
    expect(gain).toBeLessThan(OTA_PAIR_VT_GAIN * 1.01);
    // And it is not 1 (a pure gate voltage): the law's correction is real.
    expect(gain).toBeGreaterThan(1.03);
  }, 60_000);
});

/**
 * The inter-compartment pair linearised at the neuron's rest (verification gap 4): the pair's
 * tanh law and its tangent against ngspice at membrane–line differences of up to 40 mV, and the
 * neuron-level pass (`linearizeCouplingsAtRest`) on the chain-4 verification case.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { OTA_SUBCKT, OTA_TRANSISTORS, otaSubcircuit } from '../../src/circuits/blocks/ota.ts';
import { ICC_BLOCKS, iccBehaviour, iccCommonMode } from '../../src/circuits/blocks/icc.ts';
import { blockOffsets, type Die } from '../../src/circuits/die.ts';
import { delvtoParam } from '../../src/circuits/transistors.ts';
import { circuitParameters, resolveCircuit } from '../../src/circuits/circuit.ts';
import { deriveCircuitParameters } from '../../src/circuits/derive.ts';
import { linearizeCouplingsAtRest } from '../../src/circuits/neuron-rest.ts';
import { bench, vec } from '../../src/characterize/sweep.ts';
import { runSpiceMany } from '../../src/netlist/pool.ts';
import type { Element } from '../../src/netlist/model.ts';
import { loadExperimentFile } from '../../src/config/load.ts';
import { lowerExperiment } from '../../src/mapping/lower.ts';
import { analyzeCompartments } from '../../src/chip/multicompartment.ts';
import type { CircuitParameters } from '../../src/circuits/params.ts';

const DIE: Die = { seed: 2 };
// Circuit 4 is chain-4's c1–c2 pair as lowered (bias ≈ 108 nA); the draws are the die's.
const E = 4;
const BIAS = 1.082e-7;
const H = 1e-3;
const N = 5;

/** (V_mem, V_line): chain-4's c1–c2 rests on die 2 both ways, equal potentials, ±30–40 mV at low and high common modes. */
const OPS: Array<[number, number]> = [[0.4694, 0.4413], [0.4413, 0.4694], [0.42, 0.42], [0.36, 0.39], [0.39, 0.36], [0.45, 0.41], [0.5, 0.47]];

function pairDeck(vMem: number, vLine: number) {
  const inst = (name: string, block: string, nodes: string[]): Element => {
    const dv = blockOffsets(DIE, E, block, OTA_TRANSISTORS);
    const params: Record<string, number> = {};
    for (const t of OTA_TRANSISTORS) params[delvtoParam(t)] = dv[t.name];
    return { kind: 'X', name, nodes, subckt: OTA_SUBCKT, params };
  };
  // Wired as circuit.ts wires the pair; the line swept ±5 mV around V_line, the membrane held.
  return bench('icc pair at an operating point', [otaSubcircuit()], [
    { kind: 'V', name: 'vm', p: 'mem', n: '0', value: vMem },
    { kind: 'V', name: 'vl', p: 'line', n: '0', value: vLine },
    { kind: 'I', name: 'ib1', p: 'vdd', n: 'nb1', value: BIAS },
    { kind: 'I', name: 'ib2', p: 'vdd', n: 'nb2', value: BIAS },
    inst('icc1', ICC_BLOCKS.toMembrane, ['line', 'mem', 'mem', 'nb1', 'vdd', '0']),
    inst('icc2', ICC_BLOCKS.toLine, ['mem', 'line', 'line', 'nb2', 'vdd', '0']),
  ], { kind: 'dc', source: 'vl', start: vLine - N * H, stop: vLine + N * H, step: H }, ['i(vm)', 'i(vl)'], { reltol: 1e-6, abstol: 1e-15, gmin: 1e-15 });
}

describe('icc pair at a membrane–line difference (ngspice, die 2)', () => {
  let measured: Array<{ g: number; iMem: number; iLine: number }> = [];
  beforeAll(async () => {
    const out = await runSpiceMany(OPS.map(([m, l]) => pairDeck(m, l)), { backend: 'cli', jobs: 2, timeoutSeconds: 60 });
    measured = out.map((o) => {
      if (!o.ok) throw o.error;
      const im = vec(o.result, 'i(vm)'), il = vec(o.result, 'i(vl)');
      return { g: (im[N + 1] - im[N - 1]) / (2 * H), iMem: im[N], iLine: il[N] };
    });
  }, 60_000);

  it('the tangent of the large-signal law gives the slope within 3 %, the zero-difference law is 7–20 % high', () => {
    OPS.forEach(([vMem, vLine], k) => {
      const vcm = iccCommonMode({ vMem, vLine });
      const tangent = iccBehaviour(DIE, E, BIAS, vcm, vLine - vMem);
      const flat = iccBehaviour(DIE, E, BIAS, vcm, 0);
      // Measured −2.5 … +0.4 % over these points (moderate inversion widens the tanh a
      // little: the table's ±50 mV chord is tanh(x)/x within 2 %); bound 3 %.
      expect(Math.abs(tangent.g / measured[k].g - 1)).toBeLessThan(0.03);
      // What the law linearised at zero difference gives where the difference is ≥ 28 mV
      // (measured +8.5 … +19.5 %): the error the pass removes.
      if (Math.abs(vLine - vMem) >= 0.028) expect(flat.g / measured[k].g - 1).toBeGreaterThan(0.07);
    });
  });

  it('the tangent passes through the pair\'s currents at the operating point within 1 nA (2.5 % of 36–50 nA)', () => {
    OPS.forEach(([vMem, vLine], k) => {
      const b = iccBehaviour(DIE, E, BIAS, iccCommonMode({ vMem, vLine }), vLine - vMem);
      // Measured ≤ 0.87 nA with the mirror's gain in the large-signal law (a symmetric tanh:
      // ≤ 1.22 nA); what is left is the pair's own asymmetry in moderate inversion.
      expect(Math.abs(b.iMem + b.g * (vLine - vMem) - measured[k].iMem)).toBeLessThan(1e-9);
      expect(Math.abs(b.iLine + b.gLine * (vMem - vLine) - measured[k].iLine)).toBeLessThan(1e-9);
    });
  });
});

describe('linearizeCouplingsAtRest on the chain-4 verification case', () => {
  const exp = loadExperimentFile('examples/verification/chain-4.yaml');

  function restsAndLinks(params: CircuitParameters[], chip: Parameters<typeof analyzeCompartments>[0]) {
    const { topology } = analyzeCompartments(chip);
    return topology.segments.filter((s) => s.conductance.length > 0 && s.direct.length === 1)
      .flatMap((s) => s.conductance.map((e) => ({ e, mem: topology.compartmentOf[e], line: s.direct[0], p: params[e] })));
  }

  it('on die 2 the c1–c2 coupling comes out 8–10 % below the zero-difference law, at the rest it produces', () => {
    const lowered = lowerExperiment(exp, { die: DIE });
    const base = deriveCircuitParameters(lowered.chip, DIE);
    const links = restsAndLinks(base, lowered.chip);
    expect(links.length).toBe(3);
    // deriveCircuitParameters applies the pass; the zero-difference law is circuitParameters alone.
    const flat = new Map(links.map((l) => [l.e, circuitParameters(lowered.chip, DIE, l.e)]));
    const c12 = links.find((l) => l.e === E)!;
    const r = resolveCircuit(lowered.chip, DIE, E);
    expect(Math.abs(r.iIcc / BIAS - 1)).toBeLessThan(0.01);
    // The pair's two sides are 0.90 and 0.92 of their zero-difference slopes at the 28 mV
    // difference (sech², sum of the mirror and pair offsets) plus the common-mode's few ‰.
    const ratio = c12.p.gInterCompartment / flat.get(E)!.gInterCompartment;
    expect(ratio).toBeGreaterThan(0.88);
    expect(ratio).toBeLessThan(0.93);
    // Fixed point: linearising again at the rest the linearised laws give changes nothing
    // (the rests settle to < 1 µV, the slopes then to ≈ 1e-5 relative).
    const again = linearizeCouplingsAtRest(lowered.chip, DIE, base);
    for (const l of links) expect(Math.abs(again[l.e].gInterCompartment / l.p.gInterCompartment - 1)).toBeLessThan(1e-4);
  });

  it('on the ideal die (rests within 3 mV) the coupling moves by < 0.5 %, and a chip without conductances is returned as is', () => {
    const lowered = lowerExperiment(exp, { die: 'ideal' });
    const params = deriveCircuitParameters(lowered.chip, 'ideal');
    for (const l of restsAndLinks(params, lowered.chip)) {
      // No offsets: only the compartments' ≈ 1 mV spread and the common mode (≈ 0.4 %/20 mV).
      expect(Math.abs(l.p.gInterCompartment / circuitParameters(lowered.chip, 'ideal', l.e).gInterCompartment - 1)).toBeLessThan(0.005);
    }
    const single = lowerExperiment(loadExperimentFile('examples/verification/single-circuit.yaml'), { die: DIE });
    const p = single.chip.neurons.map((_, e) => circuitParameters(single.chip, DIE, e));
    expect(linearizeCouplingsAtRest(single.chip, DIE, p)).toBe(p);
  });
});

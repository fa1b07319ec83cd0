/**
 * Per-circuit sweeps on a seeded die (`plateau characterize --die SEED --circuits ...`): every
 * OTA instance of each given circuit (leak/reset, synaptic inputs, comparator, adaptation,
 * inter-compartment pair) with that die's delvto offsets, at a nominal point (bias 100 nA,
 * V_cm 0.6 V): the follower's gm (DC sweep of v(inp) ± 4 mV with inn = out held) and its
 * closed-loop offset V_out − V_inp (operating point with the output loaded by 1 pF only), next
 * to what the behavioural law (blocks/ota.ts) predicts from the same draws. The emulator does
 * not read per-die tables yet: they measure how well the law carries the die's mismatch.
 */
import { otaSubcircuit, OTA_SUBCKT, OTA_TRANSISTORS, otaBehaviour } from '../../circuits/blocks/ota.ts';
import { blockOffsets } from '../../circuits/die.ts';
import { LEAK_BLOCK } from '../../circuits/blocks/leak-reset.ts';
import { syninBlockName } from '../../circuits/blocks/synin.ts';
import { COMPARATOR_BLOCK } from '../../circuits/blocks/spike.ts';
import { ADAPT_BLOCKS } from '../../circuits/blocks/adaptation.ts';
import { ICC_BLOCKS } from '../../circuits/blocks/icc.ts';
import { delvtoParam } from '../../circuits/transistors.ts';
import { otaOutputConductance } from '../../circuits/technology.ts';
import type { DieOtaMeasure } from '../table.ts';
import type { Characterization, CharacterizeContext } from '../registry-types.ts';
import { bench, resultFor, sig, vec, type SweepPoint } from '../sweep.ts';
import { otaGmFrom, otaGmPoint } from './ota.ts';

export const DIE_OTA_BLOCKS: readonly string[] = [
  LEAK_BLOCK, syninBlockName('exc').ota, syninBlockName('inh').ota, COMPARATOR_BLOCK,
  ADAPT_BLOCKS.tau, ADAPT_BLOCKS.a, ADAPT_BLOCKS.out, ICC_BLOCKS.toMembrane, ICC_BLOCKS.toLine,
];
export const DIE_OTA_BIAS_A = 100e-9;
export const DIE_OTA_VCM_V = 0.6;

function params(ctx: CharacterizeContext, circuit: number, block: string): Record<string, number> {
  const dv = blockOffsets(ctx.die, circuit, block, OTA_TRANSISTORS);
  const p: Record<string, number> = {};
  for (const t of OTA_TRANSISTORS) p[delvtoParam(t)] = dv[t.name];
  return p;
}

function withOffsets(pt: SweepPoint, p: Record<string, number>): SweepPoint {
  return { ...pt, netlist: { ...pt.netlist, elements: pt.netlist.elements.map((e) => (e.kind === 'X' ? { ...e, params: p } : e)) } };
}

function offsetPoint(key: string, p: Record<string, number>): SweepPoint {
  return {
    key,
    netlist: bench('ota follower offset', [otaSubcircuit()], [
      { kind: 'V', name: 'vp', p: 'inp', n: '0', value: DIE_OTA_VCM_V },
      { kind: 'I', name: 'ib', p: 'vdd', n: 'nb', value: DIE_OTA_BIAS_A },
      { kind: 'C', name: 'cm', p: 'mem', n: '0', value: 1e-12 },
      { kind: 'X', name: 'ota', nodes: ['inp', 'mem', 'mem', 'nb', 'vdd', '0'], subckt: OTA_SUBCKT, params: p },
    ], { kind: 'op' }, ['v(mem)'], { reltol: 1e-7, abstol: 1e-17, gmin: 1e-15 }),
  };
}

export const dieOtaCharacterization: Characterization<DieOtaMeasure[]> = {
  name: 'die-ota',
  description: 'per circuit of a seeded die: each OTA instance\'s gm and follower offset with its delvto draws, against the behavioural law',
  scope: 'die',
  consumer: 'none yet (the emulator reads the law; this table measures its error per circuit)',
  subcircuits: () => [otaSubcircuit()],
  sweeps(ctx) {
    const pts: SweepPoint[] = [];
    for (const c of ctx.circuits) {
      for (const b of DIE_OTA_BLOCKS) {
        const p = params(ctx, c, b);
        pts.push(withOffsets(otaGmPoint(DIE_OTA_BIAS_A, DIE_OTA_VCM_V, `die-gm:${c}:${b}`), p), offsetPoint(`die-off:${c}:${b}`, p));
      }
    }
    return pts;
  },
  reduce(results, ctx) {
    const out: DieOtaMeasure[] = [];
    for (const c of ctx.circuits) {
      for (const b of DIE_OTA_BLOCKS) {
        const m = otaGmFrom(resultFor(results, `die-gm:${c}:${b}`));
        const off = vec(resultFor(results, `die-off:${c}:${b}`), 'v(mem)')[0] - DIE_OTA_VCM_V;
        const law = otaBehaviour(DIE_OTA_BIAS_A, DIE_OTA_VCM_V, blockOffsets(ctx.die, c, b, OTA_TRANSISTORS));
        // Follower at rest: gm (V_inp − V − V_os) + I_sys − g_o (V − V_cm) = 0 (leak-reset.ts's E).
        const g = law.gm + otaOutputConductance(law.tail);
        out.push({
          circuit: c, block: b, biasA: DIE_OTA_BIAS_A, vcmV: DIE_OTA_VCM_V,
          followerOffsetV: sig(off), gm: sig(m.gm),
          predicted: { followerOffsetV: sig(-law.vOs + law.iSys / g), gm: sig(law.gm) },
        });
      }
    }
    return out;
  },
};

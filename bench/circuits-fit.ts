/**
 * Re-measures the fitted constants of the circuit library with ngspice (CLI) and prints them as
 * JSON: the OTA's gm/I and systematic offset-current table (src/circuits/technology.ts OTA_FIT)
 * and the pseudo-resistor's conductance factor (src/circuits/blocks/synin.ts). Run:
 *   npx tsx bench/circuits-fit.ts > bench/results/circuits-fit.json
 * The decks use the same subcircuits as the library (one definition).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeNetlist } from '../src/netlist/writer.ts';
import type { Netlist } from '../src/netlist/model.ts';
import { otaSubcircuit } from '../src/circuits/blocks/ota.ts';
import { OTA_FIT, U_T } from '../src/circuits/technology.ts';
import { SYNRES_FIT, SYN_LINE_REFERENCE_V, syninResistorSubcircuit, SYNIN_RES_SUBCKT } from '../src/circuits/blocks/synin.ts';

function runDeck(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'plateau-fit-'));
  try {
    writeFileSync(join(dir, 'deck.cir'), text);
    return execFileSync('ngspice', ['-b', '-n', 'deck.cir'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 600_000 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function otaFit(): { gmPerAmp: number[][]; offsetCurrentA: number[][] } {
  const gm: number[][] = [];
  const off: number[][] = [];
  for (const ib of OTA_FIT.biasA) {
    const gRow: number[] = [];
    const oRow: number[] = [];
    for (const vc of OTA_FIT.vcmV) {
      // Follower configuration as in the leak: inn = out = membrane held by a source.
      const n: Netlist = {
        title: `ota fit ib ${ib} vcm ${vc}`,
        includes: [], models: [], subcircuits: [otaSubcircuit()],
        elements: [
          { kind: 'V', name: 'vdd', p: 'vdd', n: '0', value: 1.2 },
          { kind: 'V', name: 'vp', p: 'inp', n: '0', value: vc },
          { kind: 'V', name: 'vm', p: 'mem', n: '0', value: vc },
          { kind: 'I', name: 'ib', p: 'vdd', n: 'nb', value: ib },
          { kind: 'X', name: 'ota', nodes: ['inp', 'mem', 'mem', 'nb', 'vdd', '0'], subckt: 'plateau_ota' },
        ],
        options: { reltol: 1e-6, abstol: 1e-16, gmin: 1e-15 },
        analysis: { kind: 'dc', source: 'vp', start: vc - 0.004, stop: vc + 0.004, step: 0.001 },
        save: [],
      };
      const text = writeNetlist(n, { control: false }).text.replace(/\.end\n$/, '')
        + '.control\nset numdgt=10\nrun\nlet iin = -i(v_vm)\nlet gm = deriv(iin)\nprint gm[4] iin[4]\nquit 0\n.endc\n.end\n';
      const out = runDeck(text);
      const g = /gm\[4\]\s*=\s*(\S+)/.exec(out);
      const i0 = /iin\[4\]\s*=\s*(\S+)/.exec(out);
      if (!g || !i0) throw new Error(`fit deck failed at ib=${ib} vcm=${vc}:\n${out}`);
      gRow.push(Number((-Number(g[1]) / ib).toPrecision(4)));
      oRow.push(Number((-Number(i0[1])).toPrecision(4)));
    }
    gm.push(gRow);
    off.push(oRow);
  }
  return { gmPerAmp: gm, offsetCurrentA: off };
}

function resistorFit(high: boolean): number[] {
  const out: number[] = [];
  const vr = SYN_LINE_REFERENCE_V;
  for (const it of SYNRES_FIT.biasA) {
    const n: Netlist = {
      title: `resistor fit ${it}`,
      includes: [], models: [], subcircuits: [syninResistorSubcircuit(high)],
      elements: [
        { kind: 'V', name: 'vdd', p: 'vdd', n: '0', value: 1.2 },
        { kind: 'V', name: 'vr', p: 'ref', n: '0', value: vr },
        { kind: 'V', name: 'vl', p: 'line', n: '0', value: vr },
        { kind: 'I', name: 'it', p: 'vdd', n: 'ntau', value: it },
        { kind: 'X', name: 'r', nodes: ['line', 'ref', 'ntau', 'vdd', '0'], subckt: high ? `${SYNIN_RES_SUBCKT}_high` : SYNIN_RES_SUBCKT },
      ],
      options: { reltol: 1e-6, abstol: 1e-16, gmin: 1e-15 },
      analysis: { kind: 'dc', source: 'vl', start: vr - 0.002, stop: vr + 0.002, step: 0.0005 },
      save: [],
    };
    const text = writeNetlist(n, { control: false }).text.replace(/\.end\n$/, '')
      + '.control\nset numdgt=10\nrun\nlet il = -i(v_vl)\nlet g = deriv(il)\nprint g[4]\nquit 0\n.endc\n.end\n';
    const o = runDeck(text);
    const g = /g\[4\]\s*=\s*(\S+)/.exec(o);
    if (!g) throw new Error(`resistor fit failed at ${it}:\n${o}`);
    const ratio = high ? 1 / 8 : 1;
    out.push(Number((Number(g[1]) * U_T / (ratio * it)).toPrecision(4)));
  }
  return out;
}

const result = { command: 'npx tsx bench/circuits-fit.ts', ota: otaFit(), synres: { k: resistorFit(false), kHigh: resistorFit(true) } };
process.stdout.write(JSON.stringify(result, null, 1) + '\n');

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
import { otaSubcircuit, OTA_TRANSISTORS } from '../src/circuits/blocks/ota.ts';
import { mos } from '../src/circuits/transistors.ts';
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

/**
 * Mismatch sensitivities of the OTA at each bias (V_cm = 0.6 V): the tail mirror's
 * −d ln I_tail / dΔV_t,mt, and the input-referred offset per volt of ΔV_t on m4 (ρ; weak
 * inversion: n_n / n_p). Both by finite differences of ±2 mV.
 */
function otaMismatchFit(): { tailSensitivity: number[]; mirrorRatio: number[] } {
  const tailS: number[] = [];
  const rho: number[] = [];
  const d = 2e-3;
  const [mb, mt] = OTA_TRANSISTORS;
  for (const ib of OTA_FIT.biasA) {
    // Tail mirror alone, output held at 0.3 V (the tail node's level in the OTA).
    const cur = (dv: number): number => {
      const n: Netlist = {
        title: 'tail fit', includes: [], models: [], subcircuits: [],
        elements: [
          { kind: 'I', name: 'ib', p: '0', n: 'nb', value: ib },
          { kind: 'V', name: 'vt', p: 'tail', n: '0', value: 0.3 },
          { ...mos(mb, 'nb', 'nb', '0', '0'), delvto: 0 },
          { ...mos(mt, 'tail', 'nb', '0', '0'), delvto: dv },
        ],
        options: { reltol: 1e-7, abstol: 1e-17, gmin: 1e-15 }, analysis: { kind: 'op' }, save: [],
      };
      const o = runDeck(writeNetlist(n, { control: false }).text.replace(/\.end\n$/, '') + '.control\nset numdgt=12\nop\nprint i(v_vt)\nquit 0\n.endc\n.end\n');
      const m = /i\(v_vt\)\s*=\s*(\S+)/.exec(o);
      if (!m) throw new Error(`tail fit failed at ${ib}:\n${o}`);
      return Math.abs(Number(m[1]));
    };
    tailS.push(Number((-(Math.log(cur(d)) - Math.log(cur(-d))) / (2 * d)).toPrecision(4)));
    // Follower offset: v(mem) with ΔV_t on m4 of ±d; offset = −Δv(mem) per volt.
    const rest = (dv4: number): number => {
      const n: Netlist = {
        title: 'mirror fit', includes: [], models: [], subcircuits: [otaSubcircuit()],
        elements: [
          { kind: 'V', name: 'vdd', p: 'vdd', n: '0', value: 1.2 },
          { kind: 'V', name: 'vp', p: 'inp', n: '0', value: 0.6 },
          { kind: 'I', name: 'ib', p: 'vdd', n: 'nb', value: ib },
          { kind: 'C', name: 'cm', p: 'mem', n: '0', value: 1e-12 },
          { kind: 'X', name: 'ota', nodes: ['inp', 'mem', 'mem', 'nb', 'vdd', '0'], subckt: 'plateau_ota', params: { dvt_m4: dv4 } },
        ],
        options: { reltol: 1e-7, abstol: 1e-17, gmin: 1e-15 }, analysis: { kind: 'op' }, save: [],
      };
      const o = runDeck(writeNetlist(n, { control: false }).text.replace(/\.end\n$/, '') + '.control\nset numdgt=12\nop\nprint v(mem)\nquit 0\n.endc\n.end\n');
      const m = /v\(mem\)\s*=\s*(\S+)/.exec(o);
      if (!m) throw new Error(`mirror fit failed at ${ib}:\n${o}`);
      return Number(m[1]);
    };
    rho.push(Number(((rest(d) - rest(-d)) / (2 * d)).toPrecision(4)));
  }
  return { tailSensitivity: tailS, mirrorRatio: rho };
}

/**
 * Output conductance of the OTA (inputs both at 0.6 V, output swept ± 4 mV around 0.6 V):
 * what a transconductor whose output is the membrane (synaptic input, inter-compartment
 * conductance, adaptation) adds to the membrane's leak, per tail current, S / A.
 */
function otaOutputConductance(): number[] {
  const out: number[] = [];
  for (const ib of OTA_FIT.biasA) {
    const n: Netlist = {
      title: 'go fit', includes: [], models: [], subcircuits: [otaSubcircuit()],
      elements: [
        { kind: 'V', name: 'vdd', p: 'vdd', n: '0', value: 1.2 },
        { kind: 'V', name: 'vi', p: 'in', n: '0', value: 0.6 },
        { kind: 'V', name: 'vo', p: 'o', n: '0', value: 0.6 },
        { kind: 'I', name: 'ib', p: 'vdd', n: 'nb', value: ib },
        { kind: 'X', name: 'ota', nodes: ['in', 'in', 'o', 'nb', 'vdd', '0'], subckt: 'plateau_ota' },
      ],
      options: { reltol: 1e-6, abstol: 1e-16, gmin: 1e-15 },
      analysis: { kind: 'dc', source: 'vo', start: 0.596, stop: 0.604, step: 0.001 },
      save: [],
    };
    const o = runDeck(writeNetlist(n, { control: false }).text.replace(/\.end\n$/, '') + '.control\nset numdgt=10\nrun\nlet io = i(v_vo)\nlet g = deriv(io)\nprint g[4]\nquit 0\n.endc\n.end\n');
    const m = /g\[4\]\s*=\s*(\S+)/.exec(o);
    if (!m) throw new Error(`go fit failed at ${ib}:\n${o}`);
    // i(v_vo) is the current the OTA pushes into the held node; its slope is −g_o.
    out.push(Number((-Number(m[1]) / ib).toPrecision(4)));
  }
  return out;
}

const result = { command: 'npx tsx bench/circuits-fit.ts', ota: { ...otaFit(), ...otaMismatchFit(), outputConductancePerAmp: otaOutputConductance() }, synres: { k: resistorFit(false), kHigh: resistorFit(true) } };
process.stdout.write(JSON.stringify(result, null, 1) + '\n');

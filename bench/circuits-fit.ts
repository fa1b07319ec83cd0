/**
 * Re-measures the fitted constants of the circuit library with ngspice (CLI) and prints them as
 * JSON: the OTA's gm/I and systematic offset-current table (src/circuits/technology.ts OTA_FIT)
 * and the pseudo-resistor's conductance factor (src/circuits/blocks/synin.ts). Run:
 *   npx tsx bench/circuits-fit.ts > bench/results/circuits-fit.json
 * The decks use the same subcircuits as the library (one definition).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeNetlist } from '../src/netlist/writer.ts';
import type { Netlist } from '../src/netlist/model.ts';
import { otaSubcircuit, OTA_TRANSISTORS } from '../src/circuits/blocks/ota.ts';
import { mos } from '../src/circuits/transistors.ts';
import { exponentialSubcircuit, EXP_FIT } from '../src/circuits/blocks/exponential.ts';
import { bufferSubcircuit, COMPARATOR_FIT } from '../src/circuits/blocks/spike.ts';
import { OTA_FIT, U_T } from '../src/circuits/technology.ts';
import { SYNRES_FIT, SYNRES_RATIO, SYN_LINE_REFERENCE_V, syninResistorSubcircuit, SYNIN_RES_SUBCKT } from '../src/circuits/blocks/synin.ts';

function runDeck(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'plateau-fit-'));
  try {
    writeFileSync(join(dir, "deck.cir"), text);
    if (process.env.FIT_DUMP) writeFileSync(process.env.FIT_DUMP, text);
    const r = spawnSync('ngspice', ['-b', '-n', 'deck.cir'], { cwd: dir, encoding: 'utf8', timeout: 600_000 });
    return `${r.stdout}\n${r.stderr}`;
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

/**
 * The pseudo-resistor in situ: the line floats, loaded by the synaptic OTA's input (bias
 * 100 nA, output held at 0.6 V) as in the circuit. Leakage into the line (mostly the resistor's
 * own gate) lifts its rest by ΔV0 and lowers the conductance there. Measured: ΔV0 = v(line) −
 * V_ref at the operating point, and g = dI/dV from a ±20 pA current sweep into the line.
 * k_r = g · U_T / ((S_r/S_rep) · I_tau).
 */
function resistorFit(): { k: number[]; offsetV: number[] } {
  const k: number[] = [];
  const off: number[] = [];
  const vr = SYN_LINE_REFERENCE_V;
  for (const it of SYNRES_FIT.biasA) {
    const n: Netlist = {
      title: `resistor fit ${it}`,
      includes: [], models: [], subcircuits: [syninResistorSubcircuit(), otaSubcircuit()],
      elements: [
        { kind: 'V', name: 'vdd', p: 'vdd', n: '0', value: 1.2 },
        { kind: 'V', name: 'vr', p: 'ref', n: '0', value: vr },
        { kind: 'V', name: 'vo', p: 'o', n: '0', value: 0.6 },
        { kind: 'I', name: 'il', p: '0', n: 'line', value: 0 },
        { kind: 'I', name: 'it', p: 'vdd', n: 'ntau', value: it },
        { kind: 'I', name: 'ib', p: 'vdd', n: 'nb', value: 100e-9 },
        { kind: 'X', name: 'r', nodes: ['line', 'ref', 'ntau', 'vdd', '0'], subckt: SYNIN_RES_SUBCKT },
        { kind: 'X', name: 'ota', nodes: ['line', 'ref', 'o', 'nb', 'vdd', '0'], subckt: 'plateau_ota' },
      ],
      nodeset: { line: vr },
      // Default gmin as in the library's decks (the high-resistance device is ≈ 0.5 GΩ).
      options: { reltol: 1e-6, abstol: 1e-16 },
      analysis: { kind: 'dc', source: 'il', start: -20e-12, stop: 20e-12, step: 10e-12 },
      save: [],
    };
    const text = writeNetlist(n, { control: false }).text.replace(/\.end\n$/, '')
      + '.control\nset numdgt=10\nrun\nlet vl = v(line)\nlet r = deriv(vl)\nprint vl[2] r[2]\nquit 0\n.endc\n.end\n';
    const o = runDeck(text);
    const v0 = /vl\[2\]\s*=\s*(\S+)/.exec(o);
    const r = /r\[2\]\s*=\s*(\S+)/.exec(o);
    if (!v0 || !r) throw new Error(`resistor fit failed at ${it}:\n${o}`);
    k.push(Number(((1 / Number(r[1])) * U_T / (SYNRES_RATIO * it)).toPrecision(4)));
    off.push(Number((Number(v0[1]) - vr).toPrecision(4)));
  }
  return { k, offsetV: off };
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

/**
 * Exponential block (blocks/exponential.ts) at v_exp = 0.8 V: DC sweep of the membrane, slope
 * Δ = 0.9 / (d ln I / dV) where I = 0.1 I_max, floor = I(0.55 V) − I_max / (1 + e^(0.25/Δ)).
 */
function exponentialFit(): { delta: number[]; floorA: number[] } {
  const delta: number[] = [];
  const floor: number[] = [];
  for (const ib of EXP_FIT.biasA) {
    const n: Netlist = {
      title: 'exp fit', includes: [], models: [], subcircuits: [exponentialSubcircuit()],
      elements: [
        { kind: 'V', name: 'vdd', p: 'vdd', n: '0', value: 1.2 },
        { kind: 'V', name: 'vm', p: 'mem', n: '0', value: 0.6 },
        { kind: 'V', name: 'vx', p: 'vexp', n: '0', value: 0.8 },
        { kind: 'I', name: 'ib', p: 'vdd', n: 'nb', value: ib },
        { kind: 'X', name: 'e', nodes: ['mem', 'vexp', 'nb', 'vdd', '0'], subckt: 'plateau_exp' },
      ],
      options: { reltol: 1e-6, abstol: 1e-18, gmin: 1e-15 },
      analysis: { kind: 'dc', source: 'vm', start: 0.5, stop: 1.1, step: 0.001 },
      save: [],
    };
    const o = runDeck(writeNetlist(n, { control: false }).text.replace(/\.end\n$/, '')
      + '.control\nset numdgt=10\nset width=200\nrun\nlet iin = i(v_vm)\nprint iin\nquit 0\n.endc\n.end\n');
    const vals: number[] = [];
    for (const line of o.split('\n')) {
      const m = /^\s*\d+\s+\S+\s+(\S+)\s*$/.exec(line);
      if (m && Number.isFinite(Number(m[1]))) vals.push(Number(m[1]));
    }
    if (vals.length !== 601) throw new Error(`exp fit: expected 601 points, got ${vals.length}`);
    const iMax = vals[600];
    let k = 0;
    while (k < 600 && vals[k] < 0.1 * iMax) k++;
    // The logistic's log-slope at I = 0.1 I_max is (1 − 0.1)/Δ.
    const slope = (Math.log(vals[k + 5]) - Math.log(vals[k - 5])) / 0.01;
    const d = 0.9 / slope;
    delta.push(Number(d.toPrecision(4)));
    floor.push(Number((vals[50] - iMax / (1 + Math.exp(0.25 / d))).toPrecision(4)));
  }
  return { delta, floorA: floor };
}

/**
 * Comparator trip point (blocks/spike.ts: OTA + two inverters): DC sweep of the membrane
 * around v_threshold; the trip offset is v(mem) where the buffered output crosses 0.6 V, minus
 * v_threshold. Per comparator bias (rows) and threshold voltage (columns, COMPARATOR_FIT.vthV).
 */
function comparatorFit(): number[][] {
  const rows: number[][] = [];
  for (const ib of COMPARATOR_FIT.biasA) {
    const row: number[] = [];
    for (const vth of COMPARATOR_FIT.vthV) {
      const n: Netlist = {
        title: 'comparator fit', includes: [], models: [], subcircuits: [otaSubcircuit(), bufferSubcircuit()],
        elements: [
          { kind: 'V', name: 'vdd', p: 'vdd', n: '0', value: 1.2 },
          { kind: 'V', name: 'vm', p: 'mem', n: '0', value: vth },
          { kind: 'V', name: 'vt', p: 'vth', n: '0', value: vth },
          { kind: 'I', name: 'ib', p: 'vdd', n: 'nb', value: ib },
          { kind: 'X', name: 'c', nodes: ['mem', 'vth', 'co', 'nb', 'vdd', '0'], subckt: 'plateau_ota' },
          { kind: 'X', name: 'b', nodes: ['co', 'spk', 'vdd', '0'], subckt: 'plateau_buf2' },
        ],
        options: { reltol: 1e-6, abstol: 1e-15 },
        analysis: { kind: 'dc', source: 'vm', start: Math.max(0.05, vth - 0.3), stop: Math.min(1.2, vth + 0.1), step: 0.0005 },
        save: [],
      };
      const o = runDeck(writeNetlist(n, { control: false }).text.replace(/\.end\n$/, '')
        + '.control\nset numdgt=10\nrun\nmeas dc vtrip when v(spk)=0.6 rise=1\nprint vtrip\nquit 0\n.endc\n.end\n');
      const m = /vtrip\s*=\s*(\S+)/.exec(o);
      if (!m) throw new Error(`comparator fit failed at ${ib} ${vth}:\n${o}`);
      row.push(Number((Number(m[1]) - vth).toPrecision(4)));
    }
    rows.push(row);
  }
  return rows;
}

// `--only=<part>` re-measures one part (ota | synres | exponential) for a quick look.
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7);
if (only !== undefined) {
  const parts: Record<string, () => unknown> = {
    ota: () => ({ ...otaFit(), ...otaMismatchFit(), outputConductancePerAmp: otaOutputConductance() }),
    synres: resistorFit,
    exponential: exponentialFit,
    comparator: comparatorFit,
  };
  const f = parts[only];
  if (f === undefined) throw new Error(`unknown part ${only}`);
  process.stdout.write(JSON.stringify({ [only]: f() }, null, 1) + '\n');
  process.exit(0);
}

const result = { command: 'npx tsx bench/circuits-fit.ts', ota: { ...otaFit(), ...otaMismatchFit(), outputConductancePerAmp: otaOutputConductance() }, synres: resistorFit(), exponential: exponentialFit(), comparator: comparatorFit() };
process.stdout.write(JSON.stringify(result, null, 1) + '\n');

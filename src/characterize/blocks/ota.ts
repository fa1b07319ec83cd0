/**
 * The OTA (circuits/blocks/ota.ts), the transconductor of every analog block:
 * - gm/I and the systematic current: follower (inn = out = a held node at V_cm), DC sweep of
 *   v(inp) ± 4 mV around V_cm in 1 mV steps, gm = central difference at V_cm; 10 biases
 *   (1 nA–1 µA, log) × 8 common modes (0.4–1.1 V);
 * - tail sensitivity s: the bias mirror alone (tail held at 0.3 V, its level in the OTA),
 *   −d ln I_tail / dΔV_t,mt from ΔV_t,mt = ±2 mV;
 * - mirror ratio ρ: the follower's offset for ΔV_t,m4 = ±2 mV, per volt;
 * - output conductance: inputs at 0.6 V, output swept ± 4 mV around 0.6 V.
 * Read by technology.ts (OTA_FIT).
 */
import type { SpiceResult } from '../../netlist/runner.ts';
import { otaSubcircuit, OTA_SUBCKT, OTA_TRANSISTORS } from '../../circuits/blocks/ota.ts';
import { mos } from '../../circuits/transistors.ts';
import type { OtaEntry } from '../table.ts';
import type { Characterization } from '../registry-types.ts';
import { bench, centralDerivative, checkSmooth, resultFor, sig, vec, type SweepPoint } from '../sweep.ts';

export const OTA_BIAS_A = [1e-9, 2e-9, 5e-9, 10e-9, 20e-9, 50e-9, 100e-9, 200e-9, 500e-9, 1e-6, 2e-6, 5e-6, 10e-6];
export const OTA_VCM_V = [0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1];
const DV_SWEEP = 0.004;
const H_SWEEP = 0.001;
const DVT = 2e-3;
const TIGHT = { reltol: 1e-7, abstol: 1e-17, gmin: 1e-15 };

/** Follower bench: gm and I_sys at (bias, V_cm). Saved: the current the held node sources. */
export function otaGmPoint(biasA: number, vcm: number, key = `gm:${biasA}:${vcm}`): SweepPoint {
  return {
    key,
    netlist: bench(`ota gm ib ${biasA} vcm ${vcm}`, [otaSubcircuit()], [
      { kind: 'V', name: 'vp', p: 'inp', n: '0', value: vcm },
      { kind: 'V', name: 'vm', p: 'mem', n: '0', value: vcm },
      { kind: 'I', name: 'ib', p: 'vdd', n: 'nb', value: biasA },
      { kind: 'X', name: 'ota', nodes: ['inp', 'mem', 'mem', 'nb', 'vdd', '0'], subckt: OTA_SUBCKT },
    ], { kind: 'dc', source: 'vp', start: vcm - DV_SWEEP, stop: vcm + DV_SWEEP, step: H_SWEEP }, ['i(vm)']),
  };
}

/** gm (S) and the output current at zero input (A) from a follower bench result. */
export function otaGmFrom(r: SpiceResult): { gm: number; iSys: number } {
  // i(vm) is the current into the held node's source from the OTA output: +I_out.
  const i = vec(r, 'i(vm)');
  const k = Math.round(DV_SWEEP / H_SWEEP);
  checkSmooth(i, k, 'OTA follower output current');
  return { gm: centralDerivative(i, k, H_SWEEP), iSys: i[k] };
}

function tailPoint(biasA: number, dv: number): SweepPoint {
  const [mb, mt] = OTA_TRANSISTORS;
  return {
    key: `tail:${biasA}:${dv}`,
    netlist: bench('ota tail mirror', [], [
      { kind: 'I', name: 'ib', p: 'vdd', n: 'nb', value: biasA },
      { kind: 'V', name: 'vt', p: 'tail', n: '0', value: 0.3 },
      { ...mos(mb, 'nb', 'nb', '0', '0'), delvto: 0 },
      { ...mos(mt, 'tail', 'nb', '0', '0'), delvto: dv },
    ], { kind: 'op' }, ['i(vt)'], TIGHT),
  };
}

function mirrorPoint(biasA: number, dv4: number): SweepPoint {
  return {
    key: `mirror:${biasA}:${dv4}`,
    netlist: bench('ota mirror ratio', [otaSubcircuit()], [
      { kind: 'V', name: 'vp', p: 'inp', n: '0', value: 0.6 },
      { kind: 'I', name: 'ib', p: 'vdd', n: 'nb', value: biasA },
      { kind: 'C', name: 'cm', p: 'mem', n: '0', value: 1e-12 },
      { kind: 'X', name: 'ota', nodes: ['inp', 'mem', 'mem', 'nb', 'vdd', '0'], subckt: OTA_SUBCKT, params: { dvt_m4: dv4 } },
    ], { kind: 'op' }, ['v(mem)'], TIGHT),
  };
}

function goPoint(biasA: number): SweepPoint {
  return {
    key: `go:${biasA}`,
    netlist: bench('ota output conductance', [otaSubcircuit()], [
      { kind: 'V', name: 'vi', p: 'in', n: '0', value: 0.6 },
      { kind: 'V', name: 'vo', p: 'o', n: '0', value: 0.6 },
      { kind: 'I', name: 'ib', p: 'vdd', n: 'nb', value: biasA },
      { kind: 'X', name: 'ota', nodes: ['in', 'in', 'o', 'nb', 'vdd', '0'], subckt: OTA_SUBCKT },
    ], { kind: 'dc', source: 'vo', start: 0.6 - DV_SWEEP, stop: 0.6 + DV_SWEEP, step: H_SWEEP }, ['i(vo)']),
  };
}

export const otaCharacterization: Characterization<OtaEntry> = {
  name: 'ota',
  description: 'OTA gm/I and systematic current over bias × common mode, tail-mirror sensitivity, mirror ratio, output conductance',
  scope: 'library',
  consumer: 'src/circuits/technology.ts (OTA_FIT): every transconductor of the library',
  subcircuits: () => [otaSubcircuit()],
  sweeps() {
    const pts: SweepPoint[] = [];
    for (const b of OTA_BIAS_A) for (const v of OTA_VCM_V) pts.push(otaGmPoint(b, v));
    for (const b of OTA_BIAS_A) pts.push(tailPoint(b, DVT), tailPoint(b, -DVT), mirrorPoint(b, DVT), mirrorPoint(b, -DVT), goPoint(b));
    return pts;
  },
  reduce(results) {
    const gmPerAmp: number[][] = [];
    const offsetCurrentA: number[][] = [];
    for (const b of OTA_BIAS_A) {
      const g: number[] = [];
      const o: number[] = [];
      for (const v of OTA_VCM_V) {
        const m = otaGmFrom(resultFor(results, `gm:${b}:${v}`));
        g.push(sig(m.gm / b));
        o.push(sig(m.iSys));
      }
      gmPerAmp.push(g);
      offsetCurrentA.push(o);
    }
    const tailSensitivity = OTA_BIAS_A.map((b) => {
      const cur = (dv: number) => Math.abs(vec(resultFor(results, `tail:${b}:${dv}`), 'i(vt)')[0]);
      return sig(-(Math.log(cur(DVT)) - Math.log(cur(-DVT))) / (2 * DVT));
    });
    const mirrorRatio = OTA_BIAS_A.map((b) => {
      const v = (dv: number) => vec(resultFor(results, `mirror:${b}:${dv}`), 'v(mem)')[0];
      return sig((v(DVT) - v(-DVT)) / (2 * DVT));
    });
    const outputConductancePerAmp = OTA_BIAS_A.map((b) => {
      // i(vo) is the current the OTA pushes into the held output; its slope is −g_o.
      const i = vec(resultFor(results, `go:${b}`), 'i(vo)');
      return sig(-centralDerivative(i, Math.round(DV_SWEEP / H_SWEEP), H_SWEEP) / b);
    });
    return { biasA: OTA_BIAS_A, vcmV: OTA_VCM_V, gmPerAmp, offsetCurrentA, tailSensitivity, mirrorRatio, outputConductancePerAmp };
  },
};


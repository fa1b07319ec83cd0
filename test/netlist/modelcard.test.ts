// The model card spice/ptm65.lib on ngspice 39: it loads under its plateau names, an inverter and
// a mirror behave as CMOS must, and the instance parameter delvto shifts the threshold exactly.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { runSpice, getVector } from '../../src/netlist/runner.ts';
import { MODEL_CARD_PATH } from '../../src/netlist/writer.ts';
import type { Netlist } from '../../src/netlist/model.ts';

const base = { title: 'card', includes: [], models: [], subcircuits: [] };

describe('spice/ptm65.lib', () => {
  it('states its provenance and defines plateau_nmos / plateau_pmos at level 54', () => {
    const text = readFileSync(MODEL_CARD_PATH, 'utf8');
    expect(text).toMatch(/NOT A FOUNDRY MODEL/);
    expect(text).toMatch(/Beta Version released on 2\/22\/06/);
    expect(text).toMatch(/Zhao and Y\. Cao/);
    expect(text).toMatch(/^\.model plateau_nmos nmos$/m);
    expect(text).toMatch(/^\.model plateau_pmos pmos$/m);
    expect(text.match(/level=54/g)).toHaveLength(2);
  });

  it('inverter at 1.2 V: rail-to-rail output, switching point between the thresholds', async () => {
    const n: Netlist = {
      ...base,
      elements: [
        { kind: 'V', name: 'dd', p: 'vdd', n: '0', value: 1.2 },
        { kind: 'V', name: 'in', p: 'in', n: '0', value: 0 },
        { kind: 'M', name: 'p', drain: 'out', gate: 'in', source: 'vdd', bulk: 'vdd', model: 'pmos', w: 0.4e-6, l: 0.065e-6 },
        { kind: 'M', name: 'n', drain: 'out', gate: 'in', source: '0', bulk: '0', model: 'nmos', w: 0.2e-6, l: 0.065e-6 },
      ],
      analysis: { kind: 'dc', source: 'in', start: 0, stop: 1.2, step: 0.005 },
      save: ['v(out)'],
    };
    const r = await runSpice(n, { backend: 'cli' });
    const vin = r.plots[0].vectors[r.plots[0].scale as string];
    const vout = getVector(r, 'v(out)');
    // Static CMOS: one device off at each rail, so the output reaches the rail up to leakage.
    expect(vout[0]).toBeGreaterThan(1.19);
    expect(vout[vout.length - 1]).toBeLessThan(0.01);
    const k = vout.findIndex((v) => v < 0.6);
    const vm = vin[k - 1] + ((0.6 - vout[k - 1]) * (vin[k] - vin[k - 1])) / (vout[k] - vout[k - 1]);
    // The switching point must lie between V_th,n and VDD − |V_th,p| (PTM: ~0.27 and ~0.33 V
    // effective at L = 65 nm) — here 0.57 V was measured.
    expect(vm).toBeGreaterThan(0.3);
    expect(vm).toBeLessThan(1.2 - 0.33);
  });

  it('delvto is an instance threshold shift: I(Vgs + d, delvto = d) = I(Vgs, delvto = 0)', async () => {
    const d = 0.02; // 20 mV = 4 sweep steps
    const step = 0.005;
    const fet = (name: string, drain: string, delvto?: number) => ({ kind: 'M' as const, name, drain, gate: 'g', source: '0', bulk: '0', model: 'nmos' as const, w: 1e-6, l: 1e-6, ...(delvto === undefined ? {} : { delvto }) });
    const n: Netlist = {
      ...base,
      elements: [
        { kind: 'V', name: 'dd', p: 'vdd', n: '0', value: 0.6 },
        { kind: 'V', name: 'g', p: 'g', n: '0', value: 0 },
        { kind: 'V', name: 'm0', p: 'vdd', n: 'd0', value: 0 },
        { kind: 'V', name: 'm1', p: 'vdd', n: 'd1', value: 0 },
        fet('a', 'd0'),
        fet('b', 'd1', d),
      ],
      analysis: { kind: 'dc', source: 'g', start: 0.2, stop: 0.8, step },
      save: ['i(m0)', 'i(m1)'],
    };
    const r = await runSpice(n, { backend: 'cli' });
    const i0 = getVector(r, 'i(m0)');
    const i1 = getVector(r, 'i(m1)');
    const shift = Math.round(d / step);
    const ratio: number[] = [];
    for (let k = 0; k + shift < i0.length; k++) ratio.push(i1[k + shift] / i0[k]);
    // A pure threshold shift makes I(Vgs + d, delvto = d) / I(Vgs, 0) one constant from
    // subthreshold (0.2 V, nA) to strong inversion (0.8 V, tens of µA): measured flat to 0.1 %.
    expect(Math.max(...ratio) / Math.min(...ratio) - 1).toBeLessThan(5e-3);
    // The constant converts to a gate-referred shift through the subthreshold slope
    // S = dVgs / d ln I (nominal device, 0.20-0.24 V): shift = d − S ln(ratio). Measured
    // 1.053·d, proportional to d for d = −20 … +40 mV — a larger Vgs step is needed than the
    // threshold change, as with poly-gate depletion (ngate = 2e20 cm⁻³ makes dVgs,eff/dVgs < 1).
    // Bound: 1.00·d … 1.10·d.
    const S = (8 * step) / Math.log(i0[8] / i0[0]);
    const equivalent = d - S * Math.log(ratio[0]);
    expect(equivalent / d).toBeGreaterThan(1.0);
    expect(equivalent / d).toBeLessThan(1.1);
    // and the shift is real: at equal Vgs the shifted device carries clearly less current
    // (subthreshold: exp(−d / S) ≈ 0.6)
    expect(i1[0] / i0[0]).toBeLessThan(0.8);
  });

  it('current mirror (W/L = 1 µm / 1 µm) copies 1 µA within channel-length modulation', async () => {
    const n: Netlist = {
      ...base,
      elements: [
        { kind: 'V', name: 'dd', p: 'vdd', n: '0', value: 1.2 },
        { kind: 'I', name: 'ref', p: 'vdd', n: 'd1', value: 1e-6 },
        { kind: 'M', name: '1', drain: 'd1', gate: 'd1', source: '0', bulk: '0', model: 'nmos', w: 1e-6, l: 1e-6 },
        { kind: 'M', name: '2', drain: 'd2', gate: 'd1', source: '0', bulk: '0', model: 'nmos', w: 1e-6, l: 1e-6 },
        { kind: 'V', name: 'out', p: 'd1x', n: 'd2', value: 0 },
        { kind: 'V', name: 'dx', p: 'd1x', n: '0', value: 0.42 },
      ],
      analysis: { kind: 'op' },
      save: ['i(out)', 'v(d1)'],
    };
    const r = await runSpice(n, { backend: 'cli' });
    const vd1 = getVector(r, 'v(d1)')[0];
    // Output drain held at 0.42 V, close to the diode voltage: the copy is nearly exact.
    expect(vd1).toBeGreaterThan(0.3);
    expect(vd1).toBeLessThan(0.55);
    expect(Math.abs(getVector(r, 'i(out)')[0] / 1e-6 - 1)).toBeLessThan(0.05);
  });
});

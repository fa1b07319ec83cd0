import { describe, expect, it } from 'vitest';
import { emulate, ROUTING_LATENCY_S } from '../../src/emulator/index.ts';
import { allParams, chipWithInput, lifParams, syn } from './helpers.ts';

const gL = 2e-7;
const C = 2e-12;

/** Two compartments: circuit 0 tied to the shared line, circuit 1 attached through its conductance. */
function twoCompartments(G: number, iOffset: number, eLeak1 = 0.45) {
  const chip = chipWithInput();
  chip.neurons[0].multicompartment.connect_soma = true;
  chip.neurons[0].multicompartment.connect_soma_right = true;
  chip.neurons[1].multicompartment.enable_conductance = true;
  const params = allParams();
  params[0] = lifParams({ iOffset });
  params[1] = lifParams({ gInter: G, eLeak: eLeak1 });
  return { chip, params };
}

describe('passive two-compartment neuron', () => {
  for (const ratio of [1, 100, 1e4]) {
    it(`steady-state attenuation G/(g_L + G), G = ${ratio}·g_L`, () => {
      const G = ratio * gL;
      const I = 2e-8; // 0.1 V above rest in an isolated compartment
      const { chip, params } = twoCompartments(G, I);
      const res = emulate(chip, params, { duration: 200e-6, dt: 100e-9, seed: 0, noise: false, record: { ideal: [{ circuit: 0 }, { circuit: 1 }] } });
      const v0 = res.traces.ideal[0].values.at(-1)! - 0.45;
      const v1 = res.traces.ideal[1].values.at(-1)! - 0.45;
      // g_L v0 + G(v0 − v1) = I, g_L v1 + G(v1 − v0) = 0 ⇒ v1/v0 = G/(g_L+G), v0 = I(g_L+G)/(g_L(g_L+2G)).
      // 200 µs = 20 τ_m of the slowest mode: residual e^{-20} ≈ 2e-9 relative.
      expect(Math.abs(v1 / v0 - G / (gL + G))).toBeLessThan(1e-7);
      expect(Math.abs(v0 - (I * (gL + G)) / (gL * (gL + 2 * G)))).toBeLessThan(1e-9);
      // Stiff coupling stays bounded at every step (no overshoot beyond the final value).
      for (const v of res.traces.ideal[0].values) expect(v - 0.45).toBeLessThanOrEqual(v0 * (1 + 1e-9));
    });
  }

  it('relaxation between different leak potentials: τ_total = 1/(2/τ_icc + 1/τ_leak) (calix ICC measurement)', () => {
    // Symmetric circuits, E_L 0.45 / 0.55: the difference d = V0 − V1 obeys
    // C d' = −g_L(d − ΔE) − 2G d ⇒ d(t) = d∞ + (d0 − d∞) e^{−t/τ_total}, d∞ = g_L ΔE/(g_L+2G).
    // Both start at their own leak potential (d0 = −0.1 V). G = 100 g_L gives τ_total ≈ 50 ns,
    // shorter than the 100 ns step: the exact propagator must still be exact.
    const G = 100 * gL;
    const { chip, params } = twoCompartments(G, 0, 0.55);
    const dt = 100e-9;
    const res = emulate(chip, params, { duration: 2e-6, dt, seed: 0, noise: false, start: 'leak', record: { ideal: [{ circuit: 0 }, { circuit: 1 }] } });
    const a = res.traces.ideal[0].values;
    const b = res.traces.ideal[1].values;
    const tauTotal = 1 / (2 / (C / G) + 1 / (C / gL));
    const dInf = (gL * -0.1) / (gL + 2 * G);
    for (let k = 0; k < a.length; k++) {
      const want = dInf + (-0.1 - dInf) * Math.exp(-(k * dt) / tauTotal);
      expect(Math.abs(a[k] - b[k] - want)).toBeLessThan(1e-12);
    }
  });

  it('a floating segment couples three compartments like the full star network (Kron reduction)', () => {
    const chip = chipWithInput();
    for (const e of [20, 21, 22]) chip.neurons[e].multicompartment.enable_conductance = true;
    chip.neurons[20].multicompartment.connect_soma_right = true;
    chip.neurons[21].multicompartment.connect_soma_right = true;
    const g = [1e-6, 3e-7, 5e-7];
    const I = 2e-8;
    const params = allParams();
    params[20] = lifParams({ gInter: g[0], iOffset: I });
    params[21] = lifParams({ gInter: g[1] });
    params[22] = lifParams({ gInter: g[2] });
    const res = emulate(chip, params, { duration: 300e-6, dt: 200e-9, seed: 0, noise: false, record: { ideal: [20, 21, 22].map((circuit) => ({ circuit })) } });
    // Full network with the segment node s (no capacitance): solve the 4×4 nodal equations
    // [g_L + g_i on the diagonal, −g_i to s; Σg_i at s] for v (relative to E_L) by Gaussian elimination.
    const n = 4;
    const M = [
      [gL + g[0], 0, 0, -g[0], I],
      [0, gL + g[1], 0, -g[1], 0],
      [0, 0, gL + g[2], -g[2], 0],
      [-g[0], -g[1], -g[2], g[0] + g[1] + g[2], 0],
    ];
    for (let p = 0; p < n; p++) {
      for (let r = p + 1; r < n; r++) {
        const f = M[r][p] / M[p][p];
        for (let c = p; c <= n; c++) M[r][c] -= f * M[p][c];
      }
    }
    const v = new Array(n).fill(0);
    for (let r = n - 1; r >= 0; r--) {
      let s = M[r][n];
      for (let c = r + 1; c < n; c++) s -= M[r][c] * v[c];
      v[r] = s / M[r][r];
    }
    for (let k = 0; k < 3; k++) {
      // 300 µs ≥ 30 τ_m: residual transient < 1e-12 V.
      expect(Math.abs(res.traces.ideal[k].values.at(-1)! - 0.45 - v[k])).toBeLessThan(1e-10);
    }
  });
});

describe('asymmetric inter-compartment conductance with a line offset', () => {
  it('steady state of the two back-to-back transconductors (membrane side g_m, line side g_l, offset)', () => {
    // Compartment 0 tied to the line; circuit 1 attaches through its conductance:
    //   comp 1: g_L(E_L − V1) + g_m(V0 − V1) = 0
    //   comp 0: g_L(E_L − V0) + g_l(V1 − V0) + i_off + I = 0
    const gm = 3e-7, gl = 1.5e-7, ioff = -4e-9, I = 2e-8;
    const { chip, params } = twoCompartments(gm, I);
    params[1].gInterCompartmentLine = gl;
    params[1].iLineOffset = ioff;
    const res = emulate(chip, params, { duration: 300e-6, dt: 100e-9, seed: 0, noise: false, record: { ideal: [{ circuit: 0 }, { circuit: 1 }] } });
    // Solve the 2×2 system for v = V − E_L: [[g_L+g_l, −g_l], [−g_m, g_L+g_m]] v = [I + i_off, 0].
    const a = gL + gl, b = -gl, c = -gm, d = gL + gm;
    const det = a * d - b * c;
    const v0 = (d * (I + ioff)) / det;
    const v1 = (-c * (I + ioff)) / det;
    // 300 µs ≥ 30 τ of the slowest mode: residual < 1e-12 V.
    expect(Math.abs(res.traces.ideal[0].values.at(-1)! - 0.45 - v0)).toBeLessThan(1e-10);
    expect(Math.abs(res.traces.ideal[1].values.at(-1)! - 0.45 - v1)).toBeLessThan(1e-10);
  });
});

describe('shorted circuits form one compartment', () => {
  it('charge conservation: ΔV = Σ Q_i·gain_i / Σ C_i without leak', () => {
    // Circuits 10, 11, 12 shorted by connect_right; leak off; each gets a synaptic pulse with its
    // own τ_s, capacitance and gain. All the charge ends on the common membrane.
    const chip = chipWithInput();
    chip.neurons[10].multicompartment.connect_right = true;
    chip.neurons[11].multicompartment.connect_right = true;
    const params = allParams();
    const caps = [1e-12, 2e-12, 0.5e-12];
    const taus = [1e-6, 3e-6, 7e-6];
    const gains = [1, 0.7, 1.3];
    const weights = [63, 20, 45];
    let charge = 0;
    for (let k = 0; k < 3; k++) {
      const p = lifParams({ C: caps[k], gLeak: 0, tauExc: taus[k], tauInh: taus[k] });
      p.synapticInput[0].gain = gains[k];
      params[10 + k] = p;
      chip.weights[syn(0, 0, 10 + k)] = weights[k];
      chip.labels[syn(0, 0, 10 + k)] = 3;
      charge += weights[k] * p.synapseChargePerWeight * gains[k];
    }
    // One inhibitory synapse on circuit 11 (row 1 is inhibitory), another label.
    chip.weights[syn(0, 1, 11)] = 10;
    chip.labels[syn(0, 1, 11)] = 4;
    charge -= 10 * params[11].synapseChargePerWeight * 1;
    const res = emulate(chip, params, {
      duration: 100e-6, dt: 50e-9, seed: 0, noise: false,
      externalSpikes: [{ time: 1e-6 - ROUTING_LATENCY_S, input: 0, label: 3 }, { time: 20e-6 + 13e-9, input: 0, label: 4 }],
      record: { ideal: [{ circuit: 10 }, { circuit: 12 }] },
    });
    const v = res.traces.ideal[0].values;
    // Same membrane for every circuit of the compartment.
    expect(res.traces.ideal[1].values.at(-1)).toBe(v.at(-1));
    // 100 µs ≥ 12 τ_s of the slowest input: residual e^{-12}·(pulse) < 1e-6 of the step.
    const want = charge / (caps[0] + caps[1] + caps[2]);
    expect(Math.abs(v.at(-1)! - v[0] - want) / Math.abs(want)).toBeLessThan(1e-5);
  });
});

import { describe, expect, it } from 'vitest';
import { emulate, ROUTING_LATENCY_S } from '../../src/emulator/index.ts';
import { allParams, chipWithInput, lifParams, syn } from './helpers.ts';

/**
 * Conductance-based approximation: the input current is scaled by k = (E_rev − V)/(E_rev − E_ref).
 * Peer: RK4 at 1 ns of C dV/dt = −g_L(V − E_L) + k(V)·I(t), I(t) = I₀ e^{−t/τ_s}. The stepped
 * engine freezes k over each step (first order): at dt = 10 ns the peak agrees to < 1e-3.
 */
function rk4Peak(p: ReturnType<typeof lifParams>, I0: number, eRev: number, eRef: number): number {
  const h = 1e-9;
  const tau = p.capacitance / p.gLeak;
  const ts = p.synapticInput[0].tau;
  const f = (t: number, v: number) => -(v - p.eLeak) / tau + ((eRev - v) / (eRev - eRef)) * I0 * Math.exp(-t / ts) / p.capacitance;
  let v = p.eLeak;
  let peak = v;
  for (let k = 0; k < 40000; k++) {
    const t = k * h;
    const k1 = f(t, v), k2 = f(t + h / 2, v + (h / 2) * k1), k3 = f(t + h / 2, v + (h / 2) * k2), k4 = f(t + h, v + h * k3);
    v += (h / 6) * (k1 + 2 * k2 + 2 * k3 + k4);
    peak = Math.max(peak, v);
  }
  return peak;
}

describe('COBA approximation', () => {
  it('PSP peak follows the peer integration; smaller than the CUBA PSP as V nears E_rev', () => {
    const eRev = 0.6, eRef = 0.45;
    const chip = chipWithInput();
    chip.weights[syn(0, 0, 3)] = 63; chip.labels[syn(0, 0, 3)] = 1; // COBA circuit 3
    chip.weights[syn(0, 0, 4)] = 63; chip.labels[syn(0, 0, 4)] = 1; // CUBA circuit 4
    const params = allParams({ chargePerWeight: 1e-14 });
    const p = lifParams({ chargePerWeight: 1e-14 });
    params[3].synapticInput[0] = { ...params[3].synapticInput[0], coba: true, eRev, eRef };
    const tA = 1e-6;
    const res = emulate(chip, params, {
      duration: 41e-6, dt: 10e-9, seed: 0, noise: false,
      externalSpikes: [{ time: tA - ROUTING_LATENCY_S, input: 0, label: 1 }],
      record: { ideal: [{ circuit: 3 }, { circuit: 4 }] },
    });
    const coba = Math.max(...res.traces.ideal[0].values);
    const cuba = Math.max(...res.traces.ideal[1].values);
    const I0 = (63 * 1e-14) / p.synapticInput[0].tau;
    const want = rk4Peak(p, I0, eRev, eRef);
    expect(Math.abs(coba - want) / (want - p.eLeak)).toBeLessThan(1e-3);
    // The CUBA PSP peaks well above (the drive shrinks as V approaches E_rev = 0.6 V).
    expect((cuba - p.eLeak) / (coba - p.eLeak)).toBeGreaterThan(1.2);
  });
});

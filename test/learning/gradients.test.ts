import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/util/random.ts';
import { initNetwork, TtfsRunner, type DelayKind } from '../../src/learning/network.ts';
import { shiftInvariantMse, ttfsCrossEntropy } from '../../src/learning/loss.ts';
import { layerBackward } from '../../src/learning/gradients.ts';
import { lambertW0 } from '../../src/emulator/event/lambertw.ts';

/** Central finite difference of the loss of one sample w.r.t. one parameter. */
function fd(param: Float64Array, k: number, loss: () => number, h = 1e-6): number {
  const p0 = param[k];
  param[k] = p0 + h;
  const lp = loss();
  param[k] = p0 - h;
  const lm = loss();
  param[k] = p0;
  return (lp - lm) / (2 * h);
}

describe('exact spike-time gradients vs finite differences', () => {
  // Cases: τ_m = τ_s (Lambert W), τ_m = 2τ_s (quadratic), τ_m = 1.7τ_s (root finder), with each
  // delay kind. Central differences with h = 1e-6 have truncation error O(h²·t‴) ≈ 1e-12 and
  // round-off ≈ 1e-16/1e-6 = 1e-10 relative to O(1) losses: tolerance 1e-7 absolute.
  const cases: Array<[number, DelayKind, 'ce' | 'mse']> = [
    [1, 'none', 'ce'], [2, 'synaptic', 'mse'], [2, 'axonal', 'mse'], [2, 'dendritic', 'ce'], [1.7, 'synaptic', 'ce'], [1, 'axonal', 'ce'],
  ];
  for (const [ratio, kind, lossKind] of cases) {
    it(`τ_m/τ_s = ${ratio}, delays ${kind}, loss ${lossKind}`, () => {
      const net = initNetwork({
        sizes: [4, 12, 3], nBias: 1, model: { tauMem: ratio, tauSyn: 1, capacitance: 1, threshold: 1 },
        encoding: { early: 0.15, late: 2, biasTime: 0.9 }, delays: { kind, shift: 0, scale: 1 },
      }, [[1.5, 0.8], [0.6, 0.8]], 0.25, new Rng(`grad-${ratio}-${kind}`));
      const x = new Float64Array([0.3, 0.6, 0.7, 0.4]);
      const label = 0;
      const runner = new TtfsRunner(net, null);
      const g = new Float64Array(3);
      const loss = (): number => {
        runner.sync();
        const out = runner.forward(x, 0, null);
        return lossKind === 'ce' ? ttfsCrossEntropy(out, 3, label, 0.2, 0.005, 1, g) : shiftInvariantMse(out, 3, label, 0.2, g);
      };
      runner.zeroGradients();
      loss();
      expect(Array.from(runner.layers[1].output).every((t) => t < Infinity)).toBe(true); // all outputs spike
      runner.outputGradient().set(g);
      runner.backward(Infinity);
      let checked = 0;
      for (let l = 0; l < 2; l++) {
        for (let k = 0; k < net.weights[l].length; k++) {
          const num = fd(net.weights[l], k, loss);
          expect(Math.abs(num - runner.layers[l].grads.weights[k])).toBeLessThan(1e-7);
          if (Math.abs(num) > 1e-3) checked++;
        }
        if (kind !== 'none') {
          const gθ = new Float64Array(net.delayTheta[l].length);
          runner.delayThetaGradient(l, gθ);
          for (let k = 0; k < gθ.length; k++) {
            const num = fd(net.delayTheta[l], k, loss);
            expect(Math.abs(num - gθ[k])).toBeLessThan(1e-7);
            if (Math.abs(num) > 1e-3) checked++;
          }
        }
      }
      expect(checked).toBeGreaterThan(20); // non-trivial gradients were compared
    });
  }

  it('equals the paper’s closed forms for τ_m = τ_s (Göltz et al. 2021)', () => {
    // ∂t*/∂w_i = −(t* − t_i) e^{t_i}/(A(1+W)), ∂t*/∂t_i = −w_i e^{t_i}(t* − t_i − 1)/(A(1+W)),
    // with τ = 1, A = Σ w e^{t_i}, W = W₀(−(1/A) e^{B/A}) over the causal set.
    const tIn = new Float64Array([0.2, 0.5, 0.9]);
    const w = new Float64Array([1.2, 1.0, 0.8]);
    let A = 0;
    let B = 0;
    for (let i = 0; i < 3; i++) { A += w[i] * Math.exp(tIn[i]); B += w[i] * tIn[i] * Math.exp(tIn[i]); }
    const W = lambertW0(-(1 / A) * Math.exp(B / A));
    const tStar = B / A - W;
    expect(tStar).toBeGreaterThan(0.9); // all three inputs are causal
    const grads = { weights: new Float64Array(3) };
    const gIn = new Float64Array(3);
    const skipped = layerBackward(tIn, 3, w, null, new Float64Array([tStar]), new Float64Array([1]), 1,
      { tauMem: 1, tauSyn: 1, capacitance: 1, threshold: 1 }, grads, gIn, Infinity, new Float64Array(3), new Float64Array(3));
    expect(skipped).toBe(0);
    for (let i = 0; i < 3; i++) {
      const dw = -(tStar - tIn[i]) * Math.exp(tIn[i]) / (A * (1 + W));
      const dt = -w[i] * Math.exp(tIn[i]) * (tStar - tIn[i] - 1) / (A * (1 + W));
      // Same quantity, different algebra: agreement to round-off (1e-12 relative).
      expect(Math.abs(grads.weights[i] - dw)).toBeLessThan(1e-12 * Math.max(1, Math.abs(dw)));
      expect(Math.abs(gIn[i] - dt)).toBeLessThan(1e-12 * Math.max(1, Math.abs(dt)));
    }
  });
});

describe('losses', () => {
  it('cross-entropy gradient matches finite differences and softmax algebra', () => {
    const t = new Float64Array([1.1, 1.3, 0.95]);
    const g = new Float64Array(3);
    const L = ttfsCrossEntropy(t, 3, 1, 0.2, 0.005, 1, g);
    // L = log Σ e^{−t/ξ} + t_c/ξ + α e^{t_c}: evaluate directly.
    const direct = Math.log(Math.exp(-1.1 / 0.2) + Math.exp(-1.3 / 0.2) + Math.exp(-0.95 / 0.2)) + 1.3 / 0.2 + 0.005 * Math.exp(1.3);
    expect(Math.abs(L - direct)).toBeLessThan(1e-12);
    const g2 = new Float64Array(3);
    for (let k = 0; k < 3; k++) {
      const num = fd(t, k, () => ttfsCrossEntropy(t, 3, 1, 0.2, 0.005, 1, g2));
      expect(Math.abs(num - g[k])).toBeLessThan(1e-7);
    }
    expect(ttfsCrossEntropy(new Float64Array([1, Infinity, 1]), 3, 1, 0.2, 0.005, 1, g)).toBe(100);
  });
});

/**
 * Adam (Kingma & Ba 2015) over flat Float64Array parameter groups, each with its own learning
 * rate (DelGrad trains delays and weights with different rates). Defaults β₁ 0.9, β₂ 0.999,
 * ε 1e-8 as in torch.optim.Adam.
 */
export interface AdamState {
  step: number;
  m: Float64Array[];
  v: Float64Array[];
}

export function adamInit(params: Float64Array[]): AdamState {
  return { step: 0, m: params.map((p) => new Float64Array(p.length)), v: params.map((p) => new Float64Array(p.length)) };
}

/** One update: p ← p − lr_g · m̂/(√v̂ + ε), bias-corrected. */
export function adamStep(state: AdamState, params: Float64Array[], grads: Float64Array[], lrs: number[], beta1 = 0.9, beta2 = 0.999, eps = 1e-8): void {
  state.step++;
  const bc1 = 1 - beta1 ** state.step;
  const bc2 = 1 - beta2 ** state.step;
  for (let gi = 0; gi < params.length; gi++) {
    const p = params[gi];
    const g = grads[gi];
    const m = state.m[gi];
    const v = state.v[gi];
    const lr = lrs[gi];
    for (let k = 0; k < p.length; k++) {
      const gk = g[k];
      m[k] = beta1 * m[k] + (1 - beta1) * gk;
      v[k] = beta2 * v[k] + (1 - beta2) * gk * gk;
      p[k] -= (lr * (m[k] / bc1)) / (Math.sqrt(v[k] / bc2) + eps);
    }
  }
}

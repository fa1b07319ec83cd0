/**
 * Independent numerical reference for the event-driven engine's tests: classical RK4 on
 * C dv/dt = −(C/τ_m) v + I, τ_s dI/dt = −I with a small step, threshold crossings located by
 * bisection on single RK4 sub-steps (local error ∝ δ⁵), so it shares no closed form with the
 * engine.
 */
export interface RefNeuron {
  tauMem: number;
  tauSyn: number;
  capacitance: number;
  threshold: number;
  reset: number;
  refractory: number;
}

function rk4(v: number, i: number, h: number, p: RefNeuron): [number, number] {
  const fv = (vv: number, ii: number): number => (-vv / p.tauMem) + ii / p.capacitance;
  const fi = (ii: number): number => -ii / p.tauSyn;
  const k1v = fv(v, i); const k1i = fi(i);
  const k2v = fv(v + 0.5 * h * k1v, i + 0.5 * h * k1i); const k2i = fi(i + 0.5 * h * k1i);
  const k3v = fv(v + 0.5 * h * k2v, i + 0.5 * h * k2i); const k3i = fi(i + 0.5 * h * k2i);
  const k4v = fv(v + h * k3v, i + h * k3i); const k4i = fi(i + h * k3i);
  return [v + (h / 6) * (k1v + 2 * k2v + 2 * k3v + k4v), i + (h / 6) * (k1i + 2 * k2i + 2 * k3i + k4i)];
}

/**
 * Integrate one neuron from (v, i) over [0, horizon] with step dt; returns the first crossing
 * time of θ (or Infinity) and the state at the end (or at the crossing).
 */
export function rk4FirstCrossing(v0: number, i0: number, horizon: number, p: RefNeuron, dt: number): number {
  let v = v0;
  let i = i0;
  let t = 0;
  while (t < horizon) {
    const h = Math.min(dt, horizon - t);
    const [vn, in_] = rk4(v, i, h, p);
    if (vn >= p.threshold) {
      let lo = 0;
      let hi = h;
      for (let k = 0; k < 60; k++) {
        const mid = 0.5 * (lo + hi);
        if (rk4(v, i, mid, p)[0] >= p.threshold) hi = mid;
        else lo = mid;
      }
      return t + hi;
    }
    v = vn;
    i = in_;
    t += h;
  }
  return Infinity;
}

/**
 * Reference network simulation: events (external and recurrent deliveries) in time order;
 * between events RK4 with crossing detection; reset and refractory as the engine documents.
 */
export function referenceNetwork(
  neurons: RefNeuron[], syn: Array<{ src: number; tgt: number; w: number; d: number }>, nNeurons: number,
  external: Array<{ src: number; t: number }>, tEnd: number, dt: number,
): Array<{ neuron: number; time: number }> {
  const v = new Array<number>(nNeurons).fill(0);
  const cur = new Array<number>(nNeurons).fill(0);
  const refEnd = new Array<number>(nNeurons).fill(-Infinity);
  const queue: Array<{ t: number; tgt: number; w: number }> = [];
  for (const e of external) for (const s of syn) if (s.src === nNeurons + e.src) queue.push({ t: e.t + s.d, tgt: s.tgt, w: s.w });
  const spikes: Array<{ neuron: number; time: number }> = [];
  let t = 0;
  for (;;) {
    queue.sort((a, b) => a.t - b.t);
    const tNextEvent = queue.length ? queue[0].t : Infinity;
    const tStop = Math.min(tNextEvent, tEnd);
    // Earliest spike of any neuron in [t, tStop].
    let best = Infinity;
    let who = -1;
    for (let j = 0; j < nNeurons; j++) {
      const p = neurons[j];
      let start = t;
      let vj = v[j];
      let ij = cur[j];
      if (refEnd[j] > t) {
        if (refEnd[j] >= tStop) continue;
        ij *= Math.exp(-(refEnd[j] - t) / p.tauSyn); // current decay is trivially exact
        vj = p.reset;
        start = refEnd[j];
      }
      const s = rk4FirstCrossing(vj, ij, tStop - start, p, dt);
      if (start + s < best) {
        best = start + s;
        who = j;
      }
    }
    const tAdv = best < Infinity ? best : tStop;
    // Advance all neurons to tAdv.
    for (let j = 0; j < nNeurons; j++) {
      const p = neurons[j];
      let start = t;
      if (refEnd[j] > t) {
        const tr = Math.min(refEnd[j], tAdv);
        cur[j] *= Math.exp(-(tr - t) / p.tauSyn);
        v[j] = p.reset;
        start = tr;
      }
      let tt = start;
      while (tt < tAdv) {
        const h = Math.min(dt, tAdv - tt);
        [v[j], cur[j]] = rk4(v[j], cur[j], h, p);
        tt += h;
      }
    }
    t = tAdv;
    if (who >= 0 && best < Infinity) {
      spikes.push({ neuron: who, time: best });
      v[who] = neurons[who].reset;
      refEnd[who] = best + neurons[who].refractory;
      for (const s of syn) if (s.src === who) queue.push({ t: best + s.d, tgt: s.tgt, w: s.w });
      continue;
    }
    if (t >= tEnd) break;
    // Deliver all events at t.
    while (queue.length && queue[0].t <= t) {
      const e = queue.shift()!;
      cur[e.tgt] += e.w;
    }
  }
  return spikes;
}

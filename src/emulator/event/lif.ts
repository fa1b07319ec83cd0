/**
 * Exact sub-threshold dynamics of a current-based LIF neuron with one exponential synaptic
 * current, and the exact first threshold crossing between two input events.
 *
 *   C dv/dt = −g_l v + I(t),   τ_s dI/dt = −I,   v = u − E_l,   τ_m = C / g_l,
 *   an input spike of weight w arriving at t_i makes I jump by w; spike when v reaches θ = ϑ − E_l.
 *
 * From a state (v₀, I₀) at local time 0 and with no further input:
 *   τ_m ≠ τ_s:  v(s) = v₀ e^{−s/τ_m} + I₀ c (e^{−s/τ_m} − e^{−s/τ_s}),  c = τ_m τ_s / (C (τ_m − τ_s))
 *   τ_m = τ_s = τ:  v(s) = e^{−s/τ} (v₀ + (I₀/C) s)
 * The post-synaptic potential kernel of one input of unit weight is the same with v₀ = 0, I₀ = 1.
 *
 * First crossing (Göltz et al. 2021, Fast & Deep; written here in the state form, which is the
 * same solution with the sums A, B of the paper absorbed into (v₀, I₀)):
 *   τ_m = τ_s:   s* = −τ W₀(−(θ/(aτ)) e^{−v₀/(aτ)}) − v₀/a,  a = I₀/C  (Lambert W, principal branch)
 *   τ_m = 2τ_s:  x = e^{−s/τ_m} solves I₀c x² − (v₀ + I₀c) x + θ = 0; earliest = larger root
 *   otherwise:   v is a sum of two exponentials with at most one extremum; the crossing is
 *                bracketed between 0 and the extremum and found by safeguarded Newton.
 * All functions are allocation-free; units are any consistent set (SI hardware time in the
 * emulator, units of τ_s in the learning code).
 */
import { lambertW0 } from './lambertw.ts';

const INV_E = 0.36787944117144233;

/** Which closed form applies. */
export const KIND_GENERAL = 0;
export const KIND_EQUAL = 1;
export const KIND_DOUBLE = 2;

/** Relative tolerance for treating τ_m/τ_s as exactly 1 or 2 (closed forms). */
const RATIO_TOL = 1e-12;

export function kernelKind(tauMem: number, tauSyn: number): number {
  const r = tauMem / tauSyn;
  if (Math.abs(r - 1) <= RATIO_TOL) return KIND_EQUAL;
  if (Math.abs(r - 2) <= RATIO_TOL) return KIND_DOUBLE;
  return KIND_GENERAL;
}

/** c = τ_m τ_s / (C (τ_m − τ_s)) for τ_m ≠ τ_s, 1/C for τ_m = τ_s (the kernel's prefactor). */
export function kernelGain(tauMem: number, tauSyn: number, capacitance: number, kind: number): number {
  return kind === KIND_EQUAL ? 1 / capacitance : (tauMem * tauSyn) / (capacitance * (tauMem - tauSyn));
}

/** Membrane v(s) from (v₀, I₀) after time s without input. */
export function membraneAt(v0: number, i0: number, s: number, tauMem: number, tauSyn: number, gain: number, kind: number): number {
  if (kind === KIND_EQUAL) return Math.exp(-s / tauMem) * (v0 + i0 * gain * s);
  const em = Math.exp(-s / tauMem);
  return v0 * em + i0 * gain * (em - Math.exp(-s / tauSyn));
}

/** PSP kernel K(s) of unit weight (0 for s ≤ 0). */
export function psp(s: number, tauMem: number, tauSyn: number, gain: number, kind: number): number {
  if (s <= 0) return 0;
  if (kind === KIND_EQUAL) return gain * s * Math.exp(-s / tauMem);
  return gain * (Math.exp(-s / tauMem) - Math.exp(-s / tauSyn));
}

/** dK/ds (0 for s ≤ 0). */
export function pspSlope(s: number, tauMem: number, tauSyn: number, gain: number, kind: number): number {
  if (s <= 0) return 0;
  if (kind === KIND_EQUAL) return gain * (1 - s / tauMem) * Math.exp(-s / tauMem);
  return gain * (Math.exp(-s / tauSyn) / tauSyn - Math.exp(-s / tauMem) / tauMem);
}

/**
 * Earliest s in [0, horizon] at which v(s) = θ, starting from v₀ < θ with current I₀, or
 * Infinity when the membrane stays below θ on the interval. `horizon` may be Infinity.
 * Requires θ > 0 (threshold above rest). `bracketed`: the caller knows v is rising at 0 and
 * v(horizon) ≥ θ (finite horizon), so exactly one crossing lies in [0, horizon] and the
 * extremum test is skipped.
 */
export function firstCrossing(
  v0: number, i0: number, horizon: number, theta: number,
  tauMem: number, tauSyn: number, capacitance: number, gain: number, kind: number,
  bracketed = false,
): number {
  if (v0 >= theta) return 0;
  // C v'(0) = −g_l v₀ + I₀. With v₀ < θ, θ > 0 and v → 0 for s → ∞, a membrane that is not
  // rising at 0 never reaches θ later (its one extremum would be a minimum).
  if (i0 * tauMem - capacitance * v0 <= 0) return Infinity;
  if (kind === KIND_EQUAL) {
    const a = i0 * gain; // I₀/C
    if (a <= 0) return Infinity;
    const tau = tauMem;
    // The membrane rises at 0, so its peak lies at s > 0, and the peak reaches θ exactly when
    // the Lambert argument is −1/e: x < −1/e means no crossing at all (no separate peak test).
    const x = -(theta / (a * tau)) * Math.exp(-v0 / (a * tau));
    if (x < -INV_E) {
      if (!bracketed) return Infinity;
    }
    let s = -tau * lambertW0(x < -INV_E ? -INV_E : x) - v0 / a;
    if (!(s >= 0)) s = 0;
    return s > horizon ? Infinity : s;
  }
  const ic = i0 * gain;
  const alpha = v0 + ic; // coefficient of e^{−s/τ_m}
  const beta = -ic; // coefficient of e^{−s/τ_s}
  // Extremum: α/τ_m e^{−s/τ_m} = −β/τ_s e^{−s/τ_s}  ⇒  s_e = ln(−β τ_m / (α τ_s)) / (1/τ_s − 1/τ_m).
  let sEnd = horizon;
  if (!bracketed) {
    const q = (-beta * tauMem) / (alpha * tauSyn);
    let sPeak = Infinity;
    if (q > 0) {
      const se = Math.log(q) / (1 / tauSyn - 1 / tauMem);
      if (se > 0) sPeak = se;
    }
    if (sPeak < sEnd) sEnd = sPeak;
    if (sEnd === Infinity) return Infinity; // rising for ever towards 0 < θ
    const vEnd = alpha * Math.exp(-sEnd / tauMem) + beta * Math.exp(-sEnd / tauSyn);
    if (vEnd < theta) return Infinity;
  }
  if (kind === KIND_DOUBLE) {
    // ic·x² − α x + θ = 0 with x = e^{−s/τ_m}; the earliest crossing is the larger root.
    const disc = alpha * alpha - 4 * ic * theta;
    const root = (alpha + Math.sqrt(disc > 0 ? disc : 0)) / (2 * ic);
    let s = -tauMem * Math.log(root);
    if (!(s >= 0)) s = 0;
    return s > sEnd ? sEnd : s;
  }
  // General ratio: v(0) < θ ≤ v(sEnd) with one crossing in between: safeguarded Newton.
  let lo = 0;
  let hi = sEnd;
  let s = sEnd * 0.5;
  for (let it = 0; it < 100; it++) {
    const em = Math.exp(-s / tauMem);
    const es = Math.exp(-s / tauSyn);
    const f = alpha * em + beta * es - theta;
    if (f < 0) lo = s;
    else hi = s;
    const df = -alpha * em / tauMem - beta * es / tauSyn;
    let next = s - f / df;
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (Math.abs(next - s) <= 1e-15 * (1 + s) || hi - lo <= 1e-15 * (1 + hi)) {
      s = next;
      break;
    }
    s = next;
  }
  return s;
}

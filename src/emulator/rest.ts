/**
 * Start state of the emulator: every compartment at its steady state with no input and no reset
 * (docs/emulator.md, "Start state"). Per integration unit (an isolated compartment, or a group of
 * coupled / adapting compartments) a damped Newton solve of
 *   0 = F_c(V) = Σ_{i∈c} [ I_sat,i tanh(g_L,i (E_L,i − V_c)/I_sat,i) + I_off,i + A_i(V_c) − w_i ]
 *               + Σ_terms g·V_col + I_line,c,
 *   w_i = a_i (V_c − V_ref,i)          (adaptation at its steady state, dw/dt = 0),
 * with the adaptation OTAs' saturation where the circuit library gives it (`adaptationAt`: the
 * state's steady w in closed form, −w plus the output's remainder on the membrane),
 * the tanh reducing to g_L (E_L − V) without a saturation current, A_i the exponential term
 * (plus the circuit library's membrane-current remainder table where it gives one).
 * This is the fixed point of the engine's own equations, so a compartment started there stays
 * there (and the quiescent-skip puts it to sleep at once).
 */
import type { CircuitParameters } from '../circuits/params.ts';
import { adaptationMembraneRemainder, exponentialCurrent, membraneRemainder, membraneRemainderSlope, V_RAIL_HIGH, V_RAIL_LOW } from './engine.ts';
import type { EmulatorModel } from './model.ts';
import { solveDense } from '../util/dense.ts';

/** Largest Newton step, V: keeps the solve on the branch it starts on (the resting branch). */
const MAX_STEP_V = 0.05;
const MAX_ITER = 200;
/** Converged when every update is below this, V (far below any readout resolution). */
const TOL_V = 1e-12;

export interface SteadyState {
  /** Membrane per compartment, V. */
  V: Float64Array;
  /** Adaptation current per circuit, A. */
  w: Float64Array;
  /**
   * Per compartment: 1 where the unit has a steady state below every threshold in the supply
   * range, 0 where it has none (tonic firing, offset beyond the saturated leak) and the
   * compartment starts at its leak potential instead.
   */
  atRest: Uint8Array;
  /** Leak potential per compartment (mean E_L weighted by g_L), V: the fallback start. */
  leakV: Float64Array;
}

/** d/dV of the exponential term (the engine's `exponentialCurrent`). */
function exponentialSlope(p: CircuitParameters, v: number): number {
  const e = p.exponential as CircuitParameters['exponential'] & { iMax?: number; vExp?: number };
  if (e.iMax !== undefined && e.vExp !== undefined) {
    const s = 1 / (1 + Math.exp(-(v - e.vExp) / e.deltaT));
    return (e.iMax * s * (1 - s)) / e.deltaT;
  }
  if ((v - e.vT) / e.deltaT > 40) return 0; // the engine clamps the exponent there
  return exponentialCurrent(p, v) / e.deltaT;
}

/** tanh(x/I)·I: a transconductor's current at linear drive x, saturating at I (linear without I). */
function satCurrent(x: number, iSat: number | undefined): { i: number; slope: number } {
  if (iSat === undefined || !(iSat > 0) || !Number.isFinite(iSat)) return { i: x, slope: 1 };
  const t = Math.tanh(x / iSat);
  return { i: iSat * t, slope: 1 - t * t };
}

/**
 * The adaptation at its steady state for membrane v (engine's law, engine.ts
 * `adaptationStateRemainder`): 0 = a(V − v_ref) − w + state is
 *   wSat·tanh((w + σ)/wSat) − σ = aSat·tanh(a(V − v_ref)/aSat),
 * so w = wSat·atanh((drive + σ)/wSat) − σ. Returns w, the block's membrane current
 * −w + membrane remainder = −(outSat·tanh((w + ρ)/outSat) − ρ) and its slope d/dV, and whether
 * the τ-OTA can hold that drive at all (`held`: |drive + σ| < wSat; when it cannot, w runs away
 * and there is no steady state: the argument is clamped here so that Newton can go on, and the
 * unit is rejected afterwards).
 */
export function adaptationAt(ad: CircuitParameters['adaptation'], v: number): { w: number; current: number; slope: number; held: boolean } {
  const drive = satCurrent(ad.a * (v - ad.vRef), ad.aSaturation);
  const sigma = ad.stateShift ?? 0;
  const wSat = ad.wSaturation;
  let w: number;
  let dwdv: number;
  let held = true;
  if (wSat === undefined || !(wSat > 0) || !Number.isFinite(wSat)) {
    w = drive.i;
    dwdv = ad.a * drive.slope;
  } else {
    let z = (drive.i + sigma) / wSat;
    const lim = 1 - 1e-12;
    if (!(Math.abs(z) < lim)) { held = false; z = Math.sign(z) * lim; }
    w = wSat * Math.atanh(z) - sigma;
    dwdv = (ad.a * drive.slope) / (1 - z * z);
  }
  const rem = adaptationMembraneRemainder(ad, w);
  const out = satCurrent(w + (ad.outputShift ?? 0), ad.outputSaturation);
  return { w, current: -w + rem, slope: -out.slope * dwdv, held };
}

/** Leak potential start (the old start state): mean E_L of the compartment's circuits. */
function leakStart(m: EmulatorModel, c: number): number {
  const gl = m.gLeakSum[c];
  let off = 0;
  let eSum = 0;
  for (let k = m.compPtr[c]; k < m.compPtr[c + 1]; k++) {
    off += m.params[m.compCircuits[k]].iOffset;
    eSum += m.params[m.compCircuits[k]].eLeak;
  }
  return gl > 0 ? (m.leakDrive[c] - off) / gl : eSum / (m.compPtr[c + 1] - m.compPtr[c]);
}

/**
 * Residual F (A) and Jacobian J (S, dense, row-major) of the unit's compartments `comps` at V.
 */
function residual(m: EmulatorModel, comps: number[], V: Float64Array, F: Float64Array, J: Float64Array): void {
  const n = comps.length;
  F.fill(0);
  J.fill(0);
  for (let lc = 0; lc < n; lc++) {
    const c = comps[lc];
    const v = V[lc];
    for (let k = m.compPtr[c]; k < m.compPtr[c + 1]; k++) {
      const p = m.params[m.compCircuits[k]];
      const sat = p.leakSaturationCurrent ?? 0;
      const x = p.gLeak * (p.eLeak - v);
      if (sat > 0 && Number.isFinite(sat)) {
        const t = Math.tanh(x / sat);
        F[lc] += sat * t;
        J[lc * n + lc] -= p.gLeak * (1 - t * t);
      } else {
        F[lc] += x;
        J[lc * n + lc] -= p.gLeak;
      }
      F[lc] += p.iOffset + membraneRemainder(p, v);
      J[lc * n + lc] += membraneRemainderSlope(p, v);
      if (p.exponential.enabled) {
        F[lc] += exponentialCurrent(p, v);
        J[lc * n + lc] += exponentialSlope(p, v);
      }
      if (p.adaptation.enabled) {
        const ad = adaptationAt(p.adaptation, v);
        F[lc] += ad.current;
        J[lc * n + lc] += ad.slope;
      }
    }
  }
}

/**
 * Damped Newton solve of one unit from the leak potentials. Returns the solution, or null when
 * it has none in the supply range below the units' thresholds (or the solve fails).
 */
function solveUnit(m: EmulatorModel, comps: number[], terms: { row: number; col: number; g: number }[], offsets: Map<number, number>): Float64Array | null {
  const n = comps.length;
  const local = new Map<number, number>();
  comps.forEach((c, k) => local.set(c, k));
  const V = Float64Array.from(comps, (c) => leakStart(m, c));
  const F = new Float64Array(n);
  const J = new Float64Array(n * n);
  let converged = false;
  for (let it = 0; it < MAX_ITER; it++) {
    residual(m, comps, V, F, J);
    for (const t of terms) {
      const r = local.get(t.row);
      const c = local.get(t.col);
      if (r === undefined || c === undefined) continue;
      F[r] += t.g * V[c];
      J[r * n + c] += t.g;
    }
    for (const [c, i] of offsets) { const r = local.get(c); if (r !== undefined) F[r] += i; }
    // Newton: J·δ = −F.
    for (let r = 0; r < n; r++) F[r] = -F[r];
    if (!solveDense(J, F, n)) return null;
    let big = 0;
    for (let r = 0; r < n; r++) big = Math.max(big, Math.abs(F[r]));
    if (!Number.isFinite(big)) return null;
    const damp = big > MAX_STEP_V ? MAX_STEP_V / big : 1;
    let moved = 0;
    for (let r = 0; r < n; r++) {
      const v = Math.min(V_RAIL_HIGH, Math.max(V_RAIL_LOW, V[r] + damp * F[r]));
      moved = Math.max(moved, Math.abs(v - V[r]));
      V[r] = v;
    }
    if (moved < TOL_V) { converged = true; break; }
  }
  if (!converged) return null;
  for (let lc = 0; lc < n; lc++) {
    const c = comps[lc];
    // A solution pinned at a rail is not a rest (the currents do not balance there).
    if (V[lc] <= V_RAIL_LOW || V[lc] >= V_RAIL_HIGH) return null;
    for (let k = m.compPtr[c]; k < m.compPtr[c + 1]; k++) {
      const i = m.compCircuits[k];
      if (Number.isFinite(m.clockPeriod[i]) && V[lc] >= m.params[i].vThreshold) return null;
      // An adaptation state the τ-OTA cannot hold runs to a rail: no steady state.
      if (m.params[i].adaptation.enabled && !adaptationAt(m.params[i].adaptation, V[lc]).held) return null;
    }
  }
  return V;
}

/** The steady state of every compartment (module comment); no input, no reset. */
export function steadyState(m: EmulatorModel): SteadyState {
  const V = new Float64Array(m.nCompartments);
  const w = new Float64Array(m.nCircuits);
  const atRest = new Uint8Array(m.nCompartments);
  const leakV = Float64Array.from({ length: m.nCompartments }, (_, c) => leakStart(m, c));
  const units: { comps: number[]; terms: { row: number; col: number; g: number }[]; offsets: Map<number, number> }[] = [];
  for (const c of m.scalarCompartments) units.push({ comps: [c], terms: [], offsets: new Map() });
  for (const g of m.groups) units.push({ comps: g.compartments, terms: g.terms, offsets: g.offsets });
  // A unit of one single-circuit compartment without coupling is a function of that circuit's
  // parameters and whether its clock runs (the threshold check): circuits sharing one parameter
  // object (the reset circuits of a small experiment, deriveCircuitParameters { circuits }) are
  // solved once.
  const single = new Map<CircuitParameters, Array<Float64Array | null | undefined>>();
  for (const u of units) {
    let sol: Float64Array | null;
    const c0 = u.comps[0];
    if (u.comps.length === 1 && u.terms.length === 0 && u.offsets.size === 0 && m.compPtr[c0 + 1] - m.compPtr[c0] === 1) {
      const i = m.compCircuits[m.compPtr[c0]];
      const p = m.params[i];
      const clocked = Number.isFinite(m.clockPeriod[i]) ? 1 : 0;
      let memo = single.get(p);
      if (memo === undefined) single.set(p, memo = [undefined, undefined]);
      let known = memo[clocked];
      if (known === undefined) memo[clocked] = known = solveUnit(m, u.comps, u.terms, u.offsets);
      sol = known;
    } else {
      sol = solveUnit(m, u.comps, u.terms, u.offsets);
    }
    u.comps.forEach((c, lc) => {
      V[c] = sol ? sol[lc] : leakV[c];
      atRest[c] = sol ? 1 : 0;
    });
  }
  for (let i = 0; i < m.nCircuits; i++) {
    const a = m.params[i].adaptation;
    if (a.enabled && atRest[m.compOf[i]] === 1) w[i] = adaptationAt(a, V[m.compOf[i]]).w;
  }
  return { V, w, atRest, leakV };
}

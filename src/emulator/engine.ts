/**
 * The time-stepped engine. State is struct-of-arrays over Float64Array:
 *   V[compartment], I[circuit·2 + receptor] (signed input currents), w[circuit] (adaptation).
 *
 * Each step of length dt (docs/emulator.md, "Integration scheme"):
 *  1. every integration unit is advanced exactly over the linear part of its dynamics with the
 *     non-linear terms (exponential term, COBA factor, transconductor saturation) frozen at the
 *     start of the (sub)step; digital switches (reset on at spike registration, reset off at
 *     holdoff) that fall inside the step split it into sub-steps;
 *  2. right after each unit, its threshold crossings are detected (fused into the same pass),
 *     their time interpolated within the step, and the spike registered at the next edge of the
 *     circuit's refractory clock;
 *  3. events arriving in (t0, t1] are applied at t1 with their sub-step offset (current jump
 *     decayed to first order, the charge already delivered added to the membrane: charge
 *     conserving, O((h/τ_s)²) in shape).
 *
 * Scalar compartments (one isolated compartment without adaptation) use the closed form
 *   V(h) = V0 e^{-λh} + (F/C) φ(λ,h) + Σ_s k_s (I_s/C) κ(λ, 1/τ_s, h),  I_s(h) = I_s e^{-h/τ_s}
 * with λ = (Σ g_L,free + Σ g_reset,active)/C (a circuit in reset has its leak replaced by the reset); groups use E = exp(A h), Φ = ∫exp(A s)ds of the whole
 * linear system (membranes, inputs, adaptation, coupling), cached per reset mask (and h for
 * sub-steps).
 */
import { hashNormal, hashWords, Rng } from '../util/random.ts';
import type { BackgroundSourceConfig, ChipConfig } from '../chip/chip.ts';
import { ANALOG_SUPPLY_V, BACKGROUND_SOURCES, BUSES, EXTERNAL_INPUTS, NEURON_EVENT_OUTPUTS } from '../chip/constants.ts';
import { inputError } from '../util/errors.ts';
import { kappaDecay, phiDecay, propagator, type Propagator } from './linalg.ts';
import { LABELS_PER_BUS } from './routing.ts';
import type { EmulatorModel, GroupUnit } from './model.ts';
import type { CircuitParameters } from '../circuits/params.ts';
import { comparatorDelay } from '../circuits/blocks/spike.ts';
import type { ExternalSpike } from './types.ts';
import { steadyState } from './rest.ts';
import {
  BACKGROUND_BLOCK, DENSE_PAIR_BYTES, HEADER_BYTES, STEP_F64_OFFSET, STEP_HEADER_F64, STEP_HEADER_I32, STEP_HEADER_OFFSET, instantiateStepKernels, stepHeaderAddress, wasmMemory, writeLeanHeader,
  writeStepHeader, type StepKernelsWasm, type WasmMemory,
} from './wasm-kernel.ts';
import type { RoutingTable } from './routing.ts';

/**
 * Fixed latency from a spike's registration (or an event's entry into the crossbar) to the
 * synaptic pulse, s. plateau's choice (docs/emulator.md): 8 cycles of the 250 MHz core clock.
 */
export const ROUTING_LATENCY_S = 32e-9;
/** Trial-to-trial threshold spread, relative to |v_threshold − e_leak| (training papers: ≈1.5 %). */
export const THRESHOLD_TRIAL_SPREAD = 0.015;
/** Largest exponent of the exponential term, to keep a runaway upswing finite within a step. */
const EXP_ARG_MAX = 40;
/**
 * The membrane cannot leave the analog supply range: a runaway exponential upswing (or a huge
 * input) saturates at the rails, as the circuit's transistors do (docs/emulator.md).
 */
export const V_RAIL_LOW = 0;
export const V_RAIL_HIGH = ANALOG_SUPPLY_V;
// Non-exported copies for the kernels: an exported `const` is a module cell that optimised code
// loads and hole-checks on every use (measured: a 4 ns kernel step became 7 ns).
const RAIL_LOW = V_RAIL_LOW;
const RAIL_HIGH = V_RAIL_HIGH;
// Module-local copies of imported constants used in hot loops (imported bindings are getter
// accesses under the TS loader).
const N_BUSES = BUSES;
const FIRST_EXTERNAL_INPUT = NEURON_EVENT_OUTPUTS;
const FIRST_BACKGROUND_INPUT = NEURON_EVENT_OUTPUTS + EXTERNAL_INPUTS;

/**
 * A group's propagator over one (sub)step with its affine forcing u, and the non-zero pattern of
 * its columns: colRows[colPtr[j] .. colPtr[j + 1]) are the rows r (ascending) where E[r][j] or
 * Φ[r][j] is non-zero. The states of a disabled input or of a circuit without adaptation are
 * decoupled from the rest, so their columns and rows hold exact zeros (the Taylor series and the
 * squarings of `expm` keep a zero pattern exactly), and the product skips them.
 */
type GroupPropagator = Propagator & { u: Float64Array; colPtr: Int32Array; colRows: Int32Array };

function groupPropagatorOf(p: Propagator, u: Float64Array): GroupPropagator {
  const { n, E, Phi } = p;
  const colPtr = new Int32Array(n + 1);
  const rows: number[] = [];
  for (let j = 0; j < n; j++) {
    for (let r = 0; r < n; r++) if (E[r * n + j] !== 0 || Phi[r * n + j] !== 0) rows.push(r);
    colPtr[j + 1] = rows.length;
  }
  return { ...p, u: Float64Array.from(u), colPtr, colRows: Int32Array.from(rows) };
}

/**
 * x1 = E·x0 + Φ·u column by column over each column's non-zero rows (GroupPropagator), skipping
 * the columns where x0 and u are both 0: a skipped term is an exact ±0 (finite E, Φ; a row's sum
 * starts at +0 and never becomes −0) and every row adds its terms in ascending column order, so
 * x1 is the same bits as the full row-by-row product (propagateGroup's dense branch). Where one of
 * x0[j], u[j] is 0 the column's term equals the other product exactly, so it is added alone. For
 * sparse propagators (chains: decoupled input and adaptation states).
 */
function sparseProduct(p: GroupPropagator, x0: Float64Array, u: Float64Array, x1: Float64Array): void {
  const { n, E, Phi, colPtr, colRows } = p;
  for (let r = 0; r < n; r++) x1[r] = 0;
  for (let j = 0; j < n; j++) {
    const xj = x0[j];
    const uj = u[j];
    if (xj === 0 && uj === 0) continue;
    const end = colPtr[j + 1];
    if (xj === 0) for (let k = colPtr[j]; k < end; k++) { const r = colRows[k]; x1[r] += Phi[r * n + j] * uj; }
    else if (uj === 0) for (let k = colPtr[j]; k < end; k++) { const r = colRows[k]; x1[r] += E[r * n + j] * xj; }
    else for (let k = colPtr[j]; k < end; k++) { const r = colRows[k]; const q = r * n + j; x1[r] += E[q] * xj + Phi[q] * uj; }
  }
}

interface GroupState {
  unit: GroupUnit;
  n: number;
  nc: number;
  /** Local index of each compartment / circuit. */
  compLocal: Map<number, number>;
  cache: Map<string, GroupPropagator>;
  /** Full-step propagators by integer reset mask (groups of ≤ 30 circuits; the common case). */
  fullCache: Map<number, GroupPropagator>;
  /** The last full-step propagator used and its mask (a group keeps its mask for many steps). */
  lastBits: number;
  lastProp: GroupPropagator | null;
  /**
   * 1 while the group sits at a fixed point of its full-step map (x1 = x0 bit for bit, no reset,
   * no switch pending): its steps are skipped until a state of it changes (an input's pulse),
   * see `advanceGroup`. `x0` then holds the state it fell asleep in.
   */
  asleep: number;
  /** Circuits of the group and the local index of each one's compartment (no Map in the step). */
  circuits: Int32Array;
  circLocal: Int32Array;
  x0: Float64Array;
  x1: Float64Array;
  f: Float64Array;
  /** Forcing u for the current mask (V and w rows). */
  u: Float64Array;
  /** Diagonal scaling of the states for the exponential: 1 for V, C of the compartment for I, w. */
  scale: Float64Array;
  /** The frozen terms' constants per circuit of the group (`groupConstants`). */
  k: GroupConstants;
}

/**
 * The constants of a group's frozen non-linear terms, one entry per circuit of the group, read
 * once from its CircuitParameters: the step reads typed arrays instead of the parameter objects
 * (whose shapes differ between circuits, so every property read in the step was a megamorphic
 * lookup). The step evaluates the same expressions on the same numbers as
 * `exponentialCurrent`, `saturationRemainder`, `membraneRemainder` and the adaptation
 * remainders (same bits).
 */
interface GroupConstants {
  gLeak: Float64Array; eLeak: Float64Array; leakSat: Float64Array;
  gReset: Float64Array; vReset: Float64Array; resetSat: Float64Array;
  /** 0: no exponential term; 1: g_L Δ_T exp((V − V_T)/Δ_T) (a = g_L, b = Δ_T, c = V_T); 2: logistic (a = I_max, b = Δ_T, c = v_exp). */
  expMode: Uint8Array; expA: Float64Array; expB: Float64Array; expC: Float64Array;
  rem: Array<RemainderTable | undefined>;
  adA: Float64Array; adASat: Float64Array; adVRef: Float64Array; adWSat: Float64Array; adStateShift: Float64Array;
  adOutSat: Float64Array; adOutShift: Float64Array; adTauW: Float64Array;
}

function groupConstants(P: CircuitParameters[], circuits: readonly number[]): GroupConstants {
  const f = (fn: (p: CircuitParameters) => number): Float64Array => Float64Array.from(circuits, (i) => fn(P[i]));
  const ex = (p: CircuitParameters) => p.exponential as CircuitParameters['exponential'] & { iMax?: number; vExp?: number };
  const logistic = (p: CircuitParameters) => ex(p).iMax !== undefined && ex(p).vExp !== undefined;
  return {
    gLeak: f((p) => p.gLeak), eLeak: f((p) => p.eLeak), leakSat: f((p) => p.leakSaturationCurrent ?? 0),
    gReset: f((p) => p.gReset), vReset: f((p) => p.vReset), resetSat: f((p) => p.resetSaturationCurrent ?? 0),
    expMode: Uint8Array.from(circuits, (i) => (!P[i].exponential.enabled ? 0 : logistic(P[i]) ? 2 : 1)),
    expA: f((p) => (logistic(p) ? ex(p).iMax! : p.gLeak)), expB: f((p) => p.exponential.deltaT), expC: f((p) => (logistic(p) ? ex(p).vExp! : p.exponential.vT)),
    rem: circuits.map((i) => remainderTable(P[i])),
    adA: f((p) => p.adaptation.a), adASat: f((p) => p.adaptation.aSaturation ?? 0), adVRef: f((p) => p.adaptation.vRef),
    adWSat: f((p) => p.adaptation.wSaturation ?? 0), adStateShift: f((p) => p.adaptation.stateShift ?? 0),
    adOutSat: f((p) => p.adaptation.outputSaturation ?? 0), adOutShift: f((p) => p.adaptation.outputShift ?? 0), adTauW: f((p) => p.adaptation.tauW),
  };
}

/**
 * Current of the exponential term, A: g_L Δ_T exp((V − V_T)/Δ_T), or, when the circuit library
 * gives its saturation (optional iMax, vExp), the differential pair's logistic
 * iMax / (1 + exp(−(V − vExp)/Δ_T)), which equals the former well below vExp.
 */
export function exponentialCurrent(p: CircuitParameters, v: number): number {
  const e = p.exponential as CircuitParameters['exponential'] & { iMax?: number; vExp?: number };
  if (e.iMax !== undefined && e.vExp !== undefined) return e.iMax / (1 + Math.exp(-(v - e.vExp) / e.deltaT));
  return p.gLeak * e.deltaT * Math.exp(Math.min((v - e.vT) / e.deltaT, EXP_ARG_MAX));
}

/**
 * The transconductors of leak and reset are OTAs: I = I_sat·tanh(g·ΔV/I_sat) with ΔV = E − V
 * (circuit library, optional I_sat). The linear part g·ΔV is integrated exactly; this returns
 * the non-linear remainder I_sat·tanh(g·ΔV/I_sat) − g·ΔV, frozen over a step like the
 * exponential term (0 when no saturation is given).
 */
export function saturationRemainder(g: number, iSat: number, dv: number): number {
  if (!(iSat > 0) || !Number.isFinite(iSat)) return 0;
  const x = g * dv;
  return iSat * Math.tanh(x / iSat) - x;
}

/**
 * The adaptation block's large-signal law in the engine's variables (CircuitParameters.adaptation,
 * `adaptationRemainders` in circuits/blocks/adaptation.ts, docs/verification.md gap 9): what the
 * three OTAs' saturation takes off the linear AdEx terms. To τ_w dw/dt:
 *   state = R(a, aSaturation, V − v_ref) − R(1, wSaturation, w + stateShift),
 * frozen over a step like the leak's remainder (0 when the limits are absent).
 */
export function adaptationStateRemainder(ad: CircuitParameters['adaptation'], v: number, w: number): number {
  return saturationRemainder(ad.a, ad.aSaturation ?? 0, v - ad.vRef) - saturationRemainder(1, ad.wSaturation ?? 0, w + (ad.stateShift ?? 0));
}

/** The same law's part on the membrane: membrane = −R(1, outputSaturation, w + outputShift), A. */
export function adaptationMembraneRemainder(ad: CircuitParameters['adaptation'], w: number): number {
  return -saturationRemainder(1, ad.outputSaturation ?? 0, w + (ad.outputShift ?? 0));
}

/**
 * Delay of the spike request after a threshold crossing with membrane slope `slope` (V/s): the
 * circuit library's fitted comparator law (`comparatorDelay`, blocks/spike.ts), 0 without one.
 */
export function spikeDelay(p: CircuitParameters, slope: number): number {
  const law = p.comparatorDelay;
  return law === undefined ? 0 : comparatorDelay(law, slope);
}

/** Optional table of the circuit library (`CircuitParameters.membraneCurrentRemainder`). */
interface RemainderTable { v: readonly number[]; i: readonly number[] }

function remainderTable(p: CircuitParameters): RemainderTable | undefined {
  const r = (p as CircuitParameters & { membraneCurrentRemainder?: RemainderTable }).membraneCurrentRemainder;
  return r !== undefined && r.v.length > 0 && r.v.length === r.i.length ? r : undefined;
}

/** Piecewise-linear value of (xs, ys) at x, constant beyond the ends (xs ascending). */
function tableAt(xs: ArrayLike<number>, ys: ArrayLike<number>, lo: number, hi: number, x: number): number {
  if (x <= xs[lo]) return ys[lo];
  if (x >= xs[hi - 1]) return ys[hi - 1];
  let k = lo + 1;
  while (xs[k] < x) k++;
  const x0 = xs[k - 1];
  const x1 = xs[k];
  return x1 > x0 ? ys[k - 1] + ((ys[k] - ys[k - 1]) * (x - x0)) / (x1 - x0) : ys[k];
}

/**
 * What the linear terms miss of the leak's and the synaptic inputs' membrane current at rest
 * (circuit library, optional table over V; 0 when absent), A onto the membrane. Frozen over a
 * step like the saturation remainders.
 */
export function membraneRemainder(p: CircuitParameters, v: number): number {
  const r = remainderTable(p);
  return r === undefined ? 0 : tableAt(r.v, r.i, 0, r.v.length, v);
}

/** d/dV of `membraneRemainder` (the slope of the segment holding v; 0 beyond the ends). */
export function membraneRemainderSlope(p: CircuitParameters, v: number): number {
  const r = remainderTable(p);
  if (r === undefined || v <= r.v[0] || v >= r.v[r.v.length - 1]) return 0;
  let k = 1;
  while (r.v[k] < v) k++;
  return r.v[k] > r.v[k - 1] ? (r.i[k] - r.i[k - 1]) / (r.v[k] - r.v[k - 1]) : 0;
}

export interface BackgroundState {
  /** Hardware source index 0..7 (crossbar input 12 + index). */
  index: number;
  cfg: BackgroundSourceConfig;
  rng: Rng;
  next: number;
}

/**
 * The enabled on-chip background sources, each with its own generator seeded by the source's
 * configured seed (the same configuration gives the same event train, as on the chip).
 * Regular sources start at t = 0; Poisson sources draw exponential intervals.
 */
export function backgroundSources(chip: ChipConfig): BackgroundState[] {
  const out: BackgroundState[] = [];
  for (let s = 0; s < BACKGROUND_SOURCES; s++) {
    const cfg = chip.background[s];
    if (!cfg || !cfg.enable || !(cfg.rate_hz > 0)) continue;
    if (cfg.rate_hz > 125e6) throw inputError('background rate above 125 MEvent/s', { path: `background[${s}].rate_hz` }, { value: cfg.rate_hz, allowed: '0..1.25e8 Hz' });
    const rng = new Rng(hashWords('background', s, cfg.seed));
    out.push({ index: s, cfg, rng, next: cfg.mode === 'poisson' ? rng.exponential(cfg.rate_hz) : 0 });
  }
  return out;
}

/** Label of the source's current event (random bits drawn under label_random_mask). */
export function nextBackgroundEvent(b: BackgroundState): number {
  const cfg = b.cfg;
  const label = cfg.label_random_mask ? ((cfg.label & ~cfg.label_random_mask) | (b.rng.nextU32() & cfg.label_random_mask)) : cfg.label;
  return label & 0x3fff;
}

export function advanceBackground(b: BackgroundState): void {
  b.next += b.cfg.mode === 'poisson' ? b.rng.exponential(b.cfg.rate_hz) : 1 / b.cfg.rate_hz;
}

/**
 * The background sources' event trains, drawn ahead in blocks: per source the entry times into
 * the crossbar and the labels, in the order `nextBackgroundEvent` / `advanceBackground` draw them
 * one event at a time (each source has its own generator, so drawing ahead changes no number).
 * The generator is the same xoshiro128** as `Rng` (src/util/random.ts), started from the state of
 * the source's `Rng` and kept in an Int32Array: the object's four state fields are stored as
 * boxed numbers on every draw, ≈ 40 ns per event; this is the same arithmetic on the same bits
 * (tested against the reference functions in test/emulator/background-stream.test.ts).
 */
export interface BackgroundBlocks {
  sources: BackgroundState[];
  /** Crossbar input of each source. */
  input: Int32Array;
  /** Generator state, 4 words per source (int32 bits of Rng's s0..s3). */
  state: Int32Array;
  /** Per source: Poisson (1) or regular (0), rate (Hz), label, random label mask, next entry time. */
  poisson: Uint8Array;
  rate: Float64Array;
  baseLabel: Int32Array;
  mask: Int32Array;
  next: Float64Array;
  /** Per source, `BLOCK` slots: entry time, label. */
  time: Float64Array;
  label: Int32Array;
  /** Per source: next slot to deliver, slots filled. */
  pos: Int32Array;
  fill: Int32Array;
}

const BLOCK = BACKGROUND_BLOCK;

/** Byte offsets in `buffer` where `backgroundBlocks` places its per-source arrays (room for 8 sources). */
export interface BackgroundPlacement { buffer: ArrayBuffer; time: number; label: number; pos: number; fill: number; input: number }

/**
 * The blocks of the enabled sources; with `at`, the arrays the WebAssembly delivery reads (entry
 * times, labels, positions, fills, crossbar inputs) are views on the engine's wasm memory.
 */
export function backgroundBlocks(chip: ChipConfig, at?: BackgroundPlacement): BackgroundBlocks {
  const sources = backgroundSources(chip);
  const n = sources.length;
  const state = new Int32Array(4 * n);
  sources.forEach((b, k) => {
    // Rng's private state (plain properties at run time).
    const r = b.rng as unknown as { s0: number; s1: number; s2: number; s3: number };
    state[4 * k] = r.s0;
    state[4 * k + 1] = r.s1;
    state[4 * k + 2] = r.s2;
    state[4 * k + 3] = r.s3;
  });
  const input = at ? new Int32Array(at.buffer, at.input, n) : new Int32Array(n);
  sources.forEach((b, k) => { input[k] = FIRST_BACKGROUND_INPUT + b.index; });
  return {
    sources, input, state,
    poisson: Uint8Array.from(sources, (b) => (b.cfg.mode === 'poisson' ? 1 : 0)),
    rate: Float64Array.from(sources, (b) => b.cfg.rate_hz),
    baseLabel: Int32Array.from(sources, (b) => b.cfg.label),
    mask: Int32Array.from(sources, (b) => b.cfg.label_random_mask),
    next: Float64Array.from(sources, (b) => b.next),
    time: at ? new Float64Array(at.buffer, at.time, n * BLOCK) : new Float64Array(n * BLOCK),
    label: at ? new Int32Array(at.buffer, at.label, n * BLOCK) : new Int32Array(n * BLOCK),
    pos: at ? new Int32Array(at.buffer, at.pos, n) : new Int32Array(n),
    fill: at ? new Int32Array(at.buffer, at.fill, n) : new Int32Array(n),
  };
}

function rotl32(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** xoshiro128** step on state words o..o+3 (Rng.nextU32, the same operations). */
function nextU32(st: Int32Array, o: number): number {
  const s0 = st[o];
  const s1 = st[o + 1];
  let s2 = st[o + 2];
  let s3 = st[o + 3];
  const result = Math.imul(rotl32(Math.imul(s1, 5), 7), 9) >>> 0;
  const t = s1 << 9;
  s2 ^= s0;
  s3 ^= s1;
  st[o + 1] = s1 ^ s2;
  st[o] = s0 ^ s3;
  s2 ^= t;
  st[o + 2] = s2;
  st[o + 3] = rotl32(s3, 11);
  return result;
}

/** Draw the next block of source k (entry times; `deliverAll` adds the routing latency). */
export function refillBackground(bb: BackgroundBlocks, k: number): void {
  const { state, time, label } = bb;
  const o = 4 * k;
  const base = k * BLOCK;
  const mask = bb.mask[k];
  const keep = bb.baseLabel[k] & ~mask;
  const fixed = bb.baseLabel[k] & 0x3fff;
  const rate = bb.rate[k];
  const poisson = bb.poisson[k] === 1;
  let next = bb.next[k];
  for (let j = 0; j < BLOCK; j++) {
    // nextBackgroundEvent: the label's random bits, then advanceBackground: the interval.
    label[base + j] = mask !== 0 ? (keep | (nextU32(state, o) & mask)) & 0x3fff : fixed;
    time[base + j] = next;
    if (poisson) {
      const a = nextU32(state, o) >>> 5;
      const b = nextU32(state, o) >>> 6;
      next += -Math.log(1 - (a * 67108864 + b) / 9007199254740992) / rate;
    } else {
      next += 1 / rate;
    }
  }
  bb.next[k] = next;
  bb.pos[k] = 0;
  bb.fill[k] = BLOCK;
}

/**
 * Pulse accumulation of the events of one step: the routing table and the per-input sums
 * ΣΔI (accA) and ΣΔI·h (accB) with the list of inputs touched (applied at the step's end).
 */
interface Delivery {
  rowPtr: Int32Array;
  target: Int32Array;
  amplitude: Float64Array;
  nodePtr: Int32Array;
  nodes: Int32Array;
  accA: Float64Array;
  accB: Float64Array;
  touched: Int32Array;
  marked: Uint8Array;
  /** [inputs touched so far]. */
  nTouched: Int32Array;
}

/**
 * One event at crossbar input `input` with `label`, arrived h before the step's end: every
 * crossbar node that passes it → bus → the synapse rows listening to (bus, label) → the pulse of
 * each synapse accumulated. Returns the number of synaptic pulses. (No bypass: the engine uses
 * its own method when any input has bypass on.)
 */
function deliverEvent(d: Delivery, input: number, label: number, h: number): number {
  const { rowPtr, target, amplitude, nodes, nodePtr, accA, accB, touched, marked } = d;
  let nt = d.nTouched[0];
  let pulses = 0;
  const kEnd = nodePtr[input + 1];
  for (let k = nodePtr[input]; k < kEnd; k += 3) {
    const out = nodes[k];
    if (out >= N_BUSES || (label & nodes[k + 1]) !== nodes[k + 2]) continue;
    const key = out * LABELS_PER_BUS + (label & 0x7ff);
    const start = rowPtr[key];
    const end = rowPtr[key + 1];
    for (let s = start; s < end; s++) {
      const tgt = target[s];
      const amp = amplitude[s];
      if (marked[tgt] === 0) { marked[tgt] = 1; touched[nt++] = tgt; }
      accA[tgt] += amp;
      accB[tgt] += amp * h;
    }
    pulses += end - start;
  }
  d.nTouched[0] = nt;
  return pulses;
}

/**
 * The routing entries packed for the WebAssembly delivery as target | weight << 16 into `entry`;
 * true when every amplitude is non-zero (the delivery marks an untouched input by its sum being
 * 0) and equals weight × jump per unit weight (a non-zero equal product is the same bits; NaN
 * fails). A small function of its own: in the engine's large constructor the loop is not
 * optimised (≈ 19 ns per entry, 3 ms for the full die).
 */
function packRoutingEntries(R: RoutingTable, entry: Int32Array): boolean {
  const { target, weight, amplitude, amplitudePerWeight } = R;
  let ok = true;
  for (let s = 0; s < entry.length; s++) {
    const tgt = target[s];
    const w = weight[s];
    const a = amplitude[s];
    entry[s] = tgt | (w << 16);
    if (a === 0 || a !== w * amplitudePerWeight[tgt]) ok = false;
  }
  return ok;
}

export interface EngineOptions {
  dt: number;
  seed: number;
  noise: boolean;
  externalSpikes: ExternalSpike[];
  /** Keep every compartment awake (tests compare this with the default, which must agree bit for bit). */
  noSleep?: boolean;
  /**
   * Start state: 'rest' (default) every compartment at its steady state without input (and the
   * adaptation at its steady state), 'leak' every membrane at its leak potential and w = 0.
   */
  start?: 'rest' | 'leak';
  /**
   * Lean kernel: 'auto' (default) the WebAssembly one where it applies (no compartment with
   * leak saturation or remainder table), 'js' always the TypeScript one (tests compare both).
   */
  kernel?: 'auto' | 'js' | 'sparse';
  /**
   * Event delivery: 'auto' (default) the step's events through the routing tables and the
   * pulses onto the inputs in WebAssembly (where no input has bypass on; the application only
   * without COBA and pause), 'js' the TypeScript functions (tests compare both: same bytes).
   */
  delivery?: 'auto' | 'js';
}

/**
 * Byte offsets of the arrays shared by the engine and the WebAssembly kernel in one linear
 * memory (each aligned to 64 bytes).
 */
interface Arena {
  memory: WasmMemory;
  oV: number; oI: number; oL: number; oA: number; oM: number; oC: number; oW: number; oF: number; oO: number; oCnt: number;
  /** Dense kernel constants, routing tables, accumulators, the step's event list, apply constants. */
  oD: number; oRowPtr: number; oEntry: number; oApw: number; oNodePtr: number; oNodes: number;
  oAccA: number; oAccB: number; oTouched: number; oMarked: number; oEvIn: number; oEvLabel: number; oEvH: number;
  oCompOf: number; oTauS: number; oCap: number;
  oBgTime: number; oBgLabel: number; oBgPos: number; oBgFill: number; oBgInput: number;
  /** nextSwitch per compartment; the reset's full-step constants per compartment; pause per circuit. */
  oNs: number; oRc: number; oPause: number;
}

/** Events per call of the WebAssembly delivery (a step with more is delivered in several calls). */
const EVENT_BATCH = 1024;

function arena(nc: number, nCircuits: number, nScalar: number, R: RoutingTable): Arena {
  let at = HEADER_BYTES;
  const take = (bytes: number): number => {
    const o = at;
    at += Math.ceil(bytes / 64) * 64;
    return o;
  };
  const oV = take(8 * nc);
  const oI = take(16 * nCircuits);
  const oL = take(64 * nc);
  const oA = take(4 * nScalar);
  const oM = take(nc);
  const oC = take(4 * nc);
  const oW = take(nc);
  const oF = take(4 * nScalar);
  const oO = take(4 * nScalar);
  const oCnt = take(32);
  const oD = take(DENSE_PAIR_BYTES * Math.ceil(nc / 2));
  const oRowPtr = take(4 * R.rowPtr.length);
  const oEntry = take(4 * R.target.length);
  const oApw = take(8 * R.amplitudePerWeight.length);
  const oNodePtr = take(4 * R.nodePtr.length);
  const oNodes = take(4 * R.nodes.length);
  const oAccA = take(16 * nCircuits);
  const oAccB = take(16 * nCircuits);
  const oTouched = take(8 * nCircuits);
  const oMarked = take(2 * nCircuits);
  const oEvIn = take(4 * EVENT_BATCH);
  const oEvLabel = take(4 * EVENT_BATCH);
  const oEvH = take(8 * EVENT_BATCH);
  const oCompOf = take(4 * nCircuits);
  const oTauS = take(16 * nCircuits);
  const oCap = take(8 * nc);
  const oBgTime = take(8 * BACKGROUND_SOURCES * BLOCK);
  const oBgLabel = take(4 * BACKGROUND_SOURCES * BLOCK);
  const oBgPos = take(4 * BACKGROUND_SOURCES);
  const oBgFill = take(4 * BACKGROUND_SOURCES);
  const oBgInput = take(4 * BACKGROUND_SOURCES);
  const oNs = take(8 * nc);
  const oRc = take(32 * nc);
  const oPause = take(nCircuits);
  const memory = wasmMemory(at);
  return {
    memory, oV, oI, oL, oA, oM, oC, oW, oF, oO, oCnt, oD, oRowPtr, oEntry, oApw, oNodePtr, oNodes, oAccA, oAccB, oTouched, oMarked,
    oEvIn, oEvLabel, oEvH, oCompOf, oTauS, oCap, oBgTime, oBgLabel, oBgPos, oBgFill, oBgInput, oNs, oRc, oPause,
  };
}

/** Input currents below this magnitude are set to 0 (docs/emulator.md, "Quiescent compartments"). */
export const I_FLUSH_A = 1e-30;
const FLUSH = I_FLUSH_A;
/** Fewest awake compartments for which the WebAssembly kernel is called (below: TypeScript). */
const WASM_MIN_ACTIVE = 48;
/** The dense kernel runs while at least 1/DENSE_MIN_SHARE of the compartments are awake. */
const DENSE_MIN_SHARE = 3;
/** Every (SPARSE_EVERY + 1)-th step runs the sparse kernel (a power of two minus one). */
const SPARSE_EVERY = 127;
const H_NEV = STEP_HEADER_I32.indexOf('nEv');
const H_PULSES = STEP_HEADER_I32.indexOf('pulses');
const H_WOKE = STEP_HEADER_I32.indexOf('woke');
const H_NTOUCHED = STEP_HEADER_I32.indexOf('nTouched');
const H_BGK = STEP_HEADER_I32.indexOf('bgK');
const H_STATUS = STEP_HEADER_I32.indexOf('status');
const H_BGEVENTS = STEP_HEADER_I32.indexOf('bgEvents');
const F_TB = STEP_HEADER_F64.indexOf('tb');
const F_TEND = STEP_HEADER_F64.indexOf('tEnd');
const F_LATENCY = STEP_HEADER_F64.indexOf('latency');
const F_TLATE = STEP_HEADER_F64.indexOf('tLate');
const F_TENDK = STEP_HEADER_F64.indexOf('tEndK');
const NEG_FLUSH = -I_FLUSH_A;

/**
 * Typed arrays of the fast scalar kernel, one element type per array, indexed by compartment
 * (c) or input (2·circuit + receptor). Kept apart from the engine object so that the kernel is a
 * small, monomorphic function V8 keeps optimised.
 */
interface ScalarKernelArrays {
  /** Awake scalar compartments in ascending order, and their count in `count[0]`. */
  active: Int32Array;
  /** First (only) circuit of each compartment. */
  circ0: Int32Array;
  simple: Uint8Array;
  nextSwitch: Float64Array;
  resetCount: Int32Array;
  pause: Uint8Array;
  V: Float64Array;
  I: Float64Array;
  eFree: Float64Array;
  constFree: Float64Array;
  eReset: Float64Array;
  constReset: Float64Array;
  kapFree: Float64Array;
  kapReset: Float64Array;
  decayFull: Float64Array;
  threshold: Float64Array;
  /** Leak and reset saturation currents (0: none), and the linear parts they saturate. */
  satLeak: Float64Array;
  satReset: Float64Array;
  gLeak: Float64Array;
  eLeak: Float64Array;
  gReset: Float64Array;
  vReset: Float64Array;
  phiFree: Float64Array;
  phiReset: Float64Array;
  /** Remainder tables (CSR over compartments into remV/remI; empty range: none). */
  remPtr: Int32Array;
  remV: Float64Array;
  remI: Float64Array;
  awake: Uint8Array;
  /** Out: compartments needing the general path or a threshold/switch check, ascending. */
  flagged: Int32Array;
  /**
   * [active count, flagged count, compartments that fell asleep in this pass, count of `other`,
   * count of `flagged2`].
   */
  count: Int32Array;
  /** 0: never put a compartment to sleep. */
  sleep: number;
  /**
   * Per compartment: 0 when the lean kernel applies (single circuit, no exponential term, no
   * COBA, not in reset, no switch pending); else bits 1 (not simple), 2 (in reset), 4 (switch
   * pending). Kept current by `refreshSwitch`.
   */
  mode: Uint8Array;
  /** 1 for compartments with a leak saturation or a remainder table (extra frozen terms). */
  extra: Uint8Array;
  /**
   * The lean kernel's constants, 8 per compartment (one 64-byte line): e^{−λdt}, the constant
   * part, κ/C of both inputs, e^{−dt/τ} of both inputs, the threshold of its circuit, unused.
   */
  lean: Float64Array;
  /** Out of the lean kernel: active compartments with mode ≠ 0, ascending (for `scalarKernel`). */
  other: Int32Array;
  /** Out of `scalarKernel` over `other`: flagged compartments, ascending. */
  flagged2: Int32Array;
  /** In of `scalarKernel`: t1 − ε and t1 + ε of the step (switches before / due at its end). */
  window: Float64Array;
}

/**
 * The frozen extra terms of a free compartment with a leak saturation and/or a remainder table,
 * added in the same order as in `scalarKernel` (same bits).
 */
function freeExtras(a: ScalarKernelArrays, c: number, v: number, v0: number): number {
  const sl = a.satLeak[c];
  const rLo = a.remPtr[c];
  const rHi = a.remPtr[c + 1];
  if (sl > 0) v += saturationRemainder(a.gLeak[c], sl, a.eLeak[c] - v0) * a.phiFree[c];
  if (rHi > rLo) v += tableAt(a.remV, a.remI, rLo, rHi, v0) * a.phiFree[c];
  return v;
}

/**
 * The common case of a full die, kept small so that V8 keeps every array base in a register:
 * one full step of every awake compartment with mode 0 (free, simple, nothing pending),
 *   V₁ = V₀e^{−λdt} + (F/C)φ(λ,dt) + Σ_s I_s κ_s/C [+ frozen extras],  I_s ← I_s e^{−dt/τ_s},
 * the same expression, in the same order, as `scalarKernel`'s free branch (same bits).
 * Compartments with mode ≠ 0 go to `other` (stepped by `scalarKernel` afterwards); threshold
 * crossings go to `flagged` (ascending); a compartment left bit-for-bit unchanged without input
 * falls asleep (mode 0 means no reset and no switch, the rest of the sleep condition).
 */
function leanKernel(a: ScalarKernelArrays): void {
  const { active, mode, circ0, V, I, lean, extra, awake, flagged, other, count } = a;
  const n = count[0];
  const sleep = a.sleep;
  let nf = 0;
  let no = 0;
  let slept = 0;
  for (let k = 0; k < n; k++) {
    const c = active[k];
    if (mode[c] !== 0) { other[no++] = c; continue; }
    const te = 2 * circ0[c];
    const q = 8 * c;
    const ie = I[te];
    const ii = I[te + 1];
    const v0 = V[c];
    let v = v0 * lean[q] + lean[q + 1] + ie * lean[q + 2] + ii * lean[q + 3];
    if (extra[c] !== 0) v = freeExtras(a, c, v, v0);
    v = v > RAIL_HIGH ? RAIL_HIGH : v < RAIL_LOW ? RAIL_LOW : v;
    V[c] = v;
    let ie1 = ie * lean[q + 4];
    let ii1 = ii * lean[q + 5];
    if (ie1 < FLUSH && ie1 > NEG_FLUSH) ie1 = 0;
    if (ii1 < FLUSH && ii1 > NEG_FLUSH) ii1 = 0;
    I[te] = ie1;
    I[te + 1] = ii1;
    if (v >= lean[q + 6]) flagged[nf++] = c;
    else if (v === v0 && ie === 0 && ii === 0 && sleep === 1) { awake[c] = 0; slept++; }
  }
  count[1] = nf;
  count[2] = slept;
  count[3] = no;
}

/**
 * The awake scalar compartments the lean kernel left (`other`: in reset, a switch pending, or not
 * simple). One full step of each that is linear up to the transconductor saturation (one
 * circuit, no exponential term, no COBA) and has no digital switch inside the step: the closed
 * form with precomputed full-step coefficients,
 *   V₁ = V₀e^{−λdt} + (F/C)φ(λ,dt) + Σ_s I_s κ_s/C + R(V₀)φ(λ,dt)/C,   I_s ← I_s e^{−dt/τ_s},
 * R the frozen saturation remainders of leak (and reset while active).
 * Compartments that need the general path (sub-steps, non-linear terms) or a threshold/switch
 * check are written to `flagged2` (in ascending order, so that spikes register in the same order
 * as in a single fused pass). A compartment whose update left it bit-for-bit unchanged with no
 * input current, no reset and no pending switch, below threshold, is put to sleep: it is a fixed
 * point of this map and stays one until an input arrives (applyInputs wakes it).
 */
function scalarKernel(a: ScalarKernelArrays): void {
  const tLate = a.window[0];
  const tEnd = a.window[1];
  const { other, circ0, simple, nextSwitch, resetCount, pause, V, I, eFree, constFree, eReset, constReset, kapFree, kapReset, decayFull, threshold, awake, count } = a;
  const { satLeak, satReset, gLeak, eLeak, gReset, vReset, phiFree, phiReset, remPtr, remV, remI } = a;
  const flagged = a.flagged2;
  const n = count[3];
  const sleep = a.sleep;
  let nf = 0;
  let slept = 0;
  for (let k = 0; k < n; k++) {
    const c = other[k];
    const ns = nextSwitch[c];
    if (simple[c] === 0 || ns < tLate) { flagged[nf++] = c; continue; }
    const i = circ0[c];
    const te = 2 * i;
    const ie = I[te];
    const ii = I[te + 1];
    const v0 = V[c];
    let v: number;
    const sl = satLeak[c];
    const rLo = remPtr[c];
    const rHi = remPtr[c + 1];
    if (resetCount[c] === 0) {
      v = v0 * eFree[c] + constFree[c] + ie * kapFree[te] + ii * kapFree[te + 1];
      if (sl > 0) v += saturationRemainder(gLeak[c], sl, eLeak[c] - v0) * phiFree[c];
      if (rHi > rLo) v += tableAt(remV, remI, rLo, rHi, v0) * phiFree[c];
    } else {
      v = v0 * eReset[c] + constReset[c];
      if (pause[i] === 0) v += ie * kapReset[te] + ii * kapReset[te + 1];
      if (satReset[c] > 0) v += saturationRemainder(gReset[c], satReset[c], vReset[c] - v0) * phiReset[c];
      if (rHi > rLo) v += tableAt(remV, remI, rLo, rHi, v0) * phiReset[c];
    }
    v = v > RAIL_HIGH ? RAIL_HIGH : v < RAIL_LOW ? RAIL_LOW : v;
    V[c] = v;
    let ie1 = ie * decayFull[te];
    let ii1 = ii * decayFull[te + 1];
    if (ie1 < FLUSH && ie1 > NEG_FLUSH) ie1 = 0;
    if (ii1 < FLUSH && ii1 > NEG_FLUSH) ii1 = 0;
    I[te] = ie1;
    I[te + 1] = ii1;
    const th = threshold[i];
    if (v >= th || ns <= tEnd) flagged[nf++] = c;
    else if (sleep === 1 && v === v0 && ie === 0 && ii === 0 && resetCount[c] === 0 && ns === Infinity) { awake[c] = 0; slept++; }
  }
  count[4] = nf;
  count[2] += slept;
}

export class SteppedEngine {
  readonly m: EmulatorModel;
  readonly dt: number;
  /** Steps taken; the time is stepIndex·dt (not a running sum, so that boundaries are exact). */
  stepIndex = 0;
  t = 0;
  readonly V: Float64Array;
  readonly Vprev: Float64Array;
  readonly I: Float64Array;
  readonly w: Float64Array;
  /** Effective threshold per circuit (with trial-to-trial noise), V. */
  readonly threshold: Float64Array;
  readonly inReset: Uint8Array;
  readonly pendingReg: Float64Array;
  readonly resetOff: Float64Array;
  readonly refrUntil: Float64Array;

  // Per-input constants (index circuit·2 + receptor).
  private readonly tauS: Float64Array;
  private readonly decayFull: Float64Array;
  private readonly kapFree: Float64Array;
  private readonly kapReset: Float64Array;
  private readonly cobaOn: Uint8Array;
  private readonly eRev: Float64Array;
  private readonly cobaDen: Float64Array;
  /** 1 where the circuit's adaptation carries large-signal limits (its remainders are non-zero). */
  private readonly adaptSat: Uint8Array;
  /** COBA factor range per input (CircuitParameters cobaFactorRange; ±∞ when absent). */
  private readonly cobaMin: Float64Array;
  private readonly cobaMax: Float64Array;
  // Per-compartment scalar constants for a full step.
  private readonly eFree: Float64Array;
  private readonly phiFree: Float64Array;
  private readonly eReset: Float64Array;
  /** Per compartment (single-circuit ones): leak and reset saturation, for the fast path. */
  private readonly satLeak: Float64Array;
  private readonly satReset: Float64Array;
  /** Leak (+ reset) drive times φ/C for a full step: the constant part of the update. */
  private readonly constFree: Float64Array;
  private readonly constReset: Float64Array;
  private readonly phiReset: Float64Array;
  private readonly resetDriveAll: Float64Array;
  private readonly gResetAll: Float64Array;
  /** Leak conductance and drive g_L·E_L of the compartment's spiking circuits (off in reset). */
  private readonly gLeakSpiking: Float64Array;
  private readonly leakDriveSpiking: Float64Array;
  private readonly spikingCount: Int32Array;
  private readonly resetCount: Int32Array;
  /** Single circuit, no exponential term, no COBA: eligible for the inline fast path. */
  private readonly simple: Uint8Array;
  /** Earliest pending switch (registration, reset release) of each compartment's circuits. */
  private readonly nextSwitch: Float64Array;
  // Event accumulators.
  private readonly accA: Float64Array;
  private readonly accB: Float64Array;
  private readonly touched: Int32Array;
  private readonly marked: Uint8Array;
  private readonly anyBypass: boolean;
  private readonly delivery: Delivery;
  /** Arrays of the fast scalar kernel; `awake` per compartment, the active list rebuilt on change. */
  private readonly ka: ScalarKernelArrays;
  private readonly arena: Arena;
  /** The WebAssembly lean kernel over `arena` (null: the TypeScript one). */
  private readonly wasmLean: (() => void) | null;
  /** The WebAssembly module's functions over `arena` (null: kernel and delivery both 'js'). */
  private readonly wk: StepKernelsWasm | null;
  /** The dense (f64x2) lean kernel applies: every compartment scalar, compartment c = circuit c. */
  private readonly denseOk: boolean;
  /** Events delivered (and pulses applied) by the WebAssembly functions. */
  private readonly wasmEvents: boolean;
  private readonly wasmApply: boolean;
  /** The step header (i32 fields `STEP_HEADER_I32`) and the event list of the WebAssembly delivery. */
  private readonly hdr: Int32Array;
  private readonly hdrF: Float64Array;
  /** Start and end of the current step (`step`). */
  private readonly stepTimes = new Float64Array(2);
  private readonly evIn: Int32Array;
  private readonly evLabel: Int32Array;
  private readonly evH: Float64Array;
  private activeDirty = false;
  private readonly groupStates: GroupState[];
  private readonly background: BackgroundBlocks;
  private readonly external: ExternalSpike[];
  private extPtr = 0;
  // On-chip events in flight, in registration order: arrival time, crossbar input, label.
  private pendT = new Float64Array(64);
  private pendIn = new Int32Array(64);
  private pendLabel = new Int32Array(64);
  private pendN = 0;

  /** Registered spikes in registration order: circuit, time, label. */
  readonly spikeCircuit: number[] = [];
  readonly spikeTime: number[] = [];
  synapticEvents = 0;
  crossbarEvents = 0;

  constructor(model: EmulatorModel, chip: ChipConfig, opts: EngineOptions) {
    this.m = model;
    const dt = opts.dt;
    this.dt = dt;
    const n = model.nCircuits;
    const nc = model.nCompartments;
    const P = model.params;
    // V, I and the lean kernel's arrays live in one WebAssembly memory (never grown, so these
    // views stay valid), shared by the TypeScript paths and the WebAssembly kernel.
    const ar = arena(nc, n, model.scalarCompartments.length, model.routing);
    this.arena = ar;
    this.V = new Float64Array(ar.memory.buffer, ar.oV, nc);
    this.Vprev = new Float64Array(nc);
    this.I = new Float64Array(ar.memory.buffer, ar.oI, 2 * n);
    this.w = new Float64Array(n);
    this.threshold = new Float64Array(n);
    this.inReset = new Uint8Array(n);
    this.pendingReg = new Float64Array(n).fill(Infinity);
    this.resetOff = new Float64Array(n).fill(Infinity);
    this.refrUntil = new Float64Array(n).fill(-Infinity);
    this.tauS = new Float64Array(2 * n);
    this.decayFull = new Float64Array(2 * n);
    this.kapFree = new Float64Array(2 * n);
    this.kapReset = new Float64Array(2 * n);
    this.cobaOn = new Uint8Array(2 * n);
    this.eRev = new Float64Array(2 * n);
    this.cobaDen = new Float64Array(2 * n);
    this.adaptSat = Uint8Array.from(P, (p) => {
      const ad = p.adaptation;
      return ad.enabled && [ad.aSaturation, ad.wSaturation, ad.outputSaturation].some((x) => x !== undefined && x > 0 && Number.isFinite(x)) ? 1 : 0;
    });
    this.cobaMin = new Float64Array(2 * n).fill(-Infinity);
    this.cobaMax = new Float64Array(2 * n).fill(Infinity);
    // The event accumulators live in the wasm memory (shared by both delivery paths).
    this.accA = new Float64Array(ar.memory.buffer, ar.oAccA, 2 * n);
    this.accB = new Float64Array(ar.memory.buffer, ar.oAccB, 2 * n);
    this.touched = new Int32Array(ar.memory.buffer, ar.oTouched, 2 * n);
    this.marked = new Uint8Array(ar.memory.buffer, ar.oMarked, 2 * n);
    this.anyBypass = model.bypass.some((b) => b === 1);
    this.eFree = new Float64Array(nc);
    this.phiFree = new Float64Array(nc);
    this.eReset = new Float64Array(nc);
    this.constFree = new Float64Array(nc);
    this.satLeak = new Float64Array(nc);
    this.satReset = new Float64Array(nc);
    this.constReset = new Float64Array(nc);
    this.phiReset = new Float64Array(nc);
    this.resetDriveAll = new Float64Array(nc);
    this.gResetAll = new Float64Array(nc);
    this.gLeakSpiking = new Float64Array(nc);
    this.leakDriveSpiking = new Float64Array(nc);
    this.spikingCount = new Int32Array(nc);
    this.resetCount = new Int32Array(nc);
    this.simple = new Uint8Array(nc);

    // In the wasm memory: the dense kernel reads it for compartments with a switch pending.
    this.nextSwitch = new Float64Array(ar.memory.buffer, ar.oNs, nc).fill(Infinity);

    for (let i = 0; i < n; i++) {
      const p = P[i];
      let th = p.vThreshold;
      if (opts.noise && Number.isFinite(th)) th += THRESHOLD_TRIAL_SPREAD * Math.abs(th - p.eLeak) * hashNormal(opts.seed, 'threshold', i);
      this.threshold[i] = th;
      // The circuits a small experiment leaves in the reset configuration share one parameter
      // object (deriveCircuitParameters { circuits }): the same inputs, the same constants.
      if (i > 0 && p === P[i - 1]) {
        for (let t = 2 * i; t < 2 * i + 2; t++) {
          this.tauS[t] = this.tauS[t - 2];
          this.decayFull[t] = this.decayFull[t - 2];
          this.cobaOn[t] = this.cobaOn[t - 2];
          this.eRev[t] = this.eRev[t - 2];
          this.cobaDen[t] = this.cobaDen[t - 2];
          this.cobaMin[t] = this.cobaMin[t - 2];
          this.cobaMax[t] = this.cobaMax[t - 2];
        }
        continue;
      }
      for (let r = 0; r < 2; r++) {
        const s = p.synapticInput[r];
        const t = 2 * i + r;
        this.tauS[t] = s.enabled && s.tau > 0 ? s.tau : 1;
        this.decayFull[t] = Math.exp(-dt / this.tauS[t]);
        this.cobaOn[t] = s.enabled && s.coba && s.eRev !== s.eRef ? 1 : 0;
        this.eRev[t] = s.eRev;
        this.cobaDen[t] = s.eRev - s.eRef;
        if (s.cobaFactorRange !== undefined) {
          this.cobaMin[t] = s.cobaFactorRange[0];
          this.cobaMax[t] = s.cobaFactorRange[1];
        }
      }
    }
    for (let c = 0; c < nc; c++) {
      if (c > 0 && this.sameAsPrevious(c)) {
        const i = model.compCircuits[model.compPtr[c]];
        this.gResetAll[c] = this.gResetAll[c - 1];
        this.resetDriveAll[c] = this.resetDriveAll[c - 1];
        this.gLeakSpiking[c] = this.gLeakSpiking[c - 1];
        this.leakDriveSpiking[c] = this.leakDriveSpiking[c - 1];
        this.spikingCount[c] = this.spikingCount[c - 1];
        this.eFree[c] = this.eFree[c - 1];
        this.phiFree[c] = this.phiFree[c - 1];
        this.eReset[c] = this.eReset[c - 1];
        this.phiReset[c] = this.phiReset[c - 1];
        this.constFree[c] = this.constFree[c - 1];
        this.constReset[c] = this.constReset[c - 1];
        for (let t = 2 * i; t < 2 * i + 2; t++) {
          this.kapFree[t] = this.kapFree[t - 2];
          this.kapReset[t] = this.kapReset[t - 2];
        }
        this.simple[c] = this.simple[c - 1];
        this.satLeak[c] = this.satLeak[c - 1];
        this.satReset[c] = this.satReset[c - 1];
        continue;
      }
      let gR = 0;
      let dR = 0;
      let gLs = 0;
      let dLs = 0;
      let spiking = 0;
      for (let k = model.compPtr[c]; k < model.compPtr[c + 1]; k++) {
        const i = model.compCircuits[k];
        if (this.canSpike(i)) {
          gR += P[i].gReset;
          dR += P[i].gReset * P[i].vReset;
          gLs += P[i].gLeak;
          dLs += P[i].gLeak * P[i].eLeak;
          spiking++;
        }
      }
      this.gResetAll[c] = gR;
      this.resetDriveAll[c] = dR;
      this.gLeakSpiking[c] = gLs;
      this.leakDriveSpiking[c] = dLs;
      this.spikingCount[c] = spiking;
      const C = model.capacitance[c];
      const lf = model.gLeakSum[c] / C;
      // In reset the circuit's leak OTA is switched to (v_reset, i_bias_reset): its leak term is
      // replaced by the reset term, not joined by it (docs/emulator.md, "Reset").
      const lr = (model.gLeakSum[c] - gLs + gR) / C;
      this.eFree[c] = Math.exp(-lf * dt);
      this.phiFree[c] = phiDecay(lf, dt) / C;
      this.eReset[c] = Math.exp(-lr * dt);
      this.phiReset[c] = phiDecay(lr, dt) / C;
      this.constFree[c] = model.leakDrive[c] * this.phiFree[c];
      this.constReset[c] = (model.leakDrive[c] - dLs + dR) * this.phiReset[c];
      for (let k = model.compPtr[c]; k < model.compPtr[c + 1]; k++) {
        const i = model.compCircuits[k];
        for (let r = 0; r < 2; r++) {
          const t = 2 * i + r;
          this.kapFree[t] = kappaDecay(lf, 1 / this.tauS[t], dt) / C;
          this.kapReset[t] = kappaDecay(lr, 1 / this.tauS[t], dt) / C;
        }
      }
      if (model.compPtr[c + 1] - model.compPtr[c] === 1) {
        const i = model.compCircuits[model.compPtr[c]];
        this.simple[c] = !P[i].exponential.enabled && !this.cobaOn[2 * i] && !this.cobaOn[2 * i + 1] ? 1 : 0;
        this.satLeak[c] = P[i].leakSaturationCurrent ?? 0;
        this.satReset[c] = P[i].resetSaturationCurrent ?? 0;
      }
    }
    // Start state (docs/emulator.md, "Start state"): the steady state, or the leak potentials.
    {
      const ss = steadyState(model);
      if (opts.start === 'leak') {
        for (let c = 0; c < nc; c++) this.V[c] = ss.leakV[c];
      } else {
        this.V.set(ss.V);
        this.w.set(ss.w);
      }
    }

    {
      const sc = model.scalarCompartments;
      const buf = ar.memory.buffer;
      const circ0 = new Int32Array(buf, ar.oC, nc);
      const gLeak = new Float64Array(nc);
      const eLeak = new Float64Array(nc);
      const gReset = new Float64Array(nc);
      const vReset = new Float64Array(nc);
      // Remainder tables of the single-circuit compartments (the kernel's ones).
      const remPtr = new Int32Array(nc + 1);
      const remV: number[] = [];
      const remI: number[] = [];
      for (let c = 0; c < nc; c++) {
        const i = model.compCircuits[model.compPtr[c]];
        const r = model.compPtr[c + 1] - model.compPtr[c] === 1 ? remainderTable(P[i]) : undefined;
        if (r !== undefined) { remV.push(...r.v); remI.push(...r.i); }
        remPtr[c + 1] = remV.length;
      }
      for (let c = 0; c < nc; c++) {
        const i = model.compCircuits[model.compPtr[c]];
        circ0[c] = i;
        gLeak[c] = P[i].gLeak;
        eLeak[c] = P[i].eLeak;
        gReset[c] = P[i].gReset;
        vReset[c] = P[i].vReset;
      }
      this.ka = {
        active: new Int32Array(buf, ar.oA, sc.length), circ0, simple: this.simple, nextSwitch: this.nextSwitch, resetCount: this.resetCount,
        pause: model.pause, V: this.V, I: this.I, eFree: this.eFree, constFree: this.constFree, eReset: this.eReset,
        constReset: this.constReset, kapFree: this.kapFree, kapReset: this.kapReset, decayFull: this.decayFull,
        threshold: this.threshold, satLeak: this.satLeak, satReset: this.satReset, gLeak, eLeak, gReset, vReset,
        phiFree: this.phiFree, phiReset: this.phiReset, remPtr, remV: Float64Array.from(remV), remI: Float64Array.from(remI), awake: new Uint8Array(buf, ar.oW, nc).fill(1), flagged: new Int32Array(buf, ar.oF, sc.length),
        count: new Int32Array(buf, ar.oCnt, 8), sleep: opts.noSleep === true ? 0 : 1,
        mode: new Uint8Array(buf, ar.oM, nc), extra: new Uint8Array(nc), lean: new Float64Array(buf, ar.oL, 8 * nc), other: new Int32Array(buf, ar.oO, sc.length), flagged2: new Int32Array(sc.length),
        window: new Float64Array(2),
      };
      this.ka.active.set(sc);
      this.ka.count[0] = sc.length;
      for (let c = 0; c < nc; c++) {
        this.ka.extra[c] = this.satLeak[c] > 0 || remPtr[c + 1] > remPtr[c] ? 1 : 0;
        this.ka.mode[c] = this.simple[c] === 1 ? 0 : 1;
        const i = circ0[c];
        const L = this.ka.lean;
        L[8 * c] = this.eFree[c];
        L[8 * c + 1] = this.constFree[c];
        L[8 * c + 2] = this.kapFree[2 * i];
        L[8 * c + 3] = this.kapFree[2 * i + 1];
        L[8 * c + 4] = this.decayFull[2 * i];
        L[8 * c + 5] = this.decayFull[2 * i + 1];
        L[8 * c + 6] = this.threshold[i];
      }
      const anyExtra = this.ka.extra.some((x) => x !== 0);
      const wk = opts.kernel === 'js' && opts.delivery === 'js' ? null : instantiateStepKernels(ar.memory);
      this.wk = wk;
      this.wasmLean = opts.kernel !== 'js' && !anyExtra && wk !== null ? wk.lean : null;
      writeLeanHeader(ar.memory, { ...ar, sleep: this.ka.sleep, high: RAIL_HIGH, low: RAIL_LOW, flush: FLUSH, negFlush: NEG_FLUSH });
    }

    this.groupStates = model.groups.map((unit) => {
      const ncomp = unit.compartments.length;
      const size = ncomp + 3 * unit.circuits.length;
      const compLocal = new Map<number, number>();
      unit.compartments.forEach((c, k) => compLocal.set(c, k));
      const scale = new Float64Array(size).fill(1);
      unit.circuits.forEach((i, li) => {
        const C = model.capacitance[model.compOf[i]];
        for (let r = 0; r < 3; r++) scale[ncomp + 3 * li + r] = C;
      });
      return {
        unit, n: size, nc: ncomp, compLocal, cache: new Map<string, GroupPropagator>(),
        fullCache: new Map<number, GroupPropagator>(), lastBits: -1, lastProp: null, asleep: 0,
        circuits: Int32Array.from(unit.circuits), circLocal: Int32Array.from(unit.circuits, (i) => compLocal.get(model.compOf[i])!),
        x0: new Float64Array(size), x1: new Float64Array(size), f: new Float64Array(size), u: new Float64Array(size), scale,
        k: groupConstants(P, unit.circuits),
      };
    });

    this.background = backgroundBlocks(chip, {
      buffer: ar.memory.buffer, time: ar.oBgTime, label: ar.oBgLabel, pos: ar.oBgPos, fill: ar.oBgFill, input: ar.oBgInput,
    });
    {
      const R = model.routing;
      const buf = ar.memory.buffer;
      this.delivery = {
        rowPtr: R.rowPtr, target: R.target, amplitude: R.amplitude, nodePtr: R.nodePtr, nodes: R.nodes,
        accA: this.accA, accB: this.accB, touched: this.touched, marked: this.marked,
        nTouched: new Int32Array(buf, stepHeaderAddress('nTouched'), 1),
      };
      // The WebAssembly step functions' copies: routing tables, the per-input τ_s, compartment of
      // each circuit and capacitances (constant for the engine's life), and the dense kernel's
      // constants per pair (the lean constants regrouped, see wasm-kernel.ts `denseBody`).
      new Int32Array(buf, ar.oRowPtr, R.rowPtr.length).set(R.rowPtr);
      // Entries packed as target | weight << 16 (wasm-kernel.ts `deliverBody`); usable where every
      // amplitude is that weight times its target's jump per unit weight, bit for bit.
      const entry = new Int32Array(buf, ar.oEntry, R.target.length);
      const packable = 2 * n <= 0x10000 && packRoutingEntries(R, entry);
      new Float64Array(buf, ar.oApw, R.amplitudePerWeight.length).set(R.amplitudePerWeight);
      new Int32Array(buf, ar.oNodePtr, R.nodePtr.length).set(R.nodePtr);
      new Int32Array(buf, ar.oNodes, R.nodes.length).set(R.nodes);
      new Int32Array(buf, ar.oCompOf, n).set(model.compOf);
      new Float64Array(buf, ar.oTauS, 2 * n).set(this.tauS);
      new Float64Array(buf, ar.oCap, nc).set(model.capacitance);
      const { circ0, lean } = this.ka;
      let identity = nc === n && model.scalarCompartments.length === nc;
      for (let c = 0; c < nc && identity; c++) identity = circ0[c] === c;
      this.denseOk = this.wasmLean !== null && opts.kernel !== 'sparse' && identity;
      const D = new Float64Array(buf, ar.oD, (DENSE_PAIR_BYTES / 8) * Math.ceil(nc / 2));
      for (let p = 0; 2 * p + 1 < nc; p++) {
        const q = 14 * p;
        for (let lane = 0; lane < 2; lane++) {
          const l = 8 * (2 * p + lane);
          D[q + lane] = lean[l];
          D[q + 2 + lane] = lean[l + 1];
          D[q + 4 + 2 * lane] = lean[l + 2];
          D[q + 5 + 2 * lane] = lean[l + 3];
          D[q + 8 + 2 * lane] = lean[l + 4];
          D[q + 9 + 2 * lane] = lean[l + 5];
          D[q + 12 + lane] = lean[l + 6];
        }
      }
      // The reset's full-step constants for the dense kernel's scalar body: e_R, k₀_R, κ_R (exc, inh).
      const Rc = new Float64Array(buf, ar.oRc, 4 * nc);
      for (let c = 0; c < nc; c++) {
        const i = circ0[c];
        Rc[4 * c] = this.eReset[c];
        Rc[4 * c + 1] = this.constReset[c];
        Rc[4 * c + 2] = this.kapReset[2 * i];
        Rc[4 * c + 3] = this.kapReset[2 * i + 1];
      }
      new Uint8Array(buf, ar.oPause, n).set(model.pause);
      this.wasmEvents = this.wk !== null && opts.delivery !== 'js' && !this.anyBypass && packable;
      this.wasmApply = this.wasmEvents && !this.cobaOn.some((x) => x === 1) && !model.pause.some((x) => x === 1);
      writeStepHeader(ar.memory, {
        nPairs: nc >> 1, tail: nc & 1, oD: ar.oD, oRowPtr: ar.oRowPtr, oEntry: ar.oEntry, oApw: ar.oApw, oNodePtr: ar.oNodePtr,
        oNodes: ar.oNodes, oAccA: ar.oAccA, oAccB: ar.oAccB, oTouched: ar.oTouched, oMarked: ar.oMarked, oEvIn: ar.oEvIn,
        oEvLabel: ar.oEvLabel, oEvH: ar.oEvH, nEv: 0, pulses: 0, nTouched: 0, oCompOf: ar.oCompOf, oTauS: ar.oTauS, oCap: ar.oCap, woke: 0,
        oBgTime: ar.oBgTime, oBgLabel: ar.oBgLabel, oBgPos: ar.oBgPos, oBgFill: ar.oBgFill, oBgInput: ar.oBgInput,
        nBg: this.background.sources.length, bgK: 0, status: 0, bgEvents: 0, evCap: EVENT_BATCH, scratch: 0,
        oNs: ar.oNs, oRc: ar.oRc, oPause: ar.oPause,
      });
      this.hdrF = new Float64Array(buf, STEP_F64_OFFSET, STEP_HEADER_F64.length);
      this.hdrF[F_LATENCY] = ROUTING_LATENCY_S;
      this.hdr = new Int32Array(buf, STEP_HEADER_OFFSET, STEP_HEADER_I32.length);
      this.evIn = new Int32Array(buf, ar.oEvIn, EVENT_BATCH);
      this.evLabel = new Int32Array(buf, ar.oEvLabel, EVENT_BATCH);
      this.evH = new Float64Array(buf, ar.oEvH, EVENT_BATCH);
    }
    opts.externalSpikes.forEach((e, k) => {
      if (!Number.isInteger(e.input) || e.input < 0 || e.input >= EXTERNAL_INPUTS) {
        throw inputError('external input out of range', { path: `externalSpikes[${k}].input` }, { value: e.input, allowed: `integer 0..${EXTERNAL_INPUTS - 1}` });
      }
      if (!Number.isFinite(e.time) || e.time < 0) {
        throw inputError('external spike time must be finite and ≥ 0', { path: `externalSpikes[${k}].time` }, { value: e.time, allowed: '≥ 0 s' });
      }
    });
    this.external = [...opts.externalSpikes].sort((a, b) => a.time - b.time);
  }

  /**
   * Which WebAssembly paths this engine uses: the dense (f64x2) kernel where most compartments
   * are awake, the event delivery, the pulse application (tests assert what they compare).
   */
  get wasmPaths(): { dense: boolean; delivery: boolean; apply: boolean } {
    return { dense: this.denseOk, delivery: this.wasmEvents, apply: this.wasmApply };
  }

  /** Steps in which the dense kernel ran. */
  denseSteps = 0;

  /** Which lean kernel steps the free single-circuit compartments. */
  get leanKernelKind(): 'wasm' | 'js' {
    return this.wasmLean !== null ? 'wasm' : 'js';
  }

  /** Groups currently asleep at a fixed point of their step map (`advanceGroup`). */
  get sleepingGroups(): number {
    let k = 0;
    for (const g of this.groupStates) k += g.asleep;
    return k;
  }

  /** Scalar compartments the fast kernel currently steps (the others sleep at a fixed point). */
  get awakeScalarCompartments(): number {
    if (this.activeDirty) this.rebuildActive();
    return this.ka.count[0];
  }

  /**
   * COBA amplitude factor of input t at membrane v: k = (E_rev − V)/(E_rev − E_ref), clipped to
   * the circuit's cobaFactorRange (the modulating OTA saturates; blocks/synin.ts).
   */
  private cobaFactor(t: number, v: number): number {
    const k = (this.eRev[t] - v) / this.cobaDen[t];
    return k < this.cobaMin[t] ? this.cobaMin[t] : k > this.cobaMax[t] ? this.cobaMax[t] : k;
  }

  /**
   * Compartments c − 1 and c each hold one circuit, the two circuits (enums i − 1, i) share one
   * parameter object and both can spike or both cannot: every per-compartment constant of c
   * equals that of c − 1 (they are computed from the same numbers).
   */
  private sameAsPrevious(c: number): boolean {
    const { compPtr, compCircuits, params } = this.m;
    if (compPtr[c + 1] - compPtr[c] !== 1 || compPtr[c] - compPtr[c - 1] !== 1) return false;
    const i = compCircuits[compPtr[c]];
    const j = compCircuits[compPtr[c - 1]];
    return i === j + 1 && params[i] === params[j] && this.canSpike(i) === this.canSpike(j);
  }

  private canSpike(i: number): boolean {
    return Number.isFinite(this.m.params[i].vThreshold) && Number.isFinite(this.m.clockPeriod[i]);
  }

  /** Advance by one step dt. */
  step(): void {
    const t0 = this.stepIndex * this.dt;
    const t1 = (this.stepIndex + 1) * this.dt;
    // Propagate to t1 and check the thresholds (fused), then apply at t1, with their offsets,
    // the events that arrived during the step. A crossing caused by the charge an event brought
    // within the step is seen at the next step's end (the membrane is continuous).
    this.Vprev.set(this.V);
    // The step's bounds through a typed array, not as arguments: a double passed to a call that
    // is not inlined is boxed (a heap allocation per call, and a scavenge every few thousand steps).
    this.stepTimes[0] = t0;
    this.stepTimes[1] = t1;
    this.advanceScalars();
    for (let g = 0; g < this.groupStates.length; g++) {
      const gs = this.groupStates[g];
      this.advanceGroup(gs, t0, t1);
      const circuits = gs.unit.circuits;
      for (let k = 0; k < circuits.length; k++) this.detectCircuit(circuits[k], t0, t1);
    }
    if (this.wasmEvents) this.deliverAllWasm();
    else this.deliverAll(t1);
    if (this.wasmApply) {
      if (this.hdr[H_NTOUCHED] !== 0) {
        this.wk!.apply();
        if (this.hdr[H_WOKE] !== 0) this.activeDirty = true;
      }
    } else {
      this.applyInputs();
    }
    this.stepIndex++;
    this.t = t1;
  }

  /**
   * All scalar compartments over one step: the fast kernel over the awake ones, then, in
   * ascending compartment order, the general propagation (sub-steps, non-linear terms) and the
   * threshold/switch check of the compartments it flagged.
   */
  private advanceScalars(): void {
    const ka = this.ka;
    if (this.activeDirty) this.rebuildActive();
    const eps = this.dt * 1e-9;
    const t0 = this.stepTimes[0];
    const t1 = this.stepTimes[1];
    const count = ka.count;
    const wl = this.wasmLean;
    // A call into WebAssembly costs a fixed few hundred ns; for a handful of awake compartments
    // the TypeScript kernel (same bits) is cheaper.
    if (this.denseOk && count[0] * DENSE_MIN_SHARE >= this.ka.lean.length / 8 && (this.stepIndex & SPARSE_EVERY) !== SPARSE_EVERY) {
      // Most compartments awake: every compartment through the f64x2 kernel (a sleeping one is
      // stepped to the same bits); every SPARSE_EVERY + 1 steps the sparse kernel instead, so
      // that compartments at their fixed point still fall asleep.
      this.hdrF[F_TLATE] = t1 - eps;
      this.hdrF[F_TENDK] = t1 + eps;
      this.wk!.dense();
      this.denseSteps++;
    } else if (wl !== null && count[0] >= WASM_MIN_ACTIVE) {
      wl();
    } else {
      leanKernel(ka);
    }
    if (count[3] > 0) {
      ka.window[0] = t1 - eps;
      ka.window[1] = t1 + eps;
      scalarKernel(ka);
    }
    else count[4] = 0;
    if (count[2] > 0) this.activeDirty = true;
    const nf1 = count[1];
    const nf2 = count[4];
    if (nf1 + nf2 === 0) return;
    const { flagged, flagged2, simple, nextSwitch } = ka;
    const { compPtr, compCircuits } = this.m;
    const tLate = t1 - eps;
    // The two flagged lists are each ascending; merged, they are the order of one fused pass.
    for (let k1 = 0, k2 = 0; k1 < nf1 || k2 < nf2;) {
      const c = k2 >= nf2 || (k1 < nf1 && flagged[k1] < flagged2[k2]) ? flagged[k1++] : flagged2[k2++];
      if (simple[c] === 0 || nextSwitch[c] < tLate) {
        // The kernel left it untouched: general path (nextSwitch is unchanged by the kernel).
        this.advanceScalar(c, t0, t1);
        for (let q = compPtr[c]; q < compPtr[c + 1]; q++) this.detectCircuit(compCircuits[q], t0, t1);
      } else {
        this.detectCircuit(ka.circ0[c], t0, t1);
      }
    }
  }

  /** The awake scalar compartments, in ascending order (the order of a fused single pass). */
  private rebuildActive(): void {
    const { active, awake, count } = this.ka;
    const sc = this.m.scalarCompartments;
    let n = 0;
    for (let k = 0; k < sc.length; k++) if (awake[sc[k]] === 1) active[n++] = sc[k];
    count[0] = n;
    this.activeDirty = false;
  }

  private refreshSwitch(i: number): void {
    const c = this.m.compOf[i];
    const ns = this.nextSwitchOfCompartment(c);
    this.nextSwitch[c] = ns;
    // Every change of resetCount is followed by a refresh: the lean kernel's mode stays current.
    this.ka.mode[c] = (this.simple[c] === 1 ? 0 : 1) | (this.resetCount[c] > 0 ? 2 : 0) | (ns !== Infinity ? 4 : 0);
  }

  // ---------------------------------------------------------------------------------------------
  // Switches (reset on at registration, reset off at holdoff start)

  private nextSwitchOfCompartment(c: number): number {
    let ts = Infinity;
    const m = this.m;
    for (let k = m.compPtr[c]; k < m.compPtr[c + 1]; k++) {
      const i = m.compCircuits[k];
      if (this.pendingReg[i] < ts) ts = this.pendingReg[i];
      if (this.resetOff[i] < ts) ts = this.resetOff[i];
    }
    return ts;
  }

  /** Apply every switch of circuit i due at or before time ts. */
  private applySwitches(i: number, ts: number, eps: number): void {
    if (this.pendingReg[i] <= ts + eps) this.register(i, this.pendingReg[i], ts);
    if (this.resetOff[i] <= ts + eps) {
      this.resetOff[i] = Infinity;
      if (this.inReset[i]) {
        this.inReset[i] = 0;
        this.resetCount[this.m.compOf[i]]--;
      }
      this.refreshSwitch(i);
    }
  }

  /** Register a spike of circuit i at clock edge tr; the reset takes effect from `now` ≥ tr. */
  private register(i: number, tr: number, now: number): void {
    const p = this.m.params[i];
    this.pendingReg[i] = Infinity;
    this.recordSpike(i, tr);
    this.refrUntil[i] = tr + p.refractoryTime;
    const off = tr + p.refractoryTime - p.holdoffTime;
    if (off > now && !this.inReset[i]) {
      this.inReset[i] = 1;
      this.resetCount[this.m.compOf[i]]++;
    }
    this.resetOff[i] = off > now ? off : Infinity;
    if (p.adaptation.enabled) this.w[i] += p.adaptation.b;
    this.refreshSwitch(i);
  }

  private recordSpike(i: number, time: number): void {
    this.spikeCircuit.push(i);
    this.spikeTime.push(time);
    if (this.m.digitalOut[i]) {
      if (this.pendN === this.pendT.length) {
        const grow = 2 * this.pendN;
        const t = new Float64Array(grow);
        const inp = new Int32Array(grow);
        const lab = new Int32Array(grow);
        t.set(this.pendT);
        inp.set(this.pendIn);
        lab.set(this.pendLabel);
        this.pendT = t;
        this.pendIn = inp;
        this.pendLabel = lab;
      }
      const k = this.pendN++;
      this.pendT[k] = time + ROUTING_LATENCY_S;
      this.pendIn[k] = this.m.eventOutput[i];
      this.pendLabel[k] = this.m.outLabel[i];
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Scalar compartments

  private advanceScalar(c: number, t0: number, t1: number): void {
    const eps = this.dt * 1e-9;
    let t = t0;
    for (;;) {
      const ts = this.nextSwitchOfCompartment(c);
      if (ts < t1 - eps) {
        if (ts > t + eps) this.propagateScalar(c, ts - t, false);
        t = Math.max(t, ts);
        const m = this.m;
        for (let k = m.compPtr[c]; k < m.compPtr[c + 1]; k++) this.applySwitches(m.compCircuits[k], t, eps);
        continue;
      }
      this.propagateScalar(c, t1 - t, t === t0);
      return;
    }
  }

  /** Exact propagation of an isolated compartment over h with the current reset state. */
  private propagateScalar(c: number, h: number, full: boolean): void {
    const m = this.m;
    const P = m.params;
    const C = m.capacitance[c];
    const V0 = this.V[c];
    const nR = this.resetCount[c];
    let drive = m.leakDrive[c];
    let lambda: number;
    let useKap: Float64Array | null = null;
    let e = 0;
    let phiC = 0;
    if (nR === 0) {
      lambda = m.gLeakSum[c] / C;
      if (full) { e = this.eFree[c]; phiC = this.phiFree[c]; useKap = this.kapFree; }
    } else if (nR === this.spikingCount[c]) {
      lambda = (m.gLeakSum[c] - this.gLeakSpiking[c] + this.gResetAll[c]) / C;
      drive += this.resetDriveAll[c] - this.leakDriveSpiking[c];
      if (full) { e = this.eReset[c]; phiC = this.phiReset[c]; useKap = this.kapReset; }
    } else {
      let gR = 0;
      for (let k = m.compPtr[c]; k < m.compPtr[c + 1]; k++) {
        const i = m.compCircuits[k];
        if (this.inReset[i]) { gR += P[i].gReset - P[i].gLeak; drive += P[i].gReset * P[i].vReset - P[i].gLeak * P[i].eLeak; }
      }
      lambda = (m.gLeakSum[c] + gR) / C;
    }
    if (useKap === null) {
      e = Math.exp(-lambda * h);
      phiC = phiDecay(lambda, h) / C;
    }
    let dv = 0;
    for (let k = m.compPtr[c]; k < m.compPtr[c + 1]; k++) {
      const i = m.compCircuits[k];
      const gated = this.m.pause[i] === 1 && this.inReset[i] === 1;
      const p = P[i];
      if (p.exponential.enabled && !gated) drive += exponentialCurrent(p, V0);
      if (this.inReset[i]) drive += saturationRemainder(p.gReset, p.resetSaturationCurrent ?? 0, p.vReset - V0);
      else drive += saturationRemainder(p.gLeak, p.leakSaturationCurrent ?? 0, p.eLeak - V0);
      drive += membraneRemainder(p, V0);
      for (let r = 0; r < 2; r++) {
        const t = 2 * i + r;
        const cur = this.I[t];
        if (cur === 0) continue;
        if (!gated) {
          const kf = this.cobaOn[t] ? this.cobaFactor(t, V0) : 1;
          const kap = useKap !== null ? useKap[t] : kappaDecay(lambda, 1 / this.tauS[t], h) / C;
          dv += kf * cur * kap;
        }
        const next = cur * (full ? this.decayFull[t] : Math.exp(-h / this.tauS[t]));
        this.I[t] = next < FLUSH && next > NEG_FLUSH ? 0 : next;
      }
    }
    const v = V0 * e + drive * phiC + dv;
    this.V[c] = v > RAIL_HIGH ? RAIL_HIGH : v < RAIL_LOW ? RAIL_LOW : v;
  }

  // ---------------------------------------------------------------------------------------------
  // Groups (coupled compartments, adaptation): matrix exponential of the linear system

  private advanceGroup(g: GroupState, t0: number, t1: number): void {
    const eps = this.dt * 1e-9;
    let t = t0;
    const circuits = g.circuits;
    const { pendingReg, resetOff } = this;
    if (g.asleep === 1) {
      if (this.groupAtRest(g)) return;
      g.asleep = 0;
    }
    for (;;) {
      let ts = Infinity;
      for (let k = 0; k < circuits.length; k++) {
        const i = circuits[k];
        if (pendingReg[i] < ts) ts = pendingReg[i];
        if (resetOff[i] < ts) ts = resetOff[i];
      }
      if (ts < t1 - eps) {
        if (ts > t + eps) this.propagateGroup(g, ts - t);
        t = Math.max(t, ts);
        for (let k = 0; k < circuits.length; k++) this.applySwitches(circuits[k], t, eps);
        continue;
      }
      this.propagateGroup(g, t === t0 ? this.dt : t1 - t);
      // A full step that left every state bit for bit where it was, with no reset and no switch
      // pending, is a fixed point of the group's map (E, Φ and the frozen terms depend only on
      // the state and the reset mask): the following steps would repeat it exactly, so they are
      // skipped until a state changes (`groupAtRest`), like a quiescent scalar compartment.
      if (t === t0 && this.ka.sleep === 1 && this.groupAtRest(g)) g.asleep = 1;
      return;
    }
  }

  /**
   * Whether the group's state equals x0 (the state at the start of its last propagated step)
   * bit for bit, with no circuit in reset and no switch pending.
   */
  private groupAtRest(g: GroupState): boolean {
    const { x0, circuits, nc } = g;
    const comps = g.unit.compartments;
    const { V, I, w, inReset, pendingReg, resetOff } = this;
    for (let lc = 0; lc < nc; lc++) if (V[comps[lc]] !== x0[lc]) return false;
    for (let li = 0; li < circuits.length; li++) {
      const i = circuits[li];
      const base = nc + 3 * li;
      if (I[2 * i] !== x0[base] || I[2 * i + 1] !== x0[base + 1] || w[i] !== x0[base + 2]) return false;
      if (inReset[i] !== 0 || pendingReg[i] !== Infinity || resetOff[i] !== Infinity) return false;
    }
    return true;
  }

  private colsBuf = new Int32Array(0);
  private scratchCols(n: number): Int32Array {
    if (this.colsBuf.length < n) this.colsBuf = new Int32Array(n);
    return this.colsBuf;
  }

  private scratchBuf = new Float64Array(0);
  private scratch(n: number): Float64Array {
    if (this.scratchBuf.length < n) this.scratchBuf = new Float64Array(n);
    return this.scratchBuf;
  }

  private maskKey(g: GroupState): string {
    let s = '';
    for (const i of g.unit.circuits) s += this.inReset[i] ? '1' : '0';
    return s;
  }

  /** Linear matrix A and forcing u of a group for the current reset state. */
  private buildLinear(g: GroupState): Float64Array {
    const m = this.m;
    const P = m.params;
    const n = g.n;
    const A = new Float64Array(n * n);
    g.u.fill(0);
    g.unit.compartments.forEach((c, lc) => {
      g.u[lc] = m.leakDrive[c] / m.capacitance[c];
      A[lc * n + lc] -= m.gLeakSum[c] / m.capacitance[c];
    });
    for (const t of g.unit.terms) {
      const r = g.compLocal.get(t.row)!;
      const c = g.compLocal.get(t.col)!;
      A[r * n + c] += t.g / m.capacitance[t.row];
    }
    for (const [c, i] of g.unit.offsets) g.u[g.compLocal.get(c)!] += i / m.capacitance[c];
    g.unit.circuits.forEach((i, li) => {
      const p = P[i];
      const c = m.compOf[i];
      const lc = g.compLocal.get(c)!;
      const C = m.capacitance[c];
      const base = g.nc + 3 * li;
      if (this.inReset[i]) {
        // The leak OTA is switched to the reset's reference and bias: leak out, reset in.
        A[lc * n + lc] -= (p.gReset - p.gLeak) / C;
        g.u[lc] += (p.gReset * p.vReset - p.gLeak * p.eLeak) / C;
      }
      const gate = this.m.pause[i] && this.inReset[i] ? 0 : 1;
      for (let r = 0; r < 2; r++) {
        const j = base + r;
        A[lc * n + j] = gate / C;
        A[j * n + j] = -1 / this.tauS[2 * i + r];
      }
      const wj = base + 2;
      if (p.adaptation.enabled) {
        const ad = p.adaptation;
        A[lc * n + wj] = -1 / C;
        A[wj * n + lc] = ad.a / ad.tauW;
        A[wj * n + wj] = -1 / ad.tauW;
        g.u[wj] = (-ad.a * ad.vRef) / ad.tauW;
      }
    });
    return A;
  }

  /** Propagator of the group for its current reset mask over h (cached). */
  private groupPropagator(g: GroupState, h: number): GroupPropagator {
    // Full steps (the common case) are cached per integer reset mask; sub-steps per (mask, h).
    const circuits = g.circuits;
    if (h === this.dt && circuits.length <= 30) {
      let bits = 0;
      for (let k = 0; k < circuits.length; k++) if (this.inReset[circuits[k]]) bits |= 1 << k;
      if (bits === g.lastBits && g.lastProp !== null) return g.lastProp;
      let prop = g.fullCache.get(bits);
      if (prop === undefined) {
        if (g.fullCache.size > 512) g.fullCache.clear();
        const A = this.buildLinear(g); // also sets g.u for the current mask
        prop = groupPropagatorOf(propagator(A, g.n, h, g.scale), g.u);
        g.fullCache.set(bits, prop);
      }
      g.lastBits = bits;
      g.lastProp = prop;
      return prop;
    }
    const mask = this.maskKey(g);
    const key = h === this.dt ? mask : mask + ':' + h.toPrecision(12);
    let prop = g.cache.get(key);
    if (!prop) {
      if (g.cache.size > 512) g.cache.clear();
      const A = this.buildLinear(g);
      prop = groupPropagatorOf(propagator(A, g.n, h, g.scale), g.u);
      g.cache.set(key, prop);
    }
    return prop;
  }

  private propagateGroup(g: GroupState, h: number): void {
    const m = this.m;
    const K = g.k;
    const prop = this.groupPropagator(g, h);
    const n = g.n;
    const { x0, x1, circuits, circLocal } = g;
    const comps = g.unit.compartments;
    const { V, I, w, inReset } = this;
    const pause = m.pause;
    for (let lc = 0; lc < comps.length; lc++) x0[lc] = V[comps[lc]];
    for (let li = 0; li < circuits.length; li++) {
      const i = circuits[li];
      const base = g.nc + 3 * li;
      x0[base] = I[2 * i];
      x0[base + 1] = I[2 * i + 1];
      x0[base + 2] = w[i];
    }
    // Frozen non-linear terms: exponential term per circuit, kept apart (nExp) so that its share
    // can be limited below.
    const nExp = g.f;
    // Plain loops rather than fill/set: these vectors have a handful of entries, where the
    // builtins' call overhead dominates.
    for (let r = 0; r < n; r++) nExp[r] = 0;
    let anyExp = false;
    const expMode = K.expMode;
    for (let li = 0; li < circuits.length; li++) {
      const i = circuits[li];
      const mode = expMode[li];
      if (mode === 0 || (pause[i] && inReset[i])) continue;
      const c = m.compOf[i];
      const v = V[c];
      // exponentialCurrent(p, v), on the same numbers.
      const ie = mode === 2 ? K.expA[li] / (1 + Math.exp(-(v - K.expC[li]) / K.expB[li])) : K.expA[li] * K.expB[li] * Math.exp(Math.min((v - K.expC[li]) / K.expB[li], EXP_ARG_MAX));
      nExp[circLocal[li]] += ie / m.capacitance[c];
      anyExp = true;
    }
    const { E, Phi } = prop;
    // Forcing: the cached affine part plus the frozen saturation remainders of leak and reset.
    const u = g.u;
    const pu = prop.u;
    for (let r = 0; r < n; r++) u[r] = pu[r];
    const adaptSat = this.adaptSat;
    for (let li = 0; li < circuits.length; li++) {
      const i = circuits[li];
      const c = m.compOf[i];
      const v = V[c];
      const tab = K.rem[li];
      // saturationRemainder of leak or reset, plus membraneRemainder (same numbers, same order).
      let r = (inReset[i] ? saturationRemainder(K.gReset[li], K.resetSat[li], K.vReset[li] - v) : saturationRemainder(K.gLeak[li], K.leakSat[li], K.eLeak[li] - v)) + (tab === undefined ? 0 : tableAt(tab.v, tab.i, 0, tab.v.length, v));
      if (adaptSat[i] === 1) {
        // The adaptation OTAs' saturation (docs/emulator.md, Equations): state/τ_w to the w row,
        // the output's share to the membrane row, frozen over the (sub)step
        // (adaptationMembraneRemainder, adaptationStateRemainder on the same numbers).
        const wi = w[i];
        r += -saturationRemainder(1, K.adOutSat[li], wi + K.adOutShift[li]);
        const st = saturationRemainder(K.adA[li], K.adASat[li], v - K.adVRef[li]) - saturationRemainder(1, K.adWSat[li], wi + K.adStateShift[li]);
        if (st !== 0) u[g.nc + 3 * li + 2] += st / K.adTauW[li];
      }
      if (r !== 0) u[circLocal[li]] += r / m.capacitance[c];
    }
    // x1 = E·x0 + Φ·u (most of a group's states are synaptic currents and adaptation states that
    // sit at exactly 0 between events: both products skip their zero columns, same bits).
    if (2 * prop.colPtr[n] >= n * n) {
      // Mostly non-zero (one compartment with its adaptation: 10 of 16): row by row over the
      // non-zero columns, summing in a register — ≈ 1.6× faster than sparseProduct's scatter
      // on the adaptation die (bench/emulator.ts --ab), the same bits.
      const cols = this.scratchCols(n);
      let na = 0;
      for (let j = 0; j < n; j++) if (x0[j] !== 0 || u[j] !== 0) cols[na++] = j;
      for (let r = 0; r < n; r++) {
        let s = 0;
        const row = r * n;
        for (let a = 0; a < na; a++) {
          const j = cols[a];
          const xj = x0[j];
          const uj = u[j];
          s += xj === 0 ? Phi[row + j] * uj : uj === 0 ? E[row + j] * xj : E[row + j] * xj + Phi[row + j] * uj;
        }
        x1[r] = s;
      }
    } else sparseProduct(prop, x0, u, x1);
    if (anyExp) {
      // The exponential current saturates (as the circuit does) so that no membrane is driven
      // past the upper rail within the step: x1 += α·Φ·N with the largest α ≤ 1 that keeps every
      // membrane ≤ V_RAIL_HIGH. Without this a runaway upswing would also drag the adaptation
      // state through an unphysical membrane excursion.
      const dn = this.scratch(n);
      let alpha = 1;
      for (let r = 0; r < n; r++) {
        let s = 0;
        for (let j = 0; j < g.nc; j++) s += Phi[r * n + j] * nExp[j];
        dn[r] = s;
      }
      for (let lc = 0; lc < g.nc; lc++) {
        if (dn[lc] > 0 && x1[lc] + dn[lc] > RAIL_HIGH) alpha = Math.min(alpha, Math.max(0, (RAIL_HIGH - x1[lc]) / dn[lc]));
      }
      for (let r = 0; r < n; r++) x1[r] += alpha * dn[r];
    }
    // COBA: the input's effect on every other state scaled by the frozen factor k.
    const cobaOn = this.cobaOn;
    for (let li = 0; li < circuits.length; li++) {
      const i = circuits[li];
      const c = m.compOf[i];
      for (let rcp = 0; rcp < 2; rcp++) {
        const t = 2 * i + rcp;
        if (!cobaOn[t] || x0[g.nc + 3 * li + rcp] === 0) continue;
        const j = g.nc + 3 * li + rcp;
        const k = this.cobaFactor(t, V[c]);
        for (let r = 0; r < n; r++) if (r !== j) x1[r] -= (1 - k) * E[r * n + j] * x0[j];
      }
    }
    for (let lc = 0; lc < comps.length; lc++) V[comps[lc]] = Math.min(RAIL_HIGH, Math.max(RAIL_LOW, x1[lc]));
    for (let li = 0; li < circuits.length; li++) {
      const i = circuits[li];
      const base = g.nc + 3 * li;
      I[2 * i] = x1[base];
      I[2 * i + 1] = x1[base + 1];
      w[i] = x1[base + 2];
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Events

  /** Every event that has arrived by the boundary tb (within rounding), applied at tb. */
  private deliverAll(tb: number): void {
    const tEnd = tb + this.dt * 1e-9;
    // Background sources, in source order: events entering the crossbar at te arrive at te + L.
    const bb = this.background;
    const L = ROUTING_LATENCY_S;
    const nb = bb.sources.length;
    const d = this.delivery;
    const direct = !this.anyBypass;
    let events = 0;
    let pulses = 0;
    for (let k = 0; k < nb; k++) {
      const input = bb.input[k];
      for (;;) {
        if (bb.pos[k] === bb.fill[k]) refillBackground(bb, k);
        const slot = k * BLOCK + bb.pos[k];
        const ta = bb.time[slot] + L;
        if (!(ta <= tEnd)) break;
        bb.pos[k]++;
        if (direct) {
          // `deliver` without bypass, inlined: one call less per event.
          events++;
          pulses += deliverEvent(d, input, bb.label[slot], tb > ta ? tb - ta : 0);
        } else {
          this.deliver(input, bb.label[slot], ta, tb);
        }
      }
    }
    this.crossbarEvents += events;
    this.synapticEvents += pulses;
    while (this.extPtr < this.external.length && this.external[this.extPtr].time + L <= tEnd) {
      const e = this.external[this.extPtr++];
      this.deliver(FIRST_EXTERNAL_INPUT + e.input, e.label & 0x3fff, e.time + L, tb);
    }
    if (this.pendN > 0) {
      // Due events in registration order; the rest (and bypass spikes appended meanwhile) kept.
      let keep = 0;
      const n = this.pendN;
      for (let k = 0; k < n; k++) {
        if (this.pendT[k] <= tEnd) {
          this.deliver(this.pendIn[k], this.pendLabel[k], this.pendT[k], tb);
        } else {
          this.pendT[keep] = this.pendT[k];
          this.pendIn[keep] = this.pendIn[k];
          this.pendLabel[keep] = this.pendLabel[k];
          keep++;
        }
      }
      for (let k = n; k < this.pendN; k++) {
        this.pendT[keep] = this.pendT[k];
        this.pendIn[keep] = this.pendIn[k];
        this.pendLabel[keep] = this.pendLabel[k];
        keep++;
      }
      this.pendN = keep;
    }
  }

  /**
   * `deliverAll` with the routing in WebAssembly (no input with bypass on): the due events, in
   * the same order (background sources in source order, external spikes, on-chip events in
   * registration order), written as (crossbar input, label, offset before tb) into the event
   * list and delivered in batches by `deliver` (wasm-kernel.ts), which accumulates exactly as
   * `deliverEvent` does.
   */
  private deliverAllWasm(): void {
    const tb = this.stepTimes[1];
    const tEnd = tb + this.dt * 1e-9;
    const L = ROUTING_LATENCY_S;
    const { evIn, evLabel, evH, hdr } = this;
    let ne = 0;
    hdr[H_PULSES] = 0;
    if (this.background.sources.length > 0) {
      // The background sources from their blocks (wasm `background`), a new block drawn here
      // whenever a source's is used up.
      this.hdrF[F_TB] = tb;
      this.hdrF[F_TEND] = tEnd;
      hdr[H_BGK] = 0;
      hdr[H_BGEVENTS] = 0;
      hdr[H_NEV] = 0;
      for (;;) {
        this.wk!.background();
        const status = hdr[H_STATUS];
        if (status === 0) break;
        if (status === 1) refillBackground(this.background, hdr[H_BGK]);
        else this.wk!.deliver(); // the list is full: deliver it (nEv ← 0) and go on
      }
      this.crossbarEvents += hdr[H_BGEVENTS];
      ne = hdr[H_NEV];
    }
    let appended = 0;
    while (this.extPtr < this.external.length && this.external[this.extPtr].time + L <= tEnd) {
      const e = this.external[this.extPtr++];
      const ta = e.time + L;
      evIn[ne] = FIRST_EXTERNAL_INPUT + e.input;
      evLabel[ne] = e.label & 0x3fff;
      evH[ne] = tb > ta ? tb - ta : 0;
      appended++;
      if (++ne === EVENT_BATCH) ne = this.flushEvents(ne);
    }
    if (this.pendN > 0) {
      // Due events in registration order; the rest kept (no bypass: nothing is appended here).
      const { pendT, pendIn, pendLabel } = this;
      let keep = 0;
      const n = this.pendN;
      for (let k = 0; k < n; k++) {
        const ta = pendT[k];
        if (ta <= tEnd) {
          evIn[ne] = pendIn[k];
          evLabel[ne] = pendLabel[k];
          evH[ne] = tb > ta ? tb - ta : 0;
          appended++;
          if (++ne === EVENT_BATCH) ne = this.flushEvents(ne);
        } else {
          pendT[keep] = ta;
          pendIn[keep] = pendIn[k];
          pendLabel[keep] = pendLabel[k];
          keep++;
        }
      }
      this.pendN = keep;
    }
    if (ne > 0) this.flushEvents(ne);
    this.crossbarEvents += appended;
    this.synapticEvents += hdr[H_PULSES];
  }

  /** Deliver the first `ne` events of the list (WebAssembly); returns 0 (the list's new length). */
  private flushEvents(ne: number): number {
    this.hdr[H_NEV] = ne;
    this.wk!.deliver();
    return 0;
  }

  /** One event at crossbar input `input` that arrived at the synapses at ta ≤ tb. */
  private deliver(input: number, label: number, ta: number, tb: number): void {
    this.crossbarEvents++;
    const h = tb > ta ? tb - ta : 0;
    if (!this.anyBypass) {
      this.synapticEvents += deliverEvent(this.delivery, input, label, h);
      return;
    }
    const R = this.m.routing;
    const { rowPtr, target, amplitude, nodes, nodePtr } = R;
    const { accA, accB, touched, marked } = this;
    const bypass = this.m.bypass;
    const d = this.delivery;
    for (let k = nodePtr[input]; k < nodePtr[input + 1]; k += 3) {
      const out = nodes[k];
      if (out >= N_BUSES || (label & nodes[k + 1]) !== nodes[k + 2]) continue;
      const key = out * LABELS_PER_BUS + (label & 0x7ff);
      const end = rowPtr[key + 1];
      for (let s = rowPtr[key]; s < end; s++) {
        const tgt = target[s];
        const amp = amplitude[s];
        if (marked[tgt] === 0) { marked[tgt] = 1; touched[d.nTouched[0]++] = tgt; }
        accA[tgt] += amp;
        accB[tgt] += amp * h;
        if (bypass[tgt] === 1) this.recordSpike(tgt >> 1, ta);
      }
      this.synapticEvents += end - rowPtr[key];
    }
  }

  /**
   * Apply accumulated pulses at t1: a jump ΔI at ta decays to ΔI·e^{-h/τ} ≈ ΔI(1 − h/τ) and has
   * already put ≈ ΔI·h of charge onto the membrane (h = t1 − ta < dt; error O((h/τ)²)).
   */
  private applyInputs(): void {
    // Everything hoisted into locals: this runs once per touched input per step.
    const { compOf, pause, capacitance } = this.m;
    const { accA, accB, marked, touched, I, V, tauS, cobaOn, inReset } = this;
    const awake = this.ka.awake;
    const nTouched = this.delivery.nTouched;
    const n = nTouched[0];
    let woke = false;
    for (let k = 0; k < n; k++) {
      const t = touched[k];
      const i = t >> 1;
      const c = compOf[i];
      const a = accA[t];
      const b = accB[t];
      accA[t] = 0;
      accB[t] = 0;
      marked[t] = 0;
      if (awake[c] === 0) { awake[c] = 1; woke = true; }
      I[t] += a - b / tauS[t];
      if (pause[i] === 1 && inReset[i] === 1) continue;
      const kf = cobaOn[t] === 1 ? this.cobaFactor(t, V[c]) : 1;
      V[c] += (kf * b) / capacitance[c];
    }
    if (woke) this.activeDirty = true;
    nTouched[0] = 0;
  }

  // ---------------------------------------------------------------------------------------------
  // Threshold

  /**
   * Threshold of circuit i at the end of the step [t0, t1] (its compartment already
   * propagated), and its switches due at t1.
   */
  private detectCircuit(i: number, t0: number, t1: number): void {
    const { pendingReg, refrUntil, resetOff } = this;
    const eps = this.dt * 1e-9;
    const tEnd = t1 + eps;
    const th = this.threshold[i];
    const c = this.m.compOf[i];
    const v1 = this.V[c];
    if (v1 >= th && pendingReg[i] === Infinity && refrUntil[i] <= tEnd) {
      const P = this.m.clockPeriod[i];
      if (P !== Infinity) {
        const v0 = this.Vprev[c];
        // A crossing within the step: its time interpolated, and the spike requested after the
        // comparator's delay at the step's slope (the membrane integrates on meanwhile; the
        // switch pending hands the compartment to the general path). A membrane already above
        // threshold (at the start, or at the end of the refractory period) has its comparator
        // high already: no delay.
        let tc = v0 < th ? t0 + ((t1 - t0) * (th - v0)) / (v1 - v0) + spikeDelay(this.m.params[i], (v1 - v0) / (t1 - t0)) : t0;
        if (refrUntil[i] > tc) tc = refrUntil[i];
        pendingReg[i] = Math.ceil(tc / P - 1e-9) * P;
        this.refreshSwitch(i);
      }
    }
    if (pendingReg[i] <= tEnd) this.register(i, pendingReg[i], t1);
    if (resetOff[i] <= tEnd) this.applySwitches(i, t1, eps);
  }
}

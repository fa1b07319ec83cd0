/**
 * One neuron circuit from its configuration and the die: the resolved analog values (capmem
 * cells through their transfer and the die's cell errors), the behavioural parameters for the
 * emulator, and the SPICE elements. Both views are built from the same block definitions
 * (blocks/*.ts) and the same die draws, so the emulator and the deck see one circuit.
 */
import type { ChipConfig } from '../chip/chip.ts';
import type { NeuronCircuitConfig } from '../chip/neuron.ts';
import { backendClockHz } from '../chip/constants.ts';
import { neuronFromEnum, quadrantOf, backendHalfOf } from '../chip/coordinates.ts';
import type { Element, Subcircuit } from '../netlist/model.ts';
import type { CircuitParameters, SynapticInputParameters } from './params.ts';
import { capmemCellError, blockOffsets, type Die } from './die.ts';
import { currentCell, voltageCell } from './blocks/capmem-cell.ts';
import { membraneCapacitance, membraneElement } from './blocks/membrane.ts';
import { LEAK_BLOCK, LEAK_DEGENERATION_OHM, leakBehaviour, rangeFactor, type LeakDegeneration } from './blocks/leak-reset.ts';
import { OTA_DEGEN_TRANSISTORS, OTA_SUBCKT, OTA_TRANSISTORS, otaDegenSubcircuit, otaLargeSignal } from './blocks/ota.ts';
import { cobaPotentials, cobaScale, syninBehaviour, syninElements, syninRestCurrents, SYNIN_REST_FIT, type CobaBias } from './blocks/synin.ts';

/** Membrane range where the synaptic inputs' rest current is linearised, V (see circuitParameters). */
export const SYNIN_LINEAR_RANGE_V: readonly [number, number] = [0.4, 0.8];
import { comparatorDelayLaw, comparatorOffset, refractoryTiming, spikeElements, oneShotElements } from './blocks/spike.ts';
import { ADAPT_BLOCKS, ADAPT_C_W, ADAPT_OUT_BIAS_A, adaptationBehaviour } from './blocks/adaptation.ts';
import { ICC_BLOCKS, iccBehaviour, iccCommonMode, iccOperatingVoltage, iccRangeFactor } from './blocks/icc.ts';
import { SYNAPSE_PULSE_WIDTH, synapseChargePerWeight } from './blocks/synapse-dac.ts';
import { EXP_BLOCK, EXP_SUBCKT, EXP_TRANSISTORS, exponentialBehaviour } from './blocks/exponential.ts';
import { delvtoParam } from './transistors.ts';
import { VDD, otaOutputConductance } from './technology.ts';

/** Every analog value of one circuit after the capmem cells (die errors included). */
export interface ResolvedCircuit {
  circuitEnum: number;
  cfg: NeuronCircuitConfig;
  capacitance: number;
  vLeak: number;
  vReset: number;
  vThreshold: number;
  iLeak: number;
  iReset: number;
  iComparator: number;
  refractory: number;
  holdoff: number;
  exc: SyninBias;
  inh: SyninBias;
  iOffset: number;
  adapt: { iTau: number; iA: number; iB: number; vRef: number; vWl: number; pulse: number };
  iIcc: number;
  iDac: number;
  vExp: number;
  iExp: number;
}

export interface SyninBias {
  /** COBA OTA bias (0 unless the input is in COBA mode), A. */
  iCoba: number;
  iTau: number;
  iGm: number;
  iShift: number;
  small: boolean;
  high: boolean;
  vRev: number;
}

/** Resolve a circuit's codes through the capmem cells of the given die. */
export function resolveCircuit(chip: ChipConfig, die: Die, circuitEnum: number): ResolvedCircuit {
  const cfg = chip.neurons[circuitEnum];
  const coord = neuronFromEnum(circuitEnum);
  const quadrant = quadrantOf(coord);
  const q = chip.quadrants[quadrant];
  const backend = chip.backends[backendHalfOf(coord)];
  const V = (code: number, cell: string) => voltageCell(code, capmemCellError(die, circuitEnum, cell, 'voltage'), cell);
  const I = (code: number, cell: string) => currentCell(code, capmemCellError(die, circuitEnum, cell, 'current'), cell);
  const Iq = (code: number, cell: string) => currentCell(code, capmemCellError(die, -1 - quadrant, cell, 'current'), cell);
  const clock = backendClockHz(cfg.refractory_period.input_clock === 'fast' ? backend.clock_scale_fast : backend.clock_scale_slow);
  const timing = refractoryTiming(cfg.refractory_period.refractory_time, cfg.refractory_period.reset_holdoff, clock);
  // Cells of disabled features are not resolved (the values are unused; saves most of the time).
  const synin = (s: NeuronCircuitConfig['excitatory_input'], sign: 'exc' | 'inh'): SyninBias => (!s.enable ? {
    iCoba: 0, iTau: 0, iGm: 0, iShift: 0, small: s.enable_small_capacitance, high: s.enable_high_resistance, vRev: 0,
  } : {
    iCoba: s.enable_coba_mode ? I(s.i_bias_coba, `i_bias_synin_${sign}_coba`) : 0,
    iTau: I(s.i_bias_tau, `i_bias_synin_${sign}_tau`),
    iGm: I(s.i_bias_gm, `i_bias_synin_${sign}_gm`),
    iShift: I(s.i_shift_reference, `i_bias_synin_${sign}_shift`),
    small: s.enable_small_capacitance,
    high: s.enable_high_resistance,
    vRev: V(s.v_rev_coba, `e_synin_${sign}_rev`),
  });
  const lr = cfg.leak;
  const rr = cfg.reset;
  const mc = cfg.multicompartment;
  return {
    circuitEnum, cfg,
    capacitance: membraneCapacitance(cfg.membrane_capacitance.capacitance),
    vLeak: V(lr.v_leak, 'v_leak'),
    vReset: V(rr.v_reset, 'v_reset'),
    vThreshold: V(cfg.threshold.v_threshold, 'v_threshold'),
    iLeak: I(lr.i_bias, 'i_bias_leak') * rangeFactor(lr.enable_division, lr.enable_multiplication),
    iReset: I(rr.i_bias, 'i_bias_reset') * rangeFactor(rr.enable_division, rr.enable_multiplication),
    iComparator: cfg.threshold.enable ? Iq(q.neuron_i_bias_spike_comparator, 'neuron_i_bias_spike_comparator') : 0,
    refractory: timing.refractory,
    holdoff: timing.holdoff,
    exc: synin(cfg.excitatory_input, 'exc'),
    inh: synin(cfg.inhibitory_input, 'inh'),
    iOffset: cfg.constant_current.enable
      ? (cfg.constant_current.type === 'sink' ? -1 : 1) * I(cfg.constant_current.i_offset, 'i_mem_offset') : 0,
    adapt: !cfg.adaptation.enable ? { iTau: 0, iA: 0, iB: 0, vRef: 0, vWl: 0, pulse: 1 / backendClockHz(backend.clock_scale_adaptation_pulse) } : {
      iTau: I(cfg.adaptation.i_bias_tau, 'i_bias_adapt_tau'),
      iA: I(cfg.adaptation.i_bias_a, 'i_bias_adapt_a'),
      iB: I(cfg.adaptation.i_bias_b, 'i_bias_adapt_b'),
      vRef: V(cfg.adaptation.v_ref, 'v_adapt_ref'),
      vWl: V(cfg.adaptation.v_leak, 'v_adapt_leak'),
      pulse: 1 / backendClockHz(backend.clock_scale_adaptation_pulse),
    },
    iIcc: !mc.enable_conductance ? 0 : I(mc.i_bias_nmda, 'i_bias_nmda') * iccRangeFactor(mc.enable_conductance_division, mc.enable_conductance_multiplication),
    iDac: Iq(q.syn_i_bias_dac, 'syn_i_bias_dac'),
    vExp: cfg.exponential.enable ? V(cfg.exponential.v_exp, 'v_exp') : 0,
    iExp: cfg.exponential.enable ? I(cfg.exponential.i_bias, 'i_bias_exp') : 0,
  };
}

function synParams(die: Die, r: ResolvedCircuit, sign: 'exc' | 'inh'): { p: SynapticInputParameters; rest?: Float64Array } {
  const s = sign === 'exc' ? r.cfg.excitatory_input : r.cfg.inhibitory_input;
  const b = sign === 'exc' ? r.exc : r.inh;
  if (!s.enable) return { p: { enabled: false, tau: 1e-6, gain: 0, coba: false, eRev: 0, eRef: 0 } };
  const sb = syninBehaviour(die, r.circuitEnum, sign, b);
  const coba = syninCoba(r, sign);
  const cp = coba !== undefined ? cobaPotentials(die, r.circuitEnum, sign, b.iGm, coba.iCoba, coba.vCell) : undefined;
  const p: SynapticInputParameters = { enabled: true, tau: sb.tau, gain: sb.gain, coba: cp !== undefined, eRev: cp?.eRev ?? 0, eRef: cp?.eRef ?? 0 };
  if (cp !== undefined && coba !== undefined) {
    // Saturated modulation: the COBA OTA's tanh at ±1 V from E_ref (gm_c·1 V/I_tail,c ≈ 10).
    const a = cobaScale(die, r.circuitEnum, sign, b.iGm, coba, cp.eRef - 1);
    const z = cobaScale(die, r.circuitEnum, sign, b.iGm, coba, cp.eRef + 1);
    p.cobaFactorRange = [Math.min(a, z), Math.max(a, z)];
  }
  return { p, rest: syninRestCurrents(die, r.circuitEnum, sign, { ...b, coba }) };
}

/** The COBA configuration of an enabled input in COBA mode with a non-zero COBA bias, else undefined. */
export function syninCoba(r: ResolvedCircuit, sign: 'exc' | 'inh'): CobaBias | undefined {
  const s = sign === 'exc' ? r.cfg.excitatory_input : r.cfg.inhibitory_input;
  const b = sign === 'exc' ? r.exc : r.inh;
  return s.enable && s.enable_coba_mode && b.iCoba > 0 ? { iCoba: b.iCoba, vCell: b.vRev } : undefined;
}

/**
 * Small-signal conductance of the synaptic inputs' rest current `ys` (over
 * SYNIN_REST_FIT.vMemV) at v clamped into SYNIN_LINEAR_RANGE_V: −dI/dV, not below zero, S.
 */
export function syninLoadConductance(ys: Float64Array, v: number): number {
  const vc = Math.min(SYNIN_LINEAR_RANGE_V[1], Math.max(SYNIN_LINEAR_RANGE_V[0], v));
  const h = 0.5 * (SYNIN_REST_FIT.vMemV[1] - SYNIN_REST_FIT.vMemV[0]);
  // Central difference over one grid step (the table is piecewise linear: a kink-free slope).
  return Math.max(0, -(restTableAt(ys, vc + h).i - restTableAt(ys, vc - h).i) / (2 * h));
}

/** Piecewise-linear value of `ys` over SYNIN_REST_FIT.vMemV at v (constant beyond the ends) and its slope. */
function restTableAt(ys: Float64Array, v: number): { i: number; slope: number } {
  const xs = SYNIN_REST_FIT.vMemV;
  const n = xs.length;
  if (v <= xs[0]) return { i: ys[0], slope: (ys[1] - ys[0]) / (xs[1] - xs[0]) };
  if (v >= xs[n - 1]) return { i: ys[n - 1], slope: (ys[n - 1] - ys[n - 2]) / (xs[n - 1] - xs[n - 2]) };
  let k = 0;
  while (xs[k + 1] < v) k++;
  const slope = (ys[k + 1] - ys[k]) / (xs[k + 1] - xs[k]);
  return { i: ys[k] + slope * (v - xs[k]), slope };
}

/**
 * Where the inter-compartment pair of a circuit is linearised: its membrane and its line at
 * rest, V (`linearizeCouplingsAtRest`, neuron-rest.ts, solves the neuron for them).
 */
export interface IccOperatingPoint {
  vMem: number;
  vLine: number;
}

/**
 * The behavioural parameters of one circuit (what the emulator integrates). `icc`: the
 * inter-compartment pair's operating point; without it the pair is linearised at zero
 * difference around this circuit's own rest estimate (`iccOperatingVoltage`).
 */
export function circuitParameters(chip: ChipConfig, die: Die, circuitEnum: number, icc0?: IccOperatingPoint): CircuitParameters {
  const r = resolveCircuit(chip, die, circuitEnum);
  const cfg = r.cfg;
  const leakDv = blockOffsets(die, circuitEnum, LEAK_BLOCK, OTA_TRANSISTORS);
  const leak = leakBehaviour(die, circuitEnum, r.iLeak, r.vLeak, leakDv, leakDegeneration(cfg, 'leak'));
  const reset = leakBehaviour(die, circuitEnum, r.iReset, r.vReset, leakDv, leakDegeneration(cfg, 'reset'));
  const exc = synParams(die, r, 'exc');
  const inh = synParams(die, r, 'inh');
  let iOffset = r.iOffset;
  // The adaptation output OTA adds its output conductance g_o towards the voltage its offsets
  // were measured at (its V_cm). The synaptic inputs' rest current over V is the in-situ table
  // (blocks/synin.ts, syninRestCurrents), linearised below at the circuit's rest.
  const loads: Array<[number, number]> = [];
  let syn: Float64Array | undefined;
  for (const t of [exc.rest, inh.rest]) {
    if (t === undefined) continue;
    syn ??= new Float64Array(t.length);
    for (let k = 0; k < t.length; k++) syn[k] += t[k];
  }
  let adaptation: CircuitParameters['adaptation'] = { enabled: false, a: 0, b: 0, tauW: 1e-4, vRef: 0 };
  if (cfg.adaptation.enable) {
    const ab = adaptationBehaviour(die, circuitEnum, {
      ...r.adapt, invertA: cfg.adaptation.invert_a, invertB: cfg.adaptation.invert_b, enablePulse: cfg.adaptation.enable_pulse,
    });
    adaptation = {
      enabled: true, a: ab.aS, b: ab.bA, tauW: ab.tauW, vRef: ab.vRefEff,
      // The large-signal law (adaptationRemainders): the engine adds these OTAs' saturation.
      aSaturation: ab.aSaturation, wSaturation: ab.wSaturation, outputSaturation: ab.outputSaturation,
      stateShift: ab.stateShift, outputShift: ab.outputShift,
    };
    iOffset += ab.restCurrent;
    loads.push([otaOutputConductance(ab.out.tail), r.adapt.vWl]);
  }
  let exponential: CircuitParameters['exponential'] = { enabled: false, deltaT: 0, vT: 0 };
  if (cfg.exponential.enable && r.iExp > 0) {
    const xb = exponentialBehaviour(r.iExp, r.vExp, blockOffsets(die, circuitEnum, EXP_BLOCK, EXP_TRANSISTORS));
    iOffset += xb.floor;
    // AdEx form below v_exp: g_L Δ_T exp((V − V_T)/Δ_T) = I_max exp((V − v_exp,eff)/Δ);
    // g_L is the leak OTA's small-signal conductance (the AdEx leak).
    exponential = { enabled: true, deltaT: xb.delta, vT: xb.vExpEff - xb.delta * Math.log(xb.iMax / (leak.gm * xb.delta)), iMax: xb.iMax, vExp: xb.vExpEff };
  }
  let icc: { g: number; gLine: number; iLine: number } = { g: 0, gLine: 0, iLine: 0 };
  if (cfg.multicompartment.enable_conductance && r.iIcc > 0) {
    // The pair's characterised law (blocks/icc.ts, table entry icc) at the circuit's own
    // operating voltage: I_mem = g (V_line − V) + I_mem,0;  I_line = g_line (V − V_line) + I_line,0.
    const ib = icc0 === undefined
      ? iccBehaviour(die, circuitEnum, r.iIcc, iccOperatingVoltage(leak.eEff, leak.gm, leak.iSat, iOffset))
      : iccBehaviour(die, circuitEnum, r.iIcc, iccCommonMode(icc0), icc0.vLine - icc0.vMem);
    iOffset += ib.iMem;
    icc = { g: ib.g, gLine: ib.gLine, iLine: ib.iLine };
  }
  const thresholdOn = cfg.threshold.enable;
  // Total membrane conductance: the leak OTA plus the loads; the saturation current scales so
  // that the tanh keeps the leak's curvature (the loads are linear, a small part).
  let gTot = leak.gm, gE = leak.gm * leak.eEff;
  for (const [g, v0] of loads) { gTot += g; gE += g * v0; }
  // A mismatched mirror makes the leak OTA's large-signal current asymmetric (otaLargeSignal:
  // +M·I_t / −I_t); the emulator's leak is an odd tanh, so the difference goes into the
  // remainder table, built below also for circuits without synaptic inputs (docs/verification.md
  // fi25: 0.15–0.25 nA near threshold on dies 1–3). The degenerated variant keeps its stand-in.
  if (syn === undefined && leak.mirrorGain !== 1 && leak.gm > 0 && leak.iSat > 0) syn = new Float64Array(SYNIN_REST_FIT.vMemV.length);
  let remainder: CircuitParameters['membraneCurrentRemainder'];
  if (syn !== undefined) {
    const tab = syn;
    const iBase = iOffset;
    // The transistors' static current without the synaptic inputs' table: leak OTA (its large-signal law) and
    // the linear loads and offsets; the exponential term only locates the rest.
    const base = (v: number): number => {
      let i = (leak.gm > 0 && leak.iSat > 0 ? otaLargeSignal(leak.gm, leak.iSat, leak.mirrorGain, leak.eEff - v).current : 0) + iBase;
      for (const [g, v0] of loads) i += g * (v0 - v);
      return i;
    };
    const expI = (v: number): number => (exponential.enabled && exponential.iMax !== undefined && exponential.vExp !== undefined
      ? exponential.iMax / (1 + Math.exp(-(v - exponential.vExp) / exponential.deltaT)) : 0);
    const total = (v: number): number => base(v) + restTableAt(tab, v).i + expI(v);
    // The circuit's own rest (bisection over the supply; at a rail when there is none) ...
    let lo = 0, hi = VDD;
    if (total(lo) <= 0) hi = lo;
    else if (total(hi) >= 0) lo = hi;
    for (let k = 0; k < 60 && hi - lo > 1e-9; k++) {
      const mid = 0.5 * (lo + hi);
      if (total(mid) > 0) lo = mid; else hi = mid;
    }
    // ... and the linear terms through (vRest, I(vRest)). Their slope is the table's at the
    // leak's own potential kept inside SYNIN_LINEAR_RANGE_V (below 0.4 V the OTA's output
    // devices leave saturation and the slope grows by orders of magnitude), so gLeak is the
    // conductance at the operating point the targets ask for (targets.ts inverts the same
    // slope) and does not move with the offsets. A negative slope is a conductance, written
    // towards the leak's potential (eLeak stays the leak's); the rest of the line goes into
    // iOffset; a positive slope, if any, and all curvature are left to the remainder.
    const vRest = 0.5 * (lo + hi);
    const eRef = gTot > 0 ? gE / gTot : leak.eEff;
    const gSyn = syninLoadConductance(tab, eRef);
    gTot += gSyn;
    gE += gSyn * eRef;
    iOffset += restTableAt(tab, vRest).i - gSyn * (eRef - vRest);
    const eLeak = gTot > 0 ? gE / gTot : leak.eEff;
    const isat = leak.gm > 0 ? (leak.iSat * gTot) / leak.gm : leak.iSat;
    const model = (v: number): number => (isat > 0 ? isat * Math.tanh((gTot * (eLeak - v)) / isat) : gTot * (eLeak - v)) + iOffset;
    // One tanh over the summed conductance is not the sum of the parts: match at the rest.
    const truth = (v: number): number => base(v) + restTableAt(tab, v).i;
    iOffset += truth(vRest) - model(vRest);
    const vs = SYNIN_REST_FIT.vMemV;
    remainder = { v: [...vs], i: vs.map((v) => truth(v) - model(v)) };
  }
  return {
    capacitance: r.capacitance,
    gLeak: gTot,
    eLeak: gTot > 0 ? gE / gTot : leak.eEff,
    leakSaturationCurrent: leak.gm > 0 ? (leak.iSat * gTot) / leak.gm : leak.iSat,
    ...(remainder !== undefined ? { membraneCurrentRemainder: remainder } : {}),
    vThreshold: thresholdOn ? r.vThreshold + comparatorOffset(die, circuitEnum, r.iComparator, r.vThreshold) : Infinity,
    vReset: reset.eEff,
    gReset: reset.gm,
    resetSaturationCurrent: reset.iSat,
    // The comparator's dynamic delay at its bias and threshold (fitted law, blocks/spike.ts).
    ...(thresholdOn && r.iComparator > 0 ? { comparatorDelay: comparatorDelayLaw(r.iComparator, r.vThreshold) } : {}),
    refractoryTime: r.refractory,
    holdoffTime: r.holdoff,
    synapticInput: [exc.p, inh.p],
    iOffset,
    adaptation,
    exponential,
    gInterCompartment: icc.g,
    gInterCompartmentLine: icc.gLine,
    iLineOffset: icc.iLine,
    synapseChargePerWeight: synapseChargePerWeight(r.iDac),
  };
}

/** Conductance of the closed degeneration switch (s1–s2 shorted), S: 1 kΩ, 10⁻³ of R_D. */
export const DEGENERATION_SWITCH_S = 1e-3;

/**
 * How the leak/reset OTA of this circuit is degenerated in `mode`: the plain OTA when neither
 * mode enables it (unchanged default); the degenerated variant otherwise, with R_D in the
 * modes that enable it and its switch closed (sources shorted) in the other.
 */
export function leakDegeneration(cfg: NeuronCircuitConfig, mode: 'leak' | 'reset'): LeakDegeneration {
  if (!cfg.leak.enable_degeneration && !cfg.reset.enable_degeneration) return false;
  return cfg[mode].enable_degeneration ? true : 'shorted';
}

/** The elements of subcircuit `sub` inlined with a name prefix, its ports bound to `nodes`, internal nodes prefixed, delvto from `dv`. */
function inlineSubcircuit(sub: Subcircuit, prefix: string, nodes: readonly string[], dv: Readonly<Record<string, number>>): Element[] {
  const port = new Map(sub.ports.map((q, k) => [q, nodes[k]]));
  const n = (x: string) => port.get(x) ?? `${prefix}_${x}`;
  return sub.elements.map((el) => {
    if (el.kind !== 'M') throw new Error(`inlineSubcircuit: ${sub.name} holds a ${el.kind} element (only transistors are inlined)`);
    return { ...el, name: `${prefix}_${el.name}`, drain: n(el.drain), gate: n(el.gate), source: n(el.source), bulk: n(el.bulk), delvto: dv[el.name] ?? 0 };
  });
}

function otaInstance(name: string, die: Die, circuitEnum: number, block: string, nodes: string[]): Element {
  const dv = blockOffsets(die, circuitEnum, block, OTA_TRANSISTORS);
  const params: Record<string, number> = {};
  for (const t of OTA_TRANSISTORS) params[delvtoParam(t)] = dv[t.name];
  return { kind: 'X', name, nodes, subckt: OTA_SUBCKT, params };
}

/** Node names of one circuit in a deck. */
export interface CircuitNodes {
  /** Membrane node (shared by all circuits of the compartment). */
  mem: string;
  /** Shared-line segment the circuit's conductance attaches to, when enable_conductance. */
  line?: string;
  /** Synaptic input lines (stimulus pulses go here). */
  excLine: string;
  inhLine: string;
}

/** Names of the digital nodes a circuit's deck part exposes. */
export interface CircuitDeckPart {
  elements: Element[];
  /** Refractory output (high while refractory), when the threshold is enabled. */
  refr?: string;
  /** Adaptation state node, when adaptation is enabled. */
  vw?: string;
  /** Synaptic-input line nodes of the enabled inputs. */
  lines: { exc?: string; inh?: string };
}

/**
 * The SPICE elements of one neuron circuit (top-level, names prefixed `p`). Needs the
 * subcircuits of `librarySubcircuits()` and the digital model library (blocks/spike.ts).
 */
export function circuitElements(chip: ChipConfig, die: Die, circuitEnum: number, nodes: CircuitNodes): CircuitDeckPart {
  const r = resolveCircuit(chip, die, circuitEnum);
  const cfg = r.cfg;
  const p = `n${circuitEnum}`;
  const mem = nodes.mem;
  const els: Element[] = [membraneElement(p, mem, cfg.membrane_capacitance.capacitance)];
  let refr: string | undefined;
  let rst: string | undefined;
  if (cfg.threshold.enable) {
    const s = spikeElements(p, die, circuitEnum, mem, { vTh: r.vThreshold, iComparator: r.iComparator, refractory: r.refractory, holdoff: r.holdoff });
    els.push(...s.elements);
    refr = s.refr;
    rst = s.rst;
  }
  // Leak / reset OTA: while rst is high the bias and the reference switch to the reset values.
  if (r.iLeak > 0 || (rst !== undefined && r.iReset > 0)) {
    const ref = `${p}_lref`;
    const nb = `${p}_lnb`;
    if (rst === undefined || (r.iReset === r.iLeak && r.vReset === r.vLeak)) {
      els.push({ kind: 'V', name: `${p}_vleak`, p: ref, n: '0', value: r.vLeak });
      els.push({ kind: 'I', name: `${p}_ileak`, p: 'vdd', n: nb, value: r.iLeak });
    } else {
      const s = `v(${rst})/${VDD}`;
      els.push({ kind: 'B', name: `${p}_vleak`, p: ref, n: '0', quantity: 'v', expr: `${r.vLeak}+(${r.vReset - r.vLeak})*${s}` });
      els.push({ kind: 'B', name: `${p}_ileak`, p: 'vdd', n: nb, quantity: 'i', expr: `${r.iLeak}+(${r.iReset - r.iLeak})*${s}` });
    }
    const dl = cfg.leak.enable_degeneration, dr = cfg.reset.enable_degeneration;
    if (!dl && !dr) els.push(otaInstance(`${p}_leak`, die, circuitEnum, LEAK_BLOCK, [ref, mem, mem, nb, 'vdd', '0']));
    else {
      // The degenerated variant, its devices inlined from the same subcircuit definition (with
      // this circuit's draws), R_D between the sources switched by the active mode's enable.
      const s1 = `${p}_ls1`, s2 = `${p}_ls2`;
      els.push(...inlineSubcircuit(otaDegenSubcircuit(), `${p}_leak`, [ref, mem, mem, nb, s1, s2, 'vdd', '0'], blockOffsets(die, circuitEnum, LEAK_BLOCK, OTA_DEGEN_TRANSISTORS)));
      const gOf = (on: boolean) => (on ? 1 / LEAK_DEGENERATION_OHM : DEGENERATION_SWITCH_S);
      if (rst === undefined || dl === dr) {
        els.push({ kind: 'R', name: `${p}_lrd`, p: s1, n: s2, value: 1 / gOf(rst === undefined ? dl : dl && dr) });
      } else {
        els.push({ kind: 'B', name: `${p}_lrd`, p: s1, n: s2, quantity: 'i', expr: `(v(${s1})-v(${s2}))*(${gOf(dl)}+(${gOf(dr) - gOf(dl)})*v(${rst})/${VDD})` });
      }
    }
  }
  for (const sign of ['exc', 'inh'] as const) {
    const s = sign === 'exc' ? cfg.excitatory_input : cfg.inhibitory_input;
    if (!s.enable) continue;
    const b = sign === 'exc' ? r.exc : r.inh;
    els.push(...syninElements(p, die, circuitEnum, sign, mem, sign === 'exc' ? nodes.excLine : nodes.inhLine, { ...b, coba: syninCoba(r, sign) }));
  }
  if (r.iOffset !== 0) {
    // Ideal mirror output of the i_mem_offset cell: source pushes onto the membrane.
    els.push(r.iOffset > 0
      ? { kind: 'I', name: `${p}_ioff`, p: 'vdd', n: mem, value: r.iOffset }
      : { kind: 'I', name: `${p}_ioff`, p: mem, n: '0', value: -r.iOffset });
  }
  if (cfg.exponential.enable && r.iExp > 0) {
    const dv = blockOffsets(die, circuitEnum, EXP_BLOCK, EXP_TRANSISTORS);
    const params: Record<string, number> = {};
    for (const t of EXP_TRANSISTORS) params[delvtoParam(t)] = dv[t.name];
    els.push(
      { kind: 'V', name: `${p}_vexp`, p: `${p}_vexp`, n: '0', value: r.vExp },
      { kind: 'I', name: `${p}_iexp`, p: 'vdd', n: `${p}_exp_nb`, value: r.iExp },
      { kind: 'X', name: `${p}_exp`, nodes: [mem, `${p}_vexp`, `${p}_exp_nb`, 'vdd', '0'], subckt: EXP_SUBCKT, params },
    );
  }
  let vw: string | undefined;
  if (cfg.adaptation.enable) {
    const a = cfg.adaptation;
    vw = `${p}_vw`;
    const vwl = `${p}_vwl`, vref = `${p}_varef`;
    els.push(
      { kind: 'C', name: `${p}_cw`, p: vw, n: '0', value: ADAPT_C_W },
      { kind: 'V', name: `${p}_vwl`, p: vwl, n: '0', value: r.adapt.vWl },
      { kind: 'V', name: `${p}_varef`, p: vref, n: '0', value: r.adapt.vRef },
      { kind: 'I', name: `${p}_iatau`, p: 'vdd', n: `${p}_atau_nb`, value: r.adapt.iTau },
      otaInstance(`${p}_atau`, die, circuitEnum, ADAPT_BLOCKS.tau, [vwl, vw, vw, `${p}_atau_nb`, 'vdd', '0']),
      { kind: 'I', name: `${p}_iaout`, p: 'vdd', n: `${p}_aout_nb`, value: ADAPT_OUT_BIAS_A },
      otaInstance(`${p}_aout`, die, circuitEnum, ADAPT_BLOCKS.out, [vwl, vw, mem, `${p}_aout_nb`, 'vdd', '0']),
    );
    if (r.adapt.iA > 0) {
      els.push(
        { kind: 'I', name: `${p}_iaa`, p: 'vdd', n: `${p}_aa_nb`, value: r.adapt.iA },
        otaInstance(`${p}_aa`, die, circuitEnum, ADAPT_BLOCKS.a, a.invert_a ? [vref, mem, vw, `${p}_aa_nb`, 'vdd', '0'] : [mem, vref, vw, `${p}_aa_nb`, 'vdd', '0']),
      );
    }
    if (a.enable_pulse && refr !== undefined && r.adapt.iB > 0) {
      // Spike-triggered pulse: one adaptation-clock period of i_bias_b into (out of) C_W.
      const bp = `${p}_bp`;
      els.push(
        ...oneShotElements(`${p}_os3`, refr, bp, r.adapt.pulse),
        a.invert_b
          ? { kind: 'B', name: `${p}_ib`, p: vw, n: '0', quantity: 'i', expr: `${r.adapt.iB}*v(${bp})/${VDD}` }
          : { kind: 'B', name: `${p}_ib`, p: '0', n: vw, quantity: 'i', expr: `${r.adapt.iB}*v(${bp})/${VDD}` },
      );
    }
  }
  if (cfg.multicompartment.enable_conductance && nodes.line !== undefined && r.iIcc > 0) {
    const line = nodes.line;
    els.push(
      { kind: 'I', name: `${p}_iicc1`, p: 'vdd', n: `${p}_icc1_nb`, value: r.iIcc },
      otaInstance(`${p}_icc1`, die, circuitEnum, ICC_BLOCKS.toMembrane, [line, mem, mem, `${p}_icc1_nb`, 'vdd', '0']),
      { kind: 'I', name: `${p}_iicc2`, p: 'vdd', n: `${p}_icc2_nb`, value: r.iIcc },
      otaInstance(`${p}_icc2`, die, circuitEnum, ICC_BLOCKS.toLine, [mem, line, line, `${p}_icc2_nb`, 'vdd', '0']),
    );
  }
  return {
    elements: els, refr, vw,
    lines: { exc: cfg.excitatory_input.enable ? nodes.excLine : undefined, inh: cfg.inhibitory_input.enable ? nodes.inhLine : undefined },
  };
}

export { SYNAPSE_PULSE_WIDTH };

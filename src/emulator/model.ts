/**
 * Compilation of a chip configuration and the circuits' physical parameters into the flat,
 * typed-array model the stepped engine integrates: compartments (shorted circuits), the
 * inter-compartment coupling (shared-line segments, floating segments eliminated by star–mesh
 * reduction), integration units (scalar compartments and coupled/adapting groups), per-circuit
 * digital backend settings and the routing tables.
 */
import { NEURON_CIRCUITS, backendClockHz } from '../chip/constants.ts';
import type { ChipConfig } from '../chip/chip.ts';
import { analyzeCompartments, type CompartmentTopology } from '../chip/multicompartment.ts';
import { neuronFromEnum, eventOutputOf, backendHalfOf } from '../chip/coordinates.ts';
import type { CircuitParameters } from '../circuits/params.ts';
import { InputError, inputError, type Issue } from '../util/errors.ts';
import { buildRoutingTable, type RoutingTable } from './routing.ts';
import { UnionFind } from '../util/union-find.ts';

/**
 * One term of the coupling: the current into compartment `row` gains g·V_col (S). Self terms
 * (row = col) are the diagonal; a symmetric conductance G between a and b is the four terms
 * (a,a,−G) (a,b,+G) (b,b,−G) (b,a,+G).
 */
export interface CouplingTerm {
  row: number;
  col: number;
  g: number;
}

/** Coupling of the compartments through the shared-line segments. */
export interface Coupling {
  terms: CouplingTerm[];
  /** Constant currents into compartments (line offsets of the conductances), A. */
  offsets: Map<number, number>;
}

/** A set of compartments integrated together by the general matrix-exponential path. */
export interface GroupUnit {
  compartments: number[];
  circuits: number[];
  terms: CouplingTerm[];
  /** Constant coupling currents into the group's compartments, A. */
  offsets: Map<number, number>;
}

export interface EmulatorModel {
  nCircuits: number;
  nCompartments: number;
  topology: CompartmentTopology;
  /** Compartment of each circuit. */
  compOf: Int32Array;
  /** CSR of the circuits of each compartment. */
  compPtr: Int32Array;
  compCircuits: Int32Array;
  /** Per compartment: total capacitance, F; total leak conductance, S. */
  capacitance: Float64Array;
  gLeakSum: Float64Array;
  /** Σ gL·EL + Σ I_offset of the compartment, A. */
  leakDrive: Float64Array;
  /** Compartments integrated by the scalar closed form, and the groups. */
  scalarCompartments: Int32Array;
  groups: GroupUnit[];
  coupling: Coupling;
  /** Per circuit backend: clock period of its refractory clock, s (Infinity when clocks are off). */
  clockPeriod: Float64Array;
  /** Gate synaptic input and exponential term while the reset is active (enable_pause). */
  pause: Uint8Array;
  /** 11-bit output label and event output (crossbar input 0..7); digital output enabled. */
  outLabel: Int32Array;
  eventOutput: Int32Array;
  digitalOut: Uint8Array;
  /** Bypass per input (circuit·2 + receptor). */
  bypass: Uint8Array;
  routing: RoutingTable;
  params: CircuitParameters[];
}

/**
 * Coupling between compartments from the shared-line segments. Each conductance circuit i is two
 * transconductors back to back (circuit library): into its membrane flows g_m,i (V_line − V_i),
 * g_m = gInterCompartment; onto the line flows g_l,i (V_i − V_line) + i_off,i, g_l =
 * gInterCompartmentLine (default g_m), i_off = iLineOffset (default 0).
 * - A segment tied directly (connect_soma) to compartment d has V_line = V_d: compartment k of
 *   circuit i gets g_m (V_d − V_k), compartment d gets g_l (V_k − V_d) + i_off.
 * - A floating segment (no direct tie) is a massless node: Σ_i [g_l,i (V_i − V_s) + i_off,i] = 0
 *   gives V_s = (Σ g_l,j V_j + Σ i_off)/Σ g_l, and compartment k gets g_m,k (V_s − V_k). With
 *   g_l = g_m and no offsets this is the star–mesh (Kron) reduction g_a g_b/Σg.
 */
export function buildCoupling(topology: CompartmentTopology, params: CircuitParameters[]): Coupling {
  const acc = new Map<string, CouplingTerm>();
  const offsets = new Map<number, number>();
  const add = (row: number, col: number, g: number): void => {
    if (g === 0) return;
    const key = `${row},${col}`;
    const t = acc.get(key);
    if (t) t.g += g;
    else acc.set(key, { row, col, g });
  };
  const addOffset = (c: number, i: number): void => {
    if (i !== 0) offsets.set(c, (offsets.get(c) ?? 0) + i);
  };
  for (const seg of topology.segments) {
    const links = seg.conductance.map((e) => {
      const p = params[e];
      return { comp: topology.compartmentOf[e], gm: p.gInterCompartment, gl: p.gInterCompartmentLine ?? p.gInterCompartment, off: p.iLineOffset ?? 0 };
    });
    if (seg.direct.length === 1) {
      const d = seg.direct[0];
      for (const l of links) {
        add(l.comp, l.comp, -l.gm);
        add(l.comp, d, l.gm);
        add(d, d, -l.gl);
        add(d, l.comp, l.gl);
        addOffset(d, l.off);
      }
    } else if (seg.direct.length === 0) {
      const gl = links.reduce((s, l) => s + l.gl, 0);
      if (!(gl > 0)) continue;
      const off = links.reduce((s, l) => s + l.off, 0);
      for (const k of links) {
        add(k.comp, k.comp, -k.gm);
        for (const j of links) add(k.comp, j.comp, (k.gm * j.gl) / gl);
        addOffset(k.comp, (k.gm * off) / gl);
      }
    }
    // direct.length > 1 is rejected by analyzeCompartments (compartments shorted together).
  }
  // Self-consistent terms of a link within one compartment cancel; drop exact zeros.
  const terms = [...acc.values()].filter((t) => t.g !== 0).sort((x, y) => x.row - y.row || x.col - y.col);
  return { terms, offsets };
}

function checkParams(params: CircuitParameters[]): void {
  const issues: Issue[] = [];
  if (params.length !== NEURON_CIRCUITS) {
    throw inputError('one CircuitParameters per circuit is needed', { path: 'params' }, { value: params.length, allowed: `${NEURON_CIRCUITS}` });
  }
  const finite = (v: number, path: string, i: number, allowInf = false): void => {
    if (Number.isNaN(v) || (!allowInf && !Number.isFinite(v))) {
      issues.push({ message: 'not a finite number', location: { path: `params[${i}].${path}` }, value: v, allowed: allowInf ? 'a number or +Infinity' : 'a finite number' });
    }
  };
  params.forEach((p, i) => {
    if (!(p.capacitance > 0)) issues.push({ message: 'membrane capacitance must be positive', location: { path: `params[${i}].capacitance` }, value: p.capacitance, allowed: '> 0 F' });
    for (const k of ['gLeak', 'gReset', 'gInterCompartment'] as const) {
      finite(p[k], k, i);
      if (p[k] < 0) issues.push({ message: 'conductance must not be negative', location: { path: `params[${i}].${k}` }, value: p[k], allowed: '≥ 0 S' });
    }
    for (const k of ['eLeak', 'vReset', 'iOffset', 'refractoryTime', 'holdoffTime', 'synapseChargePerWeight'] as const) finite(p[k], k, i);
    finite(p.vThreshold, 'vThreshold', i, true);
    if (p.refractoryTime < 0 || p.holdoffTime < 0) issues.push({ message: 'refractory and holdoff times must not be negative', location: { path: `params[${i}].refractoryTime` }, value: [p.refractoryTime, p.holdoffTime], allowed: '≥ 0 s' });
    p.synapticInput.forEach((s, r) => {
      if (s.enabled && !(s.tau > 0 && Number.isFinite(s.tau))) issues.push({ message: 'synaptic time constant must be positive', location: { path: `params[${i}].synapticInput[${r}].tau` }, value: s.tau, allowed: '> 0 s' });
    });
    if (p.adaptation.enabled && !(p.adaptation.tauW > 0 && Number.isFinite(p.adaptation.tauW))) {
      issues.push({ message: 'adaptation time constant must be positive', location: { path: `params[${i}].adaptation.tauW` }, value: p.adaptation.tauW, allowed: '> 0 s' });
    }
    if (p.exponential.enabled && !(p.exponential.deltaT > 0)) {
      issues.push({ message: 'exponential slope factor must be positive', location: { path: `params[${i}].exponential.deltaT` }, value: p.exponential.deltaT, allowed: '> 0 V' });
    }
  });
  if (issues.length > 0) throw new InputError(issues, 'invalid circuit parameters');
}

export function buildModel(chip: ChipConfig, params: CircuitParameters[], forceGeneric = false): EmulatorModel {
  checkParams(params);
  const { topology, issues } = analyzeCompartments(chip);
  if (issues.length > 0) throw new InputError(issues, 'invalid multi-compartment wiring');
  const nComp = topology.compartments.length;
  const compOf = Int32Array.from(topology.compartmentOf);
  const compPtr = new Int32Array(nComp + 1);
  topology.compartments.forEach((c, k) => { compPtr[k + 1] = compPtr[k] + c.circuits.length; });
  const compCircuits = new Int32Array(topology.compartments.flatMap((c) => c.circuits));

  const capacitance = new Float64Array(nComp);
  const gLeakSum = new Float64Array(nComp);
  const leakDrive = new Float64Array(nComp);
  for (let c = 0; c < nComp; c++) {
    for (let k = compPtr[c]; k < compPtr[c + 1]; k++) {
      const p = params[compCircuits[k]];
      capacitance[c] += p.capacitance;
      gLeakSum[c] += p.gLeak;
      leakDrive[c] += p.gLeak * p.eLeak + p.iOffset;
    }
  }

  const coupling = buildCoupling(topology, params);
  // Units: connected components of the coupling graph; generic when coupled, adapting or fed a
  // coupling offset.
  const uf = new UnionFind(nComp);
  for (const t of coupling.terms) uf.union(t.row, t.col);
  const members = new Map<number, number[]>();
  for (let c = 0; c < nComp; c++) {
    const r = uf.find(c);
    const list = members.get(r);
    if (list) list.push(c);
    else members.set(r, [c]);
  }
  const scalar: number[] = [];
  const groups: GroupUnit[] = [];
  for (const comps of members.values()) {
    const circuits = comps.flatMap((c) => topology.compartments[c].circuits);
    const adapting = circuits.some((i) => params[i].adaptation.enabled);
    const coupled = comps.length > 1 || coupling.offsets.has(comps[0]) || coupling.terms.some((t) => t.row === comps[0]);
    if (!coupled && !adapting && !forceGeneric) {
      scalar.push(comps[0]);
    } else {
      const set = new Set(comps);
      const offsets = new Map<number, number>();
      for (const c of comps) if (coupling.offsets.has(c)) offsets.set(c, coupling.offsets.get(c)!);
      groups.push({ compartments: comps, circuits, terms: coupling.terms.filter((t) => set.has(t.row)), offsets });
    }
  }

  const n = NEURON_CIRCUITS;
  const clockPeriod = new Float64Array(n);
  const pause = new Uint8Array(n);
  const outLabel = new Int32Array(n);
  const eventOutput = new Int32Array(n);
  const digitalOut = new Uint8Array(n);
  const bypass = new Uint8Array(2 * n);
  for (let i = 0; i < n; i++) {
    const cfg = chip.neurons[i];
    const coord = neuronFromEnum(i);
    const half = chip.backends[backendHalfOf(coord)];
    const scale = cfg.refractory_period.input_clock === 'fast' ? half.clock_scale_fast : half.clock_scale_slow;
    clockPeriod[i] = half.enable_clocks ? 1 / backendClockHz(scale) : Infinity;
    pause[i] = cfg.refractory_period.enable_pause ? 1 : 0;
    eventOutput[i] = eventOutputOf(coord);
    outLabel[i] = (eventOutput[i] << 8) | (cfg.event_routing.address & 255);
    digitalOut[i] = cfg.event_routing.enable_digital ? 1 : 0;
    bypass[2 * i] = cfg.event_routing.enable_bypass_excitatory ? 1 : 0;
    bypass[2 * i + 1] = cfg.event_routing.enable_bypass_inhibitory ? 1 : 0;
  }

  return {
    nCircuits: n, nCompartments: nComp, topology, compOf, compPtr, compCircuits,
    capacitance, gLeakSum, leakDrive,
    scalarCompartments: Int32Array.from(scalar), groups, coupling,
    clockPeriod, pause, outLabel, eventOutput, digitalOut, bypass,
    routing: buildRoutingTable(chip, params, bypass), params,
  };
}

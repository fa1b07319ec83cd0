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

/** A conductance between two compartments, S. */
export interface CouplingEdge {
  a: number;
  b: number;
  g: number;
}

/** A set of compartments integrated together by the general matrix-exponential path. */
export interface GroupUnit {
  compartments: number[];
  circuits: number[];
  edges: CouplingEdge[];
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
  edges: CouplingEdge[];
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

class UnionFind {
  private readonly parent: Int32Array;
  constructor(n: number) {
    this.parent = new Int32Array(n);
    for (let i = 0; i < n; i++) this.parent[i] = i;
  }
  find(i: number): number {
    while (this.parent[i] !== i) {
      this.parent[i] = this.parent[this.parent[i]];
      i = this.parent[i];
    }
    return i;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

/**
 * Coupling conductances between compartments from the shared-line segments.
 * - A segment tied directly (connect_soma) to compartment d joins each conductance circuit's
 *   compartment to d with that circuit's gInterCompartment.
 * - A floating segment (no direct tie) is a massless node joined to k compartments through
 *   conductances g_1..g_k: eliminating it (star–mesh / Kron reduction) gives g_i·g_j/Σg between
 *   every pair, exact for the node's instantaneous balance Σ g_i (V_i − V_s) = 0.
 */
export function couplingEdges(topology: CompartmentTopology, params: CircuitParameters[]): CouplingEdge[] {
  const acc = new Map<string, CouplingEdge>();
  const add = (a: number, b: number, g: number): void => {
    if (a === b || !(g > 0)) return;
    const lo = Math.min(a, b);
    const hi = Math.max(a, b);
    const key = `${lo},${hi}`;
    const e = acc.get(key);
    if (e) e.g += g;
    else acc.set(key, { a: lo, b: hi, g });
  };
  for (const seg of topology.segments) {
    const conds = seg.conductance.map((e) => ({ comp: topology.compartmentOf[e], g: params[e].gInterCompartment }));
    if (seg.direct.length === 1) {
      const d = seg.direct[0];
      for (const c of conds) add(c.comp, d, c.g);
    } else if (seg.direct.length === 0) {
      const total = conds.reduce((s, c) => s + Math.max(0, c.g), 0);
      if (total <= 0) continue;
      for (let i = 0; i < conds.length; i++) {
        for (let j = i + 1; j < conds.length; j++) add(conds[i].comp, conds[j].comp, (conds[i].g * conds[j].g) / total);
      }
    }
    // direct.length > 1 is rejected by analyzeCompartments (compartments shorted together).
  }
  return [...acc.values()].sort((x, y) => x.a - y.a || x.b - y.b);
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

  const edges = couplingEdges(topology, params);
  // Units: connected components of the coupling graph; generic when coupled or adapting.
  const uf = new UnionFind(nComp);
  for (const e of edges) uf.union(e.a, e.b);
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
    if (comps.length === 1 && !adapting && !forceGeneric) {
      scalar.push(comps[0]);
    } else {
      const set = new Set(comps);
      groups.push({ compartments: comps, circuits, edges: edges.filter((e) => set.has(e.a)) });
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
    scalarCompartments: Int32Array.from(scalar), groups, edges,
    clockPeriod, pause, outLabel, eventOutput, digitalOut, bypass,
    routing: buildRoutingTable(chip, params, bypass), params,
  };
}

/**
 * The inter-compartment pairs linearised at the neuron's rest. Each pair is two OTAs (tanh
 * laws, blocks/icc.ts); `CircuitParameters` carries a linear coupling, which is exact only for
 * small excursions around where it was linearised. Per circuit, the library knows only that
 * circuit's own rest estimate and linearises at zero membrane–line difference; but on a
 * mismatched die neighbouring compartments rest 20–30 mV apart (offsets of the pairs, the
 * leaks' spread), where the OTA's slope is sech²(g·ΔV/I_t) ≈ 0.9 of its zero-difference gm, so
 * the coupling came out 8–11 % too strong (docs/verification.md gap 4). This pass solves the
 * DC rest of every coupled neuron with the linear laws, re-derives each conductance circuit
 * with its pair linearised at that rest (`circuitParameters(…, {vMem, vLine})`), and repeats
 * until the rests hold still: at the fixed point the linear laws are the tangents of the tanh
 * laws at the rest they produce, so the rest is the tanh laws' rest too.
 *
 * The rest solve takes each circuit's static current as the emulator's steady state has it
 * (leak tanh, offsets, the membrane remainder table, the exponential's logistic) plus the
 * adaptation's small-signal steady state −a (V − v_ref); the adaptation OTAs' saturation is
 * left out (its effect on where a coupled compartment rests is second order for the pair's
 * slope). A neuron without a rest below the supply is solved to the rail (limited steps).
 */
import type { ChipConfig } from '../chip/chip.ts';
import { analyzeCompartments } from '../chip/multicompartment.ts';
import type { CircuitParameters } from './params.ts';
import type { Die } from './die.ts';
import { circuitParameters } from './circuit.ts';
import { VDD } from './technology.ts';
import { UnionFind } from '../util/union-find.ts';
import { solveDense } from '../util/dense.ts';

/** Rounds of (solve rest, re-linearise); the rests settle to < 1 µV in 2–4. */
const MAX_ROUNDS = 8;
const REST_TOLERANCE_V = 1e-6;

export interface RestLink {
  /** The conductance circuit. */
  circuit: number;
  /** Node of its membrane (a compartment) and of its line (a compartment or a floating segment). */
  mem: number;
  line: number;
}

/**
 * `params` with every inter-compartment pair linearised at its neuron's rest (module comment).
 * Returns `params` itself (unchanged) when no circuit has its conductance enabled; otherwise a
 * copy with the conductance circuits replaced.
 */
export function linearizeCouplingsAtRest(chip: ChipConfig, die: Die, params: CircuitParameters[]): CircuitParameters[] {
  if (!chip.neurons.some((n) => n.multicompartment.enable_conductance)) return params;
  const { topology } = analyzeCompartments(chip);
  const nComp = topology.compartments.length;
  const links: RestLink[] = [];
  let nFloating = 0;
  for (const seg of topology.segments) {
    if (seg.conductance.length === 0 || seg.direct.length > 1) continue;
    const line = seg.direct.length === 1 ? seg.direct[0] : nComp + nFloating++;
    for (const e of seg.conductance) links.push({ circuit: e, mem: topology.compartmentOf[e], line });
  }
  if (links.length === 0) return params;
  const out = params.slice();
  // Nodes in use, renumbered densely, and grouped into neurons (connected through links).
  const nodeIds = [...new Set(links.flatMap((l) => [l.mem, l.line]))].sort((a, b) => a - b);
  const local = new Map(nodeIds.map((n, k) => [n, k]));
  const sets = new UnionFind(nodeIds.length);
  for (const l of links) sets.union(local.get(l.mem) as number, local.get(l.line) as number);
  const groups = new Map<number, number[]>();
  for (let k = 0; k < nodeIds.length; k++) {
    const r = sets.find(k);
    const g = groups.get(r);
    if (g) g.push(nodeIds[k]); else groups.set(r, [nodeIds[k]]);
  }
  for (const nodes of groups.values()) {
    const idx = new Map(nodes.map((n, k) => [n, k]));
    const own = links.filter((l) => idx.has(l.mem));
    const members = nodes.map((n) => (n < nComp ? topology.compartments[n].circuits : []));
    let v: Float64Array | undefined;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const next = solveCoupledRest(out, members, own.map((l) => ({ ...l, mem: idx.get(l.mem) as number, line: idx.get(l.line) as number })), v);
      const moved = v === undefined ? Infinity : Math.max(...next.map((x, k) => Math.abs(x - (v as Float64Array)[k])));
      v = next;
      for (const l of own) {
        out[l.circuit] = circuitParameters(chip, die, l.circuit, { vMem: v[idx.get(l.mem) as number], vLine: v[idx.get(l.line) as number] });
      }
      if (moved < REST_TOLERANCE_V) break;
    }
  }
  return out;
}

/**
 * Static current of one circuit onto its membrane at v, and its slope: leak (tanh law) or its
 * linear form, offsets, the membrane remainder table, the exponential term's logistic, the
 * adaptation's small-signal steady state −a (V − v_ref). No coupling.
 */
export function circuitStaticCurrent(p: CircuitParameters, v: number): { i: number; di: number } {
  let i = p.iOffset, di = 0;
  const isat = p.leakSaturationCurrent;
  if (isat !== undefined && isat > 0) {
    const x = (p.gLeak * (p.eLeak - v)) / isat;
    const c = Math.cosh(x);
    i += isat * Math.tanh(x);
    di -= p.gLeak / (c * c);
  } else {
    i += p.gLeak * (p.eLeak - v);
    di -= p.gLeak;
  }
  const rem = p.membraneCurrentRemainder;
  if (rem !== undefined) {
    const t = tableAt(rem.v, rem.i, v);
    i += t.i;
    di += t.slope;
  }
  const x = p.exponential;
  if (x.enabled && x.iMax !== undefined && x.vExp !== undefined && x.deltaT > 0) {
    const ex = Math.exp(-(v - x.vExp) / x.deltaT);
    i += x.iMax / (1 + ex);
    di += (x.iMax * ex) / (x.deltaT * (1 + ex) ** 2);
  }
  if (p.adaptation.enabled) {
    i -= p.adaptation.a * (v - p.adaptation.vRef);
    di -= p.adaptation.a;
  }
  return { i, di };
}

/** Piecewise-linear table (constant beyond the ends) and its slope at v. */
function tableAt(xs: readonly number[], ys: readonly number[], v: number): { i: number; slope: number } {
  const n = xs.length;
  if (n === 0) return { i: 0, slope: 0 };
  if (v <= xs[0]) return { i: ys[0], slope: 0 };
  if (v >= xs[n - 1]) return { i: ys[n - 1], slope: 0 };
  let k = 0;
  while (xs[k + 1] < v) k++;
  const slope = (ys[k + 1] - ys[k]) / (xs[k + 1] - xs[k]);
  return { i: ys[k] + slope * (v - xs[k]), slope };
}

/**
 * DC rest of one neuron's nodes (compartments with their circuits `members[k]`, shared lines
 * with none) coupled by the linear laws of `links` (node indices local), by damped Newton (steps
 * of at most 50 mV, inside the supply: a node whose offsets exceed what its leak can sink ends at
 * the rail) from `start`, or from each compartment's mean e_leak and each line at the mean of the
 * membranes it couples. Used for the pairs' linearisation here and for the decks' node set
 * (netlist/deck.ts).
 */
export function solveCoupledRest(params: readonly CircuitParameters[], members: number[][], links: RestLink[], start?: Float64Array): Float64Array {
  const n = members.length;
  const v = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    if (start !== undefined) v[k] = start[k];
    else {
      const es = members[k].map((e) => params[e].eLeak);
      v[k] = es.length > 0 ? es.reduce((a, b) => a + b, 0) / es.length : VDD / 2;
    }
  }
  if (start === undefined) {
    // A floating segment starts at the mean of the membranes it couples.
    for (let k = 0; k < n; k++) {
      if (members[k].length > 0) continue;
      const ms = links.filter((l) => l.line === k).map((l) => v[l.mem]);
      if (ms.length > 0) v[k] = ms.reduce((a, b) => a + b, 0) / ms.length;
    }
  }
  const f = new Float64Array(n);
  const J = new Float64Array(n * n);
  for (let it = 0; it < 100; it++) {
    f.fill(0);
    J.fill(0);
    for (let k = 0; k < n; k++) {
      for (const e of members[k]) {
        const c = circuitStaticCurrent(params[e], v[k]);
        f[k] += c.i;
        J[k * n + k] += c.di;
      }
    }
    for (const l of links) {
      const p = params[l.circuit];
      const gm = p.gInterCompartment, gl = p.gInterCompartmentLine ?? p.gInterCompartment;
      f[l.mem] += gm * (v[l.line] - v[l.mem]);
      J[l.mem * n + l.line] += gm;
      J[l.mem * n + l.mem] -= gm;
      f[l.line] += gl * (v[l.mem] - v[l.line]) + (p.iLineOffset ?? 0);
      J[l.line * n + l.mem] += gl;
      J[l.line * n + l.line] -= gl;
    }
    for (let k = 0; k < n; k++) if (J[k * n + k] === 0) J[k * n + k] = -1e-12; // a node without conductance stays put
    const dv = Float64Array.from(f, (x) => -x);
    if (!solveDense(J, dv, n)) break;
    let worst = 0;
    for (let k = 0; k < n; k++) {
      // Steps limited to 50 mV (the tanh laws flatten far from the rest), the supply kept.
      const step = Math.max(-0.05, Math.min(0.05, dv[k]));
      const nv = Math.max(0, Math.min(VDD, v[k] + step));
      worst = Math.max(worst, Math.abs(nv - v[k]));
      v[k] = nv;
    }
    if (worst < 1e-9) break;
  }
  return v;
}

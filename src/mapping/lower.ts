/**
 * Lowering, shared by every level: an experiment in physical units becomes a chip configuration
 * (codes and switches) by placement (place.ts), routing (route.ts), the digital timing
 * (timing.ts) and the inverse transfer functions of the circuit library (circuits/targets.ts).
 *
 * Parameters → codes: with `inverse: 'nominal'` (the default) codes come from the nominal
 * inverse (ideal die): running them on a mismatched die shows that die's uncalibrated spread.
 * With `inverse: 'die'` the inverse includes the die's mismatch, i.e. what a perfect calibration
 * of that die would write. A calibration file, when given, overrides the codes of its circuits.
 * Targets that no code reaches are reported together (InputError, exit code 2), never clipped.
 *
 * Inside a compartment of k circuits: every circuit gets the capacitance share, the leak for the
 * same τ_mem (so the sums keep C/g = τ_mem), the leak and reset potentials and the refractory
 * setting; the first circuit carries the threshold comparator, the synaptic inputs (the synapse
 * columns of the first circuit receive the weights), the offset current and AdEx terms. The
 * circuit holding a link's conductance carries τ_icc = C_circuit / g_icc. `leak_degeneration`
 * degenerates the leak OTA of every circuit of the compartment (codesForTargets inverts τ_mem
 * and v_leak through the degenerated law; the reset mode runs the variant with R_D shorted, docs/mapping.md).
 *
 * Synaptic inputs: only those that receive synapses are enabled (an unused input's OTA is off),
 * at i_bias_gm DEFAULT_SYNIN_GM_CODE, each trimmed by its reference shift to put no current onto
 * the membrane at the requested rest; e_rev_* puts an input into COBA mode with E_ref at that
 * rest (docs/mapping.md).
 */
import { defaultChipConfig, type ChipConfig } from '../chip/chip.ts';
import { COLUMNS_PER_BACKEND_HALF, MEMBRANE_CAPACITANCE_MAX } from '../chip/constants.ts';
import { neuronFromEnum, backendHalfOf, formatNeuron } from '../chip/coordinates.ts';
import type { NeuronCircuitConfig } from '../chip/neuron.ts';
import { membraneCapacitance, MEMBRANE_C_LSB, MEMBRANE_C_PARASITIC } from '../circuits/blocks/membrane.ts';
import type { Die } from '../circuits/die.ts';
import { codesForTargets, type CircuitTargets, type NeuronConfigPatch } from '../circuits/targets.ts';
import { circuitParameters } from '../circuits/circuit.ts';
import type { CircuitParameters } from '../circuits/params.ts';
import { VDD } from '../circuits/technology.ts';
import { applyCalibration, type Calibration } from '../config/calibration-layer.ts';
import { chipSemanticIssues } from '../config/chip-layer.ts';
import { DEFAULT_PARAMETERS, type CompartmentParameters, type Experiment, type Observable } from '../config/experiment-layer.ts';
import { InputError, type Issue } from '../util/errors.ts';
import { chooseMadcCircuits, compartmentKey, place, type PlacedCompartment, type Placement } from './place.ts';
import { route, type ExternalEvent, type RoutingSummary } from './route.ts';
import { planHalf } from './timing.ts';

/** Default synaptic transconductance code when the experiment sets no gain (the reference calibration's default i_synin_gm). */
export const DEFAULT_SYNIN_GM_CODE = 500;

export interface LowerOptions {
  die: Die;
  inverse?: 'nominal' | 'die';
  calibration?: Calibration;
}

export interface ResolvedRecording {
  neuron: string;
  index: number;
  compartment: string;
  observable: Observable;
  readout: 'madc' | 'cadc' | 'ideal';
  /** Circuit recorded (a circuit of the compartment; for the MADC chosen for the even/odd rule). */
  circuit: number;
}

export interface Lowered {
  experiment: Experiment;
  chip: ChipConfig;
  die: Die;
  placement: Placement;
  routing: RoutingSummary;
  externalEvents: ExternalEvent[];
  recordings: ResolvedRecording[];
  /** Circuits whose spikes stand for each spiking compartment (`population/index/compartment`). */
  spikeCircuits: Map<string, number>;
  /** Targets met only approximately (the run goes ahead; commands print these). */
  warnings: Issue[];
}

function mergePatch(cfg: NeuronCircuitConfig, patch: NeuronConfigPatch): void {
  const target = cfg as unknown as Record<string, Record<string, unknown>>;
  for (const [group, members] of Object.entries(patch)) {
    if (members && typeof members === 'object') Object.assign(target[group], members);
  }
}

/** Capacitance code per circuit for a compartment capacitance (or the largest setting). */
function capacitanceCode(total: number | undefined, circuits: number): number {
  if (total === undefined) return MEMBRANE_CAPACITANCE_MAX;
  const code = Math.round((total / circuits - MEMBRANE_C_PARASITIC) / MEMBRANE_C_LSB);
  return code;
}

interface CircuitRequest {
  circuit: number;
  targets: CircuitTargets;
  where: string;
  first: boolean;
  spiking: boolean;
  compartmentKey: string;
  /** Offset current the experiment asks for (not a parasitic to compensate), A. */
  userCurrent: number;
}

/**
 * Codes for every circuit, with the resting potential corrected for what the per-block inverse
 * cannot see: the systematic currents of the other blocks on the same membrane (synaptic-input
 * and adaptation transconductors). The rest of a compartment is Σ(gL·EL + I_par) / Σ gL; the
 * leak target is shifted by the difference from the requested v_leak and solved again (two
 * rounds bring it within one code step for the nominal circuits).
 */
/** Leak reference voltages the solver may use while correcting the rest, V. */
const LEAK_REFERENCE_RANGE: readonly [number, number] = [0.25, 1.0];
/** Rest errors above this are reported as warnings, V. */
const REST_WARNING_V = 5e-3;

function solveCodes(chip: ChipConfig, requests: CircuitRequest[], die: Die, issues: Issue[], warnings: Issue[]): void {
  const shift = new Map<string, number>();
  const tauScale = new Map<string, number>();
  // Secant iteration per compartment on the rest error (the leak bias moves with the τ
  // correction and the transconductor saturates, so the response to a shift is not 1:1).
  const last = new Map<string, { shift: number; error: number }>();
  const finalError = new Map<string, number>();
  const ROUNDS = 8;
  let converged = false;
  for (let round = 0; round < ROUNDS; round++) {
    const roundIssues: Issue[] = [];
    for (const r of requests) {
      const coord = neuronFromEnum(r.circuit);
      const t = { ...r.targets };
      if (t.v_leak !== undefined) t.v_leak += shift.get(r.compartmentKey) ?? 0;
      if (t.tau_mem !== undefined) t.tau_mem *= tauScale.get(r.compartmentKey) ?? 1;
      const { config, unreachable } = codesForTargets(t, { die, coordinate: coord });
      for (const u of unreachable) roundIssues.push({ ...u, location: { path: `${r.where}.${u.location.path ?? ''}`, circuit: formatNeuron(coord) } });
      const cfg = chip.neurons[r.circuit];
      mergePatch(cfg, config);
      if (!(r.first && r.spiking)) cfg.threshold.enable = false;
    }
    if (roundIssues.length || converged || round === ROUNDS - 1) {
      issues.push(...roundIssues);
      for (const [key, error] of finalError) {
        if (Math.abs(error) > REST_WARNING_V && !converged) {
          const r = requests.find((x) => x.compartmentKey === key)!;
          warnings.push({
            message: `resting potential ${(1e3 * (r.targets.v_leak! - error)).toFixed(1)} mV instead of ${(1e3 * r.targets.v_leak!).toFixed(1)} mV: the systematic currents of the other blocks on this membrane exceed what the leak can balance`,
            location: { path: `${r.where}.v_leak`, circuit: formatNeuron(neuronFromEnum(r.circuit)) },
            allowed: 'a calibration, a larger leak conductance (shorter tau_mem), or fewer enabled inputs',
          });
        }
      }
      return;
    }
    converged = true;
    const params = new Map(requests.map((r) => [r.circuit, circuitParameters(chip, die, r.circuit)]));
    const sums = new Map<string, { g: number; c: number; members: Array<{ p: CircuitParameters; parasitic: number }>; target?: number; tau?: number }>();
    for (const r of requests) {
      const q = params.get(r.circuit)!;
      const acc = sums.get(r.compartmentKey) ?? { g: 0, c: 0, members: [], target: r.targets.v_leak, tau: r.targets.tau_mem };
      acc.g += q.gLeak;
      acc.c += q.capacitance;
      acc.members.push({ p: q, parasitic: q.iOffset - r.userCurrent });
      sums.set(r.compartmentKey, acc);
    }
    for (const [key, a] of sums) {
      if (!(a.g > 0)) continue;
      if (a.target !== undefined) {
        const error = a.target - restPotential(a.members);
        const now = shift.get(key) ?? 0;
        const prev = last.get(key);
        let slope = 1;
        if (prev && Math.abs(prev.shift - now) > 1e-6) slope = Math.min(1.5, Math.max(0.2, (prev.error - error) / (now - prev.shift)));
        last.set(key, { shift: now, error });
        // Keep the leak reference where its transconductor works (its input pair needs headroom).
        const next = Math.max(LEAK_REFERENCE_RANGE[0] - a.target, Math.min(LEAK_REFERENCE_RANGE[1] - a.target, now + error / slope));
        shift.set(key, next);
        finalError.set(key, error);
        if (Math.abs(error) > 0.5e-3) converged = false;
      }
      // τ_mem of the compartment as composed (every block's conductance to the membrane counts).
      if (a.tau !== undefined) {
        const ratio = a.tau / (a.c / a.g);
        // Bounded: where other conductances on the membrane dominate, no leak setting reaches the
        // target and the scale must not run away (the remaining error shows in the parameters).
        tauScale.set(key, Math.min(2, Math.max(0.5, (tauScale.get(key) ?? 1) * ratio)));
        if (Math.abs(ratio - 1) > 5e-3) converged = false;
      }
    }
  }
}

/**
 * Resting potential of a compartment without its deliberate offset current: the root of
 * Σ I_sat·tanh(g·(E − V)/I_sat) + Σ I_parasitic = 0 (the leak transconductors saturate at their
 * tail current; a linear leak where the library gives no saturation), found by bisection.
 */
export function restPotential(members: Array<{ p: CircuitParameters; parasitic: number }>): number {
  const current = (v: number) => {
    let i = 0;
    for (const { p, parasitic } of members) {
      const sat = p.leakSaturationCurrent;
      const lin = p.gLeak * (p.eLeak - v);
      i += (sat !== undefined && Number.isFinite(sat) && sat > 0 ? sat * Math.tanh(lin / sat) : lin) + parasitic;
    }
    return i;
  };
  let lo = 0, hi = VDD;
  if (current(lo) <= 0) return lo;
  if (current(hi) >= 0) return hi;
  for (let k = 0; k < 60; k++) {
    const mid = 0.5 * (lo + hi);
    if (current(mid) > 0) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

function withDefaults(p: CompartmentParameters): CompartmentParameters & typeof DEFAULT_PARAMETERS {
  return { ...DEFAULT_PARAMETERS, ...Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) } as CompartmentParameters & typeof DEFAULT_PARAMETERS;
}

export function lowerExperiment(exp: Experiment, opts: LowerOptions): Lowered {
  const chip = defaultChipConfig();
  const placement = place(exp, chip);
  const issues: Issue[] = [];
  const inverseDie: Die = opts.inverse === 'die' ? opts.die : 'ideal';

  // Constant-current stimuli add to the compartment's offset current.
  const extraCurrent = new Map<string, number>();
  for (const s of exp.stimuli) {
    if (s.type !== 'current') continue;
    const pop = exp.neurons.find((n) => n.id === s.neuron)!;
    for (let i = 0; i < pop.size; i++) {
      const k = compartmentKey(s.neuron, i, s.compartment);
      extraCurrent.set(k, (extraCurrent.get(k) ?? 0) + s.amplitude);
    }
  }

  // Synaptic inputs that receive synapses (per compartment and receptor): only these are
  // enabled, as on the chip an unused input's OTA is switched off (it would add its systematic
  // current and output conductance to the membrane for nothing).
  const receiving = new Set<string>();
  const receive = (population: string, compartment: string, receptor: 'excitatory' | 'inhibitory'): void => {
    const pop = exp.neurons.find((n) => n.id === population);
    if (pop === undefined) return;
    for (let i = 0; i < pop.size; i++) receiving.add(`${compartmentKey(population, i, compartment)}|${receptor}`);
  };
  for (const s of exp.stimuli) if (s.type !== 'current') for (const t of s.targets) receive(t.neuron, t.compartment, t.receptor);
  for (const pr of exp.projections) receive(pr.to, pr.compartment, pr.receptor);

  const warnings: Issue[] = [];
  const spikeCircuits = new Map<string, number>();
  const requests: CircuitRequest[] = [];
  const timingRequests: Array<Array<{ refractory: number; holdoff: number; where: string; circuits: number[] }>> = [[], []];

  for (const pn of placement.neurons) {
    const pop = exp.neurons.find((n) => n.id === pn.population)!;
    pn.compartments.forEach((pc: PlacedCompartment, ci) => {
      const spec = pop.compartments.find((c) => c.id === pc.id)!;
      const p = withDefaults(spec.parameters);
      const key = compartmentKey(pn.population, pn.index, pc.id);
      const spiking = p.spiking ?? ci === 0;
      const capCode = capacitanceCode(p.membrane_capacitance, pc.circuits.length);
      const where = `neurons.${pop.id}${pop.size > 1 ? `[${pn.index}]` : ''}.compartments.${pc.id}`;
      if (capCode < 0 || capCode > MEMBRANE_CAPACITANCE_MAX) {
        const lo = pc.circuits.length * membraneCapacitance(0), hi = pc.circuits.length * membraneCapacitance(MEMBRANE_CAPACITANCE_MAX);
        issues.push({ message: 'membrane capacitance not reachable with this compartment\'s circuits', location: { path: `${where}.membrane_capacitance` }, value: p.membrane_capacitance, allowed: `${lo.toExponential(3)} .. ${hi.toExponential(3)} F (${pc.circuits.length} circuit(s))` });
        return;
      }
      const connection = pop.connections.find((c) => c.to === pc.id && c.from === pc.parent) ?? pop.connections.find((c) => c.from === pc.id && c.to === pc.parent);
      pc.circuits.forEach((circuit, k) => {
        const first = k === 0;
        const t: CircuitTargets = {
          v_leak: p.v_leak, v_reset: p.v_reset, capacitance_code: capCode, tau_mem: p.tau_mem,
        };
        // Every circuit of the compartment: its leaks are summed, so they share the law.
        if (p.leak_degeneration === true) t.leak_degeneration = true;
        if (first && spiking) t.v_threshold = p.v_threshold;
        if (first) {
          if (receiving.has(`${key}|excitatory`)) {
            t.tau_syn_exc = p.tau_syn_exc;
            t.synin_gm_code_exc = DEFAULT_SYNIN_GM_CODE;
            // Conductance-based: E_ref at the rest (the amplitude there is the current-based one).
            if (p.e_rev_exc !== undefined) t.e_rev_exc = p.e_rev_exc;
          }
          if (receiving.has(`${key}|inhibitory`)) {
            t.tau_syn_inh = p.tau_syn_inh;
            t.synin_gm_code_inh = DEFAULT_SYNIN_GM_CODE;
            if (p.e_rev_inh !== undefined) t.e_rev_inh = p.e_rev_inh;
          }
          for (const [receptor, eRev] of [['excitatory', p.e_rev_exc], ['inhibitory', p.e_rev_inh]] as const) {
            if (eRev !== undefined && !receiving.has(`${key}|${receptor}`) && pn.index === 0) {
              warnings.push({ message: `e_rev_${receptor === 'excitatory' ? 'exc' : 'inh'} is set but no synapse targets this compartment's ${receptor} input: it stays off`, location: { path: `${where}.e_rev_${receptor === 'excitatory' ? 'exc' : 'inh'}` }, value: eRev });
            }
          }
          // Each enabled input's systematic current is cancelled at the requested rest by its
          // reference shift (what the reference calibration does, calix SynReferenceCalib).
          t.synin_rest_v = p.v_leak;
          const iOff = (p.i_offset ?? 0) + (extraCurrent.get(key) ?? 0);
          if (iOff !== 0) t.i_offset = iOff;
          if (pop.model === 'adex') {
            if (p.adaptation) t.adaptation = { a: p.adaptation.a, b: p.adaptation.b, tau_w: p.adaptation.tau_w };
            if (p.exponential) t.exponential = { delta_t: p.exponential.delta_t, v_t: p.exponential.v_t };
          }
        }
        if (circuit === pc.conductanceCircuit && connection) {
          if (connection.tau_icc !== undefined) t.tau_icc = connection.tau_icc;
          else t.g_icc = connection.g_icc;
        }
        requests.push({ circuit, targets: t, where, first, spiking, compartmentKey: key, userCurrent: first ? (t.i_offset ?? 0) : 0 });
      });
      if (spiking) {
        const head = pc.circuits[0];
        spikeCircuits.set(key, head);
        chip.neurons[head].event_routing.enable_digital = true;
        timingRequests[backendHalfOf(neuronFromEnum(head))].push({ refractory: p.refractory, holdoff: p.holdoff, where: `${where}.refractory`, circuits: pc.circuits });
      }
    });
  }

  solveCodes(chip, requests, inverseDie, issues, warnings);

  // Refractory clocks per backend half and each spiking compartment's counter.
  for (let half = 0; half < 2; half++) {
    const reqs = timingRequests[half];
    if (!reqs.length) continue;
    const plan = planHalf(reqs, { slow: chip.backends[half].clock_scale_slow, fast: chip.backends[half].clock_scale_fast });
    issues.push(...plan.issues);
    chip.backends[half].clock_scale_fast = plan.clocks.clock_scale_fast;
    chip.backends[half].clock_scale_slow = plan.clocks.clock_scale_slow;
    reqs.forEach((r, i) => {
      for (const c of r.circuits) Object.assign(chip.neurons[c].refractory_period, {
        input_clock: plan.settings[i].input_clock,
        refractory_time: plan.settings[i].refractory_time,
        reset_holdoff: plan.settings[i].reset_holdoff,
      });
    });
  }
  if (issues.length) throw new InputError(issues, 'the experiment cannot be realised on the chip:');

  // Addresses of spiking circuits that are not projection sources: bit 7 clear, so that they
  // never pass the crossbar (route.ts sets sources to 0x80 | label).
  for (const c of spikeCircuits.values()) chip.neurons[c].event_routing.address = neuronFromEnum(c).column % 64;
  const routing = route(exp, placement, chip);

  // Recordings: traces on the MADC (even/odd rule), CADC or ideal; spikes need nothing.
  const recordings: ResolvedRecording[] = [];
  const madcRecs = exp.recordings.filter((r) => r.observable !== 'spikes' && r.readout === 'madc');
  const madcCircuits = chooseMadcCircuits(madcRecs.map((r) => placement.byKey.get(compartmentKey(r.neuron, r.index, r.compartment))!));
  for (const r of exp.recordings) {
    const pc = placement.byKey.get(compartmentKey(r.neuron, r.index, r.compartment))!;
    let circuit = pc.circuits[0];
    const m = madcRecs.indexOf(r);
    if (m >= 0) circuit = madcCircuits[m];
    recordings.push({ ...r, circuit });
  }
  const sourceOf = (o: Observable) => (o === 'v' ? 'membrane' : o === 'spikes' ? 'membrane' : o);
  chip.readout.madc = madcRecs.map((r, i) => ({ circuit: neuronFromEnum(madcCircuits[i]), source: sourceOf(r.observable) as 'membrane' | 'exc_synin' | 'inh_synin' | 'adaptation' }));
  if (exp.recordings.some((r) => r.readout === 'cadc')) chip.readout.cadc.enable = true;
  for (const r of recordings) {
    if (r.observable !== 'spikes' && r.readout !== 'ideal') {
      chip.neurons[r.circuit].readout = { enable_buffered_access: true, source: sourceOf(r.observable) as 'membrane' };
    }
  }

  if (opts.calibration) applyCalibration(chip, opts.calibration);
  const structural = chipSemanticIssues(chip);
  if (structural.length) throw new InputError(structural, 'internal placement error (please report):');
  void COLUMNS_PER_BACKEND_HALF;
  return { experiment: exp, chip, die: opts.die, placement, routing, externalEvents: routing.externalEvents, recordings, spikeCircuits, warnings };
}

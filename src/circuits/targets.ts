/**
 * Nominal inverse transfer for lowering: physical targets → capmem codes and range switches of
 * one circuit, through the same transfer functions the emulator's parameters come from (so a
 * lowered target reads back as itself up to one code step). With a die (and a coordinate) the
 * inverse includes that circuit's mismatch — what a perfect calibration would write. Targets
 * no code reaches are reported as issues (asked value, reachable range), never clipped.
 */
import type { NeuronCircuitConfig } from '../chip/neuron.ts';
import { CAPMEM_CODE_MAX, MEMBRANE_CAPACITANCE_MAX, REFRACTORY_TIME_MAX, RESET_HOLDOFF_MAX, backendClockHz } from '../chip/constants.ts';
import { neuronEnum, formatNeuron, type NeuronCoordinate } from '../chip/coordinates.ts';
import type { Issue } from '../util/errors.ts';
import { inputError } from '../util/errors.ts';
import { capmemCellError, checkDie, type Die } from './die.ts';
import { currentCell, voltageCell } from './blocks/capmem-cell.ts';
import { membraneCapacitance } from './blocks/membrane.ts';
import { leakBehaviour } from './blocks/leak-reset.ts';
import { comparatorOffset } from './blocks/spike.ts';
import { cobaPotentials, syninBehaviour, syninRestCurrentAt, syninRestCurrents, type CobaBias } from './blocks/synin.ts';
import { syninLoadConductance } from './circuit.ts';
import { adaptationBehaviour } from './blocks/adaptation.ts';
import { otaBehaviour, OTA_TRANSISTORS } from './blocks/ota.ts';
import { blockOffsets } from './die.ts';
import { ICC_BLOCKS } from './blocks/icc.ts';
import { CURRENT_CELL_FULL_SCALE_A } from './blocks/capmem-cell.ts';
import { EXP_BLOCK, EXP_TRANSISTORS, exponentialBehaviour } from './blocks/exponential.ts';

/** Physical targets of one circuit (SI, hardware time). Every field is optional. */
export interface CircuitTargets {
  v_leak?: number;
  v_reset?: number;
  v_threshold?: number;
  /** Membrane capacitance code 0..63 (used for tau_mem and tau_icc). */
  capacitance_code?: number;
  /** Either τ_mem (with the capacitance) or g_leak. */
  tau_mem?: number;
  g_leak?: number;
  /**
   * Source degeneration of the leak OTA (leak.enable_degeneration; R_D = LEAK_DEGENERATION_OHM):
   * a wider linear range at a capped leak conductance (docs/circuits.md). Default false.
   */
  leak_degeneration?: boolean;
  tau_syn_exc?: number;
  tau_syn_inh?: number;
  /** Synaptic gain (CircuitParameters.synapticInput[k].gain), dimensionless. */
  gain_exc?: number;
  gain_inh?: number;
  /** Transconductance code (i_bias_gm) of an input whose gain is not given (an input needs tau_syn_* to be enabled). */
  synin_gm_code_exc?: number;
  synin_gm_code_inh?: number;
  /**
   * Membrane voltage at which each enabled input's systematic current is cancelled by its
   * reference shift (i_shift_reference), V; also the COBA reference potential E_ref. Absent: no shift.
   */
  synin_rest_v?: number;
  /** Reversal potentials of the conductance-based (COBA) approximation, V; absent: current-based. */
  e_rev_exc?: number;
  e_rev_inh?: number;
  /** Constant current onto the membrane, A (negative: sink). */
  i_offset?: number;
  adaptation?: { a?: number; b?: number; tau_w?: number; v_ref?: number };
  exponential?: { delta_t?: number; v_t?: number };
  /** Either τ_icc = C / g_icc (with the capacitance) or the conductance itself. */
  tau_icc?: number;
  g_icc?: number;
}

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };
export type NeuronConfigPatch = DeepPartial<NeuronCircuitConfig>;

export interface TargetOptions {
  die?: Die;
  coordinate?: NeuronCoordinate;
  /** Adaptation pulse length (one period of the adaptation-pulse clock), s; default scale 6 (512 ns). */
  adaptationPulse?: number;
}

/**
 * The code of a monotone transfer `f` over 0..max nearest to `target`, or null when `target`
 * lies outside [f(lo), f(hi)] by more than half a step at the ends.
 */
function searchCode(f: (code: number) => number, target: number, lo = 0, hi = CAPMEM_CODE_MAX): number | null {
  const flo = f(lo), fhi = f(hi);
  const inc = fhi >= flo;
  const minV = Math.min(flo, fhi), maxV = Math.max(flo, fhi);
  if (!(target >= minV - 1e-15 && target <= maxV + 1e-15)) return null;
  let a = lo, b = hi;
  while (b - a > 1) {
    const m = (a + b) >> 1;
    if ((f(m) < target) === inc) a = m;
    else b = m;
  }
  return Math.abs(f(a) - target) <= Math.abs(f(b) - target) ? a : b;
}

export function refractoryCounterFor(seconds: number, clockHz: number): { counter: number; seconds: number; issue?: Issue } {
  if (!(seconds >= 0) || !(clockHz > 0)) {
    throw inputError('refractory time and clock must be non-negative / positive', {}, { value: { seconds, clockHz } });
  }
  const n = Math.round(seconds * clockHz);
  if (n > REFRACTORY_TIME_MAX) {
    return {
      counter: REFRACTORY_TIME_MAX, seconds: REFRACTORY_TIME_MAX / clockHz,
      issue: { message: 'refractory time longer than the 8-bit counter reaches at this clock', location: {}, value: seconds, allowed: `0..${(REFRACTORY_TIME_MAX / clockHz).toExponential(3)} s (counter 0..255 at ${clockHz} Hz)` },
    };
  }
  return { counter: n, seconds: n / clockHz };
}

/**
 * Reset-holdoff setting for a holdoff time: the reset is released 2·(15 − setting) + 1 cycles
 * before the refractory period ends (4-bit setting 0..15, odd cycle counts 1..31).
 */
export function holdoffSettingFor(seconds: number, clockHz: number): { setting: number; seconds: number; issue?: Issue } {
  if (!(seconds >= 0) || !(clockHz > 0)) {
    throw inputError('holdoff time and clock must be non-negative / positive', {}, { value: { seconds, clockHz } });
  }
  const cycles = seconds * clockHz;
  const setting = Math.min(RESET_HOLDOFF_MAX, Math.max(0, Math.round(RESET_HOLDOFF_MAX - (cycles - 1) / 2)));
  const actual = (2 * (RESET_HOLDOFF_MAX - setting) + 1) / clockHz;
  const out: { setting: number; seconds: number; issue?: Issue } = { setting, seconds: actual };
  if (cycles > 2 * RESET_HOLDOFF_MAX + 1 + 1 || cycles < 0.5) {
    out.issue = { message: 'holdoff outside what the 4-bit setting reaches at this clock', location: {}, value: seconds, allowed: `${fmt(1 / clockHz)} .. ${fmt((2 * RESET_HOLDOFF_MAX + 1) / clockHz)} s (1..31 cycles at ${clockHz} Hz)` };
  }
  return out;
}

const fmt = (x: number): string => x.toExponential(4);

export function codesForTargets(targets: CircuitTargets, opts: TargetOptions = {}): { config: NeuronConfigPatch; unreachable: Issue[] } {
  const die = opts.die ?? 'ideal';
  checkDie(die);
  const e = opts.coordinate ? neuronEnum(opts.coordinate) : 0;
  if (die !== 'ideal' && opts.coordinate === undefined) {
    throw inputError('a die needs a circuit coordinate (its mismatch is per circuit)', { path: 'coordinate' });
  }
  const where = opts.coordinate ? { circuit: formatNeuron(opts.coordinate) } : {};
  const issues: Issue[] = [];
  const out: NeuronConfigPatch = {};
  const V = (code: number, cell: string) => voltageCell(code, capmemCellError(die, e, cell, 'voltage'), cell);
  const I = (code: number, cell: string) => currentCell(code, capmemCellError(die, e, cell, 'current'), cell);
  const miss = (path: string, asked: number, lo: number, hi: number, unit: string): void => {
    issues.push({ message: `${path}: no code reaches the target`, location: { ...where, path }, value: asked, allowed: `${fmt(Math.min(lo, hi))} .. ${fmt(Math.max(lo, hi))} ${unit}` });
  };
  const nominalLeakBias = 100 * (CURRENT_CELL_FULL_SCALE_A / CAPMEM_CODE_MAX);
  // Degeneration of the leak mode (the reset mode then has the variant's switch closed).
  const dLeak = targets.leak_degeneration === true;
  if (dLeak) out.leak = { ...out.leak, enable_degeneration: true };
  let loadG = 0;

  // Leak potential: the effective rest of the leak OTA at the leak bias being set (or a
  // mid-range bias when τ is not given).
  const vLeak = targets.v_leak;
  const leakCode = (iBias: number): number | null => (vLeak === undefined ? null
    : searchCode((c) => leakBehaviour(die, e, iBias, V(c, 'v_leak'), undefined, dLeak).eEff, vLeak));
  if (targets.v_threshold !== undefined) {
    const vt = targets.v_threshold;
    const f = (c: number) => V(c, 'v_threshold') + comparatorOffset(die, e, 196e-9, V(c, 'v_threshold'));
    const c = searchCode(f, vt);
    if (c === null) miss('threshold.v_threshold', vt, f(0), f(CAPMEM_CODE_MAX), 'V');
    else out.threshold = { enable: true, v_threshold: c };
  }
  const capCode = targets.capacitance_code;
  if (capCode !== undefined && (!Number.isInteger(capCode) || capCode < 0 || capCode > MEMBRANE_CAPACITANCE_MAX)) {
    issues.push({ message: 'capacitance_code out of range', location: { ...where, path: 'capacitance_code' }, value: capCode, allowed: `integer 0..${MEMBRANE_CAPACITANCE_MAX}` });
  }
  const cap = capCode !== undefined && capCode >= 0 && capCode <= MEMBRANE_CAPACITANCE_MAX && Number.isInteger(capCode) ? membraneCapacitance(capCode) : undefined;
  if (cap !== undefined) out.membrane_capacitance = { capacitance: capCode };

  for (const sign of ['exc', 'inh'] as const) {
    const tau = sign === 'exc' ? targets.tau_syn_exc : targets.tau_syn_inh;
    const gain = sign === 'exc' ? targets.gain_exc : targets.gain_inh;
    if (tau === undefined && gain === undefined) continue;
    const key = sign === 'exc' ? 'excitatory_input' : 'inhibitory_input';
    const cellTau = `i_bias_synin_${sign}_tau`, cellGm = `i_bias_synin_${sign}_gm`;
    const patch: DeepPartial<NeuronCircuitConfig['excitatory_input']> = { enable: true, enable_coba_mode: false };
    let gR: number | undefined;
    if (tau !== undefined) {
      // Line capacitance / resistor mode: the first of (2 pF, normal), (2 pF, high resistance), (0.2 pF, normal) that reaches.
      const modes: Array<[boolean, boolean]> = [[false, false], [false, true], [true, false]];
      let found = false;
      for (const [small, high] of modes) {
        const f = (c: number) => syninBehaviour(die, e, sign, { iTau: I(c, cellTau), iGm: 0, iShift: 0, small, high }).tau;
        const c = searchCode(f, tau, 1);
        if (c !== null) {
          Object.assign(patch, { i_bias_tau: c, enable_small_capacitance: small, enable_high_resistance: high });
          gR = syninBehaviour(die, e, sign, { iTau: I(c, cellTau), iGm: 0, iShift: 0, small, high }).gResistor;
          found = true;
          break;
        }
      }
      if (!found) {
        const shortest = syninBehaviour(die, e, sign, { iTau: I(CAPMEM_CODE_MAX, cellTau), iGm: 0, iShift: 0, small: true, high: false }).tau;
        const longest = syninBehaviour(die, e, sign, { iTau: I(1, cellTau), iGm: 0, iShift: 0, small: false, high: true }).tau;
        miss(`tau_syn_${sign}`, tau, shortest, longest, 's');
      }
    }
    if (gain !== undefined) {
      if (gR === undefined) {
        issues.push({ message: `gain_${sign} needs tau_syn_${sign} (the gain is gm over the resistor's conductance)`, location: { ...where, path: `gain_${sign}` }, value: gain });
      } else {
        const gR0 = gR;
        const f = (c: number) => otaBehaviour(I(c, cellGm), 0.6, blockOffsets(die, e, `synin_${sign}_ota`, OTA_TRANSISTORS)).gm / gR0;
        const c = searchCode(f, gain, 1);
        if (c === null) miss(`gain_${sign}`, gain, f(1), f(CAPMEM_CODE_MAX), '');
        else patch.i_bias_gm = c;
      }
    }
    const gmCode = sign === 'exc' ? targets.synin_gm_code_exc : targets.synin_gm_code_inh;
    if (gain === undefined && gmCode !== undefined) {
      if (!Number.isInteger(gmCode) || gmCode < 0 || gmCode > CAPMEM_CODE_MAX) {
        issues.push({ message: `synin_gm_code_${sign} out of range`, location: { ...where, path: `synin_gm_code_${sign}` }, value: gmCode, allowed: `integer 0..${CAPMEM_CODE_MAX}` });
      } else patch.i_bias_gm = gmCode;
    }
    (out as Record<string, unknown>)[key] = patch;
    if (patch.i_bias_gm !== undefined) {
      const iGm = I(patch.i_bias_gm, cellGm);
      const iTau = patch.i_bias_tau !== undefined ? I(patch.i_bias_tau, cellTau) : 0;
      const high = patch.enable_high_resistance ?? false;
      let coba: CobaBias | undefined;
      const eRev = sign === 'exc' ? targets.e_rev_exc : targets.e_rev_inh;
      if (eRev !== undefined) {
        const eRef = targets.synin_rest_v ?? vLeak ?? 0.6;
        const found = cobaCodes(die, e, sign, iGm, eRef, eRev, (c) => I(c, `i_bias_synin_${sign}_coba`), (c) => V(c, `e_synin_${sign}_rev`));
        if ('issue' in found) {
          issues.push({ message: `e_rev_${sign}: ${found.issue}`, location: { ...where, path: `e_rev_${sign}` }, value: eRev, allowed: found.allowed });
        } else {
          Object.assign(patch, { enable_coba_mode: true, i_bias_coba: found.iCobaCode, v_rev_coba: found.vCellCode });
          coba = { iCoba: I(found.iCobaCode, `i_bias_synin_${sign}_coba`), vCell: V(found.vCellCode, `e_synin_${sign}_rev`) };
        }
      }
      const restAt = (shiftCode: number, v: number): number => {
        const ys = syninRestCurrents(die, e, sign, { iTau, iGm, iShift: I(shiftCode, `i_bias_synin_${sign}_shift`), high, coba });
        return syninRestCurrentAt(ys, v);
      };
      if (targets.synin_rest_v !== undefined) {
        // Reference shift: cancel the input's systematic current at the requested rest. The
        // shift only lowers the current (otaReference); a negative current stays (code 0) and
        // the lowering's leak correction absorbs it.
        const v = targets.synin_rest_v;
        const f = (c: number): number => restAt(c, v);
        if (f(0) > 0) patch.i_shift_reference = f(CAPMEM_CODE_MAX) >= 0 ? CAPMEM_CODE_MAX : (searchCode(f, 0) ?? 0);
        else patch.i_shift_reference = 0;
      }
      // The synaptic input's rest current loads the membrane with its slope at the leak's
      // potential (circuit.ts, syninLoadConductance): the leak OTA supplies the rest of the
      // asked conductance.
      const rest = syninRestCurrents(die, e, sign, { iTau, iGm, iShift: 0, high, coba });
      loadG += syninLoadConductance(rest, vLeak ?? 0.6);
    }
  }

  let gTarget = targets.g_leak;
  if (targets.tau_mem !== undefined) {
    if (cap === undefined) issues.push({ message: 'tau_mem needs capacitance_code', location: { ...where, path: 'tau_mem' }, value: targets.tau_mem });
    else gTarget = cap / targets.tau_mem;
  }
  if (gTarget !== undefined) gTarget -= loadG;
  let leakBias = nominalLeakBias;
  if (gTarget !== undefined) {
    const vcm = vLeak ?? 0.6;
    // Range: the finest (÷8) that reaches, else ×1, else ×8 (resolution is best at high codes).
    const ranges: Array<[number, boolean, boolean]> = [[1 / 8, true, false], [1, false, false], [8, false, true]];
    let done = false;
    for (const [k, div, mul] of ranges) {
      const f = (c: number) => leakBehaviour(die, e, I(c, 'i_bias_leak') * k, vcm, undefined, dLeak).gm;
      const c = searchCode(f, gTarget, 1);
      if (c !== null) {
        out.leak = { ...out.leak, i_bias: c, enable_division: div, enable_multiplication: mul };
        leakBias = I(c, 'i_bias_leak') * k;
        done = true;
        break;
      }
    }
    if (!done) {
      const lo = leakBehaviour(die, e, I(1, 'i_bias_leak') / 8, vcm, undefined, dLeak).gm;
      const hi = leakBehaviour(die, e, I(CAPMEM_CODE_MAX, 'i_bias_leak') * 8, vcm, undefined, dLeak).gm;
      if (targets.tau_mem !== undefined && cap !== undefined) miss('tau_mem', targets.tau_mem, cap / hi, cap / lo, 's');
      else miss('g_leak', gTarget, lo, hi, 'S');
    }
  }
  if (vLeak !== undefined) {
    const c = leakCode(leakBias);
    if (c === null) {
      miss('leak.v_leak', vLeak, leakBehaviour(die, e, leakBias, V(0, 'v_leak'), undefined, dLeak).eEff, leakBehaviour(die, e, leakBias, V(CAPMEM_CODE_MAX, 'v_leak'), undefined, dLeak).eEff, 'V');
    } else out.leak = { ...out.leak, v_leak: c };
  }
  if (targets.v_reset !== undefined) {
    // Reset reference at a fast reset bias (i_bias_reset 490 ≈ 0.48 µA, τ ≈ 0.5 µs at 2.4 pF).
    const iReset = I(490, 'i_bias_reset');
    const f = (c: number) => leakBehaviour(die, e, iReset, V(c, 'v_reset'), undefined, dLeak ? 'shorted' : false).eEff;
    const c = searchCode(f, targets.v_reset);
    if (c === null) miss('reset.v_reset', targets.v_reset, f(0), f(CAPMEM_CODE_MAX), 'V');
    else out.reset = { v_reset: c, i_bias: 490, enable_division: false, enable_multiplication: false };
  }

  if (targets.i_offset !== undefined) {
    const mag = Math.abs(targets.i_offset);
    const f = (c: number) => I(c, 'i_mem_offset');
    const c = searchCode(f, mag);
    if (c === null) miss('i_offset', targets.i_offset, -f(CAPMEM_CODE_MAX), f(CAPMEM_CODE_MAX), 'A');
    else out.constant_current = { enable: c > 0, i_offset: c, type: targets.i_offset < 0 ? 'sink' : 'source' };
  }

  if (targets.adaptation !== undefined) {
    const t = targets.adaptation;
    const pulse = opts.adaptationPulse ?? 1 / backendClockHz(6);
    const vRefCode = t.v_ref !== undefined ? searchCode((c) => V(c, 'v_adapt_ref'), t.v_ref) : 309;
    if (vRefCode === null && t.v_ref !== undefined) miss('adaptation.v_ref', t.v_ref, V(0, 'v_adapt_ref'), V(CAPMEM_CODE_MAX, 'v_adapt_ref'), 'V');
    const vRef = V(vRefCode ?? 309, 'v_adapt_ref');
    const vWl = V(309, 'v_adapt_leak');
    const ab = (iTau: number, iA: number, iB: number) => adaptationBehaviour(die, e, { iTau, iA, iB, pulse, vRef, vWl, invertA: false, invertB: false, enablePulse: true });
    const patch: DeepPartial<NeuronCircuitConfig['adaptation']> = { enable: true, v_ref: vRefCode ?? 309, v_leak: 309 };
    let iTau = I(3, 'i_bias_adapt_tau');
    if (t.tau_w !== undefined) {
      const f = (c: number) => ab(I(c, 'i_bias_adapt_tau'), 0, 0).tauW;
      const c = searchCode(f, t.tau_w, 1);
      if (c === null) miss('adaptation.tau_w', t.tau_w, f(CAPMEM_CODE_MAX), f(1), 's');
      else { patch.i_bias_tau = c; iTau = I(c, 'i_bias_adapt_tau'); }
    }
    if (t.a !== undefined) {
      const f = (c: number) => ab(iTau, I(c, 'i_bias_adapt_a'), 0).aS;
      const c = t.a === 0 ? 0 : searchCode(f, Math.abs(t.a), 1);
      if (c === null) miss('adaptation.a', t.a, -f(CAPMEM_CODE_MAX), f(CAPMEM_CODE_MAX), 'S');
      else Object.assign(patch, { i_bias_a: c, invert_a: t.a < 0 });
    }
    if (t.b !== undefined) {
      const f = (c: number) => ab(iTau, 0, I(c, 'i_bias_adapt_b')).bA;
      const c = t.b === 0 ? 0 : searchCode(f, Math.abs(t.b), 1);
      if (c === null) miss('adaptation.b', t.b, -f(CAPMEM_CODE_MAX), f(CAPMEM_CODE_MAX), 'A');
      else Object.assign(patch, { i_bias_b: c, invert_b: t.b < 0, enable_pulse: c > 0 });
    }
    out.adaptation = patch;
  }

  if (targets.exponential !== undefined) {
    // Δ_T is the pair's slope (≈ n U_T, fitted), not adjustable; V_T is set through v_exp with
    // i_bias_exp chosen so that the saturation lies at 20 · g_L Δ_T (V_T ≈ v_exp − 3 Δ_T).
    const t = targets.exponential;
    const gl = gTarget ?? (leakBias > 0 ? leakBehaviour(die, e, leakBias, vLeak ?? 0.6, undefined, dLeak).gm : 0);
    const dvE = blockOffsets(die, e, EXP_BLOCK, EXP_TRANSISTORS);
    const xb = (c: number, vx: number) => exponentialBehaviour(I(c, 'i_bias_exp'), vx, dvE);
    const delta0 = xb(100, 0.8).delta;
    if (t.delta_t !== undefined && Math.abs(t.delta_t / delta0 - 1) > 0.05) {
      miss('exponential.delta_t', t.delta_t, delta0 * 0.95, delta0 * 1.05, 'V (fixed by the circuit: the pair\'s slope)');
    }
    if (t.v_t !== undefined) {
      if (!(gl > 0)) {
        issues.push({ message: 'exponential.v_t needs the leak conductance (tau_mem with capacitance_code, or g_leak)', location: { ...where, path: 'exponential.v_t' }, value: t.v_t });
      } else {
        const cI = searchCode((c) => xb(c, 0.8).iMax, 20 * gl * delta0, 1);
        if (cI === null) miss('exponential (i_bias_exp for 20 g_L Δ_T)', 20 * gl * delta0, xb(1, 0.8).iMax, xb(CAPMEM_CODE_MAX, 0.8).iMax, 'A');
        else {
          const f = (c: number) => { const b = xb(cI, V(c, 'v_exp')); return b.vExpEff - b.delta * Math.log(b.iMax / (gl * b.delta)); };
          const cV = searchCode(f, t.v_t);
          if (cV === null) miss('exponential.v_t', t.v_t, f(0), f(CAPMEM_CODE_MAX), 'V');
          else out.exponential = { enable: true, i_bias: cI, v_exp: cV };
        }
      }
    }
  }

  let gIcc = targets.g_icc;
  if (targets.tau_icc !== undefined) {
    if (cap === undefined) issues.push({ message: 'tau_icc needs capacitance_code', location: { ...where, path: 'tau_icc' }, value: targets.tau_icc });
    else gIcc = cap / targets.tau_icc;
  }
  if (gIcc !== undefined) {
    const vcm = vLeak ?? 0.6;
    const ranges: Array<[number, boolean, boolean]> = [[1 / 4, true, false], [1, false, false], [4, false, true]];
    let done = false;
    for (const [k, div, mul] of ranges) {
      const f = (c: number) => otaBehaviour(I(c, 'i_bias_nmda') * k, vcm, blockOffsets(die, e, ICC_BLOCKS.toMembrane, OTA_TRANSISTORS)).gm;
      const c = searchCode(f, gIcc, 1);
      if (c !== null) {
        out.multicompartment = { i_bias_nmda: c, enable_conductance_division: div, enable_conductance_multiplication: mul };
        done = true;
        break;
      }
    }
    if (!done) {
      const g = (c: number, k: number) => otaBehaviour(I(c, 'i_bias_nmda') * k, vcm, blockOffsets(die, e, ICC_BLOCKS.toMembrane, OTA_TRANSISTORS)).gm;
      if (targets.tau_icc !== undefined && cap !== undefined) miss('tau_icc', targets.tau_icc, cap / g(CAPMEM_CODE_MAX, 4), cap / g(1, 1 / 4), 's');
      else miss('g_icc', gIcc, g(1, 1 / 4), g(CAPMEM_CODE_MAX, 4), 'S');
    }
  }
  return { config: out, unreachable: issues };
}

/**
 * COBA codes of one input for a reference E_ref (where the amplitude is the CUBA one) and a
 * reversal potential E_rev (where the linearised amplitude reaches zero): i_bias_coba sets
 * |E_rev − E_ref| ≈ I_gm / gm_c, v_rev_coba (the e_synin_*_rev cell) sets E_ref through the COBA
 * OTA's offset; two rounds, since each moves the other a little.
 */
function cobaCodes(
  die: Die, e: number, sign: 'exc' | 'inh', iGm: number, eRef: number, eRev: number,
  iCell: (code: number) => number, vCell: (code: number) => number,
): { iCobaCode: number; vCellCode: number } | { issue: string; allowed: string } {
  const wrongSide = sign === 'exc' ? !(eRev > eRef) : !(eRev < eRef);
  if (wrongSide) {
    return { issue: `the ${sign === 'exc' ? 'excitatory reversal potential must lie above' : 'inhibitory reversal potential must lie below'} the reference (the rest)`, allowed: `${sign === 'exc' ? '>' : '<'} ${eRef.toFixed(4)} V` };
  }
  let vCode = searchCode((c) => vCell(c), eRef) ?? 0;
  let iCode = 0;
  for (let round = 0; round < 2; round++) {
    const span = (c: number): number => Math.abs(cobaPotentials(die, e, sign, iGm, iCell(c), vCell(vCode)).eRev - cobaPotentials(die, e, sign, iGm, iCell(c), vCell(vCode)).eRef);
    const c = searchCode(span, Math.abs(eRev - eRef), 1);
    if (c === null) {
      return { issue: 'no COBA bias reaches this distance from the reference', allowed: `|e_rev − e_ref| ${span(CAPMEM_CODE_MAX).toExponential(3)} .. ${span(1).toExponential(3)} V` };
    }
    iCode = c;
    const ref = (k: number): number => cobaPotentials(die, e, sign, iGm, iCell(iCode), vCell(k)).eRef;
    const k = searchCode(ref, eRef);
    if (k === null) return { issue: 'the COBA reference (the rest) is outside the e_synin_*_rev cell\'s range', allowed: `${ref(0).toFixed(4)} .. ${ref(CAPMEM_CODE_MAX).toFixed(4)} V` };
    vCode = k;
  }
  return { iCobaCode: iCode, vCellCode: vCode };
}

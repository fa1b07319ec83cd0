/**
 * The contract between the circuit library and the emulator: the physical parameters of every
 * neuron circuit of a configured die, in SI units, hardware time. The circuit library derives
 * them from the configured codes through its transfer functions applied to one virtual die
 * (`deriveCircuitParameters` in ./derive.ts); the emulator integrates them. A circuit whose
 * feature is disabled carries the neutral value (for example gExp = 0).
 */

export interface CircuitParameters {
  /** Membrane capacitance including the circuit's parasitic part, F. */
  capacitance: number;
  /** Leak conductance, S. */
  gLeak: number;
  /**
   * Large-signal limit of the leak transconductor, A: the leak current is
   * I_sat · tanh(gLeak · (eLeak − V) / I_sat) (an OTA, not a resistor). Optional: absent means linear.
   */
  leakSaturationCurrent?: number;
  /** Resting potential seen by the membrane (after the source follower), V. */
  eLeak: number;
  /** Threshold as seen by the comparator (including its offset), V; +Infinity when disabled. */
  vThreshold: number;
  /** Reset potential (after the source follower), V. */
  vReset: number;
  /** Conductance of the reset amplifier while reset is active, S. */
  gReset: number;
  /** Large-signal limit of the reset transconductor, A (same law as the leak). Optional. */
  resetSaturationCurrent?: number;
  /**
   * Dynamic delay of comparator + buffer + refractory one-shot after the membrane crosses
   * vThreshold rising at slope s (V/s): d(s) = delayAtRef · (max(s, refSlope/100)/refSlope)^(−exponent)
   * (`comparatorDelay` in blocks/spike.ts, fitted from ngspice; docs/verification.md gap 6).
   * Optional: absent means an ideal comparator (the spike request at the crossing).
   */
  comparatorDelay?: { delayAtRef: number; refSlope: number; exponent: number };
  /** Refractory period, s (counter / clock, quantised). */
  refractoryTime: number;
  /** Holdoff: the last part of the refractory period, membrane free but no new spike, s. */
  holdoffTime: number;
  /** Synaptic input, index 0 excitatory, 1 inhibitory. */
  synapticInput: [SynapticInputParameters, SynapticInputParameters];
  /** Constant current onto the membrane (source positive), A. */
  iOffset: number;
  /**
   * What the linear terms above (gLeak, eLeak, leakSaturationCurrent, iOffset) miss of the
   * membrane current of the leak and the synaptic inputs' transconductors at rest (no input):
   * a piecewise-linear table over the membrane voltage (`v` ascending, V; `i` A, onto the
   * membrane; constant beyond the ends). The linear terms are the tangent at the circuit's
   * own rest, so the remainder is zero there (the rest is exact without it); adding it gives
   * the transistors' current over the whole range (the synaptic OTAs' output current departs
   * from a linear conductance away from 0.6 V). Optional: absent means zero.
   */
  membraneCurrentRemainder?: { v: readonly number[]; i: readonly number[] };
  adaptation: AdaptationParameters;
  exponential: ExponentialParameters;
  /** Inter-compartment conductance towards the shared line when enable_conductance is set, S. */
  gInterCompartment: number;
  /**
   * The line side of the inter-compartment conductance (two OTAs back to back: with mismatch
   * the two directions differ), S; current onto the line = gInterCompartmentLine · (V − V_line)
   * + iLineOffset. Optional: absent means equal to gInterCompartment and no offset.
   */
  gInterCompartmentLine?: number;
  /** Constant current the conductance pushes onto the shared line at zero difference, A. */
  iLineOffset?: number;
  /** Charge of one synaptic current pulse per unit weight (6-bit weight × DAC bias × pulse), C. */
  synapseChargePerWeight: number;
}

export interface SynapticInputParameters {
  enabled: boolean;
  /** τ_syn of the RC low-pass, s. */
  tau: number;
  /**
   * Gain from charge on the input line to membrane current: a pulse of charge Q gives an input
   * current (Q / τ) · gain decaying with τ. Dimensionless.
   */
  gain: number;
  coba: boolean;
  /** Reversal and reference potential of the conductance-based approximation, V. */
  eRev: number;
  eRef: number;
  /**
   * COBA only: the range of the amplitude factor k = (eRev − V)/(eRev − eRef), [min, max]. The
   * chip's modulation is an OTA (tanh) adding to the synaptic OTA's bias, so k saturates at
   * gm(I_gm ∓ I_tail,c)/gm(I_gm) once |V − eRef| exceeds its linear range (≈ I_tail,c/gm_c,
   * ≈ 0.1 V); the linear law holds inside. Optional: absent means unbounded.
   */
  cobaFactorRange?: [number, number];
}

export interface AdaptationParameters {
  enabled: boolean;
  /** Sub-threshold coupling a, S (sign included). */
  a: number;
  /** Spike-triggered increment b, A (sign included); 0 unless pulses are enabled. */
  b: number;
  tauW: number;
  /** Reference of the sub-threshold term, V. */
  vRef: number;
  /**
   * Large-signal limits of the block's three OTAs (`adaptationBehaviour`, blocks/adaptation.ts;
   * docs/verification.md gap 9), A: the a-drive in w units saturates at aSaturation, the τ-OTA
   * holds |w + stateShift| ≤ wSaturation, the membrane current |w + outputShift| ≤
   * outputSaturation. The engine adds, with R(g, I, x) = I·tanh(g x/I) − g x,
   *   state    = R(a, aSaturation, V − vRef) − R(1, wSaturation, w + stateShift)  (to τ_w dw/dt),
   *   membrane = −R(1, outputSaturation, w + outputShift)                        (to I_mem).
   * Optional: absent (or not finite and > 0) means that OTA is linear; the shifts default to 0.
   */
  aSaturation?: number;
  wSaturation?: number;
  outputSaturation?: number;
  stateShift?: number;
  outputShift?: number;
}

export interface ExponentialParameters {
  enabled: boolean;
  /** Slope factor Δ_T, V. */
  deltaT: number;
  /** Onset V_T, V. */
  vT: number;
  /**
   * The circuit's current saturates (a differential pair): I = iMax / (1 + exp(−(V − vExp)/Δ_T)),
   * which equals g_L Δ_T exp((V − V_T)/Δ_T) well below vExp. Optional: absent means unbounded.
   */
  iMax?: number;
  /** Midpoint of that logistic, V (with iMax). */
  vExp?: number;
}

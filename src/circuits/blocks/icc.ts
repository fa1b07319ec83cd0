/**
 * Inter-compartment conductance: two OTAs (blocks/ota.ts) back to back between the membrane
 * and its shared-line segment (a single OTA is unilateral): I_mem = g (V_line − V_mem),
 * I_line = g (V_mem − V_line), g = gm(i_bias_nmda · range) at the operating voltage. The ÷4 / ×4
 * switches scale the bias (ideal mirror ratios). Like the hardware's, this conductance is not
 * an ideal resistor: it saturates at ±I_tail beyond ≈ 2 n U_T of difference.
 */
export const ICC_BLOCKS = { toMembrane: 'icc_to_mem', toLine: 'icc_to_line' } as const;

export function iccRangeFactor(division: boolean, multiplication: boolean): number {
  return (division ? 1 / 4 : 1) * (multiplication ? 4 : 1);
}

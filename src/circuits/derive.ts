/**
 * What the emulator calls: the physical parameters of all 512 circuits (enum order) of a
 * configured chip on one virtual die. Deterministic (the die is addressed, not drawn in
 * sequence) and pure.
 */
import type { ChipConfig } from '../chip/chip.ts';
import { NEURON_CIRCUITS } from '../chip/constants.ts';
import { inputError } from '../util/errors.ts';
import type { CircuitParameters } from './params.ts';
import { checkDie, type Die } from './die.ts';
import { circuitParameters } from './circuit.ts';

export function deriveCircuitParameters(chip: ChipConfig, die: Die): CircuitParameters[] {
  checkDie(die);
  if (!Array.isArray(chip.neurons) || chip.neurons.length !== NEURON_CIRCUITS) {
    throw inputError('chip configuration must hold 512 neuron circuits', { path: 'neurons' }, { value: chip.neurons?.length, allowed: String(NEURON_CIRCUITS) });
  }
  const out: CircuitParameters[] = new Array(NEURON_CIRCUITS);
  for (let e = 0; e < NEURON_CIRCUITS; e++) out[e] = circuitParameters(chip, die, e);
  return out;
}

/** A characterisation that could not be measured (a sweep failed or its result is unusable). */
import { PlateauError } from '../util/errors.ts';

export class CharacterizationError extends PlateauError {
  constructor(message: string) {
    super(message, 1);
    this.name = 'CharacterizationError';
  }
}

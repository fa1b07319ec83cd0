/**
 * Every command of the `plateau` CLI (oclif explicit strategy). Keys are the command ids;
 * `chip:info` is invoked as `plateau chip info`.
 */
import ChipInfo from './chip/info.ts';
import Schema from './schema.ts';
import Validate from './validate.ts';

export const COMMANDS = {
  'chip:info': ChipInfo,
  schema: Schema,
  validate: Validate,
};

/**
 * Every command of the `plateau` CLI (oclif explicit strategy). Keys are the command ids;
 * `chip:info` is invoked as `plateau chip info`.
 */
import ChipInfo from './chip/info.ts';

export const COMMANDS = {
  'chip:info': ChipInfo,
};

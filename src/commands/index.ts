/**
 * Every command of the `plateau` CLI (oclif explicit strategy). Keys are the command ids;
 * `chip:info` is invoked as `plateau chip info`.
 */
import ChipInfo from './chip/info.ts';
import Demo from './demo.ts';
import DatasetYinYang from './dataset/yinyang.ts';
import TrainYinYang from './train/yinyang.ts';
import Eval from './eval.ts';
import NetlistCmd from './netlist.ts';
import SpiceCmd from './spice.ts';
import Schema from './schema.ts';
import Validate from './validate.ts';
import Emulate from './emulate.ts';
import Verify from './verify.ts';
import Characterize from './characterize.ts';

export const COMMANDS = {
  emulate: Emulate,
  'chip:info': ChipInfo,
  demo: Demo,
  'dataset:yinyang': DatasetYinYang,
  'train:yinyang': TrainYinYang,
  eval: Eval,
  netlist: NetlistCmd,
  spice: SpiceCmd,
  schema: Schema,
  validate: Validate,
  verify: Verify,
  characterize: Characterize,
};

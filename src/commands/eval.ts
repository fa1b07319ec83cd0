import { Args, Flags } from '@oclif/core';
import { PlateauCommand } from './base.ts';
import { evaluateModelFile } from '../learning/run.ts';
import { parseDie, parseRows } from './train/yinyang.ts';
import type { YinYangSplit } from '../learning/yinyang.ts';

export default class Eval extends PlateauCommand {
  static override description = 'Evaluate a trained first-spike-time model on a Yin-Yang split, ideal or on a die';
  static override examples = ['<%= config.bin %> eval ttfs.json', '<%= config.bin %> eval ttfs.json --die 7 --json'];
  static override args = { model: Args.string({ description: 'model JSON written by plateau train', required: true }) };
  static override flags = {
    die: Flags.string({ description: "die seed, or 'ideal'", default: 'ideal' }),
    split: Flags.string({ description: 'data split', options: ['test', 'validation', 'train'], default: 'test' }),
    rows: Flags.string({ description: "on a die: synapse rows per source and sign, per layer, for a model trained without a die (default 1 per layer; a die-trained model keeps its own)" }),
    'noise-seed': Flags.integer({ description: 'seed of the trial-to-trial noise on the die', default: 0, min: 0 }),
    json: Flags.boolean({ description: 'print the result as JSON' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Eval);
    const r = evaluateModelFile(args.model, {
      dieSeed: parseDie(flags.die), split: flags.split as YinYangSplit, noiseSeed: flags['noise-seed'],
      rowsPerSource: flags.rows === undefined ? undefined : parseRows(flags.rows),
    });
    if (flags.json) this.printJson(r);
    else this.log(`${r.split} accuracy ${(100 * r.accuracy).toFixed(1)} % (${r.samples} samples, die ${r.die}, ${r.method}, delays ${r.delays})`);
  }
}

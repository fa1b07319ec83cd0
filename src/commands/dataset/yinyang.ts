import { Flags } from '@oclif/core';
import { PlateauCommand } from '../base.ts';
import { generateYinYang, yinYangToCsv, yinYangToJson } from '../../learning/yinyang.ts';
import { writeFileAtomic } from '../../util/fs.ts';

export default class DatasetYinYang extends PlateauCommand {
  static override description =
    'Generate the Yin-Yang data set, bit-exact with the published one (NumPy RandomState MT19937). Published splits: train --seed 42 --size 5000, validation 41/1000, test 40/1000.';
  static override examples = [
    '<%= config.bin %> dataset yinyang --seed 42 --size 5000 -o train.csv',
    '<%= config.bin %> dataset yinyang --seed 40 --size 1000 --format json',
  ];
  static override flags = {
    seed: Flags.integer({ description: 'NumPy RandomState seed', required: true, min: 0, max: 4294967295 }),
    size: Flags.integer({ description: 'number of samples', required: true, min: 0, max: 100000000 }),
    format: Flags.string({ description: 'output format', options: ['csv', 'json'], default: 'csv' }),
    output: Flags.string({ char: 'o', description: 'write to this file (atomically) instead of stdout' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(DatasetYinYang);
    const ds = generateYinYang({ seed: flags.seed, size: flags.size });
    const text = flags.format === 'json' ? yinYangToJson(ds) + '\n' : yinYangToCsv(ds);
    if (flags.output) writeFileAtomic(flags.output, text);
    else process.stdout.write(text);
  }
}

import { fileURLToPath } from 'node:url';
import { Flags } from '@oclif/core';
import { PlateauCommand } from './base.ts';
import { backendFlag, parseDie } from './flags.ts';
import { runDemo } from '../pipeline/demo.ts';
import type { SpiceBackendChoice } from '../netlist/runner.ts';

const BUNDLED = fileURLToPath(new URL('../../examples/single-neuron.yaml', import.meta.url));

export default class Demo extends PlateauCommand {
  static override description = 'The main job on the bundled example: validate, map onto the chip, emulate, check at transistor level, train briefly';
  static override examples = ['<%= config.bin %> demo', '<%= config.bin %> demo --die 7 --epochs 0', '<%= config.bin %> demo --file examples/compartment-chain.yaml'];
  static override flags = {
    file: Flags.string({ description: 'experiment to run (default: the bundled examples/single-neuron.yaml)' }),
    die: Flags.string({ description: 'virtual die: a seed or "ideal"', default: '1', helpValue: 'SEED|ideal' }),
    backend: backendFlag,
    'no-spice': Flags.boolean({ description: 'skip the transistor-level step' }),
    epochs: Flags.integer({ description: 'epochs of the short Yin-Yang training (0 skips it)', default: 3, min: 0 }),
    json: Flags.boolean({ description: 'print the report as JSON' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Demo);
    const die = parseDie(flags.die);
    const tty = process.stderr.isTTY;
    const report = await runDemo({
      file: flags.file ?? BUNDLED, die, backend: flags.backend as SpiceBackendChoice, spice: !flags['no-spice'], epochs: flags.epochs,
      onProgress: (m) => process.stderr.write(tty ? `\r\x1b[2K… ${m}` : `… ${m}\n`),
      onStep: (s) => {
        if (tty) process.stderr.write('\r\x1b[2K');
        if (flags.json) return;
        this.log(`\n== ${s.title}`);
        for (const l of s.lines) this.log(`   ${l}`);
      },
    });
    if (tty) process.stderr.write('\r\x1b[2K');
    if (flags.json) this.printJson(report);
  }
}

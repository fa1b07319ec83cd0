import { Flags } from '@oclif/core';
import { PlateauCommand } from '../base.ts';
import { trainYinYang } from '../../learning/run.ts';
import { inputError } from '../../util/errors.ts';
import type { DelayKind } from '../../learning/network.ts';

/** `--die SEED|ideal` → die seed or null. */
export function parseDie(v: string | undefined): number | null {
  if (v === undefined || v === 'ideal') return null;
  if (!/^\d+$/.test(v)) throw inputError('invalid --die', { path: '--die' }, { value: v, allowed: "'ideal' or a non-negative integer die seed" });
  return Number(v);
}

/** `--rows 4,1` → [4, 1]. */
export function parseRows(v: string): number[] {
  const parts = v.split(',').map((x) => x.trim());
  if (!parts.every((x) => /^[1-9]\d*$/.test(x))) throw inputError('invalid --rows', { path: '--rows' }, { value: v, allowed: 'comma-separated positive integers, one per layer, e.g. 4,1' });
  return parts.map(Number);
}

export default class TrainYinYang extends PlateauCommand {
  static override description =
    'Train a first-spike-time network on Yin-Yang: Fast & Deep (ttfs) or DelGrad (weights + delays), ideal or in the loop on a die';
  static override examples = [
    '<%= config.bin %> train yinyang --method ttfs --epochs 300 --seed 1 -o ttfs.json',
    '<%= config.bin %> train yinyang --method delgrad --delays synaptic --seed 1 --json',
    '<%= config.bin %> train yinyang --die 7 -o die7.json --resume',
  ];
  static override flags = {
    method: Flags.string({ description: 'learning method', options: ['ttfs', 'delgrad'], default: 'ttfs' }),
    delays: Flags.string({ description: 'learned delays (delgrad only; default synaptic for delgrad)', options: ['none', 'axonal', 'dendritic', 'synaptic'] }),
    die: Flags.string({ description: "die seed for training in the loop, or 'ideal'", default: 'ideal' }),
    epochs: Flags.integer({ description: 'epochs', default: 300, min: 0, max: 100000 }),
    seed: Flags.integer({ description: 'seed of initial weights and shuffling', default: 0, min: 0 }),
    hidden: Flags.integer({ description: 'hidden neurons (default 120 ttfs, 30 delgrad)', min: 1, max: 500 }),
    rows: Flags.string({ description: 'on a die: synapse rows per source and sign, per layer (weights up to rows·63/30); default 4,1 (1,1 with synaptic delays)' }),
    'train-size': Flags.integer({ description: 'train on the first N samples of the 5000', min: 1, max: 5000 }),
    output: Flags.string({ char: 'o', description: 'write the trained model here (JSON, atomically)' }),
    checkpoint: Flags.string({ description: 'checkpoint file (default: <output>.ckpt.json when -o is given)' }),
    resume: Flags.boolean({ description: 'continue from the checkpoint if it exists', default: false }),
    json: Flags.boolean({ description: 'print the result as JSON' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(TrainYinYang);
    const method = flags.method as 'ttfs' | 'delgrad';
    const delays = (flags.delays ?? (method === 'delgrad' ? 'synaptic' : 'none')) as DelayKind;
    const checkpoint = flags.checkpoint ?? (flags.output ? `${flags.output}.ckpt.json` : undefined);
    const tty = process.stderr.isTTY === true;
    const every = Math.max(1, Math.round(flags.epochs / 20));
    const result = trainYinYang({
      method, delays, dieSeed: parseDie(flags.die), epochs: flags.epochs, seed: flags.seed,
      hidden: flags.hidden, trainSize: flags['train-size'], rowsPerSource: flags.rows === undefined ? undefined : parseRows(flags.rows), output: flags.output, checkpoint, resume: flags.resume,
      onEpoch: (rec, s) => {
        const total = s.config.epochs;
        const msg = `epoch ${rec.epoch}/${total}  train ${(100 * rec.trainAccuracy).toFixed(1)} %  validation ${(100 * rec.validationAccuracy).toFixed(1)} %  loss ${rec.trainLoss.toFixed(4)}  bumps ${rec.bumps}  ${s.wallSeconds.toFixed(0)} s`;
        if (tty) {
          const width = 30;
          const done = Math.round((width * rec.epoch) / total);
          process.stderr.write(`\r[${'#'.repeat(done)}${'.'.repeat(width - done)}] ${msg}\x1b[K`);
          if (rec.epoch === total) process.stderr.write('\n');
        } else if (rec.epoch % every === 0 || rec.epoch === total) {
          process.stderr.write(msg + '\n');
        }
      },
    });
    const summary = {
      testAccuracy: result.testAccuracy,
      validationAccuracy: result.validationAccuracy,
      epochs: result.epochs,
      bestEpoch: result.bestEpoch,
      lastValidationAccuracy: result.lastValidationAccuracy,
      wallSeconds: result.wallSeconds,
      method, delays, die: flags.die, seed: flags.seed, resumedFromEpoch: result.resumedFromEpoch,
      output: flags.output ?? null,
    };
    if (flags.json) this.printJson(summary);
    else this.log(`test accuracy ${(100 * result.testAccuracy).toFixed(1)} %, validation ${(100 * result.validationAccuracy).toFixed(1)} % (best epoch ${result.bestEpoch} of ${result.epochs}, ${result.wallSeconds.toFixed(1)} s)`);
  }
}

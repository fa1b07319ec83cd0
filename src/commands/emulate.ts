import { Args, Flags } from '@oclif/core';
import { PlateauCommand } from './base.ts';
import { dieFlag, parseDie } from './flags.ts';
import { parseQuantity, QuantityError, formatQuantity } from '../config/quantity.ts';
import { emulateChipFile } from '../emulator/run.ts';
import { inputError } from '../util/errors.ts';
import { DEFAULT_DT } from '../emulator/index.ts';

function quantity(flag: string, value: string): number {
  try {
    const v = parseQuantity(value, 's');
    if (!(v > 0)) throw new QuantityError('must be positive');
    return v;
  } catch (err) {
    if (err instanceof QuantityError) throw inputError(`invalid time: ${err.message}`, { path: flag }, { value, allowed: 'a positive time, e.g. "100 us" (hardware time)' });
    throw err;
  }
}

export default class Emulate extends PlateauCommand {
  static override description = 'Emulate a chip configuration on a virtual die with the behavioural (stepped) engine';
  static override examples = [
    '<%= config.bin %> emulate examples/chip-raw.yaml --duration "200 us"',
    '<%= config.bin %> emulate examples/chip-raw.yaml --die 3 --seed 7 --out run.json --json',
  ];
  static override args = { file: Args.string({ description: 'chip-layer YAML file', required: true }) };
  static override flags = {
    duration: Flags.string({ description: 'hardware time to emulate', default: '100 us' }),
    dt: Flags.string({ description: 'time step (hardware time)', default: '10 ns' }),
    die: dieFlag,
    seed: Flags.integer({ description: 'seed of the trial-to-trial and readout noise', default: 0 }),
    'no-noise': Flags.boolean({ description: 'no trial-to-trial or readout noise' }),
    out: Flags.string({ description: 'write the full result (spikes, traces, counters) as JSON to this file' }),
    json: Flags.boolean({ description: 'print the summary as JSON' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Emulate);
    const duration = quantity('--duration', flags.duration);
    const dt = flags.dt ? quantity('--dt', flags.dt) : DEFAULT_DT;
    const die = parseDie(flags.die);
    const s = emulateChipFile(args.file, die, { duration, dt, seed: flags.seed, noise: !flags['no-noise'] }, flags.out);
    if (flags.json) {
      this.printJson(s);
      return;
    }
    const lines = [
      `${s.file} on die ${s.die}: ${formatQuantity(s.simulatedSeconds, 's')} in ${s.steps} steps of ${formatQuantity(s.dt, 's')}`,
      `spikes ${s.spikes} from ${s.spikingCircuits} circuits; ${s.synapticEvents} synaptic pulses, ${s.crossbarEvents} crossbar events`,
      ...s.rates.slice(0, 16).map((r) => `  circuit ${r.circuit}: ${r.count} spikes, ${formatQuantity(r.rateHz, 'Hz')}`),
      ...(s.rates.length > 16 ? [`  ... ${s.rates.length - 16} more`] : []),
      `wall ${s.wallSeconds.toFixed(3)} s (${s.slowdownVsChip.toFixed(0)}× the chip)`,
    ];
    if (flags.out) lines.push(`result written to ${flags.out}`);
    this.log(lines.join('\n'));
  }
}

import { Args, Flags } from '@oclif/core';
import { PlateauCommand } from './base.ts';
import { dieFlag, parseDie } from './flags.ts';
import { loadConfigFile } from '../config/load.ts';
import { lowerExperiment } from '../mapping/lower.ts';
import { buildDeck } from '../netlist/deck.ts';
import { writeNetlist } from '../netlist/writer.ts';
import { neuronDeck } from '../pipeline/spice.ts';
import { neuronFromEnum, neuron, type NeuronCoordinate } from '../chip/coordinates.ts';
import { writeFileAtomic } from '../util/fs.ts';
import { inputError } from '../util/errors.ts';

/** `0:5,1:7` (row:column) or `5,263` (enum) → coordinates. */
export function parseCircuitList(list: string): NeuronCoordinate[] {
  return list.split(',').map((s) => {
    const t = s.trim();
    let m = /^(\d+):(\d+)$/.exec(t);
    if (m) return neuron(Number(m[1]), Number(m[2]));
    m = /^(\d+)$/.exec(t);
    if (m) return neuronFromEnum(Number(m[1]));
    throw inputError('invalid circuit in --circuits', { path: '--circuits' }, { value: t, allowed: 'ROW:COLUMN or an enum 0..511, comma separated' });
  });
}

export default class Netlist extends PlateauCommand {
  static override description = 'Write the SPICE netlist of circuits of a chip or experiment configuration on a die';
  static override examples = [
    '<%= config.bin %> netlist examples/single-neuron.yaml --neuron psp --die 7 -o psp.cir',
    '<%= config.bin %> netlist examples/chip-raw.yaml --circuits 0:0,0:2',
  ];
  static override args = { file: Args.string({ description: 'chip or experiment YAML', required: true }) };
  static override flags = {
    neuron: Flags.string({ description: 'experiment: the neuron to write (`id` or `id[index]`; default the first)', exclusive: ['circuits'] }),
    circuits: Flags.string({ description: 'circuits to write (ROW:COLUMN or enum, comma separated); everything wired to them is included', exclusive: ['neuron'] }),
    die: dieFlag,
    output: Flags.string({ char: 'o', description: 'write the deck to this file instead of stdout' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Netlist);
    const die = parseDie(flags.die);
    const cfg = loadConfigFile(args.file);
    let text: string;
    if (cfg.layer === 'experiment') {
      if (flags.circuits) throw inputError('--circuits applies to chip files; an experiment takes --neuron', { path: '--circuits' });
      const lowered = lowerExperiment(cfg.experiment, { die });
      text = writeNetlist(neuronDeck(lowered, die, flags.neuron).deck.netlist).text;
    } else if (cfg.layer === 'chip') {
      if (!flags.circuits) throw inputError('a chip file needs --circuits', { path: '--circuits' }, { allowed: 'e.g. --circuits 0:0,0:2' });
      text = writeNetlist(buildDeck({ chip: cfg.chip, die, circuits: parseCircuitList(flags.circuits), title: args.file }).netlist).text;
    } else {
      throw inputError('a calibration file has no circuits to simulate on its own', { file: args.file }, { allowed: 'a chip or experiment file' });
    }
    if (flags.output) writeFileAtomic(flags.output, text);
    else process.stdout.write(text);
  }
}

import { Flags } from '@oclif/core';
import { PlateauCommand } from './base.ts';
import { backendFlag, dieFlag, dieName, parseDie } from './flags.ts';
import { parseCircuitList } from './netlist.ts';
import { neuronEnum } from '../chip/coordinates.ts';
import type { SpiceBackendChoice } from '../netlist/runner.ts';
import { characterize, characterizationNames, formatTable, writeTable } from '../characterize/index.ts';

export default class Characterize extends PlateauCommand {
  static override description = 'Measure the circuit library\'s blocks with ngspice sweeps (OTA, pseudo-resistor, exponential term, comparator, inter-compartment conductance, leak vs code and range; per-circuit OTAs of a seeded die) and write the characterisation table the behavioural model reads';
  static override examples = [
    '<%= config.bin %> characterize --die ideal --out spice/characterization/ideal.json --jobs 2',
    '<%= config.bin %> characterize --blocks icc --json',
    '<%= config.bin %> characterize --die 7 --circuits 0:0,0:1 --out die-7.json',
  ];
  static override flags = {
    die: dieFlag,
    blocks: Flags.string({ description: `blocks to measure, comma separated (default: the library blocks; with --circuits the per-circuit ones): ${characterizationNames().join(', ')}` }),
    circuits: Flags.string({ description: 'circuits for the per-circuit sweeps (ROW:COLUMN or enum, comma separated)' }),
    out: Flags.string({ description: 'write the table to this file (atomically)' }),
    jobs: Flags.integer({ description: 'ngspice processes in flight (default: the number of cores)', min: 1 }),
    backend: backendFlag,
    json: Flags.boolean({ description: 'print the table as JSON on stdout' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Characterize);
    const die = parseDie(flags.die);
    const blocks = flags.blocks?.split(',').map((s) => s.trim()).filter((s) => s !== '');
    const circuits = flags.circuits ? parseCircuitList(flags.circuits).map(neuronEnum) : undefined;
    const tty = process.stderr.isTTY;
    const argv = ['characterize', '--die', dieName(die), ...(flags.blocks ? ['--blocks', flags.blocks] : []), ...(flags.circuits ? ['--circuits', flags.circuits] : [])];
    const table = await characterize({
      die, blocks, circuits, jobs: flags.jobs, backend: flags.backend as SpiceBackendChoice,
      command: `npx plateau ${argv.join(' ')}`,
      onProgress: (p) => {
        const line = `… ${p.done}/${p.total} sweeps, ${p.elapsedSeconds.toFixed(1)} s (${p.block})`;
        if (tty) process.stderr.write(`\r\x1b[2K${line}`);
        else if (p.done === p.total || p.done % 25 === 0) process.stderr.write(`${line}\n`);
      },
    });
    if (tty) process.stderr.write('\r\x1b[2K');
    if (flags.out) writeTable(flags.out, table);
    if (flags.json) process.stdout.write(formatTable(table));
    else this.log(`${table.blockNames.join(', ')} on die ${dieName(die)} (${table.ngspice})${flags.out ? ` → ${flags.out}` : ''}`);
  }
}

import { Args, Flags } from '@oclif/core';
import { PlateauCommand } from './base.ts';
import { backendFlag, dieFlag, dieName, parseDie } from './flags.ts';
import { loadExperimentFile } from '../config/load.ts';
import { spiceExperiment } from '../pipeline/spice.ts';
import { writeRunOutput } from '../pipeline/output.ts';
import type { SpiceBackendChoice } from '../netlist/runner.ts';
import { writeFileAtomic } from '../util/fs.ts';

export default class Spice extends PlateauCommand {
  static override description = 'Run one neuron of an experiment at transistor level (ngspice) on a die';
  static override examples = [
    '<%= config.bin %> spice examples/single-neuron.yaml --neuron psp --json',
    '<%= config.bin %> spice examples/compartment-chain.yaml --die 3 --out runs/chain-spice',
  ];
  static override args = { file: Args.string({ description: 'experiment YAML', required: true }) };
  static override flags = {
    neuron: Flags.string({ description: 'the neuron to simulate (`id` or `id[index]`; default the first)' }),
    die: dieFlag,
    backend: backendFlag,
    timeout: Flags.integer({ description: 'wall-clock limit of the ngspice run, seconds', default: 300 }),
    out: Flags.string({ description: 'write traces (CSV), spikes (JSON) and a summary here' }),
    json: Flags.boolean({ description: 'print the result summary as JSON' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Spice);
    const die = parseDie(flags.die);
    const exp = loadExperimentFile(args.file);
    const r = await spiceExperiment(exp, { die, neuron: flags.neuron, backend: flags.backend as SpiceBackendChoice, timeoutSeconds: flags.timeout });
    const summary = {
      experiment: exp.name, neuron: r.neuron, die: dieName(die), backend: r.backend,
      spikes: r.spikes, restingPotential: r.restingPotential, omittedInputs: r.omittedInputs, wallSeconds: r.wallSeconds,
    };
    if (flags.out) writeRunOutput(flags.out, r.spikes, r.traces.map((t) => ({ ...t, quantity: 'v_V', tag: 'spice' })), { ...summary, netlist: 'deck.cir' });
    if (flags.out) writeFileAtomic(`${flags.out}/deck.cir`, r.netlist);
    if (flags.json) {
      this.printJson(summary);
      return;
    }
    this.log(`${exp.name}: neuron ${r.neuron} on die ${dieName(die)}, ngspice ${r.backend}, ${r.wallSeconds.toFixed(2)} s`);
    for (const [id, v] of Object.entries(r.restingPotential)) {
      const sp = r.spikes[id] ?? [];
      this.log(`  ${id.padEnd(16)} rest ${(v * 1e3).toFixed(1)} mV   ${sp.length} spike(s)${sp.length ? ` at ${sp.slice(0, 6).map((t) => (t * 1e6).toFixed(2)).join(', ')}${sp.length > 6 ? ', ...' : ''} µs` : ''}`);
    }
    if (r.omittedInputs.length) this.log(`  not simulated at this level: ${r.omittedInputs.join(', ')}`);
    if (flags.out) this.log(`  written to ${flags.out}/`);
  }
}

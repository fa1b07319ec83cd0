import { Args, Flags } from '@oclif/core';
import { PlateauCommand } from './base.ts';
import { backendFlag, dieFlag, dieName, parseDie } from './flags.ts';
import type { SpiceBackendChoice } from '../netlist/runner.ts';
import { verifyPath } from '../verify/run.ts';
import { formatMetricLine } from '../verify/format.ts';

export default class Verify extends PlateauCommand {
  static override description = 'Verify the emulator against the transistor level: run an experiment (or a directory of them) in both on one die and compare rest, PSPs, time constants, spikes, adaptation, attenuation and plateaus against their tolerances (exit code 1 when a metric fails)';
  static override examples = ['<%= config.bin %> verify examples/verification', '<%= config.bin %> verify examples/verification/chain-4.yaml --die 2 --json'];
  static override args = { path: Args.string({ description: 'experiment file or directory of experiment files', required: true }) };
  static override flags = {
    die: dieFlag,
    backend: backendFlag,
    jobs: Flags.integer({ description: 'ngspice processes in flight (default: the number of cores)', min: 1 }),
    json: Flags.boolean({ description: 'print the report as JSON' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Verify);
    const die = parseDie(flags.die);
    const tty = process.stderr.isTTY;
    const result = await verifyPath(args.path, {
      die, backend: flags.backend as SpiceBackendChoice, jobs: flags.jobs,
      onProgress: (m) => process.stderr.write(tty ? `\r\x1b[2K… ${m}` : `… ${m}\n`),
    });
    if (tty) process.stderr.write('\r\x1b[2K');
    const cases = result.reports.flatMap((r) => r.cases);
    if (flags.json) {
      this.printJson({ pass: result.pass, die: dieName(die), experiments: result.reports.map((r) => ({ file: r.file, experiment: r.experiment, pass: r.pass, emulatorSeconds: r.emulatorSeconds, simulatedSeconds: r.simulatedSeconds })), cases });
    } else {
      this.log(`die ${dieName(die)}`);
      for (const c of cases) {
        this.log(`\n${c.pass ? 'PASS' : 'FAIL'}  ${c.name}${c.spiceError ? `: ngspice failed: ${c.spiceError}` : ''}`);
        for (const m of c.metrics) this.log(`  ${formatMetricLine(m)}`);
        if (c.omittedInputs.length) this.log(`  not at transistor level: ${c.omittedInputs.join(', ')}`);
      }
      const failed = cases.reduce((s, c) => s + c.metrics.filter((m) => !m.pass).length, 0);
      const total = cases.reduce((s, c) => s + c.metrics.length, 0);
      this.log(`\n${result.pass ? 'PASS' : 'FAIL'}: ${total - failed} of ${total} metrics within tolerance in ${cases.length} case(s)`);
    }
    // A failed verification is a result, not bad input: exit code 1.
    if (!result.pass) this.exit(1);
  }
}

import { Args, Flags } from '@oclif/core';
import { PlateauCommand } from './base.ts';
import { loadConfigFile } from '../config/load.ts';
import { summarize } from '../config/summary.ts';
import { InputError, formatIssue, type Issue } from '../util/errors.ts';

export default class Validate extends PlateauCommand {
  static override description = 'Check configuration files (chip, calibration or experiment; the layer is read from the file)';
  static override examples = ['<%= config.bin %> validate examples/*.yaml'];
  static override strict = false;
  static override args = { files: Args.string({ description: 'YAML files', required: true }) };
  static override flags = { json: Flags.boolean({ description: 'print the result of every file as JSON' }) };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Validate);
    const files = argv as string[];
    const results: Array<{ file: string; ok: boolean; layer?: string; summary?: string; issues?: Issue[] }> = [];
    for (const file of files) {
      try {
        const c = loadConfigFile(file);
        results.push({ file, ok: true, layer: c.layer, summary: summarize(c) });
      } catch (err) {
        if (!(err instanceof InputError)) throw err;
        results.push({ file, ok: false, issues: err.issues });
      }
    }
    const failed = results.filter((r) => !r.ok);
    if (flags.json) this.printJson({ ok: failed.length === 0, files: results });
    else {
      for (const r of results) {
        if (r.ok) this.log(`ok    ${r.file}: ${r.summary}`);
        else {
          this.log(`FAIL  ${r.file}: ${r.issues!.length} problem(s)`);
          for (const i of r.issues!) process.stderr.write(`  ${formatIssue(i)}\n`);
        }
      }
    }
    if (failed.length) this.exit(2);
  }
}

/**
 * Base of every plateau command: turns typed library errors into the documented exit codes
 * (2 for bad input or usage, 1 for a failed run) with a readable message on stderr.
 * Commands only parse flags, call one library function and print.
 */
import { Command, Errors } from '@oclif/core';
import { PlateauError } from '../util/errors.ts';

export abstract class PlateauCommand extends Command {
  protected override async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    if (err instanceof PlateauError) {
      process.stderr.write(`error: ${err.message}\n`);
      this.exit(err.exitCode);
    }
    // oclif parse errors (unknown flag, missing argument, bad option value) are usage errors.
    if (err instanceof Errors.CLIError && !(err instanceof Errors.ExitError)) {
      const name = err.constructor.name;
      if (/Parse|Flag|Arg|Unexpected|Required|Nonexistent|Option/i.test(name) || err.oclif?.exit === 2) {
        process.stderr.write(`error: ${err.message}\nSee: plateau ${this.id?.replace(/:/g, ' ') ?? ''} --help\n`);
        this.exit(2);
      }
    }
    return super.catch(err);
  }

  /** Print a value as pretty JSON on stdout. */
  protected printJson(value: unknown): void {
    process.stdout.write(JSON.stringify(value, null, 2) + '\n');
  }
}

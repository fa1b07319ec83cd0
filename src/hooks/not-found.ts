/** Unknown command: say so, list the commands, exit 2 (a usage error). */
import type { Hook } from '@oclif/core';

const hook: Hook<'command_not_found'> = async function (opts) {
  const ids = opts.config.commandIDs.map((id) => id.replace(/:/g, ' ')).sort();
  process.stderr.write(`error: unknown command "${opts.id.replace(/:/g, ' ')}"\n\nUsage: plateau <command> [flags]\nCommands:\n${ids.map((i) => `  ${i}`).join('\n')}\n\nSee: plateau <command> --help\n`);
  process.exit(2);
};

export default hook;

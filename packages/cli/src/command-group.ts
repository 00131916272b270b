import { parseGlobalArgs, splitCommand } from './args.ts';
import { EXIT, usageError } from './cli-error.ts';
import type { Command } from './command.ts';
import { GLOBAL_HELP } from './help.ts';
import { createOutput } from './output.ts';

/**
 * A command whose first argument picks one of its subcommands (`schedule add …`). The
 * subcommands are made with `defineCommand` under their full name (`schedule add`).
 */
export function defineGroup(spec: {
  name: string;
  summary: string;
  subcommands: readonly Command[];
}): Command {
  const verbs = spec.subcommands.map((c) => verbOf(spec.name, c));
  const synopsis = `${spec.name} <${verbs.join('|')}>`;
  const usageLine = `Usage: mini-lambda ${synopsis} …`;
  const width = Math.max(...spec.subcommands.map((c) => c.synopsis.length));
  const list = spec.subcommands
    .map((c) => `  ${c.synopsis.padEnd(width)}  ${c.summary}`)
    .join('\n');
  const usage = `${usageLine}\n\n${spec.summary}.\n\nCommands:\n${list}\n\nRun 'mini-lambda ${spec.name} <command> --help' for a command's options.\n\n${GLOBAL_HELP}`;
  return {
    name: spec.name,
    summary: spec.summary,
    synopsis,
    usage,
    usageLine,
    subcommands: spec.subcommands,
    async execute(argv, io) {
      const { command: verb, rest } = splitCommand(argv);
      if (verb === undefined) {
        if (!parseGlobalArgs(rest).help)
          throw usageError(`Missing <${verbs.join('|')}>`, spec.name);
        createOutput(io.stdout, io.stderr).result(usage);
        return EXIT.ok;
      }
      const sub = spec.subcommands.find((c) => verbOf(spec.name, c) === verb);
      if (!sub)
        throw usageError(`Unknown command ${JSON.stringify(`${spec.name} ${verb}`)}`, spec.name);
      return sub.execute(rest, io);
    },
  };
}

function verbOf(group: string, command: Command): string {
  return command.name.slice(group.length + 1);
}

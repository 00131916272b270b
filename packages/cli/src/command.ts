import type { ParseArgsOptionsConfig } from 'node:util';
import { type ParsedCommandArgs, parseCommandArgs } from './args.ts';
import { EXIT } from './cli-error.ts';
import { type Client, createClient } from './client.ts';
import { type CliEnv, resolveCliConfig } from './config.ts';
import { GLOBAL_HELP } from './help.ts';
import { createOutput, type Output, type Writer } from './output.ts';

/** The process as the CLI sees it; tests pass their own. */
export interface CliIo {
  env: CliEnv;
  stdout: Writer;
  stderr: Writer;
}

/** What a command runs with once its arguments are parsed. */
export interface CommandContext {
  out: Output;
  client: Client;
}

export interface CommandSpec<O extends ParseArgsOptionsConfig, A extends readonly string[]> {
  name: string;
  /** One line, for the command list. */
  summary: string;
  /** The arguments part of the usage line, e.g. `<name> <path> [options]`. */
  synopsis: string;
  /** Options and notes, shown after the usage line. */
  details: string;
  /** Names of the required positional arguments, in order. */
  args: A;
  /** True when any number of arguments may follow them (`parsed.rest`). */
  takesList?: boolean;
  options: O;
  run(parsed: ParsedCommandArgs<O, A>, context: CommandContext): Promise<number>;
}

/** A command with its types erased, as the dispatcher holds it. */
export interface Command {
  name: string;
  summary: string;
  /** `name` and its required arguments, as listed in the main help. */
  synopsis: string;
  /** The full help text. */
  usage: string;
  /** Its first line, shown under a usage error. */
  usageLine: string;
  /** A group's commands (`schedule add`, …), named in full. */
  subcommands?: readonly Command[];
  execute(argv: readonly string[], io: CliIo): Promise<number>;
}

/** Wraps a command spec with the shared steps: strict parsing, --help, endpoint and key. */
export function defineCommand<
  const O extends ParseArgsOptionsConfig,
  const A extends readonly string[],
>(spec: CommandSpec<O, A>): Command {
  const synopsis = [spec.name, ...spec.args.map((a) => `<${a}>`)].join(' ');
  const usageLine = `Usage: mini-lambda ${spec.name} ${spec.synopsis}`;
  const usage = `${usageLine}\n\n${spec.summary}.\n\n${spec.details}\n\n${GLOBAL_HELP}`;
  return {
    name: spec.name,
    summary: spec.summary,
    synopsis,
    usage,
    usageLine,
    async execute(argv, io) {
      const out = createOutput(io.stdout, io.stderr);
      const parsed = parseCommandArgs(spec.name, argv, spec.options, spec.args, spec.takesList);
      const globals = parsed.values as { help?: boolean; url?: string; 'api-key'?: string };
      if (globals.help) {
        out.result(usage);
        return EXIT.ok;
      }
      const config = resolveCliConfig({ url: globals.url, apiKey: globals['api-key'] }, io.env);
      return spec.run(parsed, { out, client: createClient(config) });
    },
  };
}

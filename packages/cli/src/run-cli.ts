import { ApiError, describeApiError } from './api-error.ts';
import { parseGlobalArgs, splitCommand } from './args.ts';
import { CliError, EXIT, usageError } from './cli-error.ts';
import type { CliIo, Command } from './command.ts';
import { COMMANDS } from './commands/index.ts';
import { mainUsage } from './help.ts';
import { createOutput, type Output } from './output.ts';

/**
 * Runs one command line (without `node` and the script) and answers the exit code:
 * 0 done, 1 failed, 2 usage error. Never throws; every error is printed here, once.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const out = createOutput(io.stdout, io.stderr);
  try {
    return await dispatch(argv, io, out);
  } catch (err) {
    return report(err, out);
  }
}

async function dispatch(argv: readonly string[], io: CliIo, out: Output): Promise<number> {
  const { command: name, rest } = splitCommand(argv);
  if (name === undefined) {
    if (!parseGlobalArgs(rest).help) throw usageError('No command given');
    out.result(mainUsage(COMMANDS));
    return EXIT.ok;
  }
  if (name === 'help') {
    const [topic, verb, extra] = parseGlobalArgs(rest).positionals;
    if (extra !== undefined) throw usageError(`Unexpected argument ${JSON.stringify(extra)}`);
    if (topic === undefined) out.result(mainUsage(COMMANDS));
    else if (verb === undefined) out.result(findCommand(topic).usage);
    else out.result(findCommand(`${topic} ${verb}`).usage);
    return EXIT.ok;
  }
  return findCommand(name, COMMANDS).execute(rest, io);
}

/** Every command by its full name, a group's subcommands (`schedule add`) included. */
const ALL_COMMANDS: readonly Command[] = COMMANDS.flatMap((c) => [c, ...(c.subcommands ?? [])]);

function findCommand(name: string, among = ALL_COMMANDS): Command {
  const command = among.find((c) => c.name === name);
  if (!command) throw usageError(`Unknown command ${JSON.stringify(name)}`);
  return command;
}

function report(err: unknown, out: Output): number {
  if (err instanceof CliError) {
    out.status(err.message);
    if (err.kind === 'failure') return EXIT.failure;
    const command = ALL_COMMANDS.find((c) => c.name === err.command);
    // A command's usage line and where to read more; without one, the list of commands.
    if (command)
      out.status(`\n${command.usageLine}\nRun 'mini-lambda ${command.name} --help' for details.`);
    else out.status(`\n${mainUsage(COMMANDS)}`);
    return EXIT.usage;
  }
  if (err instanceof ApiError) {
    for (const line of describeApiError(err)) out.status(line);
    return EXIT.failure;
  }
  // Not an expected failure: a bug of the CLI, so the stack is worth showing.
  out.status(
    `Unexpected error in mini-lambda (please report it): ${(err as Error)?.stack ?? String(err)}`,
  );
  return EXIT.failure;
}

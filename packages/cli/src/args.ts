import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { parseFunctionName } from '@mini-lambda/core';
import { z } from 'zod';
import { usageError } from './cli-error.ts';

/** Flags every command accepts, before or after the command name. */
export const GLOBAL_OPTIONS = {
  url: { type: 'string' },
  'api-key': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsOptionsConfig;

/** What `parseCommandArgs` returns: typed flag values and the positionals by name. */
export interface ParsedCommandArgs<O extends ParseArgsOptionsConfig, A extends readonly string[]> {
  values: ParsedValues<O & typeof GLOBAL_OPTIONS>;
  args: Record<A[number], string>;
  /** The positionals after the named ones; only a command that takes a list has any. */
  rest: string[];
}

type ParsedValues<O extends ParseArgsOptionsConfig> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>
>['values'];

/**
 * Finds the command: the first argument that is neither a flag nor the value of a global
 * flag, so `mini-lambda --url U deploy …` and `mini-lambda deploy … --url U` both work.
 */
export function splitCommand(argv: readonly string[]): { command?: string; rest: string[] } {
  const takesValue = new Set(['--url', '--api-key']);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') break;
    if (!arg.startsWith('-') || arg === '-') {
      return { command: arg, rest: [...argv.slice(0, i), ...argv.slice(i + 1)] };
    }
    if (takesValue.has(arg)) i++;
  }
  return { rest: [...argv] };
}

/**
 * Parses one command's arguments strictly (unknown flags and extra or missing positionals
 * are usage errors naming the command) together with the global flags.
 */
export function parseCommandArgs<O extends ParseArgsOptionsConfig, A extends readonly string[]>(
  command: string,
  argv: readonly string[],
  options: O,
  argNames: A,
  takesList = false,
): ParsedCommandArgs<O, A> {
  const parsed = parseStrict(command, argv, { ...GLOBAL_OPTIONS, ...options });
  const values = parsed.values as ParsedValues<O & typeof GLOBAL_OPTIONS>;
  // --help wins over missing arguments: `deploy --help` must show usage, not complain.
  if ((values as { help?: boolean }).help)
    return { values, args: {} as Record<A[number], string>, rest: [] };
  const [missing] = argNames.slice(parsed.positionals.length);
  if (missing !== undefined) throw usageError(`Missing <${missing}>`, command);
  const rest = parsed.positionals.slice(argNames.length);
  const [extra] = rest;
  if (extra !== undefined && !takesList)
    throw usageError(`Unexpected argument ${JSON.stringify(extra)}`, command);
  const args = Object.fromEntries(argNames.map((n, i) => [n, parsed.positionals[i]]));
  return { values, args: args as Record<A[number], string>, rest };
}

/** Parses flags only (no command given); used for `mini-lambda --help` and its errors. */
export function parseGlobalArgs(argv: readonly string[]): { help: boolean; positionals: string[] } {
  const parsed = parseStrict(undefined, argv, GLOBAL_OPTIONS);
  return { help: parsed.values.help === true, positionals: parsed.positionals };
}

function parseStrict<O extends ParseArgsOptionsConfig>(
  command: string | undefined,
  argv: readonly string[],
  options: O,
) {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) {
      // Node appends advice about '--' to unknown options; the usage that follows says more.
      const message = (err as Error).message.replace(/\. To specify a positional.*$/s, '');
      throw usageError(message, command);
    }
    throw err;
  }
}

/** A validated function name, or a usage error saying what names look like. */
export function functionNameArg(name: string, command: string): string {
  try {
    return parseFunctionName(name);
  } catch (err) {
    throw usageError((err as Error).message, command);
  }
}

/** An optional whole-number flag within bounds; undefined when the flag was not given. */
export function intFlag(
  flag: string,
  value: string | undefined,
  bounds: { min: number; max: number },
  command: string,
): number | undefined {
  if (value === undefined) return undefined;
  const schema = z
    .string()
    .regex(/^\d+$/)
    .transform(Number)
    .pipe(z.number().int().min(bounds.min).max(bounds.max));
  const parsed = schema.safeParse(value.trim());
  if (parsed.success) return parsed.data;
  throw usageError(
    `--${flag} must be a whole number from ${bounds.min} to ${bounds.max} (got ${JSON.stringify(value)})`,
    command,
  );
}

/** Exit codes of the CLI: documented in the help text and docs/functions.md. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/**
 * An expected failure of the CLI, printed as its message alone (never a stack).
 * `usage`: the command line itself is wrong (exit 2, the command's usage follows);
 * `failure`: the command was understood but could not be done (exit 1).
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly kind: 'usage' | 'failure';
  /** The command whose usage to show after a usage error, when one is known. */
  readonly command: string | undefined;

  constructor(kind: 'usage' | 'failure', message: string, command?: string) {
    super(message);
    this.kind = kind;
    this.command = command;
  }
}

/** The command line is wrong: exit 2 with usage. */
export function usageError(message: string, command?: string): CliError {
  return new CliError('usage', message, command);
}

/** The command could not be done: exit 1. */
export function failure(message: string): CliError {
  return new CliError('failure', message);
}

/** A file that cannot be read, said plainly: `Cannot read x.ts: no such file or directory`. */
export function cannotRead(path: string, err: unknown): CliError {
  const code = (err as { code?: unknown }).code;
  const reason =
    code === 'ENOENT'
      ? 'no such file or directory'
      : code === 'EACCES'
        ? 'permission denied'
        : (err as Error).message;
  return failure(`Cannot read ${path}: ${reason}`);
}

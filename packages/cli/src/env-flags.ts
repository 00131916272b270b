import { MiniLambdaError, parseFunctionConfigPatch } from '@mini-lambda/core';
import { usageError } from './cli-error.ts';

// The key rule of core's config schema, repeated because zod reports a bad record key only
// as "Invalid key in record"; sizes and `__proto__` are still left to core below.
const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/**
 * Turns repeated `--env KEY=VALUE` flags into an env map. `KEY=` is an empty string; the
 * value may itself contain `=`. The server's rules (core's config schema) are applied
 * here, so a bad key fails before any request.
 */
export function parseEnvFlags(
  flags: readonly string[],
  command = 'config',
): Record<string, string> {
  const entries: [string, string][] = [];
  const seen = new Set<string>();
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    if (eq <= 0) throw usageError(`--env expects KEY=VALUE (got ${JSON.stringify(flag)})`, command);
    const key = flag.slice(0, eq);
    if (!ENV_KEY.test(key))
      throw usageError(
        `--env ${JSON.stringify(key)}: keys are up to 128 letters, digits and _, not starting with a digit`,
        command,
      );
    if (seen.has(key)) throw usageError(`--env ${key} is given more than once`, command);
    seen.add(key);
    entries.push([key, flag.slice(eq + 1)]);
  }
  // fromEntries defines own properties, so a `__proto__` key reaches the schema and is refused.
  const env = Object.fromEntries(entries);
  try {
    parseFunctionConfigPatch({ env });
  } catch (err) {
    if (!(err instanceof MiniLambdaError)) throw err;
    throw usageError(`--env: ${envIssue(err)}`, command);
  }
  return env;
}

function envIssue(err: MiniLambdaError): string {
  const issues = err.details.issues as { path: string; message: string }[] | undefined;
  const first = issues?.[0];
  if (!first) return err.message;
  const key = first.path.replace(/^env\.?/, '');
  return key ? `${JSON.stringify(key)}: ${first.message}` : first.message;
}

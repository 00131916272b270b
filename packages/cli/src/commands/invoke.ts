import { readFile } from 'node:fs/promises';
import { ApiError } from '../api-error.ts';
import { functionNameArg, intFlag } from '../args.ts';
import { cannotRead, EXIT, usageError } from '../cli-error.ts';
import { type InvocationMeta, invocationMeta } from '../client.ts';
import { defineCommand } from '../command.ts';
import { prettyJson } from '../output.ts';

export const invokeCommand = defineCommand({
  name: 'invoke',
  summary: 'Invoke a function and print what it returned',
  synopsis: '<name> [--data JSON | --file PATH] [--async] [options]',
  args: ['name'],
  options: {
    data: { type: 'string' },
    file: { type: 'string' },
    version: { type: 'string' },
    async: { type: 'boolean' },
    verbose: { type: 'boolean', short: 'v' },
  },
  details: `Options:
  --data JSON      The event, as JSON text (default: no body, which the function sees as null)
  --file PATH      Read the event from a file
  --version N      Invoke this version instead of the latest
  --async          Queue the event instead of waiting (Lambda's Event invocation type):
                   prints the invocation id once the server has stored the event; the
                   function then runs, with retries as its async config says. Follow
                   it with 'mini-lambda invocation <name> <id>'
  -v, --verbose    Also print the version, cold start and duration on stderr

The result is printed on stdout, indented when it is JSON. When the function throws, times
out or runs out of memory, the error (and the function's stack) goes to stderr and the exit
code is 1. Invoke sends MINI_LAMBDA_INVOKE_KEY when the server has an invoke key, else the
API key.`,
  async run({ values, args }, { out, client }) {
    const name = functionNameArg(args.name, 'invoke');
    const version = intFlag(
      'version',
      values.version,
      { min: 1, max: Number.MAX_SAFE_INTEGER },
      'invoke',
    );
    const event = await readEvent(values.data, values.file);
    if (values.async) {
      const id = await client.invokeAsync(name, event, version);
      out.result(id);
      if (values.verbose)
        out.status(`Queued. Follow it with: mini-lambda invocation ${name} ${id}`);
      return EXIT.ok;
    }
    try {
      const { body, meta } = await client.invoke(name, event, version);
      if (values.verbose) out.status(describeMeta(meta));
      out.result(prettyJson(body));
      return EXIT.ok;
    } catch (err) {
      // The headers say which version ran and how long it took, even when it failed.
      if (values.verbose && err instanceof ApiError)
        out.status(describeMeta(invocationMeta(err.headers)));
      throw err;
    }
  },
});

async function readEvent(
  data: string | undefined,
  file: string | undefined,
): Promise<string | Uint8Array> {
  if (data !== undefined && file !== undefined)
    throw usageError('Give either --data or --file, not both', 'invoke');
  if (file !== undefined)
    return readFile(file).catch((err: unknown) => {
      throw cannotRead(file, err);
    });
  if (data === undefined) return '';
  try {
    JSON.parse(data);
  } catch (err) {
    throw usageError(`--data is not valid JSON: ${(err as Error).message}`, 'invoke');
  }
  return data;
}

/** `version 3, cold start, 12.5 ms, invocation 9f…`: what the headers tell, in one line. */
export function describeMeta(meta: InvocationMeta): string {
  const parts: string[] = [];
  if (meta.version) parts.push(`version ${meta.version}`);
  if (meta.coldStart) parts.push(meta.coldStart === 'true' ? 'cold start' : 'warm');
  if (meta.durationMs) parts.push(`${meta.durationMs} ms`);
  if (meta.invocationId) parts.push(`invocation ${meta.invocationId}`);
  return parts.length > 0 ? parts.join(', ') : 'no invocation headers';
}

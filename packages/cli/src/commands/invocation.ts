import { setTimeout as sleep } from 'node:timers/promises';
import type { InvocationStatus } from '../api-schemas.ts';
import { functionNameArg, intFlag } from '../args.ts';
import { EXIT, usageError } from '../cli-error.ts';
import type { Client } from '../client.ts';
import { defineCommand } from '../command.ts';

/** States an asynchronous invocation does not leave. */
const FINAL = new Set(['succeeded', 'failed', 'dead']);
/** How often `--wait` asks. */
export const WAIT_POLL_MS = 500;
/** How long `--wait` waits unless `--timeout` says otherwise, and the bounds of `--timeout`. */
export const WAIT_TIMEOUT_S = { min: 1, max: 86_400, default: 60 };

export const invocationCommand = defineCommand({
  name: 'invocation',
  summary: "Show an asynchronous invocation's status",
  synopsis: '<name> <id> [--wait [--timeout S]]',
  args: ['name', 'id'],
  options: { wait: { type: 'boolean', short: 'w' }, timeout: { type: 'string' } },
  details: `Prints the invocation's state as JSON: its status (queued, running,
succeeded, failed or dead), the attempts so far, when it was created, last
started and finished, and its result or the error of its last failed attempt.
The id is the one 'invoke --async' printed.

Options:
  -w, --wait     Ask again every ${WAIT_POLL_MS} ms until the invocation has finished
                 (succeeded, failed or dead); exit 1 unless it succeeded
  --timeout S    With --wait: give up after S seconds (${WAIT_TIMEOUT_S.min}-${WAIT_TIMEOUT_S.max}, default ${WAIT_TIMEOUT_S.default}),
                 print the latest status and exit 1

Statuses are kept for the server's ASYNC_RETENTION_S (a day by default).`,
  async run({ values, args }, { out, client }) {
    const name = functionNameArg(args.name, 'invocation');
    if (args.id.trim() === '') throw usageError('The invocation id is empty', 'invocation');
    const timeoutS = intFlag('timeout', values.timeout, WAIT_TIMEOUT_S, 'invocation');
    if (timeoutS !== undefined && !values.wait)
      throw usageError('--timeout only applies with --wait', 'invocation');
    if (!values.wait) {
      out.result(JSON.stringify(await client.invocation(name, args.id), null, 2));
      return EXIT.ok;
    }
    const seconds = timeoutS ?? WAIT_TIMEOUT_S.default;
    const { status, finished } = await waitForInvocation(client, name, args.id, seconds * 1000);
    out.result(JSON.stringify(status, null, 2));
    if (!finished) {
      out.status(`Gave up after ${seconds} s: the invocation is still ${status.status}.`);
      return EXIT.failure;
    }
    return status.status === 'succeeded' ? EXIT.ok : EXIT.failure;
  },
});

/**
 * Polls until the invocation is in a final state or `timeoutMs` has passed;
 * `finished` says which. The last status is always one the server gave.
 */
export async function waitForInvocation(
  client: Pick<Client, 'invocation'>,
  name: string,
  id: string,
  timeoutMs: number,
  pollMs = WAIT_POLL_MS,
): Promise<{ status: InvocationStatus; finished: boolean }> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const status = await client.invocation(name, id);
    if (FINAL.has(status.status)) return { status, finished: true };
    const left = deadline - performance.now();
    if (left <= 0) return { status, finished: false };
    await sleep(Math.min(pollMs, left));
  }
}

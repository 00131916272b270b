import { functionNameArg, intFlag } from '../args.ts';
import { EXIT, usageError } from '../cli-error.ts';
import type { Client } from '../client.ts';
import { defineCommand } from '../command.ts';
import { defineGroup } from '../command-group.ts';
import { formatTable } from '../output.ts';

/** The server's bounds for one listing. */
const LIMIT = { min: 1, max: 1000 };

const lsCommand = defineCommand({
  name: 'dead-letters ls',
  summary: "List a function's dead letters",
  synopsis: '<name> [--limit N] [--json]',
  args: ['name'],
  options: { limit: { type: 'string' }, json: { type: 'boolean' } },
  details: `Dead letters are events that failed every attempt, or aged out, and had no
on_failure destination. The table shows each one's id, when it failed, its
attempts and the last error; --json also shows the events.

Options:
  --limit N    At most N, newest first (${LIMIT.min}-${LIMIT.max}, default 100)
  --json       Print the server's answer as JSON`,
  async run({ values, args }, { out, client }) {
    const name = functionNameArg(args.name, 'dead-letters ls');
    const limit = intFlag('limit', values.limit, LIMIT, 'dead-letters ls');
    const letters = await client.deadLetters(name, limit);
    if (values.json) out.result(JSON.stringify({ dead_letters: letters }, null, 2));
    else if (letters.length === 0) out.status(`${name} has no dead letters.`);
    else
      out.result(
        formatTable([
          ['INVOCATION', 'FAILED', 'ATTEMPTS', 'ERROR'],
          ...letters.map((d) => [
            d.invocation_id,
            d.failed_at,
            String(d.attempts),
            `${d.error.code}: ${d.error.message}`.replace(/\s+/g, ' ').slice(0, 120),
          ]),
        ]),
      );
    return EXIT.ok;
  },
});

/** The most ids the server takes in one redrive call (docs/api.md). */
export const REDRIVE_IDS_PER_CALL = 1000;

const redriveCommand = defineCommand({
  name: 'dead-letters redrive',
  summary: 'Queue dead letters again',
  synopsis: '<name> [id…]',
  args: ['name'],
  takesList: true,
  options: {},
  details: `Without ids, every dead letter of the function is queued again; with ids,
only those. Each keeps its invocation id, starts from attempt 0 with the function's
current async config, and runs on its latest version. Prints the ids queued.
The server redrives at most ${REDRIVE_IDS_PER_CALL} a call; the CLI calls again until none is left.`,
  async run({ args, rest: ids }, { out, client }) {
    const name = functionNameArg(args.name, 'dead-letters redrive');
    const redriven = await redriveAll(client, name, ids);
    if (redriven.length > 0) out.result(redriven.join('\n'));
    out.status(`Queued ${redriven.length} dead letter${redriven.length === 1 ? '' : 's'} again.`);
    return EXIT.ok;
  },
});

/**
 * Redrives `ids` in calls of at most REDRIVE_IDS_PER_CALL, or, without ids, every dead
 * letter: calls again while the server says more are left. It stops when a call brings
 * back an id already queued by this run: that event failed again meanwhile, and going on
 * would loop for as long as it keeps failing.
 */
export async function redriveAll(
  client: Pick<Client, 'redrive'>,
  name: string,
  ids: readonly string[],
): Promise<string[]> {
  const queued: string[] = [];
  if (ids.length > 0) {
    for (let i = 0; i < ids.length; i += REDRIVE_IDS_PER_CALL) {
      const batch = ids.slice(i, i + REDRIVE_IDS_PER_CALL);
      queued.push(...(await client.redrive(name, batch)).ids);
    }
    return queued;
  }
  const seen = new Set<string>();
  for (;;) {
    const { ids: batch, more } = await client.redrive(name);
    const fresh = batch.filter((id) => !seen.has(id));
    for (const id of fresh) seen.add(id);
    queued.push(...fresh);
    if (!more || fresh.length < batch.length || batch.length === 0) return queued;
  }
}

const rmCommand = defineCommand({
  name: 'dead-letters rm',
  summary: 'Drop a dead letter',
  synopsis: '<name> <id>',
  args: ['name', 'id'],
  options: {},
  details: 'The event is gone for good.',
  async run({ args }, { out, client }) {
    const name = functionNameArg(args.name, 'dead-letters rm');
    if (args.id.trim() === '') throw usageError('The invocation id is empty', 'dead-letters rm');
    await client.removeDeadLetter(name, args.id);
    out.status(`Dropped dead letter ${args.id} of ${name}.`);
    return EXIT.ok;
  },
});

export const deadLettersCommand = defineGroup({
  name: 'dead-letters',
  summary: 'List, redrive or drop the events that failed for good',
  subcommands: [lsCommand, redriveCommand, rmCommand],
});

import { parseScheduleName } from '@mini-lambda/core';
import type { Schedule } from '../api-schemas.ts';
import { functionNameArg } from '../args.ts';
import { EXIT, usageError } from '../cli-error.ts';
import type { ScheduleBody } from '../client.ts';
import { defineCommand } from '../command.ts';
import { defineGroup } from '../command-group.ts';
import { formatTable } from '../output.ts';

const JSON_HELP = `  --json            Print the server's answer as JSON`;

const addCommand = defineCommand({
  name: 'schedule add',
  summary: 'Create or replace a schedule that invokes a function',
  synopsis: '<name> <schedule> <expression> [--event JSON] [--timezone TZ] [--disabled]',
  args: ['name', 'schedule', 'expression'],
  options: {
    event: { type: 'string' },
    timezone: { type: 'string' },
    disabled: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  details: `Each tick invokes <name> asynchronously, once across all instances, with the event
{"id", "source": "mini-lambda.schedule", "schedule", "time", "detail": <--event>}.
Ticks missed while no instance ran are not replayed. Adding a schedule under a name
that exists replaces it.

<expression> (quote it in the shell):
  rate(N unit)      Every N seconds, minutes, hours or days: rate(5 minutes)
  cron(FIELDS)      5 fields (minute hour day-of-month month day-of-week), or 6 with
                    seconds first: cron(0 9 * * 1-5), cron(*/10 * * * * *)

Options:
  --event JSON      The detail every tick sends (default {})
  --timezone TZ     IANA time zone of a cron, e.g. Europe/Berlin (default UTC)
  --disabled        Create it paused: no ticks until added again without --disabled
${JSON_HELP}`,
  async run({ values, args }, { out, client }) {
    const command = 'schedule add';
    const name = functionNameArg(args.name, command);
    const schedule = scheduleNameArg(args.schedule, command);
    const body: ScheduleBody = { expression: args.expression };
    if (values.event !== undefined) body.event = parseJsonFlag('event', values.event, command);
    if (values.timezone !== undefined) body.timezone = values.timezone;
    if (values.disabled) body.enabled = false;
    const { schedule: saved, created } = await client.putSchedule(name, schedule, body);
    if (values.json) out.result(JSON.stringify(saved, null, 2));
    else out.result(`${created ? 'Created' : 'Replaced'} schedule ${describeSchedule(saved)}`);
    return EXIT.ok;
  },
});

const lsCommand = defineCommand({
  name: 'schedule ls',
  summary: "List a function's schedules",
  synopsis: '<name> [--json]',
  args: ['name'],
  options: { json: { type: 'boolean' } },
  details: `Options:\n${JSON_HELP}`,
  async run({ values, args }, { out, client }) {
    const schedules = await client.schedules(functionNameArg(args.name, 'schedule ls'));
    if (values.json) out.result(JSON.stringify({ schedules }, null, 2));
    else if (schedules.length === 0) out.status(`${args.name} has no schedules.`);
    else
      out.result(
        formatTable([
          ['NAME', 'EXPRESSION', 'TIMEZONE', 'ENABLED', 'NEXT RUN'],
          ...schedules.map((s) => [
            s.name,
            s.expression,
            // A rate ignores any time zone: showing one would suggest it matters.
            s.expression.startsWith('cron(') ? (s.timezone ?? 'UTC') : '-',
            s.enabled ? 'yes' : 'no',
            s.next_run ?? '-',
          ]),
        ]),
      );
    return EXIT.ok;
  },
});

const showCommand = defineCommand({
  name: 'schedule show',
  summary: 'Show a schedule with its last runs',
  synopsis: '<name> <schedule> [--json]',
  args: ['name', 'schedule'],
  options: { json: { type: 'boolean' } },
  details: `Options:\n${JSON_HELP}`,
  async run({ values, args }, { out, client }) {
    const name = functionNameArg(args.name, 'schedule show');
    const s = await client.schedule(name, scheduleNameArg(args.schedule, 'schedule show'));
    if (values.json) {
      out.result(JSON.stringify(s, null, 2));
      return EXIT.ok;
    }
    const runs = s.last_runs ?? [];
    const table =
      runs.length === 0
        ? 'No runs yet.'
        : formatTable([
            ['TICK', 'FIRED', 'INVOCATION', 'STATUS'],
            ...runs.map((r) => [r.tick, r.fired_at, r.invocation_id, r.status ?? '-']),
          ]);
    out.result(`${describeSchedule(s)}\nevent: ${JSON.stringify(s.event ?? null)}\n\n${table}`);
    return EXIT.ok;
  },
});

const rmCommand = defineCommand({
  name: 'schedule rm',
  summary: 'Delete a schedule',
  synopsis: '<name> <schedule>',
  args: ['name', 'schedule'],
  options: {},
  details: 'Ticks already queued still run.',
  async run({ args }, { out, client }) {
    const name = functionNameArg(args.name, 'schedule rm');
    const schedule = scheduleNameArg(args.schedule, 'schedule rm');
    await client.removeSchedule(name, schedule);
    out.status(`Deleted schedule ${schedule} of ${name}.`);
    return EXIT.ok;
  },
});

export const scheduleCommand = defineGroup({
  name: 'schedule',
  summary: 'Invoke a function on a rate or cron schedule',
  subcommands: [addCommand, lsCommand, showCommand, rmCommand],
});

/** `nightly of report: cron(0 9 * * *) in Europe/Berlin, next run 2026-…`. */
export function describeSchedule(s: Schedule): string {
  const zone = s.expression.startsWith('cron(') ? ` in ${s.timezone ?? 'UTC'}` : '';
  const when = s.enabled ? (s.next_run ? `next run ${s.next_run}` : 'no next run') : 'disabled';
  const fn = typeof s.function === 'string' ? ` of ${s.function}` : '';
  return `${s.name}${fn}: ${s.expression}${zone}, ${when}`;
}

function scheduleNameArg(name: string, command: string): string {
  try {
    return parseScheduleName(name);
  } catch (err) {
    throw usageError((err as Error).message, command);
  }
}

function parseJsonFlag(flag: string, text: string, command: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw usageError(`--${flag} is not valid JSON: ${(err as Error).message}`, command);
  }
}

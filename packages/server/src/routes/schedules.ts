import {
  MiniLambdaError,
  nextRun,
  parseFunctionName,
  parseSchedule,
  parseScheduleName,
  parseTimeZone,
} from '@mini-lambda/core';
import type { Registry, ScheduleRecord, ScheduleRun, Schedules } from '@mini-lambda/store';
import { Hono } from 'hono';
import { jsonDepth, memberText } from '../async/json-text.ts';
import { readBody } from '../body.ts';
import { parseJsonBody } from '../json-body.ts';
import { requireFunction, splicedJson } from './async-common.ts';

/** A schedule's event is at most 256 KB of JSON; the body around it adds little. */
const EVENT_LIMIT = 256 * 1024;
/** Arrays and objects in a schedule's event nest at most this deep. */
export const EVENT_MAX_DEPTH = 512;
const PUT_BODY_LIMIT = EVENT_LIMIT + 16 * 1024;
/** How many of a schedule's latest ticks `GET …/:schedule` shows. */
const LAST_RUNS = 10;
const KEYS = new Set(['expression', 'event', 'timezone', 'enabled']);

export interface ScheduleRouteDeps {
  registry: Pick<Registry, 'version'>;
  schedules: Pick<Schedules, 'put' | 'get' | 'list' | 'remove' | 'lastRuns' | 'now'>;
}

interface ScheduleInput {
  expression: string;
  timezone: string | null;
  event: string | null;
  enabled: boolean;
}

/** `PUT/GET/DELETE /functions/:name/schedules/:schedule` and the list (auth is the caller's). */
export function scheduleRoutes(deps: ScheduleRouteDeps) {
  return new Hono()
    .put('/functions/:name/schedules/:schedule', async (c) => {
      const name = parseFunctionName(c.req.param('name'));
      const schedule = parseScheduleName(c.req.param('schedule'));
      const body = await readBody(c, PUT_BODY_LIMIT);
      const input = parseScheduleBody(parseJsonBody(body), body.toString('utf8'));
      const spec = parseSchedule(input);
      const [existing, now] = await Promise.all([
        deps.schedules.get(name, schedule),
        deps.schedules.now(),
      ]);
      // A disabled schedule has no next run; putting the same timing again keeps its grid.
      const unchanged =
        existing?.enabled &&
        existing.nextRun !== null &&
        existing.nextRun > now &&
        existing.expression === input.expression &&
        existing.timezone === input.timezone;
      const next = !input.enabled
        ? null
        : unchanged
          ? existing.nextRun
          : (nextRun(spec, undefined, now) ?? null);
      // FunctionNotFound from the store when there is no such function.
      const record = await deps.schedules.put(name, schedule, { ...input, nextRun: next });
      return splicedJson(c, (raw) => scheduleJson(record, raw), record.created ? 201 : 200);
    })
    .get('/functions/:name/schedules', async (c) => {
      const name = parseFunctionName(c.req.param('name'));
      const list = await deps.schedules.list(name);
      if (list.length === 0) await requireFunction(deps.registry, name);
      return splicedJson(c, (raw) => ({ schedules: list.map((s) => scheduleJson(s, raw)) }));
    })
    .get('/functions/:name/schedules/:schedule', async (c) => {
      const name = parseFunctionName(c.req.param('name'));
      const schedule = parseScheduleName(c.req.param('schedule'));
      const record = await deps.schedules.get(name, schedule);
      if (!record) throw await scheduleNotFound(deps, name, schedule);
      const runs = await deps.schedules.lastRuns(name, schedule, LAST_RUNS);
      return splicedJson(c, (raw) => ({
        ...scheduleJson(record, raw),
        last_runs: runs.map(runJson),
      }));
    })
    .delete('/functions/:name/schedules/:schedule', async (c) => {
      const name = parseFunctionName(c.req.param('name'));
      const schedule = parseScheduleName(c.req.param('schedule'));
      if (await deps.schedules.remove(name, schedule)) return c.body(null, 204);
      throw await scheduleNotFound(deps, name, schedule);
    });
}

async function scheduleNotFound(deps: ScheduleRouteDeps, name: string, schedule: string) {
  await requireFunction(deps.registry, name);
  return new MiniLambdaError('ScheduleNotFound', `Function ${name} has no schedule ${schedule}`);
}

/**
 * `{expression, event?, timezone?, enabled?}` and nothing else. The event is kept as the
 * exact text it has in `text` (the body), so its numbers reach the function as sent.
 */
function parseScheduleBody(body: unknown, text: string): ScheduleInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid('The body must be a JSON object with an expression');
  }
  const fields = body as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!KEYS.has(key)) throw invalid(`Unknown schedule field ${JSON.stringify(key)}`);
  }
  const { expression, event, timezone, enabled } = fields;
  if (typeof expression !== 'string') throw invalid('expression must be a string');
  if (timezone !== undefined && timezone !== null && typeof timezone !== 'string') {
    throw invalid('timezone must be an IANA time zone name');
  }
  if (enabled !== undefined && typeof enabled !== 'boolean') {
    throw invalid('enabled must be true or false');
  }
  const eventText = event === undefined || event === null ? null : memberText(text, 'event');
  if (eventText === undefined) throw invalid('event could not be read'); // cannot happen: parsed
  if (eventText !== null && Buffer.byteLength(eventText) > EVENT_LIMIT) {
    throw invalid(`event must be at most ${EVENT_LIMIT} bytes of JSON`);
  }
  if (eventText !== null && jsonDepth(eventText, EVENT_MAX_DEPTH) > EVENT_MAX_DEPTH) {
    throw invalid(`event must nest arrays and objects at most ${EVENT_MAX_DEPTH} deep`);
  }
  return {
    expression,
    // Stored as Intl spells it, so `europe/berlin` and `Europe/Berlin` are one zone.
    timezone: typeof timezone === 'string' ? parseTimeZone(timezone) : null,
    event: eventText,
    enabled: enabled ?? true,
  };
}

function invalid(message: string): MiniLambdaError {
  return new MiniLambdaError('InvalidConfig', message);
}

/** The schedule JSON every route answers with (the list leaves out `last_runs`). */
function scheduleJson(s: ScheduleRecord, raw: (text: string | null) => unknown) {
  return {
    name: s.name,
    function: s.functionName,
    expression: s.expression,
    timezone: s.timezone,
    event: raw(s.event),
    enabled: s.enabled,
    next_run: s.nextRun ? s.nextRun.toISOString() : null,
    created_at: s.createdAt.toISOString(),
    updated_at: s.updatedAt.toISOString(),
  };
}

function runJson(r: ScheduleRun) {
  return {
    tick: r.tick.toISOString(),
    invocation_id: r.invocationId,
    fired_at: r.firedAt.toISOString(),
    status: r.status ?? null,
  };
}

import type { Sql, TransactionSql } from 'postgres';
import { type ScheduleRow, toSchedule } from './schedule-row.ts';
import type { ClaimOptions, ClaimResult } from './schedule-types.ts';
import { ASYNC_CHANNEL, type NewAsyncEvent } from './types.ts';

/** When a schedule the callbacks threw on is looked at again. */
const UNREADABLE_RETRY_MS = 60_000;

interface Firing {
  functionName: string;
  schedule: string;
  tick: Date;
  lagMs: number;
  event: NewAsyncEvent;
}

/**
 * Fires the due ticks of up to `o.limit` schedules, in a fixed number of statements
 * whatever the batch size. Claimers on other instances skip the rows this one locked, and
 * a row's next_run moves past now before the lock is released, so a tick is claimed once;
 * the tick's primary key makes that hold even if two claims ever met. Every time is the
 * database's: `now()` is the transaction's start.
 *
 * The function row is locked with the schedule (FOR KEY SHARE, for the events inserted
 * here), and both with SKIP LOCKED: a DELETE FROM functions holds the function row and
 * then waits for the schedule row it cascades to, so waiting for the function row here
 * while holding the schedule row would deadlock. Such a schedule is left for a later claim
 * (it is being deleted, or its function's row is being changed).
 */
export async function claimDue(sql: Sql, notify: boolean, o: ClaimOptions): Promise<ClaimResult> {
  return sql.begin(async (tx) => {
    const due = await tx<(ScheduleRow & { config: unknown; db_now: Date })[]>`
      SELECT s.*, f.config, now() AS db_now
      FROM schedules s JOIN functions f ON f.name = s.function_name
      WHERE s.enabled AND s.next_run <= now()
      ORDER BY s.next_run
      LIMIT ${o.limit}
      FOR UPDATE OF s SKIP LOCKED
      FOR KEY SHARE OF f SKIP LOCKED`;
    const result: ClaimResult = { fired: [], missed: [] };
    if (due.length === 0) return result;
    const now = (due[0] as { db_now: Date }).db_now;
    const firings: Firing[] = [];
    const moves: { functionName: string; name: string; next: Date | null }[] = [];
    for (const { config, db_now: _, ...row } of due) {
      const s = toSchedule(row);
      const tick = row.next_run as Date; // due rows have one
      const lagMs = now.getTime() - tick.getTime();
      try {
        const graceMs = typeof o.graceMs === 'number' ? o.graceMs : o.graceMs(s);
        const next = o.next(s, now);
        if (lagMs <= graceMs) {
          const event = o.event(s, tick, config);
          firings.push({ functionName: s.functionName, schedule: s.name, tick, lagMs, event });
        } else {
          result.missed.push({ functionName: s.functionName, schedule: s.name, tick });
        }
        moves.push({ functionName: s.functionName, name: s.name, next });
      } catch (err) {
        // A schedule the callbacks cannot read (say, a time zone the system no longer
        // knows) must not hold up the rest of the batch: missed, looked at again later.
        const error = err instanceof Error ? err.message : String(err);
        result.missed.push({ functionName: s.functionName, schedule: s.name, tick, error });
        const later = new Date(now.getTime() + UNREADABLE_RETRY_MS);
        moves.push({ functionName: s.functionName, name: s.name, next: later });
      }
    }
    const fired = await fire(tx, notify, firings);
    for (const f of firings) {
      const where = { functionName: f.functionName, schedule: f.schedule, tick: f.tick };
      const outcome = fired.get(f.event.id);
      if (outcome === 'fired')
        result.fired.push({ ...where, lagMs: f.lagMs, invocationId: f.event.id });
      // No event (it named a function that does not exist): the tick did not fire.
      else if (outcome === 'orphan') result.missed.push(where);
      // undefined: the tick had fired already (its row existed), nothing sent again.
    }
    await tx`
      UPDATE schedules s SET next_run = m.next
      FROM unnest(${tx.array(moves.map((m) => m.functionName))}::text[],
                  ${tx.array(moves.map((m) => m.name))}::text[],
                  ${tx.array(moves.map((m) => m.next?.toISOString() ?? null))}::timestamptz[])
        AS m(function_name, name, next)
      WHERE s.function_name = m.function_name AND s.name = m.name`;
    return result;
  });
}

/**
 * Inserts the ticks that are new (ON CONFLICT DO NOTHING) and the events of exactly those,
 * in one statement; a tick whose event could not be inserted is deleted again. Returns, per
 * event id, 'fired' or 'orphan'; ids of ticks that already existed are absent.
 */
async function fire(
  tx: TransactionSql,
  notify: boolean,
  firings: readonly Firing[],
): Promise<Map<string, 'fired' | 'orphan'>> {
  const outcome = new Map<string, 'fired' | 'orphan'>();
  if (firings.length === 0) return outcome;
  const col = (f: (x: Firing) => string | number | null) => tx.array(firings.map(f));
  const rows = await tx<{ id: string; sent: boolean }[]>`
    WITH input AS (
      SELECT * FROM unnest(
        ${col((f) => f.functionName)}::text[], ${col((f) => f.schedule)}::text[],
        ${col((f) => f.tick.toISOString())}::timestamptz[], ${col((f) => f.event.id)}::uuid[],
        ${col((f) => f.event.functionName)}::text[], ${col((f) => f.event.version ?? null)}::integer[],
        ${col((f) => f.event.payload)}::text[], ${col((f) => f.event.policy.maxRetries)}::integer[],
        ${col((f) => f.event.policy.retryDelayMs)}::integer[],
        ${col((f) => f.event.policy.maxEventAgeS)}::integer[],
        ${col((f) => f.event.depth ?? 0)}::integer[]
      ) AS i(schedule_fn, schedule, tick, id, function_name, version, payload,
             max_retries, retry_delay_ms, max_event_age_s, depth)
    ), ticks AS (
      INSERT INTO schedule_ticks (function_name, schedule, tick, invocation_id)
      SELECT schedule_fn, schedule, tick, id FROM input
      ON CONFLICT DO NOTHING
      RETURNING invocation_id
    ), events AS (
      INSERT INTO async_events
        (id, function_name, version, payload, max_retries, retry_delay_ms, max_event_age_s, depth)
      SELECT i.id, f.name, i.version, i.payload, i.max_retries, i.retry_delay_ms,
        i.max_event_age_s, i.depth
      FROM input i JOIN ticks t ON t.invocation_id = i.id JOIN functions f ON f.name = i.function_name
      FOR KEY SHARE OF f
      RETURNING id, function_name
    )
    -- NOTIFY is sent at commit, so a listener never wakes before the rows are visible.
    SELECT t.invocation_id AS id, (e.id IS NOT NULL) AS sent
      ${notify ? tx`, CASE WHEN e.id IS NOT NULL THEN pg_notify(${ASYNC_CHANNEL}, e.function_name) END` : tx``}
    FROM ticks t LEFT JOIN events e ON e.id = t.invocation_id`;
  const orphans: string[] = [];
  for (const r of rows) {
    outcome.set(r.id, r.sent ? 'fired' : 'orphan');
    if (!r.sent) orphans.push(r.id);
  }
  if (orphans.length > 0) {
    await tx`DELETE FROM schedule_ticks WHERE invocation_id = ANY(${tx.array(orphans)}::uuid[])`;
  }
  return outcome;
}

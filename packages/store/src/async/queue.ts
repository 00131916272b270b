import { functionNotFound, isInvocationId } from '@mini-lambda/core';
import type { Sql } from 'postgres';
import { complete, extend, release, renew } from './complete.ts';
import { createDeadLetters } from './dead-letters.ts';
import { purge } from './purge.ts';
import { insertEvent } from './rows.ts';
import { reclaim, take } from './take.ts';
import type { AsyncError, AsyncQueue, AsyncState, InvocationStatus } from './types.ts';

export interface AsyncQueueOptions {
  /**
   * Announce enqueues on ASYNC_CHANNEL. Off on the embedded database, whose single
   * connection has no other listener to wake.
   */
  notify: boolean;
}

interface StatusRow {
  id: string;
  function_name: string;
  state: AsyncState;
  attempts: number;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  result: string | null;
  error: AsyncError | null;
}

/** The durable queue of asynchronous invocations, in PostgreSQL. */
export function createAsyncQueue(sql: Sql, options: AsyncQueueOptions): AsyncQueue {
  const { notify } = options;
  return {
    /** FunctionNotFound when there is no such function (deleted since it was looked up). */
    async enqueue(e, o) {
      if (!(await insertEvent(sql, e, o?.notify ?? notify))) throw functionNotFound(e.functionName);
    },

    async readyFunctions() {
      const rows = await sql<{ function_name: string }[]>`
        ${soonestPerFunction(sql)}
        SELECT f AS function_name FROM soonest WHERE run_after <= now()
        ORDER BY run_after, f`;
      return rows.map((r) => r.function_name);
    },

    take: (fn, limit, leaseMs, instance) => take(sql, fn, limit, leaseMs, instance),
    reclaim: (limit, leaseMs, instance) => reclaim(sql, limit, leaseMs, instance),

    release: (events, delayMs) => release(sql, events, delayMs),
    extend: (t, leaseMs) => extend(sql, t, leaseMs),
    renew: (events, graceMs) => renew(sql, events, graceMs),

    async msUntilNextReady() {
      const [row] = await sql<{ ms: number | null }[]>`
        ${soonestPerFunction(sql)}
        SELECT (extract(epoch FROM min(run_after) - now()) * 1000)::double precision AS ms
        FROM soonest`;
      return row?.ms == null ? undefined : Math.max(0, Math.ceil(row.ms));
    },

    complete: (t, instance, c) => complete(sql, notify, t, instance, c),

    async status(fn, id) {
      if (!isInvocationId(id)) return undefined;
      const [row] = await sql<StatusRow[]>`
        SELECT id, function_name, state, attempts, created_at, started_at, finished_at, result, error
        FROM async_events WHERE id = ${id} AND function_name = ${fn}`;
      return row ? toStatus(row) : undefined;
    },

    async depth() {
      const rows = await sql<{ function_name: string; queued: number; oldest_age_s: number }[]>`
        SELECT function_name, count(*)::integer AS queued,
          greatest(0, extract(epoch FROM now() - min(accepted_at)))::double precision AS oldest_age_s
        FROM async_events WHERE state = 'queued'
        GROUP BY function_name ORDER BY function_name`;
      return rows.map((r) => ({
        functionName: r.function_name,
        queued: r.queued,
        oldestAgeS: r.oldest_age_s,
      }));
    },

    purge: (retainS, deadLetterRetainS, limit) => purge(sql, retainS, deadLetterRetainS, limit),
    deadLetters: createDeadLetters(sql),
  };
}

/**
 * `soonest(f, run_after)`: each function with a queued event, and its soonest run_after.
 * A loose index scan of async_events_ready: it hops from one function to the next on the
 * index (one probe each) instead of reading every queued row, so it costs the number of
 * functions, not the size of the backlog.
 */
function soonestPerFunction(sql: Sql) {
  return sql`
    WITH RECURSIVE fns(f) AS (
      SELECT min(function_name) FROM async_events WHERE state = 'queued'
      UNION ALL
      SELECT (SELECT min(function_name) FROM async_events
              WHERE state = 'queued' AND function_name > fns.f)
      FROM fns WHERE fns.f IS NOT NULL
    ), soonest AS (
      SELECT fns.f, r.run_after FROM fns
      CROSS JOIN LATERAL (
        SELECT run_after FROM async_events
        WHERE function_name = fns.f AND state = 'queued'
        ORDER BY run_after LIMIT 1) r
      WHERE fns.f IS NOT NULL
    )`;
}

function toStatus(row: StatusRow): InvocationStatus {
  return {
    id: row.id,
    functionName: row.function_name,
    status: row.state,
    attempts: row.attempts,
    createdAt: row.created_at,
    ...(row.started_at ? { startedAt: row.started_at } : {}),
    ...(row.finished_at ? { finishedAt: row.finished_at } : {}),
    ...(row.result !== null ? { result: row.result } : {}),
    // A success after retries keeps the last failure in its row, but it is not the outcome.
    ...(row.error && row.state !== 'succeeded' ? { error: row.error } : {}),
  };
}

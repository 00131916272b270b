import type { Sql, TransactionSql } from 'postgres';
import { ASYNC_CHANNEL, type AsyncError, type NewAsyncEvent, type TakenEvent } from './types.ts';

/** A connection pool or an open transaction: the helpers here run in either. */
export type Db = Sql | TransactionSql;

/** What a taking statement returns; `RETURNING` lists it with the table aliased `e`. */
export interface TakenRow {
  id: string;
  function_name: string;
  version: number | null;
  payload: string;
  attempts: number;
  max_retries: number;
  retry_delay_ms: number;
  max_event_age_s: number;
  depth: number;
  accepted_at: Date;
  created_at: Date;
  run_after: Date;
  lease: string;
  aged: boolean;
}

/** Whether the event `e` (as it was before the statement) is past its max age by now(). */
export function agedSql(db: Db) {
  return db`(e.accepted_at + e.max_event_age_s * interval '1 second' < now())`;
}

/** The RETURNING list of a take, as one fragment so take and reclaim cannot drift apart. */
export function takenColumns(db: Db) {
  return db`e.id, e.function_name, e.version, e.payload, e.attempts, e.max_retries,
    e.retry_delay_ms, e.max_event_age_s, e.depth, e.accepted_at, e.created_at, e.run_after,
    e.lease, ${agedSql(db)} AS aged`;
}

export function toTaken(row: TakenRow, lost: boolean): TakenEvent {
  return {
    id: row.id,
    lease: row.lease,
    lost,
    functionName: row.function_name,
    version: row.version,
    payload: row.payload,
    attempts: row.attempts,
    policy: {
      maxRetries: row.max_retries,
      retryDelayMs: row.retry_delay_ms,
      maxEventAgeS: row.max_event_age_s,
    },
    depth: row.depth,
    acceptedAt: row.accepted_at,
    createdAt: row.created_at,
    aged: row.aged,
  };
}

/** Taken rows in the order they became due (RETURNING promises no order). */
export function byRunAfter(rows: readonly TakenRow[], lost: boolean): TakenEvent[] {
  return [...rows]
    .sort((a, b) => a.run_after.getTime() - b.run_after.getTime() || a.id.localeCompare(b.id))
    .map((r) => toTaken(r, lost));
}

/** Longest stored error message, in UTF-16 code units; a function's message can be megabytes. */
export const MAX_ERROR_MESSAGE = 4096;
/** Longest stored error code or name. */
export const MAX_ERROR_NAME = 256;

/**
 * `text` as jsonb can store it, at most `max` code units: jsonb refuses U+0000 and lone
 * surrogates (a function's error may carry either), so both become U+FFFD. A cut through a
 * surrogate pair leaves a lone one, which is replaced the same way.
 */
export function jsonbSafe(text: string, max: number): string {
  const cut = text.length > max ? text.slice(0, max) : text;
  return cut.replaceAll('\u0000', '\uFFFD').toWellFormed();
}

/**
 * An error as a jsonb parameter: `db.json()` of a plain object. (A JSON string would be
 * stored as a jsonb string, since postgres.js encodes whatever goes to a jsonb parameter.)
 */
export function errorJson(db: Db, error: AsyncError) {
  const value: Record<string, string> = {
    code: jsonbSafe(String(error.code), MAX_ERROR_NAME),
    message: jsonbSafe(String(error.message), MAX_ERROR_MESSAGE),
  };
  if (error.name !== undefined) value.name = jsonbSafe(String(error.name), MAX_ERROR_NAME);
  return db.json(value);
}

/**
 * Inserts `e` in one statement, announcing it on ASYNC_CHANNEL when `notify` (NOTIFY is
 * sent at commit, so a listener never wakes before the row is visible). The row comes
 * from the function's own row, locked FOR KEY SHARE: a function deleted meanwhile yields
 * no row instead of a foreign-key error that would abort the caller's transaction.
 * Returns false when there is no such function.
 */
export async function insertEvent(db: Db, e: NewAsyncEvent, notify: boolean): Promise<boolean> {
  const rows = await db`
    WITH inserted AS (
      INSERT INTO async_events
        (id, function_name, version, payload, max_retries, retry_delay_ms, max_event_age_s, depth)
      SELECT ${e.id}::uuid, f.name, ${e.version ?? null}::integer, ${e.payload}::text,
        ${e.policy.maxRetries}::integer, ${e.policy.retryDelayMs}::integer,
        ${e.policy.maxEventAgeS}::integer, ${e.depth ?? 0}::integer
      FROM functions f WHERE f.name = ${e.functionName}
      FOR KEY SHARE
      RETURNING function_name
    )
    SELECT ${notify ? db`pg_notify(${ASYNC_CHANNEL}, function_name)` : db`1`} FROM inserted`;
  return rows.length > 0;
}

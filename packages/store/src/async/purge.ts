import type { Sql } from 'postgres';
import type { PurgeResult } from './types.ts';

// Any fixed number, distinct from the migration lock: one purger at a time across instances.
const PURGE_LOCK = 7_345_002;

/** Each schedule keeps this many newest ticks, however old, for its "last runs". */
export const KEEP_TICKS = 10;

/**
 * Deletes what retention no longer keeps, at most `limit` rows per table so one pass stays
 * short; `more` tells the caller to run it again for the rest. A finished event goes even
 * when it is dead: its dead letter holds a copy (a redrive brings it back).
 *
 * Each outer DELETE repeats its sub-select's condition. Under READ COMMITTED, a DELETE that
 * meets a row changed meanwhile (a redrive just queued the dead event again) rechecks only
 * its own WHERE against the new version; `id IN (<list computed before>)` alone would
 * still match, and the redriven event would be deleted.
 */
export async function purge(
  sql: Sql,
  retainS: number,
  deadLetterRetainS: number,
  limit: number,
): Promise<PurgeResult> {
  return sql.begin(async (tx) => {
    const [lock] = await tx<
      { got: boolean }[]
    >`SELECT pg_try_advisory_xact_lock(${PURGE_LOCK}) AS got`;
    if (!lock?.got) return { events: 0, deadLetters: 0, ticks: 0, more: false };
    const oldEvent = tx`finished_at < now() - ${retainS}::double precision * interval '1 second'`;
    const events = await tx`
      DELETE FROM async_events WHERE id IN (
        SELECT id FROM async_events WHERE ${oldEvent} LIMIT ${limit})
      AND ${oldEvent}`;
    const oldLetter = tx`
      failed_at < now() - ${deadLetterRetainS}::double precision * interval '1 second'`;
    const letters = await tx`
      DELETE FROM dead_letters WHERE invocation_id IN (
        SELECT invocation_id FROM dead_letters WHERE ${oldLetter} LIMIT ${limit})
      AND ${oldLetter}`;
    // A tick goes when it is old and its schedule has KEEP_TICKS newer ones: the newest
    // ticks are found on the primary key, a few index rows per candidate. Ticks are never
    // updated, so only the age needs the recheck.
    const tickCutoff = tx`now() - ${retainS}::double precision * interval '1 second'`;
    const ticks = await tx`
      DELETE FROM schedule_ticks WHERE (function_name, schedule, tick) IN (
        SELECT t.function_name, t.schedule, t.tick FROM schedule_ticks t
        WHERE t.tick < ${tickCutoff}
          AND t.tick < (
            SELECT n.tick FROM schedule_ticks n
            WHERE n.function_name = t.function_name AND n.schedule = t.schedule
            ORDER BY n.tick DESC OFFSET ${KEEP_TICKS - 1} LIMIT 1)
        LIMIT ${limit})
      AND tick < ${tickCutoff}`;
    return {
      events: events.count,
      deadLetters: letters.count,
      ticks: ticks.count,
      more: events.count >= limit || letters.count >= limit || ticks.count >= limit,
    };
  });
}

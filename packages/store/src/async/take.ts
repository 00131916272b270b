import { agedSql, byRunAfter, type Db, type TakenRow, takenColumns } from './rows.ts';
import type { TakenEvent } from './types.ts';

/**
 * Leases up to `limit` due events of `fn` to `instance`. SKIP LOCKED lets instances take
 * concurrently without waiting on or sharing a row. The pick is a MATERIALIZED CTE so its
 * LIMIT runs exactly once, whatever plan the UPDATE gets.
 */
export async function take(
  db: Db,
  fn: string,
  limit: number,
  leaseMs: number,
  instance: string,
): Promise<TakenEvent[]> {
  const rows = await db<TakenRow[]>`
    WITH picked AS MATERIALIZED (
      SELECT id FROM async_events
      WHERE function_name = ${fn} AND state = 'queued' AND run_after <= now()
      ORDER BY run_after
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    )
    UPDATE async_events e
    SET state = 'running', attempts = e.attempts + 1,
        -- An aged event is not run, so its take is no start (its completion gives the
        -- attempt back too).
        started_at = CASE WHEN ${agedSql(db)} THEN e.started_at ELSE now() END,
        lease_until = now() + ${leaseMs}::double precision * interval '1 millisecond',
        leased_by = ${instance}, lease = gen_random_uuid()
    FROM picked WHERE e.id = picked.id
    RETURNING ${takenColumns(db)}`;
  return byRunAfter(rows, false);
}

/**
 * A delivery whose instance vanished is not the function's failure: it is queued again at
 * once, attempt not counted. Only this many losses in a row count as a failed attempt (a
 * function that takes its instance down with it must not loop forever). A delivery that
 * ends (other than by a release, or as a lost one) resets the count.
 */
export const MAX_LOST_DELIVERIES = 3;

/**
 * Handles events whose lease expired (their instance died or stalled). Below
 * MAX_LOST_DELIVERIES losses an event is queued again, due now, with the attempt taken
 * back; these are not returned. At the limit it is leased to `instance` with its attempts
 * as they were and returned: the caller finishes each as a failed attempt. Either way the
 * old holder's `complete` then misses its guard and writes nothing.
 */
export async function reclaim(
  db: Db,
  limit: number,
  leaseMs: number,
  instance: string,
): Promise<TakenEvent[]> {
  // Every SET expression reads the row as it was, so `lost` is the count before this loss.
  const lost = db`e.lost_deliveries + 1 >= ${MAX_LOST_DELIVERIES}`;
  const rows = await db<(TakenRow & { state: string })[]>`
    WITH picked AS MATERIALIZED (
      SELECT id FROM async_events
      WHERE state = 'running' AND lease_until < now()
      ORDER BY lease_until
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    )
    UPDATE async_events e
    SET lost_deliveries = e.lost_deliveries + 1,
        state = CASE WHEN ${lost} THEN 'running' ELSE 'queued' END,
        attempts = CASE WHEN ${lost} THEN e.attempts ELSE e.attempts - 1 END,
        run_after = CASE WHEN ${lost} THEN e.run_after ELSE now() END,
        lease_until = CASE WHEN ${lost}
          THEN now() + ${leaseMs}::double precision * interval '1 millisecond' END,
        leased_by = CASE WHEN ${lost} THEN ${instance} END,
        lease = CASE WHEN ${lost} THEN gen_random_uuid() END
    FROM picked WHERE e.id = picked.id
    RETURNING ${takenColumns(db)}, e.state`;
  return byRunAfter(
    rows.filter((r) => r.state === 'running'),
    true,
  );
}

import type { Sql } from 'postgres';
import { type Db, errorJson, insertEvent } from './rows.ts';
import type { AsyncError, CompleteResult, Completion, NewAsyncEvent, TakenEvent } from './types.ts';

/** Results past this are not kept (the status then has no result). */
export const MAX_RESULT_BYTES = 1024 * 1024;

/** The delivery still holds the event: nobody reclaimed, released, redrove or deleted it. */
function owned(db: Db, t: TakenEvent, instance: string) {
  return db`id = ${t.id} AND state = 'running' AND lease = ${t.lease}::uuid AND leased_by = ${instance}`;
}

function after(db: Db, delayMs: number) {
  return db`now() + ${delayMs}::double precision * interval '1 millisecond'`;
}

/**
 * What every completion but a release sets besides its state: the lease goes; an aged
 * event that was taken but not run gives its attempt back; and a delivery that ended
 * resets the count of lost ones in a row (the completion of a lost one does not).
 */
function ended(db: Db, t: TakenEvent) {
  const notRun = t.aged && !t.lost;
  return db`lease_until = NULL, leased_by = NULL, lease = NULL,
    attempts = attempts - ${notRun ? 1 : 0}::integer,
    lost_deliveries = ${t.lost ? db`lost_deliveries` : db`0`}`;
}

/**
 * Records how a delivery ended, if the delivery still holds the event (else 'lease_lost',
 * writing nothing). What goes with it (a destination event, a dead letter) is in the same
 * transaction, so a crash never leaves one without the other.
 */
export async function complete(
  sql: Sql,
  notify: boolean,
  t: TakenEvent,
  instance: string,
  c: Completion,
): Promise<CompleteResult> {
  switch (c.kind) {
    case 'retry': {
      const done = await sql`
        UPDATE async_events SET state = 'queued', run_after = ${after(sql, c.delayMs)},
          error = ${errorJson(sql, c.error)}, ${ended(sql, t)}
        WHERE ${owned(sql, t, instance)}`;
      return done.count === 1 ? 'done' : 'lease_lost';
    }
    case 'released':
      return (await release(sql, [t], c.delayMs)) === 1 ? 'done' : 'lease_lost';
    case 'succeeded':
      return succeed(sql, notify, t, instance, c.result, c.destination);
    case 'failed':
      return sql.begin(async (tx) => {
        await lockFunctions(tx, t, c.destination);
        if (!(await finish(tx, t, instance, 'failed', c.error))) return 'lease_lost';
        if (await insertEvent(tx, c.destination, notify)) return 'done';
        await bury(tx, t, c.error);
        return 'destination_missing';
      });
    case 'dead':
      return sql.begin(async (tx) => {
        await lockFunctions(tx, t);
        if (!(await finish(tx, t, instance, 'dead', c.error))) return 'lease_lost';
        await deadLetter(tx, t, c.error);
        return 'done';
      });
  }
}

/**
 * Queues events again without counting their attempts or ending a run of lost deliveries
 * (they were not run), if their deliveries still hold them. One statement for all.
 */
export async function release(
  db: Db,
  events: readonly TakenEvent[],
  delayMs: number,
): Promise<number> {
  if (events.length === 0) return 0;
  // A lost delivery handed out by reclaim was not counted by a take: nothing to give back.
  const done = await db`
    UPDATE async_events e SET state = 'queued', run_after = ${after(db, delayMs)},
      attempts = e.attempts - r.taken, lease_until = NULL, leased_by = NULL, lease = NULL
    FROM unnest(${db.array(events.map((t) => t.id))}::uuid[],
                ${db.array(events.map((t) => t.lease))}::uuid[],
                ${db.array(events.map((t) => (t.lost ? 0 : 1)))}::integer[]) AS r(id, lease, taken)
    WHERE e.id = r.id AND e.lease = r.lease AND e.state = 'running'`;
  return done.count;
}

/** A longer lease for a delivery that still holds it (its run starts late, or runs long). */
export async function extend(db: Db, t: TakenEvent, leaseMs: number): Promise<boolean> {
  const done = await db`
    UPDATE async_events SET lease_until = ${after(db, leaseMs)}
    WHERE id = ${t.id} AND state = 'running' AND lease = ${t.lease}::uuid`;
  return done.count === 1;
}

export async function renew(
  db: Db,
  events: readonly TakenEvent[],
  graceMs: number,
): Promise<number> {
  if (events.length === 0) return 0;
  const done = await db`
    UPDATE async_events SET lease_until = GREATEST(lease_until, ${after(db, graceMs)})
    WHERE id = ANY(${db.array(events.map((e) => e.id))}::uuid[])
      AND lease = ANY(${db.array(events.map((e) => e.lease))}::uuid[])
      AND state = 'running'`;
  return done.count;
}

/**
 * Locks the functions a completion writes rows for (FOR KEY SHARE) before it touches the
 * event row. A DELETE FROM functions locks the function row first and then, cascading,
 * the event rows; taking them in the same order means the two never wait on each other in
 * a cycle (deadlock) when the event's dead letter or destination needs that function row.
 */
async function lockFunctions(db: Db, t: TakenEvent, destination?: NewAsyncEvent): Promise<void> {
  const names = [t.functionName];
  if (destination && destination.functionName !== t.functionName) {
    names.push(destination.functionName);
  }
  await db`SELECT 1 FROM functions WHERE name = ANY(${db.array(names)}::text[]) FOR KEY SHARE`;
}

async function succeed(
  sql: Sql,
  notify: boolean,
  t: TakenEvent,
  instance: string,
  result: string | null,
  destination: NewAsyncEvent | undefined,
): Promise<CompleteResult> {
  const mark = async (db: Db) => {
    // A result past the limit is dropped here too, whatever the caller checked.
    const done = await db`
      UPDATE async_events SET state = 'succeeded', finished_at = now(),
        result = CASE WHEN octet_length(v.r) <= ${MAX_RESULT_BYTES} THEN v.r END, ${ended(db, t)}
      FROM (SELECT ${result}::text AS r) v
      WHERE ${owned(db, t, instance)}`;
    return done.count === 1;
  };
  // The common case is one statement, without a transaction's extra round trips.
  if (!destination) return (await mark(sql)) ? 'done' : 'lease_lost';
  return sql.begin(async (tx) => {
    await lockFunctions(tx, t, destination);
    if (!(await mark(tx))) return 'lease_lost';
    return (await insertEvent(tx, destination, notify)) ? 'done' : 'destination_missing';
  });
}

async function finish(
  db: Db,
  t: TakenEvent,
  instance: string,
  state: 'failed' | 'dead',
  error: AsyncError,
): Promise<boolean> {
  const done = await db`
    UPDATE async_events SET state = ${state}, finished_at = now(),
      error = ${errorJson(db, error)}, ${ended(db, t)}
    WHERE ${owned(db, t, instance)}`;
  return done.count === 1;
}

/** A failure whose destination vanished: a dead letter after all. */
async function bury(db: Db, t: TakenEvent, error: AsyncError): Promise<void> {
  await db`UPDATE async_events SET state = 'dead' WHERE id = ${t.id}`;
  await deadLetter(db, t, error);
}

/**
 * Copies the event (already finished by this transaction) into dead_letters, from its row
 * rather than from `t` so a large payload does not travel back. Upserts: a redriven event
 * that dies again replaces its earlier letter.
 */
async function deadLetter(db: Db, t: TakenEvent, error: AsyncError): Promise<void> {
  await db`
    INSERT INTO dead_letters (invocation_id, function_name, payload, error, attempts, depth)
    SELECT id, function_name, payload, ${errorJson(db, error)}, attempts, depth
    FROM async_events WHERE id = ${t.id}
    ON CONFLICT (invocation_id) DO UPDATE
      SET payload = EXCLUDED.payload, error = EXCLUDED.error, attempts = EXCLUDED.attempts,
          depth = EXCLUDED.depth, failed_at = now()`;
}

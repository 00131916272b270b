import { startPostgres, type TestPostgres } from '@mini-lambda/testkit/postgres';
import { until } from '@mini-lambda/testkit/wait';
import postgres, { type Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ASYNC_CHANNEL,
  type Completion,
  createAsyncQueue,
  createRegistry,
  createSchedules,
  migrateUp,
  migrationsDir,
  readMigrations,
} from '../src/index.ts';
import { type AsyncEnv, newEvent, newFunction } from './async-contract.ts';

// Races between statements of different connections: they need a real server's locks.
let pg: TestPostgres;
let sql: Sql;
let env: AsyncEnv;
/** A second connection: the one that races (another instance, or a user's DELETE). */
let other: Sql;

beforeAll(async () => {
  pg = await startPostgres();
  sql = postgres(pg.url, { max: 4, onnotice: () => {} });
  await migrateUp(sql, await readMigrations(migrationsDir));
  env = {
    sql,
    queue: createAsyncQueue(sql, { notify: false }),
    schedules: createSchedules(sql, { notify: false }),
    registry: createRegistry(sql),
  };
  other = postgres(pg.url, { max: 1, onnotice: () => {} });
  await other`SELECT 1`;
});

afterAll(async () => {
  await other?.end({ timeout: 5 });
  await sql?.end({ timeout: 5 });
  await pg?.stop();
});

const settle = <T>(p: Promise<T>) =>
  p.then(
    (value) => ({ ok: true as const, value }),
    (err: Error) => ({ ok: false as const, error: err.message }),
  );
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `race` while another connection holds the function's row FOR UPDATE (as a config
 * PATCH does), then deletes the function on that connection and commits. With the locks in
 * the wrong order, `race` holds a row the DELETE cascades to and waits for the function
 * row: a deadlock, and one of the two fails.
 */
async function raceWithDelete<T>(fn: string, race: () => Promise<T>) {
  let raced: Promise<{ ok: true; value: T } | { ok: false; error: string }> | undefined;
  const deleted = await settle(
    other.begin(async (tx) => {
      await tx`SELECT 1 FROM functions WHERE name = ${fn} FOR UPDATE`;
      raced = settle(race());
      await pause(300); // the race runs into the held row meanwhile
      await tx`DELETE FROM functions WHERE name = ${fn}`;
    }),
  );
  return { deleted, raced: await raced };
}

describe('async locks on postgresql', () => {
  it('a purge does not delete an event a redrive queues again meanwhile', async () => {
    const fn = await newFunction(env, 'l-purge');
    const e = newEvent(fn);
    await env.queue.enqueue(e);
    const [t] = await env.queue.take(fn, 1, 60_000, 'a');
    if (!t) throw new Error('nothing taken');
    const dead = { kind: 'dead', error: { code: 'X', message: 'm' } } as const;
    expect(await env.queue.complete(t, 'a', dead)).toBe('done');
    await sql`UPDATE async_events SET finished_at = now() - interval '2 days' WHERE id = ${e.id}`;
    await sql`UPDATE dead_letters SET failed_at = now() - interval '20 days'
              WHERE invocation_id = ${e.id}`;
    let purged: Promise<unknown> | undefined;
    await other.begin(async (tx) => {
      // What a redrive does to the event row, and a death again to the letter, uncommitted
      // while the purge starts: it picks both rows, then waits for them.
      await tx`UPDATE async_events SET state = 'queued', finished_at = NULL WHERE id = ${e.id}`;
      await tx`UPDATE dead_letters SET failed_at = now() WHERE invocation_id = ${e.id}`;
      purged = env.queue.purge(86_400, 14 * 86_400, 1000);
      await pause(300);
    });
    expect(await purged).toEqual({ events: 0, deadLetters: 0, ticks: 0, more: false });
    expect(await env.queue.status(fn, e.id)).toMatchObject({ status: 'queued' });
    expect((await env.queue.deadLetters.list(fn, 10)).length).toBe(1);
  });

  it('claims due schedules next to a DELETE of their function without a deadlock', async () => {
    const fn = await newFunction(env, 'l-claim');
    const now = await env.schedules.now();
    await env.schedules.put(fn, 's', {
      expression: 'rate(1 second)',
      timezone: null,
      event: null,
      enabled: true,
      nextRun: new Date(now.getTime() - 10),
    });
    const { deleted, raced } = await raceWithDelete(fn, () =>
      env.schedules.claimDue({
        limit: 100,
        graceMs: 60_000,
        next: () => null,
        event: (s) => newEvent(s.functionName),
      }),
    );
    expect(deleted).toMatchObject({ ok: true });
    expect(raced).toMatchObject({ ok: true });
    // The schedule was left alone (its function was locked), then went with the function.
    if (raced?.ok) expect(raced.value.fired.filter((f) => f.functionName === fn)).toEqual([]);
    expect(await env.schedules.get(fn, 's')).toBeUndefined();
  });

  for (const kind of ['succeeded', 'failed', 'dead'] as const) {
    it(`completes (${kind}, destination itself) next to a DELETE of the function`, async () => {
      const fn = await newFunction(env, `l-complete-${kind}`);
      await env.queue.enqueue(newEvent(fn));
      const [t] = await env.queue.take(fn, 1, 60_000, 'a');
      if (!t) throw new Error('nothing taken');
      const error = { code: 'E', message: 'm' };
      const c: Completion =
        kind === 'succeeded'
          ? { kind, result: '1', destination: newEvent(fn) }
          : kind === 'failed'
            ? { kind, error, destination: newEvent(fn) }
            : { kind, error };
      const { deleted, raced } = await raceWithDelete(fn, () => env.queue.complete(t, 'a', c));
      expect(deleted).toMatchObject({ ok: true });
      expect(raced).toEqual({ ok: true, value: 'lease_lost' });
      const [left] = await sql<{ n: number }[]>`
        SELECT (SELECT count(*) FROM async_events WHERE function_name = ${fn})
             + (SELECT count(*) FROM dead_letters WHERE function_name = ${fn}) AS n`;
      expect(Number(left?.n)).toBe(0);
    });
  }

  it('claims a batch of schedules in a fixed number of statements', async () => {
    const fn = await newFunction(env, 'l-statements');
    const now = await env.schedules.now();
    await sql`
      INSERT INTO schedules (function_name, name, expression, next_run)
      SELECT ${fn}, 's' || i, 'rate(1 minute)', ${new Date(now.getTime() - 100)}::timestamptz
      FROM generate_series(1, 50) i`;
    let statements = 0;
    const counted = postgres(pg.url, { max: 1, onnotice: () => {}, debug: () => statements++ });
    try {
      const result = await createSchedules(counted, { notify: true }).claimDue({
        limit: 1000,
        graceMs: 60_000,
        next: () => new Date(now.getTime() + 60_000),
        event: (s) => newEvent(s.functionName),
      });
      expect(result.fired.filter((f) => f.functionName === fn).length).toBe(50);
      // BEGIN, the claim, ticks + events, next runs, COMMIT: not three per schedule.
      expect(statements).toBeLessThanOrEqual(6);
    } finally {
      await counted.end({ timeout: 5 });
    }
  });

  it('lets one enqueue notify, or not, whatever the queue does', async () => {
    // One function per enqueue: the notification's payload tells which one was heard.
    const [a, b, c, d] = [
      await newFunction(env, 'l-notify'),
      await newFunction(env, 'l-notify'),
      await newFunction(env, 'l-notify'),
      await newFunction(env, 'l-notify'),
    ];
    const heard: string[] = [];
    const listener = await sql.listen(ASYNC_CHANNEL, (payload) => heard.push(payload));
    try {
      const quiet = createAsyncQueue(sql, { notify: false });
      const loud = createAsyncQueue(sql, { notify: true });
      await loud.enqueue(newEvent(a as string), { notify: false });
      await quiet.enqueue(newEvent(b as string));
      await quiet.enqueue(newEvent(c as string), { notify: true });
      await loud.enqueue(newEvent(d as string));
      await until(() => heard.length >= 2);
      await pause(100);
      expect(heard).toEqual([c, d]);
    } finally {
      await listener.unlisten();
    }
  });
});

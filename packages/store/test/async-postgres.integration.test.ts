import { randomUUID } from 'node:crypto';
import { startPostgres, type TestPostgres } from '@mini-lambda/testkit/postgres';
import { until } from '@mini-lambda/testkit/wait';
import postgres, { type Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ASYNC_CHANNEL,
  createAsyncQueue,
  createRegistry,
  createSchedules,
  migrateDown,
  migrateUp,
  migrationsDir,
  readMigrations,
  type TakenEvent,
} from '../src/index.ts';
import { type AsyncEnv, asyncContract, newEvent, newFunction } from './async-contract.ts';
import { asyncRobustnessContract } from './async-robustness-contract.ts';
import { schedulesContract } from './async-schedules-contract.ts';

let pg: TestPostgres;
let sql: Sql;
let env: AsyncEnv;
/** Separate pools: each a connection of its own, as separate instances would have. */
let others: Sql[] = [];

const envOn = (db: Sql): AsyncEnv => ({
  sql: db,
  queue: createAsyncQueue(db, { notify: true }),
  schedules: createSchedules(db, { notify: true }),
  registry: createRegistry(db),
});

beforeAll(async () => {
  pg = await startPostgres();
  sql = postgres(pg.url, { max: 10, onnotice: () => {} });
  await migrateUp(sql, await readMigrations(migrationsDir));
  env = envOn(sql);
  others = [0, 1, 2, 3].map(() => postgres(pg.url, { max: 1, onnotice: () => {} }));
  // Connected up front, so racing callers start together rather than one connect apart.
  await Promise.all(others.map((o) => o`SELECT 1`));
});

afterAll(async () => {
  await Promise.all(others.map((o) => o.end({ timeout: 5 })));
  await sql?.end({ timeout: 5 });
  await pg?.stop();
});

asyncContract('postgresql', () => env);
schedulesContract('postgresql', () => env);
asyncRobustnessContract('postgresql', () => env);

describe('async queue on postgresql, concurrently', () => {
  it('announces an enqueue on the async channel with the function name', async () => {
    const fn = await newFunction(env, 'pg-notify');
    const heard: string[] = [];
    const listener = await sql.listen(ASYNC_CHANNEL, (payload) => heard.push(payload));
    await env.queue.enqueue(newEvent(fn));
    await until(() => heard.length > 0);
    await listener.unlisten();
    expect(heard).toEqual([fn]);
  });

  it('never gives one event to two takers', async () => {
    const fn = await newFunction(env, 'pg-race');
    const ids = Array.from({ length: 1000 }, () => randomUUID());
    await sql`INSERT INTO async_events (id, function_name, payload, max_retries, retry_delay_ms, max_event_age_s)
              SELECT unnest(${sql.array(ids)}::uuid[]), ${fn}, '{}', 2, 1000, 3600`;
    const takers = others.map((db, i) => async () => {
      const queue = createAsyncQueue(db, { notify: true });
      const got: TakenEvent[] = [];
      for (;;) {
        const batch = await queue.take(fn, 5, 60_000, `taker-${i}`);
        if (batch.length === 0) return got;
        got.push(...batch);
      }
    });
    const results = await Promise.all(takers.map((t) => t()));
    const all = results.flat().map((t) => t.id);
    expect(all.length).toBe(1000);
    expect(new Set(all)).toEqual(new Set(ids));
    // Nobody waited for another's locks: every taker came away with some.
    expect(results.filter((r) => r.length > 0).length).toBeGreaterThan(1);
    const [left] = await sql<{ n: number }[]>`
      SELECT count(*)::integer AS n FROM async_events
      WHERE function_name = ${fn} AND (state <> 'running' OR attempts <> 1)`;
    expect(left?.n).toBe(0);
  });

  it('takes around an event another transaction holds, without waiting for it', async () => {
    const fn = await newFunction(env, 'pg-skip');
    const held = newEvent(fn, '"held"');
    const free = newEvent(fn, '"free"');
    await env.queue.enqueue(held);
    await env.queue.enqueue(free);
    const holder = await sql.reserve();
    try {
      await holder`BEGIN`;
      await holder`SELECT 1 FROM async_events WHERE id = ${held.id} FOR UPDATE`;
      // A take that waited on the lock would never settle while it is held.
      const taken = await Promise.race([
        createAsyncQueue(others[0] as Sql, { notify: true }).take(fn, 10, 60_000, 'b'),
        new Promise<'waited'>((r) => setTimeout(() => r('waited'), 10_000)),
      ]);
      expect(taken === 'waited' ? taken : taken.map((t) => t.payload)).toEqual(['"free"']);
    } finally {
      await holder`ROLLBACK`;
      holder.release();
    }
    expect((await env.queue.take(fn, 10, 60_000, 'a')).map((t) => t.payload)).toEqual(['"held"']);
  });

  it('reclaims each expired lease for one instance only', async () => {
    const fn = await newFunction(env, 'pg-reclaim');
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const e = newEvent(fn);
      ids.push(e.id);
      await env.queue.enqueue(e);
    }
    // Lost twice: queued again each time; the third loss is handed out.
    for (const round of [1, 2, 3]) {
      expect((await env.queue.take(fn, 20, 60_000, `vanished-${round}`)).length).toBe(20);
      await sql`UPDATE async_events SET lease_until = now() - interval '1 ms'
                WHERE function_name = ${fn}`;
      const results = await Promise.all(
        others.map((db, i) =>
          createAsyncQueue(db, { notify: true }).reclaim(100, 60_000, `r-${i}`),
        ),
      );
      const mine = results.flat().filter((t) => t.functionName === fn);
      if (round < 3) {
        expect(mine).toEqual([]);
        const [queued] = await sql<{ n: number }[]>`SELECT count(*)::integer AS n FROM async_events
          WHERE function_name = ${fn} AND state = 'queued' AND attempts = 0`;
        expect(queued?.n).toBe(20);
      } else {
        expect(mine.map((t) => t.id).sort()).toEqual([...ids].sort());
        expect(mine.every((t) => t.attempts === 1)).toBe(true);
      }
    }
  });

  it('claims around a schedule another claimer holds, without waiting for it', async () => {
    const fn = await newFunction(env, 'pg-claim-skip');
    const due = new Date((await env.schedules.now()).getTime() - 100);
    const put = (name: string) =>
      env.schedules.put(fn, name, {
        expression: 'rate(1 minute)',
        timezone: null,
        event: null,
        enabled: true,
        nextRun: due,
      });
    await put('held');
    await put('free');
    const holder = await sql.reserve();
    try {
      await holder`BEGIN`;
      await holder`SELECT 1 FROM schedules WHERE function_name = ${fn} AND name = 'held' FOR UPDATE`;
      const claim = createSchedules(others[1] as Sql, { notify: true }).claimDue({
        limit: 100,
        graceMs: 60_000,
        next: () => null,
        event: (s) => newEvent(s.functionName),
      });
      const result = await Promise.race([
        claim,
        new Promise<'waited'>((r) => setTimeout(() => r('waited'), 10_000)),
      ]);
      expect(
        result === 'waited'
          ? result
          : result.fired.filter((f) => f.functionName === fn).map((f) => f.schedule),
      ).toEqual(['free']);
    } finally {
      await holder`ROLLBACK`;
      holder.release();
    }
    expect((await env.schedules.get(fn, 'held'))?.nextRun).toEqual(due);
  });

  it('fires each due tick exactly once across racing claimers', async () => {
    const fn = await newFunction(env, 'pg-ticks');
    const [clock] = await sql<{ now: Date }[]>`SELECT now() AS now`;
    const tick = new Date((clock as { now: Date }).now.getTime() - 200);
    for (let i = 0; i < 30; i++) {
      await env.schedules.put(fn, `s${i}`, {
        expression: 'rate(1 second)',
        timezone: null,
        event: null,
        enabled: true,
        nextRun: tick,
      });
    }
    // Each claimer keeps claiming in small batches, and every schedule's next tick is
    // right away again, so the claimers keep meeting on the same rows for a while.
    const fired: { schedule: string; tick: Date; invocationId: string }[] = [];
    const claimers = others.slice(0, 3).map(async (db) => {
      const schedules = createSchedules(db, { notify: true });
      for (let round = 0; round < 15; round++) {
        const r = await schedules.claimDue({
          limit: 4,
          graceMs: 60_000,
          // Three ticks per schedule, then never again.
          next: (s) => {
            const prev = s.nextRun?.getTime() ?? 0;
            return prev < tick.getTime() + 2 ? new Date(prev + 1) : null;
          },
          event: (s) => newEvent(s.functionName),
        });
        fired.push(...r.fired.filter((f) => f.functionName === fn));
      }
    });
    await Promise.all(claimers);
    // Whatever the interleaving, once everyone stops every tick is claimed...
    await createSchedules(sql, { notify: true })
      .claimDue({
        limit: 1000,
        graceMs: 60_000,
        next: (s) => {
          const prev = s.nextRun?.getTime() ?? 0;
          return prev < tick.getTime() + 2 ? new Date(prev + 1) : null;
        },
        event: (s) => newEvent(s.functionName),
      })
      .then((r) => fired.push(...r.fired.filter((f) => f.functionName === fn)));
    const keys = fired.map((f) => `${f.schedule}@${f.tick.getTime()}`);
    // ...exactly once: 30 schedules × 3 ticks, no duplicates, one event each.
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.length).toBe(90);
    const [events] = await sql<{ n: number }[]>`
      SELECT count(*)::integer AS n FROM async_events WHERE function_name = ${fn}`;
    expect(events?.n).toBe(90);
    const [ticks] = await sql<{ n: number }[]>`
      SELECT count(*)::integer AS n FROM schedule_ticks WHERE function_name = ${fn}`;
    expect(ticks?.n).toBe(90);
  });

  it('migrates down and up again', async () => {
    const migrations = await readMigrations(migrationsDir);
    const last = migrations.at(-1)?.version as number;
    for (let v = last; v > 1; v--) expect(await migrateDown(sql, migrations)).toBe(v);
    for (const table of ['async_events', 'dead_letters', 'schedules', 'schedule_ticks']) {
      expect(await sql`SELECT to_regclass(${table}) AS t`).toEqual([{ t: null }]);
    }
    expect((await migrateUp(sql, migrations)).at(0)).toBe(2);
    expect(await sql`SELECT count(*)::integer AS n FROM schedules`).toEqual([{ n: 0 }]);
  });
});

import { nextRun, parseSchedule } from '@mini-lambda/core';
import type { InvocationStatus } from '@mini-lambda/store';
import { startPostgres } from '@mini-lambda/testkit/postgres';
import { until } from '@mini-lambda/testkit/wait';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDelivery } from '../src/async/delivery.ts';
import { auth, deployed, type TestInstance, testInstance } from './instance.ts';

// The delivery engine against a whole instance (real isolates, real database), on the
// embedded PGlite default and on a real PostgreSQL.

const ECHO = 'export const handler = async (event) => event;';
const SLEEP = (ms: number) =>
  `export const handler = async (event) => { await new Promise((r) => setTimeout(r, ${ms})); return event; };`;
const HANG = 'export const handler = () => new Promise(() => {});';

async function patch(t: TestInstance, name: string, config: unknown) {
  const res = await t.request(`/functions/${name}`, {
    method: 'PATCH',
    headers: { ...auth, 'Content-Type': 'application/json' },
    body: JSON.stringify(config),
  });
  if (res.status !== 200) throw new Error(`patch ${name}: ${res.status} ${await res.text()}`);
}

/** Accepts through the HTTP route: `X-Invocation-Type: Event`; the invocation id. */
async function post(t: TestInstance, name: string, event: unknown): Promise<string> {
  const res = await t.request(`/functions/${name}/invoke`, {
    method: 'POST',
    headers: { 'X-Invocation-Type': 'Event' },
    body: JSON.stringify(event),
  });
  if (res.status !== 202) throw new Error(`invoke ${name}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { invocation_id: string }).invocation_id;
}

const status = async (t: TestInstance, name: string, id: string) =>
  (await t.instance.store.queue.status(name, id)) as InvocationStatus;

/** Waits until every id is in one of `states`; their statuses. */
async function settled(
  t: TestInstance,
  name: string,
  ids: string[],
  states = ['succeeded', 'failed', 'dead'],
  timeoutMs = 30_000,
) {
  const found = new Map<string, InvocationStatus>();
  await until(
    async () => {
      for (const id of ids) {
        if (found.has(id)) continue;
        const s = await status(t, name, id);
        if (states.includes(s.status)) found.set(id, s);
      }
      return found.size === ids.length;
    },
    { timeoutMs, intervalMs: 50 },
  );
  return ids.map((id) => found.get(id) as InvocationStatus);
}

/** A counter's value for these labels (0 when never incremented). */
async function counter(t: TestInstance, name: string, labels: Record<string, string>) {
  const metric = t.instance.metrics.registry.getSingleMetric(name);
  const values = (await metric?.get())?.values ?? [];
  const match = values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return match?.value ?? 0;
}

describe.each(['embedded', 'postgresql'] as const)('async delivery on %s', (backend) => {
  let t: TestInstance;
  let stopPg: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    // Isolates in this process (a sandbox process each would hold a pool of its own), and
    // no wait queue: a call that finds every slot of a function taken is throttled at once.
    const env: Record<string, string> = {
      ASYNC_LEASE_GRACE_MS: '1000',
      SANDBOXES: '0',
      POOL_QUEUE_LIMIT: '0',
    };
    if (backend === 'postgresql') {
      const pg = await startPostgres();
      env.DATABASE_URL = pg.url;
      stopPg = () => pg.stop();
    }
    t = await testInstance(env);
    t.instance.startAsync();
  });
  afterAll(async () => {
    await t?.close();
    await stopPg?.();
  });

  it('runs every event once, with its own invocation id', async () => {
    await deployed(
      t,
      'once',
      'export const handler = async (e, ctx) => ({ e, id: ctx.awsRequestId });',
    );
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push(await post(t, 'once', { i }));
    const done = await settled(t, 'once', ids);
    done.forEach((s, i) => {
      expect(s).toMatchObject({ status: 'succeeded', attempts: 1 });
      expect(JSON.parse(s.result ?? '')).toEqual({ e: { i }, id: ids[i] });
    });
    expect(
      await counter(t, 'mini_lambda_async_deliveries_total', {
        function: 'once',
        outcome: 'success',
      }),
    ).toBe(20);
    expect(
      await counter(t, 'mini_lambda_invocations_total', { function: 'once', outcome: 'success' }),
    ).toBe(20);
    expect(await counter(t, 'mini_lambda_async_accepted_total', { function: 'once' })).toBe(20);
  });

  it('delivers an empty body as null', async () => {
    await deployed(t, 'empty', 'export const handler = async (e) => ({ e });');
    const id = await t.instance.asyncEngine.accept('empty', undefined, Buffer.alloc(0));
    const [done] = await settled(t, 'empty', [id]);
    expect(done).toMatchObject({ status: 'succeeded', result: '{"e":null}' });
  });

  it('is fair: a later small backlog finishes before a large one does', async () => {
    // The backlog drains at ~40/s (2 at a time, 50 ms each): accepting it takes less on any
    // machine, so most of it is still queued when the small one arrives.
    await deployed(t, 'big', SLEEP(50));
    await deployed(t, 'small', SLEEP(20));
    await patch(t, 'big', { max_concurrency: 2 });
    await patch(t, 'small', { max_concurrency: 2 });
    const accept = t.instance.asyncEngine.accept;
    const big: string[] = [];
    for (let i = 0; i < 200; i++) big.push(await accept('big', undefined, Buffer.from(`${i}`)));
    const small: string[] = [];
    for (let i = 0; i < 5; i++) small.push(await accept('small', undefined, Buffer.from(`${i}`)));
    const smallDone = await settled(t, 'small', small, ['succeeded'], 60_000);
    const bigDone = await settled(t, 'big', big, ['succeeded'], 120_000);
    const last = (list: InvocationStatus[]) =>
      Math.max(...list.map((s) => (s.finishedAt as Date).getTime()));
    expect(last(smallDone)).toBeLessThan(last(bigDone));
    // And not only just: of the large backlog still waiting when the small one was accepted,
    // nearly all finished after it (a few rounds of 2 at a time may go first).
    const smallAccepted = Math.max(...smallDone.map((s) => s.createdAt.getTime()));
    const finishedAfter = (at: number) =>
      bigDone.filter((s) => (s.finishedAt as Date).getTime() > at).length;
    const waiting = finishedAfter(smallAccepted);
    expect(waiting).toBeGreaterThanOrEqual(20);
    expect(finishedAfter(last(smallDone))).toBeGreaterThanOrEqual(waiting - 10);
  }, 180_000);

  it('costs exactly 1 + max_retries attempts for a function that always times out', async () => {
    await deployed(t, 'hang', HANG, '?timeout_ms=100');
    await patch(t, 'hang', { async: { max_retries: 2, retry_delay_ms: 100 } });
    const id = await post(t, 'hang', { x: 1 });
    const [final] = await settled(t, 'hang', [id]);
    expect(final).toMatchObject({
      status: 'dead',
      attempts: 3,
      error: { code: 'FunctionTimeout' },
    });
    const letters = await t.instance.store.queue.deadLetters.list('hang', 10);
    expect(letters).toEqual([
      expect.objectContaining({ invocationId: id, payload: '{"x":1}', attempts: 3 }),
    ]);
    // Nothing more happens to it.
    await new Promise((r) => setTimeout(r, 1000));
    expect((await status(t, 'hang', id)).attempts).toBe(3);
    expect(
      await counter(t, 'mini_lambda_async_deliveries_total', {
        function: 'hang',
        outcome: 'timeout',
      }),
    ).toBe(3);
    expect(await counter(t, 'mini_lambda_async_retries_total', { function: 'hang' })).toBe(2);
    expect(await counter(t, 'mini_lambda_async_dead_letters_total', { function: 'hang' })).toBe(1);
  });

  it('keeps a throttled event waiting instead of failing it', async () => {
    await deployed(
      t,
      'narrow',
      'export const handler = async (e) => { await new Promise((r) => setTimeout(r, e.ms)); return e; };',
    );
    // One slot, and no wait queue (POOL_QUEUE_LIMIT=0): a call finding it taken is throttled.
    await patch(t, 'narrow', { max_concurrency: 1, async: { max_retries: 0 } });
    expect((await t.invoke('narrow', '{"ms":0}')).status).toBe(200); // warm
    // A synchronous call holds the slot while the events arrive.
    const holder = t.invoke('narrow', '{"ms":1500}');
    await new Promise((r) => setTimeout(r, 200));
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(await post(t, 'narrow', { ms: 10, i }));
    expect((await holder).status).toBe(200);
    const done = await settled(t, 'narrow', ids);
    // Without retries, a throttle counted as a failure would be a dead letter.
    for (const s of done) expect(s).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(await t.instance.store.queue.deadLetters.list('narrow', 10)).toEqual([]);
  });

  it('puts back, uncounted, what an engine still runs when it stops', async () => {
    await deployed(t, 'lease', SLEEP(1500), '?timeout_ms=2000');
    await patch(t, 'lease', { async: { max_retries: 2, retry_delay_ms: 100 } });
    const { store, directory, runtime, metrics, log } = t.instance;
    // The instance's own engine stays out of it: the event goes through two others.
    await t.instance.asyncEngine.stop(0);
    const engine = (instanceId: string) =>
      createDelivery(
        { instanceId, queue: store.queue, directory, runtime, metrics, log },
        { concurrency: 4, leaseGraceMs: 1000 },
      );
    const first = engine('first');
    first.start();
    const id = await t.instance.asyncEngine.accept('lease', undefined, Buffer.from('"x"'));
    first.wake();
    let taken: InvocationStatus | undefined;
    await until(
      async () => {
        taken = await status(t, 'lease', id);
        return taken.status === 'running';
      },
      { timeoutMs: 10_000 },
    );
    // Its delivery goes on, but its outcome is never stored: the event is queued again at
    // once, the attempt given back, instead of waiting for its lease (2 s + slack).
    await first.stop(0);
    expect(await status(t, 'lease', id)).toMatchObject({ status: 'queued', attempts: 0 });
    const second = engine('second');
    second.start();
    try {
      const [final] = await settled(t, 'lease', [id], ['succeeded', 'dead'], 20_000);
      expect(final).toMatchObject({ status: 'succeeded', attempts: 1 });
      const startedAt = (s: InvocationStatus | undefined) => s?.startedAt?.getTime() ?? Number.NaN;
      expect(startedAt(final) - startedAt(taken)).toBeLessThan(3000);
      expect(
        await counter(t, 'mini_lambda_async_deliveries_total', {
          function: 'lease',
          outcome: 'success',
        }),
      ).toBe(1); // the abandoned delivery's outcome was not stored
    } finally {
      await second.stop(5000);
    }
  });
});

describe.each(['embedded', 'postgresql'] as const)('schedules on %s', (backend) => {
  let t: TestInstance;
  let stopPg: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    const env: Record<string, string> = {};
    if (backend === 'postgresql') {
      const pg = await startPostgres();
      env.DATABASE_URL = pg.url;
      stopPg = () => pg.stop();
    }
    t = await testInstance(env);
    t.instance.startAsync();
  });
  afterAll(async () => {
    await t?.close();
    await stopPg?.();
  });

  it('misses the tick of a schedule that no longer parses, and looks at it again later', async () => {
    await deployed(t, 'unread', ECHO);
    const { schedules, sql } = t.instance.store;
    const now = await schedules.now();
    await schedules.put('unread', 'gone-zone', {
      expression: 'cron(* * * * *)',
      timezone: 'Europe/Berlin',
      event: null,
      enabled: true,
      nextRun: new Date(now.getTime() - 100),
    });
    // As if the system's time-zone data had lost the zone since it was stored.
    await sql`UPDATE schedules SET timezone = 'Mars/Phobos' WHERE function_name = 'unread'`;
    await until(
      async () =>
        (await counter(t, 'mini_lambda_schedule_ticks_total', {
          function: 'unread',
          outcome: 'missed',
        })) >= 1,
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    const stored = await schedules.get('unread', 'gone-zone');
    expect(stored?.nextRun?.getTime()).toBeGreaterThan(now.getTime() + 30_000);
    expect(await schedules.lastRuns('unread', 'gone-zone', 10)).toEqual([]);
    await schedules.remove('unread', 'gone-zone');
  });

  it('fires rate(1 second) once per tick with the schedule event', async () => {
    await deployed(t, 'cron', ECHO);
    const { schedules } = t.instance.store;
    const spec = parseSchedule({ expression: 'rate(1 second)' });
    await schedules.put('cron', 'every-second', {
      expression: 'rate(1 second)',
      timezone: null,
      event: '{"k": 1.50}',
      enabled: true,
      nextRun: nextRun(spec, undefined, await schedules.now()) ?? null,
    });
    await until(async () => (await schedules.lastRuns('cron', 'every-second', 10)).length >= 3, {
      timeoutMs: 15_000,
      intervalMs: 100,
    });
    const runs = (await schedules.lastRuns('cron', 'every-second', 100)).reverse();
    await schedules.remove('cron', 'every-second');
    expect(runs.length).toBeGreaterThanOrEqual(3);
    const ticks = runs.map((r) => r.tick.getTime());
    for (let i = 1; i < ticks.length; i++) expect(ticks[i]).toBe((ticks[i - 1] as number) + 1000);
    const done = await settled(
      t,
      'cron',
      runs.map((r) => r.invocationId),
    );
    done.forEach((s, i) => {
      const run = runs[i];
      expect(s.status).toBe('succeeded');
      expect(JSON.parse(s.result ?? '')).toEqual({
        id: run?.invocationId,
        source: 'mini-lambda.schedule',
        schedule: 'every-second',
        time: run?.tick.toISOString(),
        detail: { k: 1.5 },
      });
    });
    const fired = await counter(t, 'mini_lambda_schedule_ticks_total', {
      function: 'cron',
      outcome: 'fired',
    });
    expect(fired).toBeGreaterThanOrEqual(runs.length);
    expect(fired).toBeLessThanOrEqual(runs.length + 1); // one more may fire before the remove
  }, 30_000);
});

import { ASYNC_CHANNEL } from '@mini-lambda/store';
import { startPostgres } from '@mini-lambda/testkit/postgres';
import { until } from '@mini-lambda/testkit/wait';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverOne, UNAVAILABLE_PAUSE_MS } from '../src/async/deliver-one.ts';
import { createRetention } from '../src/async/retention.ts';
import { errorCode, json, manage } from './async-api-kit.ts';
import { deployed, type TestInstance, testInstance } from './instance.ts';

// Events, results and outcomes that used to break the engine or the routes: deep nesting,
// exact numbers, oversized records, long runs, throttling, a backlog for retention.

const FAIL = 'export const handler = async () => { throw new Error("nope"); };';
const OK = 'export const handler = async () => "ok";';
/** Records what a destination received without serialising it (it may be deep). */
const SINK = `export const handler = async (e) =>
  [e.requestContext.condition, Array.isArray(e.requestPayload), e.responseContext?.executedVersion ?? null];`;
const SLEEP = (ms: number) =>
  `export const handler = async (e) => { await new Promise((r) => setTimeout(r, ${ms})); return 1; };`;
/** 6000 nested arrays: JSON.parse takes it; JSON.stringify of the parsed value overflows. */
const DEEP = `${'['.repeat(6000)}${']'.repeat(6000)}`;

async function patch(t: TestInstance, name: string, config: unknown) {
  const res = await manage(t, 'PATCH', `/functions/${name}`, config);
  if (res.status !== 200) throw new Error(`patch ${name}: ${res.status} ${await res.text()}`);
}

async function accept(t: TestInstance, name: string, body: string, query = '') {
  const res = await t.request(`/functions/${name}/invoke${query}`, {
    method: 'POST',
    headers: { 'X-Invocation-Type': 'Event' },
    body,
  });
  if (res.status !== 202) throw new Error(`invoke ${name}: ${res.status} ${await res.text()}`);
  return (await json(res)).invocation_id as string;
}

const stateOf = async (t: TestInstance, name: string, id: string) =>
  (await t.instance.store.queue.status(name, id))?.status;

async function finished(t: TestInstance, name: string, id: string, timeoutMs = 15_000) {
  await until(
    async () => ['succeeded', 'failed', 'dead'].includes((await stateOf(t, name, id)) ?? ''),
    { timeoutMs, intervalMs: 50 },
  );
  return t.instance.store.queue.status(name, id);
}

/** Results the destination function `sink` returned, one per record it received. */
async function sinkResults(t: TestInstance, count: number): Promise<unknown[]> {
  let rows: { result: string | null }[] = [];
  await until(
    async () => {
      rows = await t.instance.store.sql<{ result: string | null }[]>`
        SELECT result FROM async_events WHERE function_name = 'sink' AND state = 'succeeded'
        ORDER BY finished_at`;
      return rows.length >= count;
    },
    { timeoutMs: 15_000, intervalMs: 50 },
  );
  return rows.map((r) => (r.result === null ? null : JSON.parse(r.result)));
}

describe('async robustness on embedded', () => {
  let t: TestInstance;
  beforeAll(async () => {
    // Isolates in this process and no wait queue: a call finding the slot taken is throttled.
    t = await testInstance({ SANDBOXES: '0', POOL_QUEUE_LIMIT: '0' });
    t.instance.startAsync();
    await deployed(t, 'sink', SINK);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('a 6000-level event ends stored and its destination records go out', async () => {
    await deployed(t, 'fail', FAIL);
    await patch(t, 'fail', { async: { max_retries: 0, on_failure: 'sink' } });
    await deployed(t, 'fine', OK);
    await patch(t, 'fine', { async: { on_success: 'sink' } });
    const failed = await accept(t, 'fail', DEEP);
    const ok = await accept(t, 'fine', DEEP);
    // Before, building the record threw and the events stayed `running` lease after lease.
    expect(await finished(t, 'fail', failed)).toMatchObject({ status: 'failed', attempts: 1 });
    expect(await finished(t, 'fine', ok)).toMatchObject({ status: 'succeeded', attempts: 1 });
    const got = await sinkResults(t, 2);
    expect(got).toEqual(
      expect.arrayContaining([
        ['RetriesExhausted', true, '$LATEST'],
        ['Success', true, '$LATEST'],
      ]),
    );
  });

  it('lists a deep dead letter, and its numbers exactly as sent', async () => {
    await deployed(t, 'fail2', FAIL);
    await patch(t, 'fail2', { async: { max_retries: 0 } });
    const deep = await accept(t, 'fail2', DEEP);
    const big = await accept(t, 'fail2', '{"n": 12345678901234567890}');
    await finished(t, 'fail2', deep);
    await finished(t, 'fail2', big);
    const res = await manage(t, 'GET', '/functions/fail2/dead-letters');
    expect(res.status).toBe(200); // before: 500, re-serialising the deep event overflowed
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const text = await res.text();
    expect(text).toContain(`"event":${DEEP},`);
    expect(text).toContain('"event":{"n": 12345678901234567890},');
    const body = JSON.parse(text) as { dead_letters: { invocation_id: string }[] };
    expect(body.dead_letters.map((d) => d.invocation_id).sort()).toEqual([deep, big].sort());
  });

  it('sends no destination record over 1 MB: the failure is a dead letter saying so', async () => {
    // The record holds the event (1 MB, the most accepted) and more: over 1 MB together.
    await deployed(
      t,
      'bigfail',
      'export const handler = async () => { throw new Error("e".repeat(80000)); };',
    );
    await patch(t, 'bigfail', { async: { max_retries: 0, on_failure: 'sink' } });
    await deployed(t, 'bigok', 'export const handler = async () => "r".repeat(200000);');
    await patch(t, 'bigok', { async: { on_success: 'sink' } });
    const event = JSON.stringify('x'.repeat(1024 * 1024 - 2));
    const failed = await accept(t, 'bigfail', event);
    const ok = await accept(t, 'bigok', event);
    expect(await finished(t, 'bigfail', failed)).toMatchObject({
      status: 'dead',
      error: { code: 'DestinationRecordTooLarge' },
    });
    expect(await finished(t, 'bigok', ok)).toMatchObject({ status: 'succeeded' });
    const [letter] = await t.instance.store.queue.deadLetters.list('bigfail', 10);
    expect(letter?.error.message).toContain('FunctionError');
    const sent = await t.instance.store.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM async_events WHERE function_name = 'sink'
        AND octet_length(payload) > 1024 * 1024`;
    expect(sent[0]?.n).toBe(0);
    const dropped = t.instance.metrics.registry.getSingleMetric(
      'mini_lambda_async_destinations_dropped_total',
    );
    const values = (await dropped?.get())?.values ?? [];
    const tooLarge = (fn: string) =>
      values.find((v) => v.labels.function === fn && v.labels.reason === 'too_large')?.value;
    expect(tooLarge('bigfail')).toBe(1);
    expect(tooLarge('bigok')).toBe(1);
  });

  it('refuses a deeply nested schedule event with 400 and keeps an event’s exact text', async () => {
    await deployed(t, 'cron', OK);
    const deep = await manage(
      t,
      'PUT',
      '/functions/cron/schedules/deep',
      `{"expression":"rate(1 day)","event":${'['.repeat(10000)}${']'.repeat(10000)}}`,
    );
    expect(deep.status).toBe(400);
    expect(await errorCode(deep)).toBe('InvalidConfig');
    expect((await manage(t, 'GET', '/functions/cron/schedules/deep')).status).toBe(404);

    const exact = '{"n": 12345678901234567890, "f": 1.10}';
    const put = await manage(
      t,
      'PUT',
      '/functions/cron/schedules/exact',
      `{"event": ${exact}, "expression":"rate(1 day)", "enabled": false}`,
    );
    expect(put.status).toBe(201);
    expect(await put.text()).toContain(`"event":${exact},`);
    const got = await manage(t, 'GET', '/functions/cron/schedules/exact');
    expect(await got.text()).toContain(`"event":${exact},`);
    const listed = await manage(t, 'GET', '/functions/cron/schedules');
    expect(await listed.text()).toContain(`"event":${exact},`);
  });

  it('pauses a throttled function instead of taking its events again at once', async () => {
    await deployed(
      t,
      'narrow',
      'export const handler = async (e) => { await new Promise((r) => setTimeout(r, e.ms)); return 1; };',
    );
    await patch(t, 'narrow', { max_concurrency: 1, async: { max_retries: 0 } });
    expect((await t.invoke('narrow', '{"ms":0}')).status).toBe(200); // warm
    // A synchronous call holds the only slot while the events arrive; the engine's own
    // count does not see it, so the first take is throttled.
    const holder = t.invoke('narrow', '{"ms":2000}');
    await new Promise((r) => setTimeout(r, 200));
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await accept(t, 'narrow', '{"ms":10}'));
    await until(async () => t.instance.asyncEngine.pausedFunctions().includes('narrow'), {
      timeoutMs: 3000,
      intervalMs: 10,
    });
    expect((await holder).status).toBe(200);
    for (const id of ids) {
      expect(await finished(t, 'narrow', id, 40_000)).toMatchObject({
        status: 'succeeded',
        attempts: 1,
      });
    }
  });

  it('retention goes on while batches come back full', async () => {
    await deployed(t, 'old', OK);
    await t.instance.store.sql`
      INSERT INTO async_events (id, function_name, payload, state, max_retries, retry_delay_ms,
        max_event_age_s, finished_at)
      SELECT gen_random_uuid(), 'old', '1', 'succeeded', 0, 100, 60, now() - interval '3 days'
      FROM generate_series(1, 7)`;
    const retention = createRetention(
      { queue: t.instance.store.queue, log: pino({ level: 'silent' }) },
      { retentionS: 86_400, batch: 2 },
    );
    const pass = await retention.pass();
    expect(pass.batches).toBeGreaterThanOrEqual(4);
    const [left] = await t.instance.store.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM async_events WHERE function_name = 'old'`;
    expect(left?.n).toBe(0);
  });
});

describe('async leases on embedded', () => {
  let t: TestInstance;
  beforeAll(async () => {
    // A one-second grace and a long pool queue: a run waiting for its isolate outlives
    // timeout + grace, which only the heartbeat keeps leased.
    t = await testInstance({
      SANDBOXES: '0',
      ASYNC_LEASE_GRACE_MS: '1000',
      POOL_QUEUE_TIMEOUT_MS: '20000',
    });
    t.instance.startAsync();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('keeps a running delivery leased past timeout + grace (heartbeat), so it runs once', async () => {
    await deployed(t, 'held', SLEEP(2500), '?timeout_ms=3000');
    await patch(t, 'held', { max_concurrency: 1 });
    expect((await t.invoke('held', '{}')).status).toBe(200); // warm: the next call starts at once
    // Two synchronous calls take the only isolate in turn; the event waits behind them in
    // the pool (~5 s) and then runs (2.5 s), well past its first lease.
    const sync = Promise.all([t.invoke('held', '{}'), t.invoke('held', '{}')]);
    await new Promise((r) => setTimeout(r, 300));
    const id = await accept(t, 'held', '{}');
    const [taken] = await t.instance.store.sql<{ at: Date }[]>`SELECT now() AS at`;
    const status = await finished(t, 'held', id, 30_000);
    expect((await sync).map((r) => r.status)).toEqual([200, 200]);
    const [row] = await t.instance.store.sql<{ lost: number; finished: Date }[]>`
      SELECT lost_deliveries AS lost, finished_at AS finished FROM async_events WHERE id = ${id}`;
    // It ran past its first lease (taken + 3 s + 1 s) without being taken back.
    expect(row?.finished.getTime()).toBeGreaterThan((taken?.at.getTime() ?? 0) + 4000);
    expect(row?.lost).toBe(0);
    expect(status?.status).toBe('succeeded');
    expect(status?.attempts).toBe(1);
    // Runs of the function: the warm-up, the two calls and the event once (a lapsed lease
    // would have run the event a second time).
    await new Promise((r) => setTimeout(r, 3000));
    const runs = (
      await t.instance.metrics.registry.getSingleMetric('mini_lambda_invocations_total')?.get()
    )?.values.find((v) => v.labels.function === 'held' && v.labels.outcome === 'success');
    expect(runs?.value).toBe(4);
  });

  // Last here: it stops the instance's own engine, to hand the event to deliverOne itself.
  it('puts an event back, uncounted, and rests its function when a read before the run fails', async () => {
    await deployed(t, 'flaky-read', OK);
    const { store, directory, runtime, metrics, log } = t.instance;
    await t.instance.asyncEngine.stop(0);
    const id = await t.instance.asyncEngine.accept('flaky-read', undefined, Buffer.from('1'));
    const [taken] = await store.queue.take('flaky-read', 1, 60_000, 'probe');
    if (!taken) throw new Error('nothing taken');
    // The directory as it is, but its second read (the version to run) meets a statement
    // timeout (SQLSTATE 57014): a passing fault, before anything ran.
    let reads = 0;
    const faulty: typeof directory = {
      ...directory,
      get: (name, version) => {
        if (++reads === 2) {
          throw Object.assign(new Error('canceling statement due to statement timeout'), {
            code: '57014',
          });
        }
        return directory.get(name, version);
      },
    };
    const paused: [string, number][] = [];
    await deliverOne(
      {
        instanceId: 'probe',
        queue: store.queue,
        directory: faulty,
        runtime,
        metrics,
        log,
        abandoned: () => false,
        pause: (name, ms) => paused.push([name, ms]),
      },
      taken,
      'take',
      1000,
    );
    // Queued again at once, not left running until its lease; no attempt used.
    expect(await store.queue.status('flaky-read', id)).toMatchObject({
      status: 'queued',
      attempts: 0,
    });
    expect(paused).toEqual([['flaky-read', UNAVAILABLE_PAUSE_MS]]);
  });
});

describe('async robustness on postgresql', () => {
  let t: TestInstance;
  let stopPg: () => Promise<void>;
  beforeAll(async () => {
    const pg = await startPostgres();
    stopPg = () => pg.stop();
    t = await testInstance({ DATABASE_URL: pg.url, SANDBOXES: '0' });
    t.instance.startAsync();
  });
  afterAll(async () => {
    await t?.close();
    await stopPg?.();
  });

  it('announces an event only when this instance cannot deliver it at once', async () => {
    await deployed(t, 'idle', OK);
    await deployed(t, 'busy', SLEEP(3000));
    await patch(t, 'busy', { max_concurrency: 1 });
    await until(async () => t.instance.asyncEngine.listening, { timeoutMs: 5000 });
    const heard: string[] = [];
    const listener = await t.instance.store.sql.listen(ASYNC_CHANNEL, (fn) => heard.push(fn));
    try {
      const first = await accept(t, 'idle', '1');
      await finished(t, 'idle', first);
      await new Promise((r) => setTimeout(r, 200));
      expect(heard).toEqual([]); // free slots here: nobody else need look
      const running = await accept(t, 'busy', '1');
      await until(async () => (await stateOf(t, 'busy', running)) === 'running', {
        timeoutMs: 5000,
        intervalMs: 20,
      });
      await accept(t, 'busy', '2'); // its one slot is taken here: others may deliver it
      await until(async () => heard.includes('busy'), { timeoutMs: 3000, intervalMs: 20 });
      expect(heard).toEqual(['busy']);
    } finally {
      await listener.unlisten();
    }
  });
});

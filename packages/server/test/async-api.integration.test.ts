import { until } from '@mini-lambda/testkit/wait';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BACKENDS,
  deadLetters,
  errorCode,
  instanceOn,
  invokeAsync,
  type Json,
  json,
  manage,
  patchConfig,
  statusOnce,
} from './async-api-kit.ts';
import { API_KEY, auth, deployed, type TestInstance } from './instance.ts';
import { parsePrometheusText } from './prometheus.ts';

const INVOKE_KEY = 'test-invoke-key-0123456789';
const invokeAuth = { Authorization: `Bearer ${INVOKE_KEY}` };

const ECHO = `export async function handler(event: unknown, context: { awsRequestId: string }) {
  return { got: event, requestId: context.awsRequestId };
}`;
const LENGTH =
  'export const handler = async (e: unknown) => (typeof e === "string" ? e.length : -1);';
const FAILS_ON_FLAG = `export async function handler(e: { fail?: boolean; n?: number }) {
  if (e?.fail) throw new Error("asked to fail " + e.n);
  return { n: e?.n, version: 1 };
}`;
const FIXED = `export async function handler(e: { n?: number }) { return { n: e?.n, version: 2 }; }`;
const ALWAYS_FAILS = `export async function handler() { throw new TypeError("refused on purpose"); }`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe.each(BACKENDS)('asynchronous invocations on %s', (backend) => {
  let t: TestInstance;
  beforeAll(async () => {
    t = await instanceOn(backend, { MINI_LAMBDA_INVOKE_KEY: INVOKE_KEY });
    await deployed(t, 'echo', ECHO);
    await deployed(t, 'length', LENGTH);
  });
  afterAll(() => t?.close());

  const post = (name: string, body: string | undefined, headers: Record<string, string>, q = '') =>
    t.request(`/functions/${name}/invoke${q}`, {
      method: 'POST',
      headers: { ...invokeAuth, ...headers },
      ...(body === undefined ? {} : { body }),
    });
  const accepted = async (res: Response, name: string) => {
    expect(res.status).toBe(202);
    const body = await json(res);
    const id = body.invocation_id as string;
    expect(id).toMatch(UUID);
    expect(res.headers.get('location')).toBe(`/functions/${name}/invocations/${id}`);
    expect(res.headers.get('x-invocation-id')).toBe(id);
    return id;
  };

  it('answers 202 with Location, and the status goes on to succeeded with the result', async () => {
    const res = await post('echo', '{"hello":"world"}', { 'X-Invocation-Type': 'Event' });
    const id = await accepted(res, 'echo');
    const first = await json(await manage(t, 'GET', res.headers.get('location') as string));
    expect(['queued', 'running', 'succeeded']).toContain(first.status);
    const done = await statusOnce(t, 'echo', id, ['succeeded']);
    expect(done).toMatchObject({
      invocation_id: id,
      status: 'succeeded',
      attempts: 1,
      result: { got: { hello: 'world' }, requestId: id },
    });
    expect(done.created_at).toMatch(ISO);
    expect(done.finished_at).toMatch(ISO);
    expect(Date.parse(done.finished_at as string)).toBeGreaterThanOrEqual(
      Date.parse(done.created_at as string),
    );
    expect(done.error).toBeUndefined();
  });

  it('takes the header in any case and ?async=1|true; an empty event is null', async () => {
    const ids = [
      await accepted(await post('echo', '1', { 'X-Invocation-Type': 'event' }), 'echo'),
      await accepted(await post('echo', '2', {}, '?async=1'), 'echo'),
      await accepted(await post('echo', '3', {}, '?async=true'), 'echo'),
      await accepted(await post('echo', undefined, { 'X-Invocation-Type': 'EVENT' }), 'echo'),
    ];
    const results = await Promise.all(ids.map((id) => statusOnce(t, 'echo', id, ['succeeded'])));
    expect(results.map((r) => (r.result as Json).got)).toEqual([1, 2, 3, null]);
  });

  it('runs RequestResponse, ?async=0 and no header synchronously', async () => {
    for (const [headers, q] of [
      [{ 'X-Invocation-Type': 'RequestResponse' }, ''],
      [{}, '?async=false'],
      [{}, ''],
    ] as const) {
      const res = await post('echo', '7', headers, q);
      expect(res.status).toBe(200);
      expect(((await json(res)) as { got: unknown }).got).toBe(7);
    }
  });

  it('refuses other invocation types and contradictions with 400 InvalidRequest', async () => {
    for (const [headers, q] of [
      [{ 'X-Invocation-Type': 'DryRun' }, ''],
      [{ 'X-Invocation-Type': '' }, ''],
      [{}, '?async=yes'],
      [{ 'X-Invocation-Type': 'Event' }, '?async=0'],
      [{ 'X-Invocation-Type': 'RequestResponse' }, '?async=1'],
    ] as const) {
      const res = await post('echo', '1', headers, q);
      expect([res.status, await errorCode(res)]).toEqual([400, 'InvalidRequest']);
    }
  });

  it('keeps the invoke key for asynchronous invokes', async () => {
    const event = { method: 'POST', body: '1' };
    const bare = await t.request('/functions/echo/invoke?async=1', event);
    expect([bare.status, await errorCode(bare)]).toEqual([401, 'Unauthorized']);
    const wrong = await t.request('/functions/echo/invoke?async=1', {
      ...event,
      headers: { Authorization: 'Bearer nope-nope-nope-nope' },
    });
    expect([wrong.status, await errorCode(wrong)]).toEqual([403, 'Forbidden']);
    const withApiKey = await t.request('/functions/echo/invoke?async=1', {
      ...event,
      headers: auth,
    });
    expect(withApiKey.status).toBe(202);
  });

  it('takes an event of exactly 1 MB and refuses one byte more with 413', async () => {
    const limit = 1024 * 1024;
    const exact = JSON.stringify('x'.repeat(limit - 2));
    expect(Buffer.byteLength(exact)).toBe(limit);
    const id = await accepted(
      await post('length', exact, { 'X-Invocation-Type': 'Event' }),
      'length',
    );
    expect((await statusOnce(t, 'length', id, ['succeeded'])).result).toBe(limit - 2);
    const over = JSON.stringify('x'.repeat(limit - 1));
    const res = await post('length', over, { 'X-Invocation-Type': 'Event' });
    expect([res.status, await errorCode(res)]).toEqual([413, 'PayloadTooLarge']);
  });

  it('refuses an event that is not JSON, and an unknown function or version', async () => {
    const bad = await post('echo', '{not json', { 'X-Invocation-Type': 'Event' });
    expect([bad.status, await errorCode(bad)]).toEqual([400, 'InvalidJSON']);
    const missing = await post('no-such-function', '1', { 'X-Invocation-Type': 'Event' });
    expect([missing.status, await errorCode(missing)]).toEqual([404, 'FunctionNotFound']);
    const version = await post('echo', '1', { 'X-Invocation-Type': 'Event' }, '?version=99');
    expect([version.status, await errorCode(version)]).toEqual([404, 'FunctionNotFound']);
  });

  it('answers 404 for an unknown or malformed invocation id, and for an unknown function', async () => {
    const unknown = await manage(t, 'GET', `/functions/echo/invocations/${crypto.randomUUID()}`);
    expect([unknown.status, await errorCode(unknown)]).toEqual([404, 'InvocationNotFound']);
    const malformed = await manage(t, 'GET', '/functions/echo/invocations/not-a-uuid');
    expect([malformed.status, await errorCode(malformed)]).toEqual([404, 'InvocationNotFound']);
    // An id of one function is not found under another.
    const id = await invokeAsync(t, 'echo', 1, '', invokeAuth);
    const elsewhere = await manage(t, 'GET', `/functions/length/invocations/${id}`);
    expect([elsewhere.status, await errorCode(elsewhere)]).toEqual([404, 'InvocationNotFound']);
    const fn = await manage(t, 'GET', `/functions/nope/invocations/${id}`);
    expect([fn.status, await errorCode(fn)]).toEqual([404, 'FunctionNotFound']);
  });

  it('shows a failing invocation with its error and every attempt', async () => {
    await deployed(t, 'flaky', FAILS_ON_FLAG);
    await patchConfig(t, 'flaky', { async: { max_retries: 1, retry_delay_ms: 100 } });
    const id = await invokeAsync(t, 'flaky', { fail: true, n: 1 }, '', invokeAuth);
    const dead = await statusOnce(t, 'flaky', id, ['dead', 'failed']);
    expect(dead).toMatchObject({ invocation_id: id, status: 'dead', attempts: 2 });
    expect(dead.error).toMatchObject({ code: 'FunctionError' });
    expect((dead.error as Json).message).toContain('asked to fail 1');
    expect(dead.result).toBeUndefined();
    expect(dead.finished_at).toMatch(ISO);
  });

  it('costs a function that always times out exactly 1 + max_retries attempts', async () => {
    await deployed(
      t,
      'sleeper',
      'export const handler = () => new Promise(() => {});',
      '?timeout_ms=200',
    );
    await patchConfig(t, 'sleeper', { async: { max_retries: 2, retry_delay_ms: 100 } });
    const id = await invokeAsync(t, 'sleeper', { n: 1 }, '', invokeAuth);
    const dead = await statusOnce(t, 'sleeper', id, ['dead']);
    expect(dead).toMatchObject({ attempts: 3, error: { code: 'FunctionTimeout' } });
    const [letter] = await deadLetters(t, 'sleeper');
    expect(letter).toMatchObject({ invocation_id: id, attempts: 3, event: { n: 1 } });
  });

  it('refuses bad async config with 400 InvalidConfig', async () => {
    for (const async of [
      { max_retries: 3 },
      { retry_delay_ms: 50 },
      { max_event_age_s: 0 },
      { retries: 1 },
      { on_failure: 'no-such-function' },
      { on_success: 'no-such-function' },
    ]) {
      const res = await manage(t, 'PATCH', '/functions/echo', { async });
      expect([async, res.status, await errorCode(res)]).toEqual([async, 400, 'InvalidConfig']);
    }
    const missing = await manage(t, 'PATCH', '/functions/echo', {
      async: { on_failure: 'no-such-function' },
    });
    expect(((await json(missing)).error as Json).message).toContain('no-such-function');
    // A destination that exists (or the function itself) is taken.
    await patchConfig(t, 'echo', { async: { on_success: 'length', on_failure: 'echo' } });
    await patchConfig(t, 'echo', { async: {} });
    const info = await json(await manage(t, 'GET', '/functions/echo'));
    expect((info.config as Json).async).toEqual({
      max_retries: 2,
      retry_delay_ms: 60_000,
      max_event_age_s: 21_600,
    });
  });

  it('lists, drops and redrives dead letters against the current version', async () => {
    await deployed(t, 'letters', FAILS_ON_FLAG);
    await patchConfig(t, 'letters', { async: { max_retries: 0 } });
    expect(await deadLetters(t, 'letters')).toEqual([]);
    // Pinned to version 1: a redrive still runs the current version.
    const ids: string[] = [];
    for (const n of [1, 2, 3]) {
      ids.push(await invokeAsync(t, 'letters', { fail: true, n }, '?version=1', invokeAuth));
    }
    await Promise.all(ids.map((id) => statusOnce(t, 'letters', id, ['dead'])));
    const letters = await deadLetters(t, 'letters');
    expect(letters.map((l) => l.invocation_id).sort()).toEqual([...ids].sort());
    const first = letters.find((l) => l.invocation_id === ids[0]) as Json;
    expect(first).toMatchObject({ event: { fail: true, n: 1 }, attempts: 1 });
    expect(first.error).toMatchObject({ code: 'FunctionError' });
    expect(first.failed_at).toMatch(ISO);
    expect(await deadLetters(t, 'letters', '?limit=2')).toHaveLength(2);
    for (const limit of ['0', '1001', 'x']) {
      const res = await manage(t, 'GET', `/functions/letters/dead-letters?limit=${limit}`);
      expect(res.status).toBe(400);
    }

    const drop = await manage(t, 'DELETE', `/functions/letters/dead-letters/${ids[2]}`);
    expect(drop.status).toBe(204);
    const again = await manage(t, 'DELETE', `/functions/letters/dead-letters/${ids[2]}`);
    expect([again.status, await errorCode(again)]).toEqual([404, 'DeadLetterNotFound']);
    const malformed = await manage(t, 'DELETE', '/functions/letters/dead-letters/42');
    expect([malformed.status, await errorCode(malformed)]).toEqual([404, 'DeadLetterNotFound']);
    expect(await deadLetters(t, 'letters')).toHaveLength(2);

    for (const body of ['{"ids":"all"}', '{"ids":["not-a-uuid"]}', '[]', '{"ids":[],"x":1}']) {
      const res = await manage(t, 'POST', '/functions/letters/dead-letters/redrive', body);
      expect([body, res.status, await errorCode(res)]).toEqual([body, 400, 'InvalidRequest']);
    }
    const notJson = await manage(t, 'POST', '/functions/letters/dead-letters/redrive', '{');
    expect([notJson.status, await errorCode(notJson)]).toEqual([400, 'InvalidJSON']);

    // Version 2 no longer fails: the first one redriven by id, then the rest with no body.
    await deployed(t, 'letters', FIXED);
    const one = await manage(t, 'POST', '/functions/letters/dead-letters/redrive', {
      ids: [ids[0]],
    });
    expect(await json(one)).toEqual({ redriven: [ids[0]], more: false });
    const redone = await statusOnce(t, 'letters', ids[0] as string, ['succeeded']);
    expect(redone).toMatchObject({ result: { n: 1, version: 2 }, attempts: 1 });
    expect(redone.error).toBeUndefined();
    const rest = await manage(t, 'POST', '/functions/letters/dead-letters/redrive');
    expect(await json(rest)).toEqual({ redriven: [ids[1]], more: false });
    expect((await statusOnce(t, 'letters', ids[1] as string, ['succeeded'])).result).toEqual({
      n: 2,
      version: 2,
    });
    expect(await deadLetters(t, 'letters')).toEqual([]);
    const none = await manage(t, 'POST', '/functions/letters/dead-letters/redrive');
    expect(await json(none)).toEqual({ redriven: [], more: false });
    const unknownFn = await manage(t, 'POST', '/functions/nope/dead-letters/redrive');
    expect([unknownFn.status, await errorCode(unknownFn)]).toEqual([404, 'FunctionNotFound']);
    const unknownList = await manage(t, 'GET', '/functions/nope/dead-letters');
    expect([unknownList.status, await errorCode(unknownList)]).toEqual([404, 'FunctionNotFound']);
  });

  it('sends destination records on success and failure', async () => {
    // The sink refuses every record, so each one lands in its dead letters, where we read it.
    await deployed(t, 'sink', ALWAYS_FAILS);
    await patchConfig(t, 'sink', { async: { max_retries: 0 } });
    await deployed(t, 'source', FAILS_ON_FLAG);
    await patchConfig(t, 'source', {
      async: { max_retries: 0, on_success: 'sink', on_failure: 'sink' },
    });
    const ok = await invokeAsync(t, 'source', { n: 5 }, '', invokeAuth);
    const bad = await invokeAsync(t, 'source', { fail: true, n: 6 }, '', invokeAuth);
    expect(await statusOnce(t, 'source', ok, ['succeeded'])).toMatchObject({
      result: { n: 5, version: 1 },
    });
    // Handed to on_failure: failed, not dead, and no dead letter of its own.
    const failed = await statusOnce(t, 'source', bad, ['failed', 'dead']);
    expect(failed.status).toBe('failed');
    await until(async () => (await deadLetters(t, 'sink')).length === 2, { timeoutMs: 20_000 });
    expect(await deadLetters(t, 'source')).toEqual([]);
    const records = new Map(
      (await deadLetters(t, 'sink')).map((l) => {
        const record = l.event as Json;
        return [(record.requestContext as Json).requestId, record];
      }),
    );
    const arn = 'arn:aws:lambda:us-east-1:000000000000:function:source:$LATEST';
    const success = records.get(ok) as Json;
    expect(success).toMatchObject({
      version: '1.0',
      requestContext: {
        requestId: ok,
        functionArn: arn,
        condition: 'Success',
        approximateInvokeCount: 1,
      },
      requestPayload: { n: 5 },
      responseContext: { statusCode: 200, executedVersion: '$LATEST' },
      responsePayload: { n: 5, version: 1 },
    });
    expect((success.responseContext as Json).functionError).toBeUndefined();
    expect(success.timestamp).toMatch(ISO);
    const failure = records.get(bad) as Json;
    expect(failure).toMatchObject({
      requestContext: { requestId: bad, condition: 'RetriesExhausted', approximateInvokeCount: 1 },
      requestPayload: { fail: true, n: 6 },
      responseContext: { statusCode: 200, functionError: 'Unhandled' },
      responsePayload: { errorType: 'Error', errorMessage: 'asked to fail 6' },
    });
  });

  it('bounds a destination loop (A → B → A)', async () => {
    await deployed(t, 'loop-a', ALWAYS_FAILS);
    await deployed(t, 'loop-b', ALWAYS_FAILS);
    await patchConfig(t, 'loop-a', { async: { max_retries: 0, on_failure: 'loop-b' } });
    await patchConfig(t, 'loop-b', { async: { max_retries: 0, on_failure: 'loop-a' } });
    await invokeAsync(t, 'loop-a', { start: true }, '', invokeAuth);
    // At the bound a failure is dead-lettered instead of sent on: exactly one, then quiet.
    const letters = async () =>
      (await deadLetters(t, 'loop-a')).length + (await deadLetters(t, 'loop-b')).length;
    await until(async () => (await letters()) > 0, { timeoutMs: 30_000 });
    const deliveries = async () => {
      const text = await (await t.request('/metrics')).text();
      return parsePrometheusText(text)
        .filter(
          (s) =>
            s.name === 'mini_lambda_async_deliveries_total' &&
            s.labels.function?.startsWith('loop-'),
        )
        .reduce((sum, s) => sum + s.value, 0);
    };
    const counted = await deliveries();
    await new Promise((r) => setTimeout(r, 1500));
    expect(await letters()).toBe(1);
    expect(await deliveries()).toBe(counted);
    // 16 hops past the first delivery: 17 deliveries in all.
    expect(counted).toBe(17);
  });

  it('deleting a function removes its queued events, dead letters and schedules', async () => {
    await deployed(t, 'doomed', FAILS_ON_FLAG);
    await patchConfig(t, 'doomed', { async: { max_retries: 0 } });
    const dead = await invokeAsync(t, 'doomed', { fail: true, n: 1 }, '', invokeAuth);
    await statusOnce(t, 'doomed', dead, ['dead']);
    // The next event waits 15 minutes for its retry: still queued when the function goes.
    await patchConfig(t, 'doomed', { async: { max_retries: 1, retry_delay_ms: 900_000 } });
    const waiting = await invokeAsync(t, 'doomed', { fail: true, n: 2 }, '', invokeAuth);
    await until(async () => {
      const s = await json(await manage(t, 'GET', `/functions/doomed/invocations/${waiting}`));
      return s.status === 'queued' && s.attempts === 1;
    });
    const put = await manage(t, 'PUT', '/functions/doomed/schedules/daily', {
      expression: 'rate(1 day)',
    });
    expect(put.status).toBe(201);
    expect(await deadLetters(t, 'doomed')).toHaveLength(1);

    expect((await manage(t, 'DELETE', '/functions/doomed')).status).toBe(204);
    const gone = await manage(t, 'GET', `/functions/doomed/invocations/${waiting}`);
    expect([gone.status, await errorCode(gone)]).toEqual([404, 'FunctionNotFound']);
    // A new function of the same name inherits none of it.
    await deployed(t, 'doomed', FIXED);
    for (const id of [dead, waiting]) {
      const res = await manage(t, 'GET', `/functions/doomed/invocations/${id}`);
      expect([res.status, await errorCode(res)]).toEqual([404, 'InvocationNotFound']);
    }
    expect(await deadLetters(t, 'doomed')).toEqual([]);
    const schedules = await json(await manage(t, 'GET', '/functions/doomed/schedules'));
    expect(schedules).toEqual({ schedules: [] });
  });

  it('tells in /health what an accepted event survives', async () => {
    const health = await json(await t.request('/health'));
    expect(typeof health.durability).toBe('string');
    expect(health.durability).not.toBe('');
  });

  it('asks for the API key on every management route', async () => {
    const id = crypto.randomUUID();
    const routes: [string, string][] = [
      ['GET', `/functions/echo/invocations/${id}`],
      ['GET', '/functions/echo/dead-letters'],
      ['POST', '/functions/echo/dead-letters/redrive'],
      ['DELETE', `/functions/echo/dead-letters/${id}`],
      ['GET', '/functions/echo/schedules'],
      ['PUT', '/functions/echo/schedules/nightly'],
      ['GET', '/functions/echo/schedules/nightly'],
      ['DELETE', '/functions/echo/schedules/nightly'],
    ];
    for (const [method, path] of routes) {
      const bare = await t.request(path, { method });
      expect([method, path, bare.status]).toEqual([method, path, 401]);
      // The invoke key is not the management key.
      const wrong = await t.request(path, { method, headers: invokeAuth });
      expect([method, path, wrong.status]).toEqual([method, path, 403]);
      const right = await t.request(path, {
        method,
        headers: { Authorization: `Bearer ${API_KEY}` },
      });
      expect(right.status).not.toBe(401);
      expect(right.status).not.toBe(403);
    }
  });
});

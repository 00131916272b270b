import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployed, type TestInstance, testInstance } from './instance.ts';

// Fetch-style functions (`export default { fetch }`) on HTTP triggers and through invoke,
// through a whole instance with real isolates.
let t: TestInstance;
beforeAll(async () => {
  t = await testInstance();
  await Promise.all([
    deployed(
      t,
      'router',
      `export default {
        async fetch(request) {
          const url = new URL(request.url);
          const body = new Uint8Array(await request.arrayBuffer());
          return new Response(JSON.stringify({
            method: request.method, url: request.url, path: url.pathname, search: url.search,
            bodyIsNull: request.body === null, length: body.length,
            text: new TextDecoder().decode(body), seen: request.headers.get('x-seen'),
          }), { status: 201, headers: { 'content-type': 'application/json', 'x-from': 'fn' } });
        },
      }`,
    ),
    deployed(
      t,
      'mirror',
      `export default {
        async fetch(request) {
          return new Response(await request.arrayBuffer(), {
            headers: { 'content-type': request.headers.get('content-type') ?? 'x/none' },
          });
        },
      }`,
    ),
    deployed(
      t,
      'headers',
      `export default {
        fetch() {
          const headers = new Headers({ 'x-good': 'fine', connection: 'close',
            'transfer-encoding': 'chunked', 'keep-alive': 'timeout=1', 'x-instance-id': 'forged' });
          headers.append('set-cookie', 'a=1; Path=/');
          headers.append('set-cookie', 'b=2; Path=/');
          return new Response('ok', { status: 202, headers });
        },
      }`,
    ),
    deployed(
      t,
      'fthrower',
      'export default { fetch() { throw new Error("db password is hunter2") } }',
    ),
    deployed(t, 'fspin', 'export default { fetch() { for (;;) {} } }', '?timeout_ms=300'),
    deployed(
      t,
      'fjson',
      `export default {
        async fetch(request) {
          return Response.json({ method: request.method, path: new URL(request.url).pathname,
            type: request.headers.get('content-type'), event: await request.json() });
        },
      }`,
    ),
    deployed(t, 'ftext', 'export default { fetch: () => new Response("plain words") }'),
  ]);
});
afterAll(() => t?.close());

const errorCode = async (res: Response) =>
  ((await res.json()) as { error: { code: string } }).error.code;

describe('a fetch-style function on a trigger', () => {
  it('gets the path below /fn/:name, the query, method, headers and body', async () => {
    const res = await t.request('/fn/router/users/42?x=1&y=%20', {
      method: 'POST',
      headers: { 'x-seen': 'yes', 'content-type': 'text/plain' },
      body: 'hé',
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-from')).toBe('fn');
    expect(res.headers.get('x-instance-id')).toBe('test-1');
    expect(res.headers.get('x-invocation-id')).toBeTruthy();
    expect(await res.json()).toEqual({
      method: 'POST',
      url: 'http://localhost/users/42?x=1&y=%20',
      path: '/users/42',
      search: '?x=1&y=%20',
      bodyIsNull: false,
      length: 3,
      text: 'hé',
      seen: 'yes',
    });
  });

  it('sees / at the function root, and no body on a GET', async () => {
    for (const path of ['/fn/router', '/fn/router/']) {
      const seen = (await (await t.request(path)).json()) as Record<string, unknown>;
      expect([seen.path, seen.search, seen.method, seen.bodyIsNull]).toEqual([
        '/',
        '',
        'GET',
        true,
      ]);
    }
  });

  it('gets and answers bytes unchanged', async () => {
    const bytes = randomBytes(256 * 1024);
    const res = await t.request('/fn/mirror/upload', {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('keeps its headers and cookies, less the hop-by-hop ones and ours', async () => {
    const res = await t.request('/fn/headers');
    expect([res.status, await res.text()]).toEqual([202, 'ok']);
    expect(res.headers.get('x-good')).toBe('fine');
    expect(res.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; Path=/']);
    for (const name of ['connection', 'transfer-encoding', 'keep-alive']) {
      expect(res.headers.get(name)).toBeNull();
    }
    expect(res.headers.get('x-instance-id')).toBe('test-1');
  });

  it('hides a thrown error behind a bare 502, and a timeout is 504', async () => {
    const thrown = await t.request('/fn/fthrower');
    expect([thrown.status, await thrown.text()]).toEqual([
      502,
      '{"error":{"code":"FunctionError","message":"The function failed"}}',
    ]);
    const late = await t.request('/fn/fspin');
    expect([late.status, await errorCode(late)]).toEqual([504, 'FunctionTimeout']);
  });

  it('refuses a body of 6 MB + 1 with 413', async () => {
    const res = await t.request('/fn/mirror', {
      method: 'POST',
      body: 'x'.repeat(6 * 1024 * 1024 + 1),
    });
    expect([res.status, await errorCode(res)]).toEqual([413, 'PayloadTooLarge']);
  });
});

describe('invoke of a fetch-style function', () => {
  it('hands it POST / with the event as JSON; the JSON it answers is the result', async () => {
    const res = await t.invoke('fjson', '{"order":42}');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      method: 'POST',
      path: '/',
      type: 'application/json',
      event: { order: 42 },
    });
  });

  it('gives the text of a response that is not JSON', async () => {
    const res = await t.invoke('ftext');
    expect([res.status, await res.json()]).toEqual([200, 'plain words']);
  });
});

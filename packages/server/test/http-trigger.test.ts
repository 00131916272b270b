import { randomBytes } from 'node:crypto';
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from '../src/listen.ts';
import { auth, deployed, type TestInstance, testInstance } from './instance.ts';
import { parsePrometheusText } from './prometheus.ts';

// Event-style functions on HTTP triggers, through a whole instance: `app.request` for
// most, a real socket where the wire matters (repeated headers, Set-Cookie lines, the peer).
let t: TestInstance;
let server: Server;
let base: string;
beforeAll(async () => {
  t = await testInstance();
  server = await listen(t.instance.app.fetch, { port: 0, host: '127.0.0.1', instanceId: 'test-1' });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await Promise.all([
    deployed(t, 'echo', 'export const handler = (event) => event'),
    // Answers with the result the request's JSON body describes.
    deployed(t, 'answer', 'export const handler = (event) => JSON.parse(event.body)'),
    deployed(
      t,
      'bytes',
      `export const handler = (e) => ({ statusCode: 200, body: e.body ?? '',
        isBase64Encoded: e.isBase64Encoded, headers: { 'content-type': 'application/octet-stream' } })`,
    ),
    deployed(
      t,
      'thrower',
      'export function handler() { throw new Error("db password is hunter2") }',
    ),
    deployed(t, 'spin', 'export function handler() { for (;;) {} }', '?timeout_ms=300'),
    deployed(t, 'size', 'export const handler = (e) => ({ length: e.body?.length ?? 0 })'),
  ]);
});
afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await t?.close();
});

const json = async (res: Response) => (await res.json()) as Record<string, unknown>;
type Event = {
  rawPath: string;
  rawQueryString: string;
  cookies?: string[];
  headers: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  requestContext: Record<string, unknown> & { http: Record<string, string>; requestId: string };
  body?: string;
  isBase64Encoded: boolean;
};
const answer = (result: unknown) =>
  t.request('/fn/answer', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(result),
  });

interface Wire {
  status: number;
  rawHeaders: string[];
  body: Buffer;
}

/** A request over a real socket; a header given as a list goes out as one line each. */
function send(
  method: string,
  path: string,
  headers: Record<string, string | string[]> = {},
  body?: Buffer,
): Promise<Wire> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(base);
    // Options, not a URL string: the path goes out exactly as given.
    const req = httpRequest({ hostname, port, path, method, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          rawHeaders: res.rawHeaders,
          body: Buffer.concat(chunks),
        }),
      );
    });
    for (const [name, value] of Object.entries(headers)) req.setHeader(name, value);
    req.on('error', reject);
    req.end(body);
  });
}
const lines = (wire: Wire, name: string) =>
  wire.rawHeaders.filter((_, i) => i % 2 === 1 && wire.rawHeaders[i - 1]?.toLowerCase() === name);

describe('the Function URL event', () => {
  it('carries path, query, cookies, headers and body, and its requestId is the invocation', async () => {
    const res = await t.request('/fn/echo/users/42?x=1&x=2&y=%20z', {
      method: 'PUT',
      headers: {
        cookie: 'session=abc; theme=dark',
        'content-type': 'application/json',
        'user-agent': 'tester/1.0',
        'X-Mixed-Case': 'Value',
      },
      body: '{"hello":"wörld"}',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const event = (await res.json()) as Event;
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/users/42',
      rawQueryString: 'x=1&x=2&y=%20z',
      cookies: ['session=abc', 'theme=dark'],
      queryStringParameters: { x: '1,2', y: ' z' },
      body: '{"hello":"wörld"}',
      isBase64Encoded: false,
      requestContext: {
        accountId: 'anonymous',
        apiId: 'echo',
        domainName: 'localhost',
        domainPrefix: 'localhost',
        http: { method: 'PUT', path: '/users/42', protocol: 'HTTP/1.1', userAgent: 'tester/1.0' },
        routeKey: '$default',
        stage: '$default',
      },
    });
    expect(event.headers['x-mixed-case']).toBe('Value');
    expect(event.headers.cookie).toBeUndefined();
    const { requestId, time, timeEpoch } = event.requestContext;
    expect(requestId).toBe(res.headers.get('x-invocation-id'));
    expect(Math.abs(Date.now() - (timeEpoch as number))).toBeLessThan(10_000);
    expect(time).toMatch(/^\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000$/);
    expect(res.headers.get('x-instance-id')).toBe('test-1');
  });

  it('gives / for the function root, with or without a slash, and omits what is empty', async () => {
    for (const path of ['/fn/echo', '/fn/echo/']) {
      const event = (await (await t.request(path)).json()) as Event;
      expect([event.rawPath, event.requestContext.http.path]).toEqual(['/', '/']);
      expect(Object.keys(event)).toEqual([
        'version',
        'routeKey',
        'rawPath',
        'rawQueryString',
        'headers',
        'requestContext',
        'isBase64Encoded',
      ]);
    }
  });

  it('joins repeated headers with a comma and names the peer, over a real socket', async () => {
    const wire = await send('GET', '/fn/echo/a%2Fb?q', {
      'x-multi': ['one', 'two'],
      connection: 'keep-alive',
    });
    const event = JSON.parse(wire.body.toString()) as Event;
    expect(event.headers['x-multi']).toBe('one,two');
    expect(event.headers.connection).toBeUndefined(); // hop-by-hop: the connection's, not the function's
    expect(event.headers.host).toBe(base.slice('http://'.length));
    expect(event.rawPath).toBe('/a%2Fb'); // as sent
    expect(event.queryStringParameters).toEqual({ q: '' });
    expect(event.requestContext.http.sourceIp).toBe('127.0.0.1');
    expect(event.requestContext.domainPrefix).toBe('127');
  });

  it('base64-encodes a binary body, and a base64 result comes back as the same bytes', async () => {
    const bytes = randomBytes(64 * 1024);
    const echoed = await t.request('/fn/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    const event = (await echoed.json()) as Event;
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body as string, 'base64').equals(bytes)).toBe(true);

    const wire = await send('POST', '/fn/bytes', { 'content-type': 'image/png' }, bytes);
    expect(wire.status).toBe(200);
    expect(wire.body.equals(bytes)).toBe(true);
    expect(lines(wire, 'content-length')).toEqual([String(bytes.length)]);
    expect(lines(wire, 'content-type')).toEqual(['application/octet-stream']);
  });
});

describe('the result, read as Lambda reads it', () => {
  it('sends statusCode, headers and one Set-Cookie line per cookie', async () => {
    const result = {
      statusCode: 201,
      headers: { 'Content-Type': 'text/plain; charset=utf-8', 'My-Custom-Header': 'Custom Value' },
      cookies: ['Cookie_1=Value1; Expires=21 Oct 2021 07:48 GMT', 'Cookie_2=Value2; Max-Age=78000'],
      body: 'créé',
    };
    const wire = await send(
      'POST',
      '/fn/answer',
      { 'content-type': 'application/json' },
      Buffer.from(JSON.stringify(result)),
    );
    expect(wire.status).toBe(201);
    expect(wire.body.toString()).toBe('créé');
    expect(lines(wire, 'set-cookie')).toEqual(result.cookies);
    expect(lines(wire, 'my-custom-header')).toEqual(['Custom Value']);
    expect(lines(wire, 'content-type')).toEqual(['text/plain; charset=utf-8']);
    expect(lines(wire, 'content-length')).toEqual([String(Buffer.byteLength('créé'))]);
    expect(lines(wire, 'x-instance-id')).toEqual(['test-1']);
    expect(lines(wire, 'x-invocation-id')).toHaveLength(1);
  });

  it('answers a plain object as 200 JSON, and a string as its text', async () => {
    const object = await answer({ hello: 'world' });
    expect([object.status, object.headers.get('content-type'), await object.text()]).toEqual([
      200,
      'application/json',
      '{"hello":"world"}',
    ]);
    const text = await answer('hello');
    expect([text.status, await text.text()]).toEqual([200, 'hello']);
  });

  it('drops headers HTTP forbids, and the function cannot forge ours', async () => {
    const wire = await send(
      'POST',
      '/fn/answer',
      { 'content-type': 'application/json' },
      Buffer.from(
        JSON.stringify({
          statusCode: 200,
          headers: {
            'x-good': 'fine',
            'bad name': 'x',
            'x-split': 'a\r\nInjected: 1',
            'transfer-encoding': 'chunked',
            connection: 'close',
            'content-length': '9999',
            'x-instance-id': 'forged',
          },
          body: 'ok',
        }),
      ),
    );
    expect(wire.status).toBe(200);
    expect(wire.body.toString()).toBe('ok');
    expect(lines(wire, 'x-good')).toEqual(['fine']);
    expect(lines(wire, 'injected')).toEqual([]);
    expect(lines(wire, 'x-split')).toEqual([]);
    expect(lines(wire, 'transfer-encoding')).toEqual([]);
    expect(lines(wire, 'content-length')).toEqual(['2']);
    expect(lines(wire, 'x-instance-id')).toEqual(['test-1']);
    // Connection is the server's (its keep-alive): never what the function said.
    const said = await answer({ statusCode: 200, headers: { connection: 'close' } });
    expect(said.headers.get('connection')).toBeNull();
  });

  it.each([
    { statusCode: 0 },
    { statusCode: 99 },
    { statusCode: 101 },
    { statusCode: 600 },
    { statusCode: 'abc' },
    { statusCode: 200, body: '%%%', isBase64Encoded: true },
  ])('is a bare 502 for a result that is no response: %j', async (result) => {
    const res = await answer(result);
    expect(res.status).toBe(502);
    expect(await res.text()).toBe(
      '{"error":{"code":"FunctionError","message":"The function failed"}}',
    );
    expect(res.headers.get('x-invocation-id')).toBeTruthy();
  });

  it('sends no body with a 204, and none for a HEAD', async () => {
    const empty = await answer({ statusCode: 204, body: 'ignored' });
    expect([empty.status, await empty.text()]).toEqual([204, '']);
    const head = await send('HEAD', '/fn/echo');
    expect([head.status, head.body.length]).toEqual([200, 0]);
  });
});

describe('failures on a trigger', () => {
  it("hides a thrown error's message and stack behind a 502", async () => {
    const res = await t.request('/fn/thrower/x');
    expect(res.status).toBe(502);
    const text = await res.text();
    expect(text).toBe('{"error":{"code":"FunctionError","message":"The function failed"}}');
    expect(res.headers.get('x-function-error')).toBeNull();
    expect(res.headers.get('x-invocation-id')).toBeTruthy();
    expect(res.headers.get('x-instance-id')).toBe('test-1');
  });

  it('answers 504 FunctionTimeout past timeout_ms', async () => {
    const res = await t.request('/fn/spin');
    expect(res.status).toBe(504);
    expect(((await json(res)).error as { code: string }).code).toBe('FunctionTimeout');
  });

  it('takes a body of 6 MB and refuses 6 MB + 1 with 413, declared or streamed', async () => {
    const limit = 6 * 1024 * 1024;
    const fits = await t.request('/fn/size', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'x'.repeat(limit),
    });
    expect(await fits.json()).toEqual({ length: limit });
    const over = await t.request('/fn/size', { method: 'POST', body: 'x'.repeat(limit + 1) });
    expect(over.status).toBe(413);
    expect(((await json(over)).error as { code: string }).code).toBe('PayloadTooLarge');
    expect(over.headers.get('x-invocation-id')).toBeTruthy();
    const streamed = await t.request('/fn/size', {
      method: 'POST',
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < 7; i++) controller.enqueue(new Uint8Array(1024 * 1024));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
  });

  it('answers 404 for an unknown function and 400 for an invalid name', async () => {
    const missing = await t.request('/fn/no-such-function/x');
    expect([missing.status, ((await json(missing)).error as { code: string }).code]).toEqual([
      404,
      'FunctionNotFound',
    ]);
    for (const bad of ['/fn/Bad_Name', '/fn/a%20b', '/fn/-x/y']) {
      const res = await t.request(bad);
      expect([bad, res.status, ((await json(res)).error as { code: string }).code]).toEqual([
        bad,
        400,
        'InvalidName',
      ]);
    }
    // Dot segments are refused on the raw target (a URL class would resolve them first).
    const dots = await send('GET', '/fn/%2e%2e/x');
    expect([dots.status, JSON.parse(dots.body.toString()).error.code]).toEqual([
      400,
      'InvalidName',
    ]);
  });

  it('counts trigger invocations per function and outcome, with no path in any label', async () => {
    await t.request('/fn/echo/some/path/123');
    const samples = parsePrometheusText(await (await t.request('/metrics')).text());
    const count = (fn: string, outcome: string) =>
      samples.find(
        (s) =>
          s.name === 'mini_lambda_invocations_total' &&
          s.labels.function === fn &&
          s.labels.outcome === outcome,
      )?.value ?? 0;
    expect(count('echo', 'success')).toBeGreaterThan(0);
    expect(count('thrower', 'error')).toBeGreaterThan(0);
    expect(count('spin', 'timeout')).toBeGreaterThan(0);
    expect(count('answer', 'error')).toBeGreaterThan(0); // results that were no response
    for (const s of samples) {
      expect(Object.values(s.labels).some((v) => v.includes('/some/path'))).toBe(false);
    }
  });
});

describe('auth on a trigger', () => {
  const KEY = 'invoke-key-0123456789';
  let locked: TestInstance;
  beforeAll(async () => {
    locked = await testInstance({ MINI_LAMBDA_INVOKE_KEY: KEY });
    await deployed(locked, 'private', 'export const handler = (e) => e.headers');
    await deployed(locked, 'open', 'export const handler = (e) => e.headers');
    const patched = await locked.request('/functions/open', {
      method: 'PATCH',
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{"public":true}',
    });
    expect(patched.status).toBe(200);
  });
  afterAll(() => locked?.close());
  const call = (path: string, key?: string) =>
    locked.request(path, key ? { headers: { Authorization: `Bearer ${key}` } } : {});

  it('needs the invoke key (or the API key) for a function that is not public', async () => {
    const none = await call('/fn/private');
    expect([none.status, none.headers.get('www-authenticate')]).toEqual([401, 'Bearer']);
    expect(none.headers.get('x-invocation-id')).toBeTruthy();
    expect((await call('/fn/private', 'wrong-key')).status).toBe(403);
    const right = await call('/fn/private', KEY);
    expect(right.status).toBe(200);
    // The key was ours: the function does not see it.
    expect((await right.json()) as Record<string, string>).not.toHaveProperty('authorization');
    expect((await call('/fn/private', 'test-api-key-0123456789')).status).toBe(200);
  });

  it('does not tell a caller without the key whether a function exists', async () => {
    expect((await call('/fn/no-such-function')).status).toBe(401);
    expect((await call('/fn/no-such-function', 'wrong-key')).status).toBe(403);
    expect((await call('/fn/no-such-function', KEY)).status).toBe(404);
  });

  it('opens a public function to everyone, passing its Authorization through', async () => {
    const res = await call('/fn/open/hook');
    expect(res.status).toBe(200);
    const theirs = await call('/fn/open/hook', 'their-own-token');
    expect(((await theirs.json()) as Record<string, string>).authorization).toBe(
      'Bearer their-own-token',
    );
  });
});

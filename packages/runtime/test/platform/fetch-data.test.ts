import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OutboundRequest, OutboundResponse } from '@mini-lambda/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInProcessRuntime, runtimeLimits } from '../../src/index.ts';
import { createBundles, createTestRuntime, IN_SANDBOX } from '../harness.ts';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

// The platform's own modules, loaded in Node: the conversions the prelude uses are plain
// functions of plain data, so their synchronous contract can be checked directly.
interface ResponseData {
  status: number;
  statusText: string;
  headers: [string, string][];
  body: Uint8Array;
  tooLarge?: true;
}
interface PlatformResponse {
  bodyUsed: boolean;
}
interface PlatformRequest {
  method: string;
  url: string;
  body: unknown;
  headers: { getSetCookie(): string[] };
  text(): Promise<string>;
}
type Ctor<T> = new (...args: unknown[]) => T;
const platform = new URL('../../src/sandbox/platform/', import.meta.url).href;
const fetchModule = (await import(`${platform}fetch/classes.js`)) as {
  Response: Ctor<PlatformResponse>;
  FormData: Ctor<{ append(name: string, value: string): void }>;
  Blob: Ctor<object>;
  requestFromData(data: unknown): PlatformRequest;
  responseToData(response: unknown, maxBytes: number): ResponseData | Promise<ResponseData>;
};
const { FormData: IsolateFormData, Blob: IsolateBlob } = fetchModule;
const { Response: IsolateResponse, requestFromData } = fetchModule;
/** responseToData where it must answer without a promise. */
function responseToData(response: unknown, maxBytes: number): ResponseData {
  const data = fetchModule.responseToData(response, maxBytes);
  if (data instanceof Promise) throw new Error('responseToData returned a promise');
  return data;
}

describe('responseToData without a stream', () => {
  it('answers synchronously for null, string, bytes, Blob, URLSearchParams and FormData bodies', () => {
    const fd = new IsolateFormData();
    fd.append('a', 'b');
    const bodies = [
      null,
      'hello',
      new Uint8Array([1, 2, 3]),
      new IsolateBlob(['blob'], { type: 'x/y' }),
      new URLSearchParams('q=1'),
      fd,
    ];
    for (const body of bodies) {
      const data = responseToData(
        new IsolateResponse(body, { status: 201, headers: { 'X-A': '1' } }),
        1000,
      );
      expect(data).not.toBeInstanceOf(Promise);
      expect(data.status).toBe(201);
      expect(data.headers).toContainEqual(['x-a', '1']);
      expect(data.body).toBeInstanceOf(Uint8Array);
      expect(data.tooLarge).toBeUndefined();
    }
    const hello = responseToData(new IsolateResponse('hello'), 1000);
    expect(text(hello.body)).toBe('hello');
    expect(hello.headers).toEqual([['content-type', 'text/plain;charset=UTF-8']]);
  });

  it('reports tooLarge past maxBytes and marks the body used', () => {
    const response = new IsolateResponse('12345');
    expect(text(responseToData(response, 5).body)).toBe('12345');
    expect(response.bodyUsed).toBe(true);
    const big = responseToData(new IsolateResponse('123456'), 5);
    expect(big).toMatchObject({ tooLarge: true });
    expect(big.body.length).toBe(0);
    expect(() => responseToData(response, 5)).toThrow(TypeError);
  });

  it('throws a TypeError for what is not a Response', () => {
    expect(() => responseToData({} as never, 5)).toThrow(TypeError);
  });

  it('requestFromData builds a Request without copying what the host sent', async () => {
    const request = requestFromData({
      method: 'POST',
      url: 'http://localhost/path?q=1',
      headers: [
        ['content-type', 'text/plain'],
        ['set-cookie', 'a=1'],
        ['set-cookie', 'b=2'],
      ],
      body: new TextEncoder().encode('body'),
    });
    expect(request.method).toBe('POST');
    expect(request.url).toBe('http://localhost/path?q=1');
    expect(request.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await request.text()).toBe('body');
    const get = requestFromData({
      method: 'GET',
      url: 'http://h/',
      headers: [],
      body: new Uint8Array(0),
    });
    expect(get.body).toBeNull();
  });
});

describe('fetch-style functions in an isolate', () => {
  const t = createTestRuntime();
  afterAll(() => t.runtime.dispose());

  const http = (fn: ReturnType<typeof t.deploy>, request: Partial<OutboundRequest> = {}) =>
    t.runtime.invoke(fn, {
      kind: 'http',
      request: {
        method: 'GET',
        url: 'http://localhost/a?b=c',
        headers: [],
        body: null,
        ...request,
      },
    });

  it('hands the request over and takes a string response back', async () => {
    const fn = t.deploy(
      'echo',
      `export default { async fetch(request) {
        const body = await request.text();
        return new Response(JSON.stringify({ method: request.method, url: request.url, type: request.headers.get('content-type'), body }), {
          status: 201, statusText: 'Made', headers: { 'X-Reply': 'yes', 'Set-Cookie': 'a=1' },
        });
      } };`,
    );
    const out = await http(fn, {
      method: 'PUT',
      headers: [['content-type', 'text/plain']],
      body: new TextEncoder().encode('payload'),
    });
    expect(out.ok).toBe(true);
    if (!out.ok || !out.response) throw new Error('no response');
    expect(out.response.status).toBe(201);
    expect(out.response.statusText).toBe('Made');
    expect(out.response.headers).toEqual([
      ['content-type', 'text/plain;charset=UTF-8'],
      ['set-cookie', 'a=1'],
      ['x-reply', 'yes'],
    ]);
    expect(JSON.parse(text(out.response.body))).toEqual({
      method: 'PUT',
      url: 'http://localhost/a?b=c',
      type: 'text/plain',
      body: 'payload',
    });
  });

  it('reads a streamed response body', async () => {
    const fn = t.deploy(
      'stream',
      `export default { fetch() {
        let n = 0;
        const body = new ReadableStream({ pull(c) { if (n < 3) c.enqueue(new TextEncoder().encode('chunk' + n++)); else c.close(); } });
        return new Response(body.pipeThrough(new TransformStream()), { headers: { 'content-type': 'text/x' } });
      } };`,
    );
    const out = await http(fn);
    if (!out.ok || !out.response) throw new Error(`no response: ${JSON.stringify(out)}`);
    expect(text(out.response.body)).toBe('chunk0chunk1chunk2');
  });

  it('stops reading an endless stream at the result bound without running out of memory', async () => {
    const fn = t.deploy(
      'endless',
      `export default { fetch() {
        return new Response(new ReadableStream({ pull(c) { c.enqueue(new Uint8Array(65536)); } }));
      } };`,
      { memory_mb: 32 },
    );
    const out = await http(fn);
    expect(out).toMatchObject({ ok: false, reason: 'result_too_large' });
    // the isolate lives on: the stream was cancelled, not left buffering
    const again = await http(fn);
    expect(again).toMatchObject({ ok: false, reason: 'result_too_large' });
  });

  it('sends back only the bytes of a Blob slice, not the buffer under them', async () => {
    const fn = t.deploy(
      'slice',
      `export default { fetch() { return new Response(new Blob(['x'.repeat(100000) + 'ab']).slice(-2)); } };`,
    );
    const out = await http(fn);
    if (!out.ok || !out.response) throw new Error(`no response: ${JSON.stringify(out)}`);
    expect(text(out.response.body)).toBe('ab');
    // in process, the copy the host takes is exactly the isolate's (a sandbox's goes on
    // through its IPC frames)
    if (!IN_SANDBOX) expect(out.response.body.buffer.byteLength).toBe(2);
  });

  it('fails a response whose body was already read', async () => {
    const fn = t.deploy(
      'used',
      `export default { async fetch() { const r = new Response('x'); await r.text(); return r; } };`,
    );
    const out = await http(fn);
    expect(out).toMatchObject({ ok: false, reason: 'error' });
    if (out.ok) return;
    expect(out.message).toContain('Body is unusable');
  });

  it('a fetch-style function invoked with an event gets it as a JSON POST', async () => {
    const fn = t.deploy(
      'invoked',
      `export default { async fetch(request) { return Response.json({ got: await request.json(), m: request.method }); } };`,
    );
    const out = await t.runtime.invoke(fn, '{"x":1}');
    expect(out).toMatchObject({ ok: true, result: '{"got":{"x":1},"m":"POST"}' });
  });
});

describe('fetch through the runtime to a loopback server', () => {
  let server: Server;
  let base: string;
  const seen: { method?: string; url?: string; headers: Record<string, unknown>; body: string }[] =
    [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({
          method: req.method,
          url: req.url,
          headers: req.headers,
          body: Buffer.concat(chunks).toString(),
        });
        if (req.url === '/empty') {
          res.writeHead(204).end();
          return;
        }
        res.setHeader('Set-Cookie', ['s=1', 't=2']);
        res.writeHead(200, 'Fine', { 'content-type': 'application/json', 'x-up': 'v' });
        res.end(JSON.stringify({ echo: Buffer.concat(chunks).toString() }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  // The outbound client is the runtime's dependency; here Node's fetch to the loopback
  // server plays it (the egress policy is the server package's and tested there).
  async function outbound(
    request: OutboundRequest,
    signal: AbortSignal,
  ): Promise<OutboundResponse> {
    const res = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      redirect: request.redirect,
      signal,
      ...(request.body === null ? {} : { body: request.body }),
    });
    const headers: [string, string][] = [];
    res.headers.forEach((value, name) => {
      if (name !== 'set-cookie') headers.push([name, value]);
    });
    for (const cookie of res.headers.getSetCookie()) headers.push(['set-cookie', cookie]);
    return {
      status: res.status,
      statusText: res.statusText,
      headers,
      url: `${res.url}#frag`,
      redirected: res.redirected,
      body: new Uint8Array(await res.arrayBuffer()),
    };
  }

  const { loadCode, deploy } = createBundles();
  const runtime = createInProcessRuntime(
    { loadCode, fetch: (_call, request, signal) => outbound(request, signal) },
    runtimeLimits({}),
  );
  afterAll(() => runtime.dispose());

  it('sends method, headers and body, and wraps the response', async () => {
    const fn = deploy(
      'fetcher',
      `export async function handler(event) {
        const body = new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode('streamed ')); c.enqueue(new TextEncoder().encode('body')); c.close(); } });
        const request = new Request(event.base + '/path?x=1', { method: 'POST', headers: { 'X-Custom': 'c' }, body, duplex: 'half' });
        const res = await fetch(request);
        const empty = await fetch(event.base + '/empty', { method: 'DELETE' });
        return {
          status: res.status, statusText: res.statusText, ok: res.ok, type: res.type, url: res.url,
          redirected: res.redirected, cookies: res.headers.getSetCookie(), up: res.headers.get('x-up'),
          json: await res.json(), used: request.bodyUsed,
          immutable: (() => { try { res.headers.set('a', 'b'); return false; } catch (e) { return e.name; } })(),
          empty: { status: empty.status, body: empty.body },
        };
      }`,
    );
    const out = await runtime.invoke(fn, JSON.stringify({ base }));
    if (!out.ok) throw new Error(`${out.reason}: ${out.message}`);
    expect(JSON.parse(out.result)).toEqual({
      status: 200,
      statusText: 'Fine',
      ok: true,
      type: 'basic',
      url: `${base}/path?x=1`,
      redirected: false,
      cookies: ['s=1', 't=2'],
      up: 'v',
      json: { echo: 'streamed body' },
      used: true,
      immutable: 'TypeError',
      empty: { status: 204, body: null },
    });
    const first = seen.find((s) => s.url === '/path?x=1');
    expect(first).toMatchObject({ method: 'POST', body: 'streamed body' });
    expect(first?.headers['x-custom']).toBe('c');
  });

  it('rejects with the reason of an aborted signal, and a used body cannot be sent', async () => {
    const fn = deploy(
      'aborter',
      `export async function handler(event) {
        const aborted = await fetch(event.base, { signal: AbortSignal.abort(new RangeError('no')) }).catch((e) => e.name);
        const r = new Request(event.base, { method: 'POST', body: 'x' });
        await r.text();
        const used = await fetch(r).catch((e) => e.name);
        const bad = await fetch('not a url').catch((e) => e.name);
        const endless = new ReadableStream({ pull(c) { c.enqueue(new Uint8Array(1 << 20)); } });
        const tooLarge = await fetch(event.base, { method: 'POST', body: endless, duplex: 'half' }).catch((e) => e.name + ': ' + e.message);
        return { aborted, used, bad, tooLarge };
      }`,
    );
    const out = await runtime.invoke(fn, JSON.stringify({ base }));
    expect(out).toMatchObject({ ok: true });
    if (!out.ok) return;
    expect(JSON.parse(out.result)).toEqual({
      aborted: 'RangeError',
      used: 'TypeError',
      bad: 'TypeError',
      tooLarge: 'TypeError: A request body may be at most 10485760 bytes',
    });
  });
});

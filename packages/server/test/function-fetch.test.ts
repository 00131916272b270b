import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, type TestInstance, testInstance } from './instance.ts';

/** A loopback upstream: what functions fetch in these tests (nothing leaves the machine). */
interface Upstream {
  server: Server;
  origin: string;
  port: number;
  /** Requests seen, by path. */
  seen: string[];
  /** Connections closed by the client while a response was pending, by path. */
  abandoned: string[];
}

async function upstream(): Promise<Upstream> {
  const up = { seen: [], abandoned: [] } as unknown as Upstream;
  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
    '/json': (_req, res) => res.setHeader('content-type', 'application/json').end('{"up":true}'),
    '/echo': (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () =>
        res.end(
          JSON.stringify({
            method: req.method,
            body: Buffer.concat(chunks).toString(),
            ua: req.headers['user-agent'],
          }),
        ),
      );
    },
    '/hang': () => {}, // never answers
    '/huge': (_req, res) => {
      // 40 MB in 1 MB writes: past the 32 MB cap.
      const chunk = Buffer.alloc(1024 * 1024, 120);
      let sent = 0;
      const more = () => {
        while (sent < 40 && res.write(chunk)) sent++;
        if (sent < 40)
          res.once('drain', () => {
            sent++;
            more();
          });
        else res.end();
      };
      more();
    },
    '/endless': (_req, res) => {
      const chunk = Buffer.alloc(64 * 1024, 121);
      const more = () => {
        while (res.write(chunk)) {}
        res.once('drain', more);
      };
      more();
    },
  };
  up.server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    up.seen.push(path);
    res.on('close', () => {
      if (!res.writableFinished) up.abandoned.push(path);
    });
    res.on('error', () => {});
    (routes[path] ?? ((_q, r) => r.writeHead(404).end()))(req, res);
  });
  await new Promise<void>((resolve) => up.server.listen(0, '127.0.0.1', resolve));
  up.port = (up.server.address() as AddressInfo).port;
  up.origin = `http://127.0.0.1:${up.port}`;
  return up;
}

let t: TestInstance;
let allowed: Upstream;
let refused: Upstream;

beforeAll(async () => {
  allowed = await upstream();
  refused = await upstream();
  t = await testInstance({ EGRESS_ALLOW: `127.0.0.1:${allowed.port}` });
});
afterAll(async () => {
  await t.close();
  for (const up of [allowed, refused]) {
    up.server.closeAllConnections();
    up.server.close();
  }
});

/** Deploys an event-style function that runs `body` with `event` and `origin` in scope. */
async function deploy(name: string, body: string, query = '') {
  const source = `export async function handler(event) { ${body} }`;
  const res = await t.deploy(name, source, query);
  expect(res.status).toBe(201);
}
const call = async (name: string, event: unknown) => {
  const res = await t.invoke(name, JSON.stringify(event));
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const until = async (check: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  return check();
};

describe("a function's fetch, through the instance", () => {
  it('reaches an upstream EGRESS_ALLOW lets through, with a body and our user agent', async () => {
    await deploy(
      'fetch-ok',
      `const a = await (await fetch(event.origin + '/json')).json();
       const b = await (await fetch(event.origin + '/echo', { method: 'PUT', body: 'hi' })).json();
       return { a, b };`,
    );
    const out = await call('fetch-ok', { origin: allowed.origin });
    expect(out.status).toBe(200);
    expect(out.body).toMatchObject({ a: { up: true }, b: { method: 'PUT', body: 'hi' } });
    expect((out.body.b as { ua: string }).ua).toMatch(/^mini-lambda\//);
  });

  it('is refused with a TypeError for loopback not in EGRESS_ALLOW: nothing is sent', async () => {
    await deploy(
      'fetch-refused',
      `try { await fetch(event.origin + '/json'); return 'sent' }
       catch (e) { return { name: e.name, message: e.message } }`,
    );
    const out = await call('fetch-refused', { origin: refused.origin });
    expect(out.body).toEqual({
      name: 'TypeError',
      message: 'egress refused: 127.0.0.1 is a loopback address',
    });
    expect(refused.seen).toEqual([]);
  });

  it('is refused entirely with egress "none"', async () => {
    await deploy(
      'fetch-none',
      `try { await fetch(event.origin + '/json'); return 'sent' }
       catch (e) { return e.message }`,
    );
    const patched = await t.request('/functions/fetch-none', {
      method: 'PATCH',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ egress: 'none' }),
    });
    expect(patched.status).toBe(200);
    const out = await call('fetch-none', { origin: allowed.origin });
    expect(out.body).toMatch(/^egress refused:/);
  });

  it('ends a request to an upstream that never answers at the deadline (504)', async () => {
    await deploy(
      'fetch-hang',
      `await fetch(event.origin + '/hang'); return 'answered'`,
      '?timeout_ms=500',
    );
    const out = await call('fetch-hang', { origin: allowed.origin });
    expect(out.status).toBe(504);
    // The request was aborted: the upstream sees its connection go.
    expect(await until(() => allowed.abandoned.includes('/hang'))).toBe(true);
  });

  it('caps a response body at 32 MB and a never-ending one too, with a clear TypeError', async () => {
    await deploy(
      'fetch-big',
      `try { const r = await fetch(event.origin + event.path); await r.arrayBuffer(); return 'read' }
       catch (e) { return { name: e.name, message: e.message } }`,
      '?timeout_ms=20000',
    );
    for (const path of ['/huge', '/endless']) {
      const out = await call('fetch-big', { origin: allowed.origin, path });
      expect(out.body).toMatchObject({ name: 'TypeError' });
      expect((out.body as { message: string }).message).toMatch(/33554432|32 MB|larger/);
    }
    expect(await until(() => allowed.abandoned.includes('/endless'))).toBe(true);
  });

  it('allows max_subrequests requests per invocation and refuses the rest', async () => {
    await deploy(
      'fetch-many',
      `const results = await Promise.allSettled(
         Array.from({ length: 1000 }, () => fetch(event.origin + '/json').then((r) => r.text())));
       const ok = results.filter((r) => r.status === 'fulfilled').length;
       const why = results.find((r) => r.status === 'rejected')?.reason;
       return { ok, refused: results.length - ok, name: why?.name };`,
      '?max_subrequests=5&timeout_ms=10000',
    );
    const out = await call('fetch-many', { origin: allowed.origin });
    expect(out.body).toEqual({ ok: 5, refused: 995, name: 'TypeError' });
  });

  it('aborts a request with its AbortSignal', async () => {
    await deploy(
      'fetch-abort',
      `const controller = new AbortController();
       const pending = fetch(event.origin + '/hang', { signal: controller.signal });
       setTimeout(() => controller.abort(), 50);
       try { await pending; return 'answered' } catch (e) { return e.name }`,
    );
    allowed.abandoned.length = 0;
    const out = await call('fetch-abort', { origin: allowed.origin });
    expect(out.body).toBe('AbortError');
    expect(await until(() => allowed.abandoned.includes('/hang'))).toBe(true);
  });

  it('keeps fetching after the response for ctx.waitUntil work (a fetch-style function)', async () => {
    const source = `export default {
      fetch(request, env, ctx) {
        const origin = new URL(request.url).searchParams.get('origin');
        ctx.waitUntil(new Promise((r) => setTimeout(r, 100)).then(() => fetch(origin + '/echo', { method: 'POST', body: 'later' })));
        return new Response('answered first');
      },
    };`;
    expect((await t.deploy('fetch-later', source)).status).toBe(201);
    allowed.seen.length = 0;
    const res = await t.request(`/fn/fetch-later?origin=${encodeURIComponent(allowed.origin)}`);
    expect(await res.text()).toBe('answered first');
    expect(allowed.seen).toEqual([]);
    expect(await until(() => allowed.seen.includes('/echo'))).toBe(true);
  });
});

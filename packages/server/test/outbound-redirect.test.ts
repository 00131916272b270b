import { afterEach, describe, expect, it } from 'vitest';
import {
  createOutboundClient,
  EgressRefusedError,
  type OutboundClient,
  type OutboundClientOptions,
  OutboundLimitError,
  parseEgressAllow,
} from '../src/outbound/index.ts';
import {
  callOf,
  fetchWith,
  type Handler,
  ok,
  rejection,
  startServer,
  type TestServer,
  text,
} from './outbound-kit.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

async function server(handler: Handler, host?: string): Promise<TestServer> {
  const s = await startServer(handler, host);
  cleanup.push(() => s.close());
  return s;
}

function client(allow: string, options: Partial<OutboundClientOptions> = {}): OutboundClient {
  const c = createOutboundClient({ allow: parseEgressAllow(allow), ...options });
  cleanup.push(() => c.close());
  return c;
}

/** Answers `/to?status=S&location=L` with that redirect, anything else with 200 "final". */
const redirector: Handler = (req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  const location = url.searchParams.get('location');
  if (url.pathname === '/to' && location !== null) {
    res.writeHead(Number(url.searchParams.get('status') ?? 302), { location });
    res.end('moved');
    return;
  }
  ok('final')(req, res, undefined as never);
};

const to = (origin: string, location: string, status = 302) =>
  `${origin}/to?status=${status}&location=${encodeURIComponent(location)}`;

describe('redirects', () => {
  it('are followed under the policy: a hop to a target not allowed is refused there', async () => {
    const allowed = await server(redirector);
    const forbidden = await server(ok('secret'));
    const forbidden6 = await server(ok('secret'), '::1');
    const c = client(`127.0.0.1:${allowed.port}`);
    const targets = [
      `${forbidden.origin}/`,
      `http://localhost:${forbidden.port}/`,
      `http://2130706433:${forbidden.port}/`,
      `http://[::ffff:127.0.0.1]:${forbidden.port}/`,
      `http://[::1]:${forbidden6.port}/`,
      `http://0.0.0.0:${allowed.port}/`,
    ];
    for (const target of targets) {
      const call = callOf();
      const error = await rejection(fetchWith(c, to(allowed.origin, target), { call }));
      expect(error, target).toBeInstanceOf(EgressRefusedError);
      expect(error.message, target).toMatch(/^egress refused: /);
    }
    expect(forbidden.connections).toBe(0);
    expect(forbidden6.connections).toBe(0);
    expect(allowed.requests.length).toBe(targets.length);
  });

  it('to a scheme other than http(s), or to a URL with credentials, fail', async () => {
    const allowed = await server(redirector);
    const c = client(`127.0.0.1:${allowed.port}`);
    expect((await rejection(fetchWith(c, to(allowed.origin, 'file:///etc/passwd')))).message).toBe(
      'egress refused: file: URLs cannot be fetched, only http: and https:',
    );
    const withCredentials = `http://u:p@127.0.0.1:${allowed.port}/`;
    expect((await rejection(fetchWith(c, to(allowed.origin, withCredentials)))).message).toMatch(
      /credentials/,
    );
  });

  it('report where they ended; the fragment is not part of the URL', async () => {
    const a = await server(redirector);
    const c = client(`127.0.0.1:${a.port}`);
    const response = await fetchWith(c, to(a.origin, '/final?x=1#frag', 301));
    expect(response).toMatchObject({
      status: 200,
      redirected: true,
      url: `${a.origin}/final?x=1`,
    });
    expect(text(response.body)).toBe('final');
    // A relative location resolves against the URL of the hop that sent it.
    const relative = await fetchWith(c, `${a.origin}/to?status=307&location=elsewhere`);
    expect(relative.url).toBe(`${a.origin}/elsewhere`);
  });

  it('"manual" hands back the 3xx; "error" rejects; no location is not a redirect', async () => {
    const a = await server(redirector);
    const c = client(`127.0.0.1:${a.port}`);
    const manual = await fetchWith(c, to(a.origin, 'http://127.0.0.1:1/'), { redirect: 'manual' });
    expect(manual).toMatchObject({ status: 302, redirected: false });
    expect(manual.headers).toContainEqual(['location', 'http://127.0.0.1:1/']);
    expect(text(manual.body)).toBe('moved');
    const error = await rejection(fetchWith(c, to(a.origin, '/final'), { redirect: 'error' }));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('fetch failed: unexpected redirect (status 302)');
    const noLocation = await server((_req, res) => {
      res.statusCode = 302;
      res.end('no location');
    });
    const c2 = client(`127.0.0.1:${noLocation.port}`);
    const response = await fetchWith(c2, `${noLocation.origin}/`);
    expect(response).toMatchObject({ status: 302, redirected: false });
    expect(text(response.body)).toBe('no location');
    expect(a.requests.length).toBe(2); // the refused-to-follow hops never went anywhere
  });

  it('count as subrequests, and stop after maxRedirects', async () => {
    const loop = await server((req, res) => {
      const n = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('n') ?? 0);
      res.writeHead(302, { location: `/?n=${n + 1}` });
      res.end();
    });
    const c = client(`127.0.0.1:${loop.port}`, { maxRedirects: 3 });
    const call = callOf();
    const error = await rejection(fetchWith(c, `${loop.origin}/`, { call }));
    expect(error).toBeInstanceOf(OutboundLimitError);
    expect(error.message).toBe('fetch failed: more than 3 redirects');
    expect(call.subrequests.used).toBe(4);
    expect(loop.requests.length).toBe(4);

    const capped = callOf({ max_subrequests: 2 });
    const limited = await rejection(fetchWith(c, `${loop.origin}/`, { call: capped }));
    expect(limited.message).toMatch(/^subrequest limit reached/);
    expect(capped.subrequests.used).toBe(2);
  });

  it('are checked against the function’s host patterns on every hop', async () => {
    const a = await server(redirector);
    const c = client(`127.0.0.1:${a.port},localhost:${a.port}`);
    const call = callOf({ egress: ['localhost'] });
    const error = await rejection(
      fetchWith(c, to(`http://localhost:${a.port}`, `${a.origin}/final`), { call }),
    );
    expect(error).toMatchObject({ reason: 'host_not_listed' });
    expect(a.requests.length).toBe(1);
  });

  it('change method, body and headers as Node’s fetch does', async () => {
    const a = await server(redirector);
    const c = client(`127.0.0.1:${a.port}`);
    for (const status of [301, 302, 303, 307, 308]) {
      for (const method of ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH']) {
        const hasBody = method !== 'GET' && method !== 'HEAD';
        const init = {
          method,
          headers: [
            ['content-type', 'text/plain'],
            ['content-language', 'en'],
            ['x-other', 'kept'],
          ] as [string, string][],
          body: hasBody ? 'payload' : null,
        };
        const url = to(a.origin, '/final', status);
        a.requests.length = 0;
        await fetch(url, { ...init, body: init.body ?? undefined });
        const expected = a.requests.at(-1);
        a.requests.length = 0;
        await fetchWith(c, url, init);
        const seen = a.requests.at(-1);
        const summary = (r: typeof seen) => ({
          method: r?.method,
          body: r?.body.toString(),
          contentType: r?.headers['content-type'],
          contentLanguage: r?.headers['content-language'],
          other: r?.headers['x-other'],
        });
        expect(summary(seen), `${method} ${status}`).toEqual(summary(expected));
      }
    }
  });

  it('drop credentials when they leave the origin, as Node’s fetch does', async () => {
    const first = await server(redirector);
    const second = await server(ok('second'));
    const c = client(`127.0.0.1:${first.port},127.0.0.1:${second.port}`);
    const headers: [string, string][] = [
      ['authorization', 'Bearer t'],
      ['cookie', 'sid=1'],
      ['x-other', 'kept'],
    ];
    const pick = (h: Record<string, unknown> | undefined) => ({
      authorization: h?.authorization,
      cookie: h?.cookie,
      other: h?.['x-other'],
    });
    for (const target of [`${second.origin}/x`, '/final']) {
      const url = to(first.origin, target);
      await fetch(url, { headers });
      const expected = pick((target.startsWith('/') ? first : second).requests.at(-1)?.headers);
      await fetchWith(c, url, { headers });
      const seen = pick((target.startsWith('/') ? first : second).requests.at(-1)?.headers);
      expect(seen, target).toEqual(expected);
    }
    expect(pick(second.requests.at(-1)?.headers)).toEqual({ other: 'kept' });
    expect(pick(first.requests.at(-1)?.headers)).toEqual({
      authorization: 'Bearer t',
      cookie: 'sid=1',
      other: 'kept',
    });
  });
});

import net from 'node:net';
import type { OutboundRequest } from '@mini-lambda/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createOutboundClient,
  EgressRefusedError,
  type Lookup,
  type OutboundClient,
  type OutboundClientOptions,
  OutboundLimitError,
  parseEgressAllow,
} from '../src/outbound/index.ts';
import {
  callOf,
  fetchWith,
  ok,
  rejection,
  startServer,
  type TestServer,
  text,
} from './outbound-kit.ts';

// Every server and client of a test, closed after it.
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

async function server(...args: Parameters<typeof startServer>): Promise<TestServer> {
  const s = await startServer(...args);
  cleanup.push(() => s.close());
  return s;
}

function client(allow: string, options: Partial<OutboundClientOptions> = {}): OutboundClient {
  const c = createOutboundClient({ allow: parseEgressAllow(allow), ...options });
  cleanup.push(() => c.close());
  return c;
}

/** A resolver answering from a table (names the tests make up), counting its calls. */
function tableLookup(table: Record<string, string[]>): Lookup & { calls: string[] } {
  const calls: string[] = [];
  const lookup = async (host: string) => {
    calls.push(host);
    const found = table[host];
    if (!found)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return found.map((address) => ({ address }));
  };
  return Object.assign(lookup, { calls });
}

describe('loopback targets that EGRESS_ALLOW does not name', () => {
  it('are refused in every spelling, and never receive a connection', async () => {
    const target = await server(ok());
    const target6 = await server(ok(), '::1');
    const c = client('');
    const p = target.port;
    const urls = [
      `http://127.0.0.1:${p}/`,
      `http://2130706433:${p}/`,
      `http://0x7f000001:${p}/`,
      `http://0x7f.1:${p}/`,
      `http://0177.0.0.1:${p}/`,
      `http://127.1:${p}/`,
      `http://127.0.0.1.:${p}/`,
      `http://%31%32%37.0.0.1:${p}/`,
      `http://[::ffff:127.0.0.1]:${p}/`,
      `http://[::ffff:7f00:1]:${p}/`,
      `http://localhost:${p}/`,
      `http://[::1]:${target6.port}/`,
      `https://127.0.0.1:${p}/`,
    ];
    for (const url of urls) {
      const error = await rejection(fetchWith(c, url));
      expect(error, url).toBeInstanceOf(TypeError);
      expect(error.message, url).toMatch(/^egress refused: /);
    }
    expect(target.connections).toBe(0);
    expect(target6.connections).toBe(0);
  });

  it('say why in the message', async () => {
    const target = await server(ok());
    const c = client('');
    expect((await rejection(fetchWith(c, `http://2130706433:${target.port}/`))).message).toBe(
      'egress refused: 127.0.0.1 is a loopback address',
    );
    expect(
      (await rejection(fetchWith(c, `http://[::ffff:127.0.0.1]:${target.port}/`))).message,
    ).toBe('egress refused: ::ffff:7f00:1 is a loopback address (IPv4-mapped 127.0.0.1)');
    expect((await rejection(fetchWith(c, `http://localhost:${target.port}/`))).message).toBe(
      'egress refused: localhost resolves to 127.0.0.1, a loopback address',
    );
    expect((await rejection(fetchWith(c, `http://0.0.0.0:${target.port}/`))).message).toBe(
      'egress refused: 0.0.0.0 is an unspecified address',
    );
    expect(target.connections).toBe(0);
  });

  it('are refused on a port the entry does not name', async () => {
    const allowed = await server(ok('allowed'));
    const other = await server(ok('other'));
    const c = client(`127.0.0.1:${allowed.port}`);
    const response = await fetchWith(c, `${allowed.origin}/x`);
    expect(text(response.body)).toBe('allowed');
    const error = await rejection(fetchWith(c, `${other.origin}/`));
    expect(error).toBeInstanceOf(EgressRefusedError);
    expect(other.connections).toBe(0);
  });
});

describe('allowed loopback targets', () => {
  it('get the request, with method, path, query, headers and body', async () => {
    const target = await server((_req, res, seen) => {
      res.statusCode = 201;
      res.statusMessage = 'Made';
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.setHeader('x-seen', seen.body.length);
      res.end('done');
    });
    const c = client(`127.0.0.1:${target.port}`);
    const response = await fetchWith(c, `${target.origin}/path/%7Efile?q=1&r=%20#frag`, {
      method: 'post',
      headers: [
        ['Content-Type', 'application/json'],
        ['X-Custom', '  padded  '],
        ['Cookie', 'c=1'],
      ],
      body: '{"a":1}',
    });
    expect(response).toMatchObject({
      status: 201,
      statusText: 'Made',
      url: `${target.origin}/path/%7Efile?q=1&r=%20`,
      redirected: false,
    });
    expect(text(response.body)).toBe('done');
    expect(response.headers.filter(([n]) => n === 'set-cookie')).toEqual([
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
    ]);
    const [seen] = target.requests;
    expect(seen).toMatchObject({ method: 'POST', url: '/path/%7Efile?q=1&r=%20' });
    expect(seen?.body.toString()).toBe('{"a":1}');
    expect(seen?.headers).toMatchObject({
      host: `127.0.0.1:${target.port}`,
      'content-type': 'application/json',
      'content-length': '7',
      'x-custom': 'padded',
      cookie: 'c=1',
      accept: '*/*',
      'user-agent': 'mini-lambda',
      'accept-encoding': 'gzip, deflate',
    });
  });

  it('get no hop-by-hop or framing header a function set; its own user-agent stays', async () => {
    const target = await server(ok());
    const c = client(`127.0.0.1:${target.port}`, { userAgent: 'mini-lambda/9.9.9' });
    await fetchWith(c, `${target.origin}/`, {
      method: 'PUT',
      headers: [
        ['Host', 'evil.example'],
        ['Connection', 'close, x-secret'],
        ['Keep-Alive', 'timeout=1'],
        ['Transfer-Encoding', 'chunked'],
        ['Content-Length', '999'],
        ['Upgrade', 'websocket'],
        ['TE', 'trailers'],
        ['Trailer', 'x'],
        ['Proxy-Authorization', 'Basic eA=='],
        ['Proxy-Connection', 'keep-alive'],
        ['Expect', '100-continue'],
        ['X-Secret', 'kept'],
      ],
      body: 'abc',
    });
    const headers = target.requests[0]?.headers ?? {};
    expect(headers.host).toBe(`127.0.0.1:${target.port}`);
    expect(headers['content-length']).toBe('3');
    expect(headers.connection).toBe('keep-alive');
    for (const name of ['keep-alive', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'expect']) {
      expect(headers[name], name).toBeUndefined();
    }
    expect(headers['proxy-authorization']).toBeUndefined();
    expect(headers['proxy-connection']).toBeUndefined();
    expect(headers['x-secret']).toBe('kept');
    expect(target.requests[0]?.body.toString()).toBe('abc');

    await fetchWith(c, `${target.origin}/`, { headers: [['User-Agent', 'mine/1']] });
    expect(target.requests[1]?.headers['user-agent']).toBe('mine/1');
    await fetchWith(c, `${target.origin}/`);
    expect(target.requests[2]?.headers['user-agent']).toBe('mini-lambda/9.9.9');
  });

  it('are reached on IPv6 loopback with a bracketed entry', async () => {
    const target = await server(ok('six'), '::1');
    const c = client(`[::1]:${target.port}`);
    expect(text((await fetchWith(c, `${target.origin}/`)).body)).toBe('six');
    expect(target.requests[0]?.headers.host).toBe(`[::1]:${target.port}`);
  });
});

describe('requests refused before anything is sent', () => {
  it.each([
    ['ftp://127.0.0.1/x', 'egress refused: ftp: URLs cannot be fetched, only http: and https:'],
    ['file:///etc/passwd', 'egress refused: file: URLs cannot be fetched, only http: and https:'],
    ['data:text/plain,hi', 'egress refused: data: URLs cannot be fetched, only http: and https:'],
    ['ws://127.0.0.1/', 'egress refused: ws: URLs cannot be fetched, only http: and https:'],
    ['http://127.0.0.1:25/', 'egress refused: port 25 is blocked for fetch'],
    [
      'http://u:p@127.0.0.1/',
      'a URL with credentials cannot be fetched (use an Authorization header)',
    ],
    ['not a url', 'invalid URL: not a url'],
  ])('%s', async (url, message) => {
    const c = client('127.0.0.0/8');
    const error = await rejection(fetchWith(c, url));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe(message);
  });

  it('bad methods, bodies and headers are TypeErrors and reach nobody', async () => {
    const target = await server(ok());
    const c = client(`127.0.0.1:${target.port}`);
    const url = `${target.origin}/`;
    const cases: [Parameters<typeof fetchWith>[2], string][] = [
      [{ method: 'TRACE' }, 'method TRACE is not supported'],
      [{ method: 'connect' }, 'method connect is not supported'],
      [{ method: 'GE T' }, 'invalid method: "GE T"'],
      [{ method: 'GET', body: 'x' }, 'a GET or HEAD request cannot have a body'],
      [{ method: 'HEAD', body: 'x' }, 'a GET or HEAD request cannot have a body'],
      [{ headers: [['x-a', 'one\r\nx-b: two']] }, 'invalid value for header x-a'],
      [{ headers: [['x a', '1']] }, 'invalid header name: "x a"'],
      [{ headers: [['x-a', '\u2603']] }, 'invalid value for header x-a'],
      [{ headers: [['x-big', 'a'.repeat(300 * 1024)]] }, 'request headers exceed 262144 bytes'],
    ];
    for (const [init, message] of cases) {
      const error = await rejection(fetchWith(c, url, init));
      expect(error, message).toBeInstanceOf(TypeError);
      expect(error.message).toBe(message);
    }
    const hostile = [
      { method: 1, url, headers: [], body: null, redirect: 'follow' },
      { method: 'GET', url: 5, headers: [], body: null, redirect: 'follow' },
      { method: 'GET', url, headers: [['a']], body: null, redirect: 'follow' },
      { method: 'GET', url, headers: {}, body: null, redirect: 'follow' },
      { method: 'POST', url, headers: [], body: 'text', redirect: 'follow' },
      { method: 'GET', url, headers: [], body: null, redirect: 'sometimes' },
      {
        method: 'GET',
        url: `${url}${'a'.repeat(70_000)}`,
        headers: [],
        body: null,
        redirect: 'follow',
      },
    ];
    for (const request of hostile) {
      // Data as a hostile sandbox could send it, whatever the type says.
      const error = await rejection(
        c.fetch(callOf(), request as unknown as OutboundRequest, new AbortController().signal),
      );
      expect(error).toBeInstanceOf(TypeError);
    }
    expect(target.connections).toBe(0);
  });

  it('the function config egress "none" refuses even an allowed target', async () => {
    const target = await server(ok());
    const c = client(`127.0.0.1:${target.port}`);
    const call = callOf({ egress: 'none' });
    const error = await rejection(fetchWith(c, `${target.origin}/`, { call }));
    expect(error).toMatchObject({
      reason: 'egress_none',
      message: 'egress refused: this function\'s egress is "none"',
    });
    expect(call.subrequests.used).toBe(0);
    expect(target.connections).toBe(0);
  });
});

describe('host patterns of the function config', () => {
  it('allow only matching hosts, and a matching host still needs EGRESS_ALLOW', async () => {
    const target = await server(ok('hi'));
    const lookup = tableLookup({
      'a.fn.test': ['127.0.0.1'],
      localhost: ['127.0.0.1'],
      'fn.test': ['127.0.0.1'],
      'other.test': ['127.0.0.1'],
    });
    const call = callOf({ egress: ['*.fn.test', 'localhost'] });
    const allowed = client(`127.0.0.1:${target.port}`, { lookup });
    expect(
      text((await fetchWith(allowed, `http://a.fn.test:${target.port}/`, { call })).body),
    ).toBe('hi');
    expect(
      text((await fetchWith(allowed, `http://localhost:${target.port}/`, { call })).body),
    ).toBe('hi');
    for (const host of ['fn.test', 'other.test', '127.0.0.1', '[::1]']) {
      const error = await rejection(fetchWith(allowed, `http://${host}:${target.port}/`, { call }));
      expect(error, host).toMatchObject({
        reason: 'host_not_listed',
        message: `egress refused: ${host} is not in this function's egress list`,
      });
    }
    // Refused hosts are not even looked up.
    expect(lookup.calls).toEqual(['a.fn.test', 'localhost']);
    // Listed, but its address is loopback and this client allows none.
    const strict = client('', { lookup });
    const error = await rejection(fetchWith(strict, `http://a.fn.test:${target.port}/`, { call }));
    expect(error.message).toBe(
      'egress refused: a.fn.test resolves to 127.0.0.1, a loopback address',
    );
    expect(target.requests.length).toBe(2);
  });
});

describe('host names', () => {
  it('localhost is refused unless allowed, by name or by address', async () => {
    const target = await server(ok());
    const url = `http://localhost:${target.port}/`;
    expect(await rejection(fetchWith(client(''), url))).toBeInstanceOf(EgressRefusedError);
    expect(await rejection(fetchWith(client('localhost:1'), url))).toBeInstanceOf(
      EgressRefusedError,
    );
    expect(target.connections).toBe(0);
    expect((await fetchWith(client(`localhost:${target.port}`), url)).status).toBe(200);
    expect((await fetchWith(client('127.0.0.0/8'), url)).status).toBe(200);
    // A name entry allows that name only, not the address behind it.
    const byName = client(`localhost:${target.port}`);
    expect(await rejection(fetchWith(byName, `${target.origin}/`))).toBeInstanceOf(
      EgressRefusedError,
    );
  });

  it('are resolved once: the connection goes to the checked address (rebinding fails)', async () => {
    const checked = await server(ok('checked'), '127.0.0.1');
    // Same port on another loopback address: where a second lookup would lead.
    const rebound = await startServer(ok('rebound'), '127.0.0.2').catch(() => undefined);
    if (rebound) cleanup.push(() => rebound.close());
    let calls = 0;
    const lookup: Lookup = async () => {
      calls++;
      return [{ address: calls === 1 ? '127.0.0.1' : '127.0.0.2' }];
    };
    const c = client(`127.0.0.1:${checked.port}`, { lookup });
    const response = await fetchWith(c, `http://rebind.test:${checked.port}/`);
    expect(text(response.body)).toBe('checked');
    expect(calls).toBe(1);
    expect(checked.requests[0]?.headers.host).toBe(`rebind.test:${checked.port}`);
    expect(rebound?.connections ?? 0).toBe(0);
  });

  it('resolving to several addresses, only the allowed ones are tried', async () => {
    const target = await server(ok());
    const lookup = tableLookup({ 'mixed.test': ['127.0.0.9', '::1', '127.0.0.1'] });
    const c = client(`127.0.0.1:${target.port}`, { lookup });
    expect((await fetchWith(c, `http://mixed.test:${target.port}/`)).status).toBe(200);
    const none = client('', { lookup });
    expect((await rejection(fetchWith(none, `http://mixed.test:${target.port}/`))).message).toBe(
      'egress refused: mixed.test resolves to 127.0.0.9, a loopback address',
    );
    expect(target.connections).toBe(1);
  });

  it('a name that does not resolve is a plain network error', async () => {
    const c = client('', { lookup: tableLookup({}) });
    const error = await rejection(fetchWith(c, 'http://nowhere.test/'));
    expect(error).toBeInstanceOf(TypeError);
    expect(error).not.toBeInstanceOf(EgressRefusedError);
    expect(error.message).toBe('fetch failed: getaddrinfo ENOTFOUND nowhere.test');
  });

  it('a lookup that hangs ends at the connect timeout', async () => {
    const c = client('', { lookup: () => new Promise(() => {}), connectTimeoutMs: 200 });
    const started = performance.now();
    const error = await rejection(fetchWith(c, 'http://slow.test/'));
    expect(error.message).toBe('fetch failed: DNS lookup of slow.test timed out');
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});

describe("the instance's own address", () => {
  it('is refused even when EGRESS_ALLOW covers it', async () => {
    const own = await server(ok());
    const c = client('127.0.0.0/8,localhost', {
      ownAddresses: () => [{ address: '0.0.0.0', port: own.port }],
    });
    for (const url of [
      `${own.origin}/`,
      `http://localhost:${own.port}/`,
      `http://127.0.0.5:${own.port}/`,
    ]) {
      expect(await rejection(fetchWith(c, url)), url).toMatchObject({ reason: 'own_address' });
    }
    expect(own.connections).toBe(0);
  });
});

describe('limits', () => {
  it('max_subrequests caps the requests of one invocation', async () => {
    const target = await server(ok());
    const c = client(`127.0.0.1:${target.port}`);
    const call = callOf({ max_subrequests: 2 });
    await fetchWith(c, `${target.origin}/1`, { call });
    await fetchWith(c, `${target.origin}/2`, { call });
    const error = await rejection(fetchWith(c, `${target.origin}/3`, { call }));
    expect(error).toBeInstanceOf(OutboundLimitError);
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe(
      'subrequest limit reached: at most 2 requests per invocation (max_subrequests)',
    );
    expect(call.subrequests.used).toBe(2);
    expect(target.requests.map((r) => r.url)).toEqual(['/1', '/2']);
    // Another invocation has its own count.
    expect(
      (await fetchWith(c, `${target.origin}/4`, { call: callOf({ max_subrequests: 2 }) })).status,
    ).toBe(200);
    const zero = callOf({ max_subrequests: 0 });
    expect(await rejection(fetchWith(c, `${target.origin}/5`, { call: zero }))).toBeInstanceOf(
      OutboundLimitError,
    );
    expect(target.requests.length).toBe(3);
  });

  it('many requests at once still stop at the cap', async () => {
    const target = await server(ok());
    const c = client(`127.0.0.1:${target.port}`);
    const call = callOf({ max_subrequests: 5 });
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) => fetchWith(c, `${target.origin}/${i}`, { call })),
    );
    expect(results.filter((r) => r.status === 'fulfilled').length).toBe(5);
    expect(target.requests.length).toBe(5);
  });
});

describe('the signal', () => {
  it('ends a request to a server that never answers', async () => {
    let accepted = 0;
    let closed = 0;
    const silent = net.createServer((socket) => {
      accepted++;
      socket.on('close', () => closed++);
      socket.on('error', () => {});
      socket.resume(); // read the request, and the end of the connection
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise((r) => silent.close(() => r())));
    const port = (silent.address() as net.AddressInfo).port;
    const c = client(`127.0.0.1:${port}`);
    const controller = new AbortController();
    const started = performance.now();
    setTimeout(() => controller.abort(new Error('the invocation ended')), 200);
    const error = await rejection(
      fetchWith(c, `http://127.0.0.1:${port}/`, { signal: controller.signal }),
    );
    expect(error.message).toBe('the invocation ended');
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(accepted).toBe(1);
    await expect.poll(() => closed).toBe(1);
  });

  it('ends a body that never finishes', async () => {
    const target = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('start');
    });
    const c = client(`127.0.0.1:${target.port}`);
    const error = await rejection(
      fetchWith(c, `${target.origin}/`, { signal: AbortSignal.timeout(200) }),
    );
    expect(error.name).toBe('TimeoutError');
    await target.allClosed();
  });

  it('already aborted: nothing is sent', async () => {
    const target = await server(ok());
    const c = client(`127.0.0.1:${target.port}`);
    const error = await rejection(
      fetchWith(c, `${target.origin}/`, { signal: AbortSignal.abort() }),
    );
    expect(error.name).toBe('AbortError');
    expect(target.connections).toBe(0);
  });
});

describe('network errors', () => {
  it('are TypeErrors that say what happened', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as net.AddressInfo;
        s.close(() => resolve(port));
      });
    });
    const c = client(`127.0.0.1:${closedPort}`);
    const error = await rejection(fetchWith(c, `http://127.0.0.1:${closedPort}/`));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe(`fetch failed: connect ECONNREFUSED 127.0.0.1:${closedPort}`);
  });
});

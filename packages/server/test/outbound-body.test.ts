import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createOutboundClient,
  type OutboundClient,
  type OutboundClientOptions,
  OutboundLimitError,
  parseEgressAllow,
} from '../src/outbound/index.ts';
import {
  fetchWith,
  type Handler,
  rejection,
  startServer,
  type TestServer,
} from './outbound-kit.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

async function server(handler: Handler): Promise<TestServer> {
  const s = await startServer(handler);
  cleanup.push(() => s.close());
  return s;
}

function client(target: TestServer, options: Partial<OutboundClientOptions> = {}): OutboundClient {
  const c = createOutboundClient({
    allow: parseEgressAllow(`127.0.0.1:${target.port}`),
    ...options,
  });
  cleanup.push(() => c.close());
  return c;
}

// Text that compresses, with some bytes that do not.
const CONTENT = Buffer.concat([
  Buffer.from('hello, compressed world! '.repeat(2000)),
  randomBytes(3000),
]);

const ENCODERS: Record<string, (b: Buffer) => Buffer> = {
  gzip: (b) => zlib.gzipSync(b),
  'x-gzip': (b) => zlib.gzipSync(b),
  deflate: (b) => zlib.deflateSync(b),
  'deflate-raw': (b) => zlib.deflateRawSync(b), // sent as "deflate", as some servers do
  br: (b) => zlib.brotliCompressSync(b),
  zstd: (b) => zlib.zstdCompressSync(b),
  'gzip, br': (b) => zlib.brotliCompressSync(zlib.gzipSync(b)),
  'deflate, gzip': (b) => zlib.gzipSync(zlib.deflateSync(b)),
  identity: (b) => b,
  compress: (b) => zlib.gzipSync(b), // unknown: left as sent
  'gzip, compress': (b) => zlib.gzipSync(b), // one unknown coding: all left as sent
};

describe('response bodies', () => {
  it.each(Object.keys(ENCODERS))('%s is decoded as Node’s fetch decodes it', async (coding) => {
    const encoded = ENCODERS[coding]?.(CONTENT) ?? CONTENT;
    const target = await server((_req, res) => {
      res.setHeader('content-encoding', coding === 'deflate-raw' ? 'deflate' : coding);
      res.end(encoded);
    });
    const c = client(target);
    const expected = await fetch(`${target.origin}/`);
    const expectedBody = Buffer.from(await expected.arrayBuffer());
    const response = await fetchWith(c, `${target.origin}/`);
    expect(Buffer.from(response.body).equals(expectedBody)).toBe(true);
    const decoded = !['identity', 'compress', 'gzip, compress'].includes(coding);
    // Headers stay as received, as in fetch, except that a body we decoded loses the
    // content-encoding and content-length of its bytes on the wire (a proxying function
    // must not label decoded bytes as gzip).
    const wire = [...expected.headers.entries()].filter(([n]) => n.startsWith('content-'));
    expect(response.headers.filter(([n]) => n.startsWith('content-'))).toEqual(
      decoded ? wire.filter(([n]) => n !== 'content-encoding' && n !== 'content-length') : wire,
    );
    if (decoded) expect(Buffer.from(response.body).equals(CONTENT)).toBe(true);
  });

  it('of HEAD, 204 and 304 are empty', async () => {
    const target = await server((req, res) => {
      const status = Number(req.url?.slice(1)) || 200;
      res.writeHead(status, { 'content-encoding': 'gzip' });
      res.end(status === 200 && req.method !== 'HEAD' ? zlib.gzipSync('x') : undefined);
    });
    const c = client(target);
    for (const [method, path] of [
      ['HEAD', '/'],
      ['GET', '/204'],
      ['GET', '/304'],
    ] as const) {
      const response = await fetchWith(c, `${target.origin}${path}`, { method });
      expect(response.body.byteLength, `${method} ${path}`).toBe(0);
    }
  });

  it('that are corrupt fail as a network error', async () => {
    const target = await server((_req, res) => {
      res.setHeader('content-encoding', 'gzip');
      res.end(Buffer.from('this is not gzip at all'));
    });
    const error = await rejection(fetchWith(client(target), `${target.origin}/`));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toMatch(/^fetch failed: /);
  });

  it('with more than five content codings are refused, as Node’s fetch refuses them', async () => {
    const target = await server((_req, res) => {
      res.setHeader('content-encoding', 'gzip, gzip, gzip, gzip, gzip, gzip');
      res.end(Buffer.alloc(10));
    });
    const error = await rejection(fetchWith(client(target), `${target.origin}/`));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('too many content codings in the response (6)');
  });

  it('are capped as received: at the limit passes, one byte more fails', async () => {
    const limit = 256 * 1024;
    const target = await server((req, res) => {
      res.end(Buffer.alloc(req.url === '/over' ? limit + 1 : limit, 1));
    });
    const c = client(target, { maxResponseBytes: limit });
    expect((await fetchWith(c, `${target.origin}/at`)).body.byteLength).toBe(limit);
    const error = await rejection(fetchWith(c, `${target.origin}/over`));
    expect(error).toBeInstanceOf(OutboundLimitError);
    expect(error.message).toBe(`response body exceeds the limit of ${limit} bytes`);
  });

  it('are capped after decompression: a gzip bomb stops at the cap', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024)); // 64 MiB of zeros, ~64 KB sent
    const target = await server((_req, res) => {
      res.setHeader('content-encoding', 'gzip');
      res.end(bomb);
    });
    const c = client(target); // the default cap, 32 MiB
    const error = await rejection(fetchWith(c, `${target.origin}/`));
    expect(error).toBeInstanceOf(OutboundLimitError);
    expect(error.message).toBe('response body exceeds the limit of 33554432 bytes');
  });

  it('that never end are cut at the cap and the connection is closed', async () => {
    let finished = false;
    const target = await server((_req, res) => {
      res.setHeader('content-encoding', 'gzip');
      // Zeros forever, compressed on the fly: unbounded output from a trickle of input.
      const zeros = new Readable({
        read() {
          this.push(Buffer.alloc(1024 * 1024));
        },
      });
      const gzip = zlib.createGzip();
      zeros.pipe(gzip).pipe(res);
      res.on('close', () => {
        finished = true;
        zeros.destroy();
        gzip.destroy();
      });
    });
    const c = client(target, { maxResponseBytes: 4 * 1024 * 1024 });
    const error = await rejection(fetchWith(c, `${target.origin}/`));
    expect(error.message).toBe(`response body exceeds the limit of ${4 * 1024 * 1024} bytes`);
    await expect.poll(() => finished).toBe(true);
  });
});

import { randomBytes } from 'node:crypto';
import { createGzip, deflateRawSync, deflateSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { ZLIB_LIMITS } from '../../src/host-ops/zlib.ts';
import { createOracle } from './oracle.ts';

// CompressionStream and DecompressionStream against node:zlib (both directions) and
// Node's own streams; corrupt data, bombs and streams left open.

const oracle = createOracle();
afterAll(() => oracle.dispose());

const FORMATS = ['gzip', 'deflate', 'deflate-raw'] as const;
const compress = { gzip: gzipSync, deflate: deflateSync, 'deflate-raw': deflateRawSync };
const arr = (b: Uint8Array) => JSON.stringify([...b]);

/** Case-body helpers: push chunks through a stream and read all of its output. */
const H = `
async function collect(readable) {
  const reader = readable.getReader();
  const parts = [];
  let n = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    parts.push(value);
    n += value.length;
  }
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}
async function through(stream, chunks) {
  const writer = stream.writable.getWriter();
  const result = collect(stream.readable);
  for (const c of chunks) writer.write(c).catch(() => {});
  writer.close().catch(() => {});
  return result;
}
const u8 = (a) => new Uint8Array(a);
const ascii = (s) => Uint8Array.from(s, (c) => c.charCodeAt(0));`;

/** Text that compresses well, and random bytes that do not (output past one step). */
const text = Buffer.from('The quick brown fox jumps over the lazy dog. '.repeat(2000));
const noise = randomBytes(600 * 1024);

describe('CompressionStream', () => {
  it('compresses to the bytes node:zlib makes, whatever the chunking', async () => {
    const out = (await oracle.inIsolate(`${H}
      const data = u8(${arr(text)});
      const result = {};
      for (const f of ${JSON.stringify(FORMATS)}) {
        result[f] = [
          Array.from(await through(new CompressionStream(f), [data])),
          Array.from(await through(new CompressionStream(f), [data.subarray(0, 1), data.subarray(1, 4097), new DataView(data.buffer, 4097), new ArrayBuffer(0)])),
          Array.from(await through(new CompressionStream(f), [])),
        ];
      }
      return result;`)) as Record<(typeof FORMATS)[number], number[][]>;
    for (const f of FORMATS) {
      const [whole, chunked, empty] = out[f].map((a) => Buffer.from(a));
      expect(whole).toEqual(compress[f](text));
      expect(chunked).toEqual(compress[f](text));
      expect(empty).toEqual(compress[f](Buffer.alloc(0)));
    }
  });

  it('compresses output larger than one step (incompressible data), node:zlib reads it back', async () => {
    const out = (await oracle.inIsolate(`${H}
      const data = u8(${arr(noise)});
      return Array.from(await through(new CompressionStream('gzip'), [data.subarray(0, 1000), data.subarray(1000)]));`)) as number[];
    expect(out.length).toBeGreaterThan(ZLIB_LIMITS.stepBytes);
    expect(gunzipSync(Buffer.from(out))).toEqual(noise);
  });

  it('works with pipeThrough, and round-trips through DecompressionStream', async () => {
    const out = await oracle.inIsolate(`${H}
      const source = new ReadableStream({ start(c) { c.enqueue(ascii('round ')); c.enqueue(ascii('trip')); c.close(); } });
      const back = await collect(source.pipeThrough(new CompressionStream('deflate')).pipeThrough(new DecompressionStream('deflate')));
      return String.fromCharCode(...back);`);
    expect(out).toBe('round trip');
  });
});

describe('DecompressionStream', () => {
  it('decompresses what node:zlib compressed, in chunks of any size', async () => {
    const inputs = Object.fromEntries(FORMATS.map((f) => [f, [...compress[f](text)]]));
    const out = (await oracle.inIsolate(`${H}
      const inputs = ${JSON.stringify(inputs)};
      const result = {};
      for (const [f, bytes] of Object.entries(inputs)) {
        const data = u8(bytes);
        const ones = Array.from(data.subarray(0, 40), (b) => u8([b]));
        result[f] = [
          Array.from(await through(new DecompressionStream(f), [data])),
          Array.from(await through(new DecompressionStream(f), [...ones, data.subarray(40)])),
        ];
      }
      return result;`)) as Record<string, number[][]>;
    for (const f of FORMATS) {
      for (const got of out[f] ?? []) expect(Buffer.from(got)).toEqual(text);
    }
  });

  it('hands over output much larger than its input in steps', async () => {
    const zeros = gzipSync(Buffer.alloc(5 * 1024 * 1024));
    const out = await oracle.inIsolate(`${H}
      const reader = new DecompressionStream('gzip');
      const writer = reader.writable.getWriter();
      writer.write(u8(${arr(zeros)})).catch(() => {});
      writer.close().catch(() => {});
      const r = reader.readable.getReader();
      let n = 0, chunks = 0, nonZero = 0;
      for (;;) {
        const { value, done } = await r.read();
        if (done) break;
        n += value.length; chunks++;
        for (const b of value) if (b !== 0) nonZero++;
      }
      return [n, chunks > 1, nonZero];`);
    expect(out).toEqual([5 * 1024 * 1024, true, 0]);
  });

  it('fails on corrupt, truncated or trailing data with a TypeError, as Node does', async () => {
    const good = gzipSync(text);
    const cases = {
      garbage: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
      truncated: [...good.subarray(0, good.length - 4)],
      trailing: [...good, 1, 2, 3],
      flipped: [...good.subarray(0, 30), (good[30] ?? 0) ^ 0xff, ...good.subarray(31)],
      empty: [],
    };
    await oracle.same(`${H}
      const out = {};
      for (const [name, bytes] of Object.entries(${JSON.stringify(cases)})) {
        out[name] = await attempt(async () => (await through(new DecompressionStream('gzip'), [u8(bytes)])).length);
      }
      out.deflate = await attempt(() => through(new DecompressionStream('deflate'), [u8(${arr(compress['deflate-raw'](text))})]));
      return out;`);
  });

  it('ends a decompression bomb with a TypeError at its output cap', async () => {
    // 300 MiB of zeros in about 300 KB, made without holding the 300 MiB here.
    const gzip = createGzip();
    const parts: Buffer[] = [];
    gzip.on('data', (c: Buffer) => parts.push(c));
    const ended = new Promise((resolve) => gzip.on('end', resolve));
    const mib = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < 300; i++) gzip.write(mib);
    gzip.end();
    await ended;
    const bomb = Buffer.concat(parts);
    const out = await oracle.inIsolate(
      `${H}
      const ds = new DecompressionStream('gzip');
      const writer = ds.writable.getWriter();
      writer.write(u8(${arr(bomb)})).catch(() => {});
      writer.close().catch(() => {});
      const reader = ds.readable.getReader();
      let n = 0;
      try {
        for (;;) { const { value, done } = await reader.read(); if (done) return ['finished', n]; n += value.length; }
      } catch (e) {
        return [e.name, e.message, n];
      }`,
      // Inflating up to the cap takes seconds on a busy machine: the cap must end it, not
      // the function's timeout.
      { timeout_ms: 25_000 },
    );
    expect(out).toEqual([
      'TypeError',
      `the stream's output exceeds ${ZLIB_LIMITS.outputBytes} bytes`,
      expect.any(Number),
    ]);
    expect((out as number[])[2]).toBeLessThanOrEqual(ZLIB_LIMITS.outputBytes);
  }, 60_000);
});

describe('both classes', () => {
  it('check their arguments and chunks, and have the shape of Node', async () => {
    await oracle.same(`${H}
      const out = [];
      for (const C of [CompressionStream, DecompressionStream]) {
        for (const f of ['gzip', 'deflate', 'deflate-raw', 'GZIP', 'zip', undefined, 'brotlix'])
          out.push(await attempt(() => describe(new C(f))));
        out.push(await attempt(() => new C()));
        const s = new C('gzip');
        out.push(describe(s.readable), describe(s.writable), Object.keys(C.prototype).sort());
        out.push(await attempt(() => Object.getOwnPropertyDescriptor(C.prototype, 'readable').get.call({})));
      }
      for (const chunk of [123, {}, null, [1, 2]]) {
        const s = new CompressionStream('gzip');
        out.push(await attempt(() => through(s, [chunk])));
      }
      return out;`);
  });

  it('refuses string chunks (Node takes them, the standard does not)', async () => {
    const out = await oracle.inIsolate(`${H}
      return attempt(() => through(new CompressionStream('gzip'), ['text']));`);
    expect(out).toEqual({ threw: 'TypeError' });
  });

  it('closes the streams an invocation left open when it ends', async () => {
    const fn = oracle.deploy(
      'compression-left-open',
      `export async function handler() {
        const opened = [];
        for (let i = 0; i < ${ZLIB_LIMITS.streams}; i++) {
          // A pending read lifts the backpressure, so the write reaches the transform.
          const s = new CompressionStream('gzip');
          s.readable.getReader().read();
          await s.writable.getWriter().write(new Uint8Array([1, 2, 3]));
          opened.push(s);
        }
        let refused = null;
        try {
          const s = new CompressionStream('gzip');
          s.readable.getReader().read().catch(() => {});
          await s.writable.getWriter().write(new Uint8Array([1]));
        } catch (e) {
          refused = e.name;
        }
        return refused;
      }`,
    );
    for (let i = 0; i < 3; i++) {
      const out = await oracle.runtime.invoke(fn, '');
      expect(out.ok && JSON.parse(out.result)).toBe('TypeError');
    }
  });
});

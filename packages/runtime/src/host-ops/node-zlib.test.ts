import { randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { nodeZlibAsyncOps, nodeZlibSyncOps } from './node-zlib.ts';
import { failure, testContext } from './test-context.ts';
import type { HostOpContext } from './types.ts';

const run = (ctx: HostOpContext, method: string, data: Uint8Array, options?: object) =>
  nodeZlibSyncOps['node.zlib.run'](ctx, [method, data, options]) as Uint8Array;
const runAsync = (
  ctx: HostOpContext,
  method: string,
  data: Uint8Array,
  options?: object,
  signal?: AbortSignal,
) =>
  nodeZlibAsyncOps['node.zlib.run'](
    ctx,
    [method, data, options],
    signal ?? new AbortController().signal,
  ) as Promise<Uint8Array>;

function withLimits(ms: number, memoryBytes: number) {
  const ctx = testContext();
  return {
    ...ctx,
    isolate: { slots: new Map(), memoryBytes },
    invocation: { signal: ctx.invocation.signal, deadline: performance.now() + ms },
  };
}

/** ~1 KB of gzip that inflates to `gib` GiB of zeros: 2 levels of deflate. */
function bomb(): Buffer {
  return zlib.gzipSync(zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024)));
}

const text = Buffer.from('node:zlib in an isolate, by the sandbox\n'.repeat(8000));
const mixed = Buffer.concat([text, randomBytes(200_000), text]);

describe('node:zlib host ops', () => {
  it('makes the bytes Node makes, in steps, and reads what Node makes', async () => {
    const ctx = testContext();
    const pairs = [
      ['gzip', zlib.gzipSync, zlib.gunzipSync, 'gunzip'],
      ['deflate', zlib.deflateSync, zlib.inflateSync, 'inflate'],
      ['deflateRaw', zlib.deflateRawSync, zlib.inflateRawSync, 'inflateRaw'],
      ['brotliCompress', zlib.brotliCompressSync, zlib.brotliDecompressSync, 'brotliDecompress'],
    ] as const;
    for (const [method, compress, decompress, inverse] of pairs) {
      // brotli's default quality (11) takes seconds for data that compresses poorly
      const input = method === 'brotliCompress' ? text : mixed;
      const ours = Buffer.from(run(ctx, method, input));
      const expected = compress(input);
      expect(ours.equals(expected), method).toBe(true);
      expect(decompress(ours).equals(input)).toBe(true);
      expect(Buffer.from(run(ctx, inverse, expected)).equals(input)).toBe(true);
      expect(Buffer.from(await runAsync(ctx, method, input)).equals(expected)).toBe(true);
      expect(Buffer.from(await runAsync(ctx, inverse, expected)).equals(input)).toBe(true);
      expect(
        Buffer.from(run(ctx, method, new Uint8Array(0))).equals(compress(Buffer.alloc(0))),
      ).toBe(true);
    }
    const level1 = { level: 1, memLevel: 9, strategy: 1 };
    expect(Buffer.from(run(ctx, 'gzip', text, level1)).equals(zlib.gzipSync(text, level1))).toBe(
      true,
    );
    const q5 = { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5 } };
    expect(
      Buffer.from(run(ctx, 'brotliCompress', text, q5)).equals(zlib.brotliCompressSync(text, q5)),
    ).toBe(true);
    expect(Buffer.from(run(ctx, 'unzip', zlib.deflateSync(text))).equals(text)).toBe(true);
    // Two gzip members, as Node reads them.
    const two = Buffer.concat([zlib.gzipSync('a'), zlib.gzipSync('b')]);
    expect(Buffer.from(run(ctx, 'gunzip', two)).toString()).toBe(zlib.gunzipSync(two).toString());
    expect(nodeZlibSyncOps['node.zlib.crc32'](ctx, ['hello', 0])).toBe(zlib.crc32('hello'));
  });

  it('fails corrupt and truncated input as Node does', async () => {
    const ctx = testContext();
    const gz = zlib.gzipSync(text);
    const nodeError = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e as Error & { code: string };
      }
      throw new Error('no error');
    };
    const truncated = nodeError(() => zlib.gunzipSync(gz.subarray(0, 100)));
    expect(await failure(() => run(ctx, 'gunzip', gz.subarray(0, 100)))).toEqual([
      'Error',
      `[${truncated.code}] ${truncated.message}`,
    ]);
    const corrupt = Buffer.from(gz);
    corrupt[20] = (corrupt[20] as number) ^ 0xff;
    const bad = nodeError(() => zlib.gunzipSync(corrupt));
    expect(await failure(() => run(ctx, 'gunzip', corrupt))).toEqual([
      'Error',
      `[${bad.code}] ${bad.message}`,
    ]);
    expect((await failure(() => runAsync(ctx, 'inflate', corrupt)))[1]).toMatch(
      /^\[Z_DATA_ERROR\]/,
    );
    expect((await failure(() => run(ctx, 'gzip', text, { level: 42 })))[0]).toBe('RangeError');
  });

  it('ends a decompression bomb at the function memory with ERR_BUFFER_TOO_LARGE', async () => {
    const input = bomb();
    expect(input.byteLength).toBeLessThan(100_000);
    const twice = zlib.gunzipSync(input); // inflate once: a 64 MiB gzip bomb of its own
    const ctx = withLimits(10_000, 16 * 1024 * 1024);
    const t = performance.now();
    expect(await failure(() => run(ctx, 'gunzip', twice))).toEqual([
      'RangeError',
      `[ERR_BUFFER_TOO_LARGE] Cannot create a Buffer larger than ${16 * 1024 * 1024} bytes`,
    ]);
    expect((await failure(() => runAsync(ctx, 'gunzip', twice)))[1]).toMatch(
      /ERR_BUFFER_TOO_LARGE/,
    );
    expect((await failure(() => run(ctx, 'gunzip', twice, { maxOutputLength: 1000 })))[1]).toBe(
      '[ERR_BUFFER_TOO_LARGE] Cannot create a Buffer larger than 1000 bytes',
    );
    expect(performance.now() - t).toBeLessThan(10_000); // not minutes (a generous bound: busy machines)
  });

  it('stops synchronous work at the deadline, and asynchronous work when the invocation ends', async () => {
    // brotli at quality 11 takes seconds for a few MB of data that compresses poorly...
    const noise = Buffer.alloc(8 * 1024 * 1024);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 28;
    const ctx = withLimits(100, 256 * 1024 * 1024);
    let t = performance.now();
    const [, message] = (await failure(() => run(ctx, 'brotliCompress', noise))) as string[];
    expect(message).toMatch(/^\[ERR_WORK_EXCEEDS_DEADLINE\]/);
    // ...and its encoder works a block (256 KB) at a time: one step may take a second or two.
    expect(performance.now() - t).toBeLessThan(10_000);
    // gzip's steps are a slice of input (64 KB) or a chunk of output: milliseconds.
    const big = randomBytes(64 * 1024 * 1024);
    const short = withLimits(50, 256 * 1024 * 1024);
    t = performance.now();
    expect((await failure(() => run(short, 'gzip', big, { level: 9 })))[1]).toMatch(
      /ERR_WORK_EXCEEDS_DEADLINE/,
    );
    expect(performance.now() - t).toBeLessThan(5000);

    const controller = new AbortController();
    const started = performance.now();
    const pending = failure(() =>
      runAsync(ctx, 'brotliCompress', noise, undefined, controller.signal),
    );
    setTimeout(() => controller.abort(), 50);
    expect((await pending)[0]).toBe('AbortError');
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});

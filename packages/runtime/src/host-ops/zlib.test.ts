import { randomBytes } from 'node:crypto';
import { createGzip, deflateRawSync, gzipSync, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { failure, testContext } from './test-context.ts';
import type { HostOpContext } from './types.ts';
import { ZLIB_LIMITS, zlibAsyncOps, zlibSyncOps } from './zlib.ts';

type Step = [Uint8Array, boolean];
const signal = new AbortController().signal;
const open = (ctx: HostOpContext, format: unknown, mode: unknown) =>
  zlibSyncOps['zlib.open'](ctx, [format, mode]) as number;
const close = (ctx: HostOpContext, id: unknown) => zlibSyncOps['zlib.close'](ctx, [id]);
const push = (ctx: HostOpContext, id: unknown, bytes: unknown, s = signal) =>
  zlibAsyncOps['zlib.push'](ctx, [id, bytes], s) as Promise<Step>;
const pull = (ctx: HostOpContext, id: unknown) =>
  zlibAsyncOps['zlib.pull'](ctx, [id], signal) as Promise<Step>;
const finish = (ctx: HostOpContext, id: unknown) =>
  zlibAsyncOps['zlib.finish'](ctx, [id], signal) as Promise<Step>;

/** What the isolate's transform does: a step, then pulls until it is complete. */
async function drain(ctx: HostOpContext, id: number, first: Promise<Step>, sizes: number[] = []) {
  const parts: Buffer[] = [];
  let [out, done] = await first;
  for (;;) {
    sizes.push(out.byteLength);
    expect(out.buffer.byteLength).toBe(out.byteLength);
    parts.push(Buffer.from(out));
    if (done) return Buffer.concat(parts);
    [out, done] = await pull(ctx, id);
  }
}

describe('zlib ops', () => {
  it('compress to what node:zlib makes and decompress it back, chunk by chunk', async () => {
    const ctx = testContext();
    const data = Buffer.from('zlib ops '.repeat(5000));
    const gz = open(ctx, 'gzip', 'compress');
    let compressed = Buffer.alloc(0);
    for (let at = 0; at < data.length; at += 7000) {
      const chunk = data.subarray(at, at + 7000);
      compressed = Buffer.concat([compressed, await drain(ctx, gz, push(ctx, gz, chunk))]);
    }
    compressed = Buffer.concat([compressed, await drain(ctx, gz, finish(ctx, gz))]);
    expect(compressed).toEqual(gzipSync(data));
    expect(await failure(() => push(ctx, gz, data))).toEqual(['TypeError', 'the stream is closed']);

    const inflate = open(ctx, 'deflate-raw', 'decompress');
    const raw = deflateRawSync(data);
    const out = Buffer.concat([
      await drain(ctx, inflate, push(ctx, inflate, raw.subarray(0, 10))),
      await drain(ctx, inflate, push(ctx, inflate, raw.subarray(10))),
      await drain(ctx, inflate, finish(ctx, inflate)),
    ]);
    expect(out).toEqual(data);
  });

  it('hands output over in steps of bounded size', async () => {
    const ctx = testContext();
    const zeros = Buffer.alloc(3 * 1024 * 1024);
    const id = open(ctx, 'gzip', 'decompress');
    const sizes: number[] = [];
    const out = await drain(ctx, id, push(ctx, id, gzipSync(zeros)), sizes);
    const rest = await drain(ctx, id, finish(ctx, id), sizes);
    expect(Buffer.concat([out, rest])).toEqual(zeros);
    expect(sizes.length).toBeGreaterThan(8);
    // zlib stops at the first chunk past the step, and its chunks are 16 KiB or 64 KiB.
    expect(Math.max(...sizes)).toBeLessThanOrEqual(ZLIB_LIMITS.stepBytes + 64 * 1024);

    const noise = randomBytes(1024 * 1024);
    const c = open(ctx, 'deflate', 'compress');
    const compressed = Buffer.concat([
      await drain(ctx, c, push(ctx, c, noise)),
      await drain(ctx, c, finish(ctx, c)),
    ]);
    expect(inflateSync(compressed)).toEqual(noise);
  });

  it('fails corrupt, truncated or trailing data with a TypeError and closes the stream', async () => {
    const ctx = testContext();
    const good = gzipSync(Buffer.from('hello'));
    const cases: [Uint8Array, string][] = [
      [new Uint8Array(12).fill(1), 'incorrect header check'],
      [good.subarray(0, good.length - 3), 'unexpected end of file'],
      [Buffer.concat([good, Buffer.from('junk')]), expect.stringContaining('junk') as string],
    ];
    for (const [bytes, message] of cases) {
      const id = open(ctx, 'gzip', 'decompress');
      const result = await failure(async () => {
        await drain(ctx, id, push(ctx, id, bytes));
        await drain(ctx, id, finish(ctx, id));
      });
      expect(result).toEqual(['TypeError', message]);
      expect(await failure(() => pull(ctx, id))).toEqual(['TypeError', 'the stream is closed']);
    }
  });

  it('checks formats, modes, ids and chunks', async () => {
    const ctx = testContext();
    for (const [format, mode] of [
      ['brotli', 'compress'],
      ['GZIP', 'compress'],
      ['gzip', 'inflate'],
      [1, 'compress'],
      ['gzip', undefined],
    ]) {
      expect(await failure(() => open(ctx, format, mode))).toEqual([
        'TypeError',
        expect.any(String),
      ]);
    }
    const id = open(ctx, 'gzip', 'compress');
    for (const bad of ['text', [1, 2], { length: 1 }, null]) {
      expect(await failure(() => push(ctx, id, bad))).toEqual(['TypeError', expect.any(String)]);
    }
    const other = testContext();
    for (const foreign of [id + 1, 0, -1, 'x', 1.5]) {
      expect(await failure(() => push(other, foreign, new Uint8Array(1)))).toEqual([
        'TypeError',
        expect.any(String),
      ]);
    }
    expect(await failure(() => push(other, id, new Uint8Array(1)))).toEqual([
      'TypeError',
      'the stream is closed',
    ]);
    // One step at a time per stream.
    const id2 = open(ctx, 'gzip', 'compress');
    const first = push(ctx, id2, randomBytes(1024 * 1024));
    expect(await failure(() => push(ctx, id2, new Uint8Array(1)))).toEqual([
      'TypeError',
      'a step of this stream is still running',
    ]);
    await first.catch(() => {});
  });

  it(`opens at most ${ZLIB_LIMITS.streams} streams; closing or the invocation's end frees them`, async () => {
    const ctx = testContext();
    const ids = Array.from({ length: ZLIB_LIMITS.streams }, () => open(ctx, 'deflate', 'compress'));
    expect(await failure(() => open(ctx, 'deflate', 'compress'))).toEqual([
      'TypeError',
      expect.stringContaining(`${ZLIB_LIMITS.streams}`),
    ]);
    close(ctx, ids[0]);
    close(ctx, ids[0]);
    const again = open(ctx, 'deflate', 'compress');
    const pending = push(ctx, again, randomBytes(4 * 1024 * 1024));
    ctx.end();
    expect(await failure(() => pending)).toEqual(['TypeError', 'the stream is closed']);
    expect(await failure(() => push(ctx, ids[1], new Uint8Array(1)))).toEqual([
      'TypeError',
      'the stream is closed',
    ]);
    expect(await failure(() => open(ctx, 'deflate', 'compress'))).toEqual([
      'TypeError',
      'compression streams work only while an invocation runs',
    ]);
    const next = { isolate: ctx.isolate, invocation: testContext().invocation };
    for (let i = 0; i < ZLIB_LIMITS.streams; i++) open(next, 'deflate', 'compress');
  });

  it('ends a stream whose step was cancelled', async () => {
    const ctx = testContext();
    const id = open(ctx, 'gzip', 'compress');
    const cancel = new AbortController();
    const pending = push(ctx, id, randomBytes(4 * 1024 * 1024), cancel.signal);
    cancel.abort();
    expect(await failure(() => pending)).toEqual(['TypeError', 'the stream is closed']);
    expect(await failure(() => finish(ctx, id))).toEqual(['TypeError', 'the stream is closed']);
  });

  it('ends a decompression bomb at its output cap', async () => {
    const ctx = testContext();
    const id = open(ctx, 'gzip', 'decompress');
    // Zeros past the cap, compressed in one gzip member (Node refuses a second member).
    const gzip = createGzip();
    const parts: Buffer[] = [];
    gzip.on('data', (c: Buffer) => parts.push(c));
    const ended = new Promise((resolve) => gzip.on('end', resolve));
    const mib = Buffer.alloc(1024 * 1024);
    for (let i = 0; i <= ZLIB_LIMITS.outputBytes / mib.length; i++) gzip.write(mib);
    gzip.end();
    await ended;
    const bomb = Buffer.concat(parts);
    let total = 0;
    const result = await failure(async () => {
      let [out, done] = await push(ctx, id, bomb);
      for (;;) {
        total += out.byteLength;
        if (done) return;
        [out, done] = await pull(ctx, id);
      }
    });
    expect(result).toEqual([
      'TypeError',
      `the stream's output exceeds ${ZLIB_LIMITS.outputBytes} bytes`,
    ]);
    expect(total).toBeLessThanOrEqual(ZLIB_LIMITS.outputBytes);
  }, 30_000);
});

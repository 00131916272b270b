import { afterAll, describe, expect, it } from 'vitest';
import { createNodeOracle } from './harness.ts';

// node:stream (+ promises, web), timers (+ promises) and the small modules, against Node.
const o = createNodeOracle();
afterAll(() => o.dispose());

describe('node:stream', () => {
  it("has Node's CommonJS shape", async () => {
    await o.same(`
      import stream, { Readable, Writable, Duplex, Transform, PassThrough, pipeline, finished } from 'node:stream';
      import promises from 'node:stream/promises';
      export async function handler() {
        return [typeof stream, stream.Stream === stream, stream.Readable === Readable,
          [Readable, Writable, Duplex, Transform, PassThrough, pipeline, finished].map((f) => typeof f),
          new Readable() instanceof stream, new PassThrough() instanceof Transform, new Transform() instanceof Duplex,
          promises === stream.promises, typeof promises.pipeline, typeof promises.finished, typeof Readable.from,
          typeof Readable.fromWeb, typeof Readable.toWeb, typeof Writable.fromWeb, typeof Writable.toWeb];
      }`);
  });

  it('pipes through a Transform with pipeline', async () => {
    await o.same(`
      import { Readable, Transform, Writable } from 'stream';
      import { pipeline } from 'stream/promises';
      export async function handler() {
        const got = [];
        const upper = new Transform({ transform(chunk, enc, cb) { cb(null, chunk.toString().toUpperCase()); } });
        const sink = new Writable({ write(chunk, enc, cb) { got.push(chunk.toString()); cb(); } });
        await pipeline(Readable.from(['a', 'b', 'c']), upper, sink);
        const failing = new Transform({ transform(chunk, enc, cb) { cb(new Error('bad chunk')); } });
        const error = await pipeline(Readable.from(['x']), failing, new Writable({ write(c, e, cb) { cb(); } }))
          .then(() => 'ok', (e) => e.message);
        return [got, error];
      }`);
  });

  it('iterates Readable.from asynchronously, in object and byte mode', async () => {
    await o.same(`
      import { Readable } from 'node:stream';
      export async function handler() {
        async function* gen() { yield 1; await new Promise((r) => setTimeout(r, 1)); yield 2; yield 3; }
        const objects = [];
        for await (const v of Readable.from(gen())) objects.push(v);
        const bytes = [];
        const r = new Readable({ read() {} });
        r.push(Buffer.from('he')); r.push('llo'); r.push(null);
        for await (const c of r) bytes.push([Buffer.isBuffer(c), c.toString()]);
        const collected = await Readable.from(['a', 'b']).toArray();
        return [objects, bytes, collected];
      }`);
  });

  it('converts to and from web streams', async () => {
    await o.same(`
      import { Readable, Writable } from 'node:stream';
      import { ReadableStream, WritableStream } from 'node:stream/web';
      export async function handler() {
        const web = new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode('from ')); c.enqueue(new TextEncoder().encode('web')); c.close(); } });
        const parts = [];
        for await (const chunk of Readable.fromWeb(web)) parts.push([Buffer.isBuffer(chunk), chunk.toString()]);
        const fromWeb = parts.every(([isBuffer]) => isBuffer) && parts.map(([, s]) => s).join('');
        const back = Readable.toWeb(Readable.from([Buffer.from('to '), Buffer.from('web')]));
        const reader = back.getReader();
        const chunks = [];
        for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push([r.value instanceof Uint8Array, Buffer.from(r.value).toString()]);
        const written = [];
        const ws = new WritableStream({ write(chunk) { written.push(new TextDecoder().decode(chunk)); } });
        const w = Writable.fromWeb(ws);
        await new Promise((resolve, reject) => { w.write('one'); w.end('two', (e) => (e ? reject(e) : resolve())); });
        const sinkSeen = [];
        const sink = new Writable({ write(c, e, cb) { sinkSeen.push(c.toString()); cb(); } });
        const writer = Writable.toWeb(sink).getWriter();
        await writer.write(new TextEncoder().encode('x')); await writer.close();
        return [fromWeb, chunks, written, sinkSeen, ReadableStream === globalThis.ReadableStream];
      }`);
  });

  it('reports errors and finishes as Node does', async () => {
    await o.same(`
      import { Readable, finished, PassThrough } from 'node:stream';
      export async function handler() {
        const r = new Readable({ read() { this.destroy(new Error('read failed')); } });
        const failed = new Promise((resolve) => finished(r, (e) => resolve(e?.message)));
        r.resume();
        const err = await failed;
        const p = new PassThrough();
        const done = new Promise((resolve) => finished(p, (e) => resolve(e ?? 'finished')));
        p.end('x'); p.resume();
        return [err, await done, r.destroyed];
      }`);
  });
});

describe('node:timers', () => {
  it('runs setImmediate and the promise timers', async () => {
    await o.same(`
      import timers from 'node:timers';
      import { setTimeout as sleep, setImmediate as immediate, setInterval as every } from 'node:timers/promises';
      export async function handler() {
        const order = [];
        await new Promise((resolve) => { setImmediate((a) => { order.push(['immediate', a]); resolve(); }, 'arg'); });
        const cleared = setImmediate(() => order.push('never'));
        clearImmediate(cleared);
        order.push(await sleep(2, 'slept'), await immediate('next'));
        let n = 0;
        for await (const v of every(2, 'tick')) { order.push(v); if (++n === 3) break; }
        const ac = new AbortController();
        const aborted = sleep(1000, null, { signal: ac.signal }).catch((e) => [e.name, e.code]);
        ac.abort();
        order.push(await aborted, typeof timers.setTimeout, timers.setImmediate === setImmediate, typeof timers.promises.setTimeout);
        return order;
      }`);
  });
});

describe('os, tty, perf_hooks, diagnostics_channel', () => {
  it('answers what libraries probe', async () => {
    expect(
      await o.inIsolate(`
        import os from 'node:os';
        import tty from 'tty';
        import { performance } from 'perf_hooks';
        import dc from 'diagnostics_channel';
        export async function handler() {
          const seen = [];
          const ch = dc.channel('mini');
          const onMessage = (m, name) => seen.push([m, name]);
          ch.subscribe(onMessage);
          ch.publish({ a: 1 });
          ch.unsubscribe(onMessage);
          ch.publish({ a: 2 });
          return [os.EOL, os.platform(), os.arch(), os.cpus(), os.tmpdir(), os.hostname(), os.endianness(),
            typeof os.totalmem(), tty.isatty(1), performance === globalThis.performance, seen,
            dc.hasSubscribers('mini'), dc.channel('constructor') instanceof dc.Channel];
        }`),
    ).toEqual([
      '\n',
      'linux',
      'x64',
      [],
      '/tmp',
      'localhost',
      'LE',
      'number',
      false,
      true,
      [[{ a: 1 }, 'mini']],
      false,
      true,
    ]);
  });
});

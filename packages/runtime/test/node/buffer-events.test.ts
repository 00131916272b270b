import { afterAll, describe, expect, it } from 'vitest';
import { createNodeOracle } from './harness.ts';

// node:buffer and node:events in an isolate against Node's own.
const o = createNodeOracle();
afterAll(() => o.dispose());

const ERR = `const err = (f) => { try { return f(); } catch (e) { return [e.name, e.code, e.message]; } };`;

describe('node:buffer', () => {
  it('encodes and decodes as Node does', async () => {
    await o.same(`
      import { Buffer } from 'node:buffer';
      export async function handler() {
        const text = 'héllo wörld ✓ \\u{1F600}';
        const out = {};
        for (const enc of ['utf8', 'hex', 'base64', 'base64url', 'latin1', 'binary', 'ascii', 'utf16le', 'ucs2']) {
          const b = Buffer.from(text, enc === 'hex' || enc.startsWith('base64') ? 'utf8' : enc);
          const s = b.toString(enc);
          out[enc] = [s, Buffer.from(s, enc).toString('hex'), Buffer.byteLength(s, enc), Buffer.isEncoding(enc)];
        }
        out.base64urlIn = Buffer.from('_-8', 'base64url').toString('hex');
        out.base64loose = Buffer.from('aGk=\\n aGk', 'base64').toString();
        out.isEncoding = ['UTF-8', 'Base64URL', 'nope'].map((e) => Buffer.isEncoding(e));
        return out;
      }`);
  });

  it('reads, writes, compares and concatenates as Node does', async () => {
    await o.same(`
      import { Buffer } from 'buffer';
      ${ERR}
      export async function handler() {
        const b = Buffer.alloc(16);
        b.writeUInt32BE(0xdeadbeef, 0); b.writeInt16LE(-2, 4); b.writeDoubleLE(Math.PI, 6); b.writeUInt8(255, 14);
        const big = Buffer.alloc(8); big.writeBigUInt64BE(2n ** 63n + 5n);
        return [
          b.readUInt32BE(0), b.readUInt32LE(0), b.readInt16LE(4), b.readDoubleLE(6), b.readUInt8(14),
          big.readBigUInt64BE().toString(), big.readBigInt64BE().toString(),
          Buffer.concat([Buffer.from('ab'), Buffer.from('cd')], 3).toString(),
          Buffer.compare(Buffer.from('a'), Buffer.from('b')), Buffer.from('x').equals(Buffer.from('x')),
          Buffer.from('abcabc').indexOf('c', 3), Buffer.from('abc').includes('bc'),
          Buffer.from([1, 2, 3]).toJSON(), JSON.stringify(Buffer.from('hi')),
          Buffer.from('hello').subarray(1, 3).toString(), Buffer.from('hello').slice(-2).toString(),
          Buffer.alloc(5, 'ab').toString(), Buffer.from('abc').swap16 === undefined,
          Buffer.isBuffer(Buffer.alloc(1)), Buffer.isBuffer(new Uint8Array(1)),
          Buffer.from(new Uint16Array([1, 256]).buffer).toString('hex'),
          err(() => b.readUInt32BE(14)), err(() => b.writeUInt8(256, 0)),
          err(() => Buffer.from("abc").readUInt32LE(1)), err(() => Buffer.alloc(2).writeUInt32BE(1, 0)),
          Buffer.poolSize, typeof Buffer.allocUnsafeSlow(3).length,
        ];
      }`);
  });

  it('is the global Buffer and a Uint8Array', async () => {
    expect(
      await o.inIsolate(`
        import { Buffer } from 'node:buffer';
        export async function handler() {
          return [Buffer === globalThis.Buffer, Buffer.from('a') instanceof Uint8Array, typeof global, global === globalThis];
        }`),
    ).toEqual([true, true, 'object', true]);
  });

  it('ends an invocation that allocates 2 GB and keeps serving', async () => {
    const code = `
      export async function handler(event) {
        if (event === 'huge') return Buffer.allocUnsafe(2 ** 31).length;
        if (event === 'large') return Buffer.allocUnsafe(2 ** 31 - 1).length;
        return Buffer.from('ok').toString();
      }`;
    const huge = await o.invoke(code, 'huge');
    expect(huge.ok).toBe(false);
    if (!huge.ok) expect(huge.message).toMatch(/larger than maximum size/);
    const large = await o.invoke(code, 'large');
    expect(large.ok).toBe(false);
    const again = await o.invoke(code, 'small');
    expect(again.ok && JSON.parse(again.result)).toBe('ok');
  });
});

describe('node:events', () => {
  it('calls listeners in order, once, and with errorMonitor as Node does', async () => {
    await o.same(`
      import EventEmitter, { once, errorMonitor } from 'node:events';
      ${ERR}
      export async function handler() {
        const log = [];
        const e = new EventEmitter();
        e.on('x', (a) => log.push(['first', a]));
        e.prependListener('x', (a) => log.push(['prepended', a]));
        e.once('x', (a) => log.push(['once', a]));
        e.emit('x', 1); e.emit('x', 2);
        e.on(errorMonitor, (err) => log.push(['monitor', err.message]));
        const thrown = err(() => e.emit('error', new Error('boom')));
        const unhandled = [err(() => e.emit('error', 'text')), err(() => e.emit('error')), err(() => e.emit('error', { a: 1 }))];
        e.on('error', (err) => log.push(['handled', err.message]));
        e.emit('error', new Error('caught'));
        const p = once(e, 'ready');
        e.emit('ready', 'a', 'b');
        const args = await p;
        const p2 = once(e, 'never');
        e.emit('error', new Error('rejects once'));
        const rejected = await p2.then(() => 'resolved', (x) => x.message);
        return [log, thrown, unhandled, args, rejected, e.listenerCount('x'), e.eventNames().map(String),
          EventEmitter.listenerCount(e, 'x'), EventEmitter.defaultMaxListeners, e.getMaxListeners(),
          err(() => e.on('x', 1)), typeof EventEmitter.on, EventEmitter.EventEmitter === EventEmitter,
          EventEmitter.name, String(EventEmitter.captureRejectionSymbol), e.rawListeners('x').length];
      }`);
  });

  it('supports inheritance the old way and the class way', async () => {
    await o.same(`
      import EventEmitter from 'events';
      import util from 'util';
      function Old() { EventEmitter.call(this); this.n = 1; }
      util.inherits(Old, EventEmitter);
      class New extends EventEmitter {}
      export async function handler() {
        const a = new Old(); const b = new New({ captureRejections: true });
        const got = [];
        a.on('e', (v) => got.push(v)); a.emit('e', 'old');
        b.on('e', (v) => got.push(v)); b.emit('e', 'new');
        return [got, a instanceof EventEmitter, b instanceof EventEmitter, Old.super_ === EventEmitter,
          Object.keys(a).sort(), Object.keys(b).sort()];
      }`);
  });

  it('captures rejections of async listeners when asked', async () => {
    await o.same(`
      import { EventEmitter } from 'node:events';
      export async function handler() {
        const e = new EventEmitter({ captureRejections: true });
        const seen = new Promise((resolve) => e.on('error', (err) => resolve(err.message)));
        e.on('x', async () => { throw new Error('async boom'); });
        e.emit('x');
        return await seen;
      }`);
  });

  it('iterates events with on() until aborted', async () => {
    await o.same(`
      import { on, EventEmitter } from 'node:events';
      export async function handler() {
        const e = new EventEmitter();
        const ac = new AbortController();
        const got = [];
        setTimeout(() => { e.emit('v', 1); e.emit('v', 2); setTimeout(() => ac.abort(), 5); }, 5);
        try {
          for await (const [v] of on(e, 'v', { signal: ac.signal })) got.push(v);
        } catch (err) { got.push(err.name); }
        return got;
      }`);
  });

  it('bounds a million listeners by memory, and keeps serving', async () => {
    const code = `
      import EventEmitter from 'node:events';
      export async function handler(event) {
        const e = new EventEmitter();
        e.setMaxListeners(0);
        let n = 0;
        for (let i = 0; i < event; i++) e.on('x', () => n++);
        e.emit('x');
        return n;
      }`;
    const million = await o.invoke(code, 1_000_000);
    // Either it fits in the isolate's memory and runs them all, or it ends by the limit.
    if (million.ok) expect(JSON.parse(million.result)).toBe(1_000_000);
    else expect(million.reason).toMatch(/memory|timeout/i);
    const small = await o.invoke(code, 3);
    expect(small.ok && JSON.parse(small.result)).toBe(3);
  });
});

import { afterAll, describe, expect, it } from 'vitest';
import { createOracle } from './oracle.ts';
import { STREAMS_CASES } from './streams.cases.ts';

// Each case runs in an isolate and in Node 24 (its own web streams): equal results.
const oracle = createOracle();
afterAll(() => oracle.dispose());

describe('web streams', () => {
  for (const [name, body] of Object.entries(STREAMS_CASES)) it(name, () => oracle.same(body));
});

describe('loading', () => {
  it('evaluates the streams implementation only when a stream is first needed', async () => {
    // The implementation reads globalThis.DOMException once, when it is evaluated.
    const result = await oracle.inIsolate(`
      let reads = 0;
      const original = globalThis.DOMException;
      Object.defineProperty(globalThis, 'DOMException', { get() { reads++; return original; }, configurable: true });
      const r = new Response('hello', { headers: new Headers({ a: '1' }) });
      const text = await r.text();
      const blob = await new Request('http://a/', { method: 'POST', body: new Blob(['x']) }).blob();
      const fd = await Response.json({ a: 1 }).json();
      const before = reads;
      const body = new Response('x').body;
      const after = reads;
      new ReadableStream();
      return { text, blob: blob.size, fd, before, after, again: reads };
    `);
    expect(result).toEqual({ text: 'hello', blob: 1, fd: { a: 1 }, before: 0, after: 1, again: 1 });
  });
});

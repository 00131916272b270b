/** Web streams cases: each body runs in Node and in an isolate; results must be equal. */
export const STREAMS_CASES: Record<string, string> = {
  'globals exist with their names and tags': `
    const names = ['ReadableStream', 'ReadableStreamDefaultReader', 'ReadableStreamBYOBReader', 'ReadableStreamBYOBRequest',
      'ReadableStreamDefaultController', 'ReadableByteStreamController', 'WritableStream', 'WritableStreamDefaultWriter',
      'WritableStreamDefaultController', 'TransformStream', 'TransformStreamDefaultController', 'ByteLengthQueuingStrategy',
      'CountQueuingStrategy'];
    return names.map((n) => [n, typeof globalThis[n], globalThis[n].name, describe(globalThis[n].prototype)]);
  `,
  'pipeThrough a TransformStream into a WritableStream': `
    const written = [];
    const upper = new TransformStream({
      transform(chunk, controller) { controller.enqueue(chunk.toUpperCase()); },
      flush(controller) { controller.enqueue('!'); },
    });
    const source = new ReadableStream({ start(c) { c.enqueue('a'); c.enqueue('b'); c.close(); } });
    await source.pipeThrough(upper).pipeTo(new WritableStream({ write(chunk) { written.push(chunk); }, close() { written.push('closed'); } }));
    return { written, locked: source.locked };
  `,
  'tee gives both branches every chunk': `
    let n = 0;
    const s = new ReadableStream({ pull(c) { if (n < 3) c.enqueue(n++); else c.close(); } });
    const [a, b] = s.tee();
    const read = async (st) => { const out = []; for await (const x of st) out.push(x); return out; };
    return await Promise.all([read(a), read(b)]);
  `,
  'async iteration, early exit cancels, preventCancel keeps the stream': `
    const cancelled = [];
    const make = () => new ReadableStream({ start(c) { c.enqueue(1); c.enqueue(2); c.enqueue(3); }, cancel(r) { cancelled.push(String(r)); } });
    const s1 = make();
    for await (const x of s1) { if (x === 2) break; }
    const s2 = make();
    for await (const x of s2.values({ preventCancel: true })) { break; }
    const r = s2.getReader();
    return { cancelled, next: await r.read(), s1Locked: s1.locked };
  `,
  'ReadableStream.from iterables and async iterables': `
    const collect = async (st) => { const out = []; for await (const x of st) out.push(x); return out; };
    async function* gen() { yield 'x'; yield 'y'; }
    return {
      array: await collect(ReadableStream.from([1, 2, 3])),
      gen: await collect(ReadableStream.from(gen())),
      string: await collect(ReadableStream.from('ab')),
      bad: await attempt(() => ReadableStream.from(5)),
    };
  `,
  'backpressure: desiredSize and pull follow the high water mark': `
    const log = [];
    let controller;
    const s = new ReadableStream({
      start(c) { controller = c; log.push(['start', c.desiredSize]); },
      pull(c) { log.push(['pull', c.desiredSize]); },
    }, new CountQueuingStrategy({ highWaterMark: 2 }));
    await null; await null;
    controller.enqueue('a');
    log.push(['after a', controller.desiredSize]);
    controller.enqueue('b');
    controller.enqueue('c');
    log.push(['after c', controller.desiredSize]);
    const reader = s.getReader();
    await reader.read();
    await null; await null;
    log.push(['after read', controller.desiredSize]);
    const ws = new WritableStream({ write() { return new Promise(() => {}); } }, new ByteLengthQueuingStrategy({ highWaterMark: 4 }));
    const w = ws.getWriter();
    w.write(new Uint8Array(3));
    const d1 = w.desiredSize;
    w.write(new Uint8Array(3));
    return { log, d1, d2: w.desiredSize, sizes: [new ByteLengthQueuingStrategy({ highWaterMark: 1 }).size(new Uint8Array(7)), new CountQueuingStrategy({ highWaterMark: 1 }).size()] };
  `,
  'errors propagate: erroring a readable rejects reads and pipes': `
    const s = new ReadableStream({ start(c) { c.error(new TypeError('boom')); } });
    const read = await attempt(() => s.getReader().read());
    const ws = new WritableStream({ write() { throw new RangeError('sink'); } });
    const piped = await attempt(() => new ReadableStream({ start(c) { c.enqueue(1); c.close(); } }).pipeTo(ws));
    return { read, piped, locked: await attempt(() => { const t = new ReadableStream(); t.getReader(); return t.getReader(); }) };
  `,
  'pipeTo honours an AbortSignal': `
    const controller = new AbortController();
    const seen = [];
    const source = new ReadableStream({ pull(c) { c.enqueue(seen.length); } });
    const sink = new WritableStream({ write(chunk) { seen.push(chunk); if (seen.length === 3) controller.abort(new Error('stop')); } });
    const result = await attempt(() => source.pipeTo(sink, { signal: controller.signal }));
    return { result, count: seen.length >= 3 };
  `,
  'byte streams: BYOB reads into the caller buffer': `
    const s = new ReadableStream({
      type: 'bytes',
      pull(c) {
        const req = c.byobRequest;
        if (req) { req.view[0] = 7; req.view[1] = 8; req.respond(2); } else { c.enqueue(new Uint8Array([1])); }
      },
    });
    const reader = s.getReader({ mode: 'byob' });
    const r = await reader.read(new Uint8Array(4));
    return { value: bytes(r.value), length: r.value.byteLength, tag: describe(reader) };
  `,
  'subclassing and instanceof work on the globals': `
    class MyStream extends ReadableStream {}
    const m = new MyStream({ start(c) { c.close(); } });
    return { isReadable: m instanceof ReadableStream, isMine: m instanceof MyStream, closed: (await m.getReader().read()).done };
  `,
};

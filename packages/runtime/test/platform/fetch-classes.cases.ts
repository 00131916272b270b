/** Request/Response cases: each body runs in Node and in an isolate; results must be equal. */
export const RESPONSE_CASES: Record<string, string> = {
  'defaults and content types of each body kind': `
    const kinds = {
      none: () => new Response(),
      nul: () => new Response(null),
      string: () => new Response('hi'),
      bytes: () => new Response(new Uint8Array([1, 2, 3])),
      buffer: () => new Response(new Uint16Array([1, 2]).buffer),
      view: () => new Response(new DataView(new Uint8Array([9, 8, 7, 6]).buffer, 1, 2)),
      blob: () => new Response(new Blob(['b'], { type: 'Text/Plain' })),
      untypedBlob: () => new Response(new Blob(['b'])),
      params: () => new Response(new URLSearchParams('a=1&b=%20x')),
      object: () => new Response({ a: 1 }),
      number: () => new Response(42),
    };
    const out = {};
    for (const [k, make] of Object.entries(kinds)) {
      const r = make();
      out[k] = {
        status: r.status, ok: r.ok, statusText: r.statusText, type: r.type, url: r.url,
        redirected: r.redirected, headers: [...r.headers], hasBody: r.body !== null,
        bytes: bytes(await r.arrayBuffer()), used: r.bodyUsed,
      };
    }
    return out;
  `,
  'status and statusText are validated as undici does': `
    const tries = {
      low: () => new Response('x', { status: 199 }),
      high: () => new Response('x', { status: 600 }),
      wraps: () => new Response(null, { status: 65536 + 201 }).status,
      string: () => new Response(null, { status: '203' }).status,
      fraction: () => new Response(null, { status: 250.9 }).status,
      nan: () => new Response(null, { status: NaN }),
      nullBody204: () => new Response('x', { status: 204 }),
      nullBody304: () => new Response('', { status: 304 }),
      noBody204: () => new Response(null, { status: 204 }).status,
      text: () => new Response(null, { status: 201, statusText: 'Created ok\\t!' }).statusText,
      badText: () => new Response(null, { statusText: 'a\\nb' }),
      wideText: () => new Response(null, { statusText: 'Ā' }),
      initNotObject: () => new Response(null, 5),
    };
    const out = {};
    for (const [k, f] of Object.entries(tries)) out[k] = await attempt(f);
    return out;
  `,
  'Response.json, redirect and error': `
    const j = Response.json({ a: [1, 'é'] }, { status: 201, headers: { 'X-A': '1' } });
    const typed = Response.json(1, { headers: { 'content-type': 'application/vnd+json' } });
    const r = Response.redirect('http://example.com/a b?c#d', 307);
    const e = Response.error();
    return {
      j: { status: j.status, headers: [...j.headers], text: await j.text() },
      typed: [...typed.headers],
      r: { status: r.status, location: r.headers.get('location'), body: r.body, headers: [...r.headers] },
      e: { status: e.status, type: e.type, ok: e.ok, body: e.body, statusText: e.statusText },
      defaultRedirect: Response.redirect('http://x/').status,
      badJson: await attempt(() => Response.json(undefined)),
      cyclic: await attempt(() => { const o = {}; o.o = o; return Response.json(o); }),
      badStatus: await attempt(() => Response.redirect('http://x/', 200)),
      relative: await attempt(() => Response.redirect('/x')),
      noArgs: await attempt(() => Response.json()),
      bigint: await attempt(() => Response.json(1n)),
    };
  `,
  'clone tees the body; a used body cannot be cloned or read again': `
    const r = new Response('abc', { status: 202, headers: { a: '1' } });
    const c = r.clone();
    c.headers.set('a', '2');
    const first = await r.text();
    const second = await c.text();
    const s = new Response(new ReadableStream({ start(ctl) { ctl.enqueue(new Uint8Array([1])); ctl.enqueue(new Uint8Array([2])); ctl.close(); } }));
    const sc = s.clone();
    return {
      first, second, status: c.status, a: [r.headers.get('a'), c.headers.get('a')],
      used: [r.bodyUsed, c.bodyUsed],
      again: await attempt(() => r.text()),
      cloneUsed: await attempt(() => r.clone()),
      streams: [bytes(await s.arrayBuffer()), bytes(await sc.arrayBuffer())],
      nullClone: new Response(null).clone().body,
    };
  `,
  'body mixins: text, json, bytes, blob, arrayBuffer, formData errors': `
    const blob = await new Response('{"x":1}', { headers: { 'content-type': 'Application/JSON; Charset="utf-8"' } }).blob();
    return {
      text: await new Response(new Uint8Array([0xef, 0xbb, 0xbf, 0x68, 0xc3, 0xa9, 0xff])).text(),
      json: await new Response('{"a":[1,2]}').json(),
      badJson: await attempt(() => new Response('{').json()),
      bytes: bytes(await new Response('hé').bytes()),
      isU8: describe(await new Response('x').bytes()),
      ab: describe(await new Response('x').arrayBuffer()),
      blob: { type: blob.type, size: blob.size, text: await blob.text(), tag: describe(blob) },
      blobNoType: (await new Response(new Uint8Array([1])).blob()).type,
      formDataBadType: await attempt(() => new Response('a=1').formData()),
      nullText: await new Response(null).text(),
      nullTwice: await (async () => { const r = new Response(null); await r.text(); return [await r.text(), r.bodyUsed]; })(),
    };
  `,
  'body is a byte stream, created lazily and consumed once': `
    const r = new Response('hello');
    const body = r.body;
    const same = body === r.body;
    const reader = body.getReader();
    const chunk = await reader.read();
    const end = await reader.read();
    const locked = await attempt(() => r.text());
    const byob = new Response('abcdef').body.getReader({ mode: 'byob' });
    const part = await byob.read(new Uint8Array(4));
    const r2 = new Response('xy');
    await r2.text();
    const afterRead = r2.body;
    return {
      same, tag: describe(body), chunk: bytes(chunk.value), done: end.done, used: r.bodyUsed, locked,
      byob: bytes(part.value), afterRead: [afterRead.locked, r2.bodyUsed],
    };
  `,
  'stream bodies: disturbed or locked streams are refused, non-bytes chunks fail': `
    const locked = new ReadableStream();
    locked.getReader();
    const read = new ReadableStream({ start(c) { c.enqueue(new Uint8Array([1])); } });
    await read.getReader().read().then(() => {});
    const strings = new ReadableStream({ start(c) { c.enqueue('text'); c.close(); } });
    async function* gen() { yield 'a'; yield new Uint8Array([98]); yield ''; yield 'c'; }
    return {
      locked: await attempt(() => new Response(locked)),
      disturbed: await attempt(() => new Response(read)),
      strings: await attempt(() => new Response(strings).text()),
      iterable: await new Response(gen()).text(),
      iterableType: [...new Response(gen()).headers],
    };
  `,
  'brand checks and the WebIDL shape of Response': `
    return {
      tag: describe(new Response()),
      keys: Object.keys(Response.prototype),
      statics: Object.keys(Response),
      name: Response.name,
      status: await attempt(() => Object.getOwnPropertyDescriptor(Response.prototype, 'status').get.call({})),
      text: await attempt(() => Response.prototype.text.call({})),
      body: await attempt(() => Object.getOwnPropertyDescriptor(Response.prototype, 'body').get.call(new Request('http://a/'))),
      instance: new Response() instanceof Response,
    };
  `,
};

export const REQUEST_CASES: Record<string, string> = {
  'defaults of a Request': `
    const r = new Request('HTTP://Example.COM:80/a/../b?x#frag');
    return {
      method: r.method, url: r.url, headers: [...r.headers], destination: r.destination,
      referrer: r.referrer, referrerPolicy: r.referrerPolicy, mode: r.mode, credentials: r.credentials,
      cache: r.cache, redirect: r.redirect, integrity: r.integrity, keepalive: r.keepalive,
      reload: r.isReloadNavigation, history: r.isHistoryNavigation, body: r.body, used: r.bodyUsed,
      duplex: r.duplex, aborted: r.signal.aborted, tag: describe(r),
    };
  `,
  'init members are converted and validated': `
    const r = new Request('http://a/', {
      method: 'post', headers: [['X-A', '1']], body: 'text', referrer: '', referrerPolicy: 'origin',
      mode: 'same-origin', credentials: 'omit', cache: 'no-store', redirect: 'manual', integrity: 'sha256-x',
      keepalive: 1, priority: 'high',
    });
    const tries = {
      badMethod: () => new Request('http://a/', { method: 'a b' }),
      forbidden: () => new Request('http://a/', { method: 'connect' }),
      track: () => new Request('http://a/', { method: 'TRACK' }),
      patch: () => new Request('http://a/', { method: 'patch' }).method,
      custom: () => new Request('http://a/', { method: 'Purge' }).method,
      lower: () => ['get', 'Delete', 'options', 'put', 'head'].map((m) => new Request('http://a/', { method: m }).method),
      getBody: () => new Request('http://a/', { body: 'x' }),
      headBody: () => new Request('http://a/', { method: 'HEAD', body: '' }),
      mode: () => new Request('http://a/', { mode: 'bogus' }),
      navigate: () => new Request('http://a/', { mode: 'navigate' }),
      noCors: () => new Request('http://a/', { mode: 'no-cors', method: 'PUT' }),
      noCorsOk: () => new Request('http://a/', { mode: 'no-cors' }).mode,
      onlyIfCached: () => new Request('http://a/', { cache: 'only-if-cached' }),
      redirect: () => new Request('http://a/', { redirect: 'nope' }),
      window: () => new Request('http://a/', { window: {} }),
      windowNull: () => new Request('http://a/', { window: null }).url,
      credentialsUrl: () => new Request('http://u:p@a/'),
      relative: () => new Request('/path'),
      noArgs: () => new Request(),
      signal: () => new Request('http://a/', { signal: {} }),
      duplex: () => new Request('http://a/', { method: 'POST', body: new ReadableStream() }),
      duplexOk: () => new Request('http://a/', { method: 'POST', body: new ReadableStream(), duplex: 'half' }).duplex,
      duplexBad: () => new Request('http://a/', { duplex: 'full' }),
      referrerUrl: () => new Request('http://a/', { referrer: 'http://b/r?q' }).referrer,
      referrerClient: () => new Request('http://a/', { referrer: 'about:client' }).referrer,
      referrerBad: () => new Request('http://a/', { referrer: '::' }),
      initType: () => new Request('http://a/', 'x'),
    };
    const out = {};
    for (const [k, f] of Object.entries(tries)) out[k] = await attempt(f);
    return {
      r: {
        method: r.method, headers: [...r.headers], referrer: r.referrer, referrerPolicy: r.referrerPolicy,
        mode: r.mode, credentials: r.credentials, cache: r.cache, redirect: r.redirect, integrity: r.integrity,
        keepalive: r.keepalive, text: await r.text(),
      },
      out,
    };
  `,
  'a Request from a Request: members kept, init overrides, body moved': `
    const a = new Request('http://a/x', { method: 'PUT', headers: { 'X-A': '1' }, body: 'payload', redirect: 'manual', referrer: 'http://a/ref' });
    const b = new Request(a);
    const usedAfter = a.bodyUsed;
    const c = new Request(b, { method: 'POST', headers: { 'X-B': '2' } });
    const text = await c.text();
    return {
      b: { method: b.method, url: b.url, headers: [...b.headers], redirect: b.redirect, referrer: b.referrer, used: b.bodyUsed },
      usedAfter,
      cMethod: c.method, cHeaders: [...c.headers], text,
      reuse: await attempt(() => new Request(a)),
      overrideBody: await new Request(a, { body: 'new' }).text(),
    };
  `,
  'clone tees the body, copies headers and follows the signal': `
    const controller = new AbortController();
    const r = new Request('http://a/', { method: 'POST', body: 'xyz', signal: controller.signal, headers: { a: '1' } });
    const c = r.clone();
    c.headers.set('a', '2');
    const texts = [await r.text(), await c.text()];
    const before = [r.signal.aborted, c.signal.aborted];
    controller.abort('why');
    return {
      texts, before, after: [r.signal.aborted, c.signal.aborted, r.signal.reason, c.signal.reason],
      headers: [r.headers.get('a'), c.headers.get('a')],
      used: await attempt(() => r.clone()),
      distinct: r.signal !== controller.signal,
    };
  `,
  'an aborted signal is followed at construction': `
    const r = new Request('http://a/', { signal: AbortSignal.abort('gone') });
    const d = new Request(r);
    return [r.signal.aborted, r.signal.reason, d.signal.aborted, d.signal.reason];
  `,
  'body kinds set content-type on requests too': `
    const fd = new FormData();
    fd.append('a', 'b');
    const make = (body, headers) => new Request('http://a/', { method: 'POST', body, headers });
    const mp = make(fd);
    return {
      text: [...make('x').headers],
      params: [...make(new URLSearchParams('q=1')).headers],
      blob: [...make(new Blob(['x'], { type: 'image/png' })).headers],
      kept: [...make('x', { 'content-type': 'custom/type' }).headers],
      multipart: mp.headers.get('content-type').replace(/\\d{11}$/, 'N'),
      parsed: [...(await mp.formData())],
    };
  `,
  'brand checks and the WebIDL shape of Request': `
    return {
      keys: Object.keys(Request.prototype).filter((k) => k !== 'attribute'),
      url: await attempt(() => Object.getOwnPropertyDescriptor(Request.prototype, 'url').get.call({})),
      clone: await attempt(() => Request.prototype.clone.call(new Response())),
      json: await attempt(() => Request.prototype.json.call(new Response('1'))),
    };
  `,
};

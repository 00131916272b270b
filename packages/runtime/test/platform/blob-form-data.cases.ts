/** Blob, File and FormData cases: each body runs in Node and in an isolate; results must be equal. */
export const BLOB_CASES: Record<string, string> = {
  'parts of every kind, sizes and types': `
    const inner = new Blob(['in']);
    const b = new Blob(['a', new Uint8Array([98, 99]), new Uint16Array([0x6564]).buffer, new DataView(new Uint8Array([1, 102, 2]).buffer, 1, 1), inner, 7, { toString: () => 'o' }], { type: 'Text/HTML;Charset=UTF-8' });
    return {
      size: b.size, type: b.type, text: await b.text(), bytes: bytes(await b.bytes()),
      ab: describe(await b.arrayBuffer()), tag: describe(b), empty: [new Blob().size, new Blob([]).type],
      badType: new Blob([], { type: 'a\\u0100' }).type, ctl: new Blob([], { type: 'a\\tb' }).type,
    };
  `,
  'slicing with negative, out of range and unicode content': `
    const b = new Blob(['héllo wörld 🎉'], { type: 'x/y' });
    const s = (...args) => b.slice(...args);
    const out = [];
    for (const args of [[], [1], [-3], [2, 5], [5, 2], [-100, 3], [3, 1000], [0, -2], [1, 3, 'A/B'], [0, 2, 'ü']]) {
      const part = s(...args);
      out.push([part.size, part.type, bytes(await part.arrayBuffer())]);
    }
    return { out, nested: await b.slice(1, 10).slice(2, 4).text(), emoji: await b.slice(-4).text() };
  `,
  'text decodes UTF-8 with replacement and drops a BOM; endings': `
    return {
      bom: await new Blob([new Uint8Array([0xef, 0xbb, 0xbf, 0x41])]).text(),
      invalid: await new Blob([new Uint8Array([0x61, 0xc3, 0x28, 0xe2, 0x82])]).text(),
      lone: await new Blob(['\\ud800x']).text(),
      native: await new Blob(['a\\r\\nb\\nc\\rd'], { endings: 'native' }).text(),
      transparent: await new Blob(['a\\r\\nb'], { endings: 'transparent' }).text(),
      badEndings: await attempt(() => new Blob([], { endings: 'x' })),
    };
  `,
  'constructor argument errors and brand checks': `
    return {
      string: await attempt(() => new Blob('abc')),
      number: await attempt(() => new Blob(5)),
      nul: await attempt(() => new Blob(null)),
      options: await attempt(() => new Blob([], 5)),
      sizeThis: await attempt(() => Object.getOwnPropertyDescriptor(Blob.prototype, 'size').get.call({})),
      textThis: await attempt(() => Blob.prototype.text.call({})),
      sliceThis: await attempt(() => Blob.prototype.slice.call({})),
      keys: Object.keys(Blob.prototype),
      fileKeys: Object.keys(File.prototype),
      iterable: await new Blob(new Set(['a', 'b'])).text(),
    };
  `,
  'File: name, lastModified, type and inheritance': `
    const f = new File(['ab'], 'n\\ud800.txt', { type: 'TEXT/plain', lastModified: 42 });
    return {
      name: f.name, lastModified: f.lastModified, type: f.type, size: f.size, tag: describe(f),
      isBlob: f instanceof Blob, text: await f.text(),
      nan: new File([], 'x', { lastModified: 'x' }).lastModified,
      str: new File([], 'x', { lastModified: '12' }).lastModified,
      now: Math.abs(new File([], 'x').lastModified - Date.now()) < 5000,
      slice: describe(f.slice(0, 1)),
      missing: await attempt(() => new File(['a'])),
      nameThis: await attempt(() => Object.getOwnPropertyDescriptor(File.prototype, 'name').get.call(new Blob())),
    };
  `,
  'stream() reads the bytes, also through a BYOB reader': `
    const b = new Blob(['stream me']);
    const chunks = [];
    for await (const c of b.stream()) chunks.push(...c);
    const reader = b.stream().getReader({ mode: 'byob' });
    const r = await reader.read(new Uint8Array(3));
    return { all: chunks, byob: bytes(r.value), tag: describe(b.stream()) };
  `,
};

export const FORM_DATA_CASES: Record<string, string> = {
  'append, set, get, getAll, has, delete and iteration order': `
    const fd = new FormData();
    fd.append('a', '1');
    fd.append('b', '2');
    fd.append('a', '3');
    fd.set('b', 'x');
    fd.append('c', 4);
    fd.set('d', 'y');
    const before = [...fd];
    fd.set('a', 'z');
    fd.delete('c');
    return {
      before, after: [...fd], keys: [...fd.keys()], values: [...fd.values()],
      get: [fd.get('a'), fd.get('nope')], getAll: fd.getAll('a'), has: [fd.has('d'), fd.has('c')],
      tag: describe(fd), iterTag: describe(fd.entries()), lone: [...(() => { const f = new FormData(); f.append('\\ud800', '\\udc00'); return f; })()],
    };
  `,
  'Blob values become Files named blob unless a filename is given': `
    const fd = new FormData();
    fd.append('b', new Blob(['x'], { type: 'a/b' }));
    fd.append('f', new File(['y'], 'orig.txt', { type: 'c/d', lastModified: 5 }));
    fd.append('g', new File(['z'], 'orig.txt', { lastModified: 6 }), 'renamed.txt');
    fd.set('h', new Blob(['w']), 'named');
    const show = (v) => ({ tag: describe(v), name: v.name, type: v.type, size: v.size, lm: v.name === 'blob' || v.name === 'named' ? 'now' : v.lastModified });
    return {
      b: show(fd.get('b')), f: show(fd.get('f')), g: show(fd.get('g')), h: show(fd.get('h')),
      notBlob: await attempt(() => fd.append('x', 'string', 'file.txt')),
      tooFew: await attempt(() => fd.append('x')),
      ctorArg: await attempt(() => new FormData({})),
      brand: await attempt(() => FormData.prototype.get.call({}, 'a')),
      keys: Object.keys(FormData.prototype),
    };
  `,
  'multipart round trip through a Response': `
    const fd = new FormData();
    fd.append('text', 'héllo\\nworld\\r\\n');
    fd.append('quote"d\\nname', 'v');
    fd.append('file', new File([new Uint8Array([0, 1, 2, 255])], 'a "b".bin', { type: 'application/x-thing' }));
    fd.append('blob', new Blob(['plain']));
    fd.append('empty', new File([], ''));
    const r = new Response(fd);
    const type = r.headers.get('content-type');
    const back = await r.clone().formData();
    const out = [];
    for (const [k, v] of back) {
      out.push(typeof v === 'string' ? [k, v] : [k, describe(v), v.name, v.type, bytes(await v.arrayBuffer())]);
    }
    const body = await r.text();
    const boundary = type.slice(type.indexOf('=') + 1);
    return { type: type.replace(/\\d{11}$/, 'N'), boundaryLength: boundary.length, out, body: body.split(boundary).join('B') };
  `,
  'urlencoded bodies parse into FormData': `
    const r = new Response('a=1&b=%C3%A9+x&a=2&=e&c', { headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' } });
    const fromParams = await new Response(new URLSearchParams({ q: 'a b', r: 'ü' })).formData();
    return { fd: [...(await r.formData())], fromParams: [...fromParams] };
  `,
  'multipart parsing: preamble, epilogue, filename*, base64, errors': `
    const parse = (body, type = 'multipart/form-data; boundary=XyZ') => attempt(async () => {
      const fd = await new Response(body, { headers: { 'content-type': type } }).formData();
      const out = [];
      for (const [k, v] of fd) out.push(typeof v === 'string' ? [k, v] : [k, v.name, v.type, await v.text()]);
      return out;
    });
    const ok = 'preamble\\r\\n--XyZ\\r\\nContent-Disposition: form-data; name="a"\\r\\n\\r\\nva\\r\\n' +
      '--XyZ\\r\\ncontent-disposition: form-data; name=b; filename="f.txt"; filename*=utf-8\\'\\'%C3%A9.txt\\r\\nContent-Type: text/x\\r\\n\\r\\nfile\\r\\n' +
      '--XyZ\\r\\nContent-Disposition: form-data; name="c"; filename="d.txt"\\r\\nContent-Transfer-Encoding: base64\\r\\n\\r\\naGk=\\r\\n' +
      '--XyZ\\r\\nContent-Disposition: form-data; name="e"; filename="n"\\r\\nX-Other: 1\\r\\n\\r\\n\\r\\n' +
      '--XyZ--\\r\\nepilogue';
    return {
      ok: await parse(ok),
      noBoundary: await parse('x', 'multipart/form-data'),
      missing: await parse('nothing here'),
      noName: await parse('--XyZ\\r\\nContent-Disposition: form-data\\r\\n\\r\\nx\\r\\n--XyZ--'),
      badDisposition: await parse('--XyZ\\r\\nContent-Disposition: attachment; name="a"\\r\\n\\r\\nx\\r\\n--XyZ--'),
      unterminated: await parse('--XyZ\\r\\nContent-Disposition: form-data; name="a"\\r\\n\\r\\nx'),
      empty: await parse('--XyZ--'),
      quotedBoundary: await parse('--a b\\r\\nContent-Disposition: form-data; name="q"\\r\\n\\r\\n1\\r\\n--a b--', 'multipart/form-data; boundary="a b"'),
    };
  `,
};

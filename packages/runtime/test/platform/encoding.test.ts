import { afterAll, describe, expect, it } from 'vitest';
import { createOracle, inNode } from './oracle.ts';

// TextEncoder and TextDecoder in an isolate against Node's, byte for byte: the cases are
// the ones where decoders differ (invalid and unfinished sequences, surrogates, BOMs,
// streams cut at every byte), and errors are compared by class, code and message.
const o = createOracle();
afterAll(() => o.dispose());

const HELPERS = `
  const hex = (s) => Array.from(s, (c) => c.codePointAt(0).toString(16)).join(' ');
  const err = (e) => ({ name: e.name, code: e.code, message: e.message });
  const run = (f) => { try { return f(); } catch (e) { return err(e); } };
  const decode = (label, input, options, decodeOptions) =>
    run(() => hex(new TextDecoder(label, options).decode(new Uint8Array(input), decodeOptions)));
`;

const BYTE_CASES = [
  [],
  [0x41, 0x42],
  [0xef, 0xbb, 0xbf, 0x41],
  [0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf],
  [0xc0, 0x80, 0x41],
  [0xc1, 0xbf],
  [0xe0, 0x80, 0x41],
  [0xe0, 0xa0],
  [0xed, 0xa0, 0x80],
  [0xed, 0x9f, 0xbf],
  [0xf0, 0x90, 0x80],
  [0xf0, 0x80, 0x80, 0x80],
  [0xf4, 0x8f, 0xbf, 0xbf],
  [0xf4, 0x90, 0x80, 0x80],
  [0xf5, 0x41],
  [0xff, 0xfe, 0x41, 0x00],
  [0xfe, 0xff, 0x00, 0x41],
  [0x80, 0xbf, 0x41],
  [0xe2, 0x82],
  [0xe2, 0x82, 0xac, 0xe2],
  [0xf0, 0x9f, 0x98, 0x80, 0xf0, 0x9f],
  [0x00, 0xd8, 0x00, 0xdc],
  [0x00, 0xd8, 0x41, 0x00],
  [0x00, 0xdc, 0x41, 0x00],
  [0x00, 0xd8],
  [0x41, 0x00, 0x42],
  [0x3d, 0xd8, 0x00, 0xde, 0x41],
  [0x61, 0x62, 0x63, 0x80, 0x81, 0x8d, 0x8f, 0x90, 0x9d, 0x9f, 0xa0, 0xff],
];

describe('TextDecoder', () => {
  it('decodes tricky bytes as Node does, with and without fatal and ignoreBOM', async () => {
    await o.same(`${HELPERS}
      const cases = ${JSON.stringify(BYTE_CASES)};
      const out = [];
      for (const label of ['utf-8', 'utf-16le', 'utf-16be', 'latin1']) {
        for (const bytes of cases) {
          out.push([label, bytes.join(','),
            decode(label, bytes),
            decode(label, bytes, { fatal: true }),
            decode(label, bytes, { ignoreBOM: true })]);
        }
      }
      return out;`);
  });

  it('decodes long inputs (past the 1 KB slices) as Node does', async () => {
    await o.same(`${HELPERS}
      const text = 'ascii run '.repeat(300) + 'é€😀'.repeat(700) + '\ud800' + 'tail';
      const utf8 = new TextEncoder().encode(text);
      const u16 = new Uint8Array(text.length * 2);
      for (let i = 0; i < text.length; i++) { u16[2 * i] = text.charCodeAt(i) & 255; u16[2 * i + 1] = text.charCodeAt(i) >> 8; }
      const latin = new Uint8Array(5000).map((_, i) => i & 255);
      return [new TextDecoder().decode(utf8) === text.replace('\ud800', '\ufffd'), new TextDecoder().decode(utf8).length,
        hex(new TextDecoder('utf-16le').decode(u16)).length, new TextDecoder('latin1').decode(latin)];`);
  });

  it('maps every byte of latin1, ascii and windows-1252 as Node does', async () => {
    await o.same(`${HELPERS}
      const all = Array.from({ length: 256 }, (_, i) => i);
      return ['latin1', 'ascii', 'iso-8859-1', 'windows-1252', 'us-ascii', 'l1']
        .map((label) => [new TextDecoder(label).encoding, decode(label, all), decode(label, all, { fatal: true })]);`);
  });

  it('decodes a stream cut at every byte as Node does', async () => {
    // Each input split in two at every position, and in single bytes. Two BOMs in a row
    // are left to the next test: Node drops the second when the first is cut.
    const inputs = BYTE_CASES.filter((b) => b.length > 1 && b.join() !== '239,187,191,239,187,191');
    await o.same(`${HELPERS}
      const inputs = ${JSON.stringify(inputs)};
      const out = [];
      for (const label of ['utf-8', 'utf-16le']) {
        for (const fatal of [false, true]) {
          for (const bytes of inputs) {
            for (let cut = 0; cut <= bytes.length; cut++) {
              const d = new TextDecoder(label, { fatal });
              out.push(run(() => hex(d.decode(new Uint8Array(bytes.slice(0, cut)), { stream: true }) +
                d.decode(new Uint8Array(bytes.slice(cut))))));
            }
            const d = new TextDecoder(label, { fatal });
            out.push(run(() => {
              let s = '';
              for (const b of bytes) s += d.decode(new Uint8Array([b]), { stream: true });
              return hex(s + d.decode());
            }));
          }
        }
      }
      return out;`);
  });

  it('keeps BOM handling per stream: stripped once at the start, again after a flush', async () => {
    await o.same(`${HELPERS}
      const out = [];
      for (const label of ['utf-8', 'utf-16le']) {
        const bom = label === 'utf-8' ? [0xef, 0xbb, 0xbf] : [0xff, 0xfe];
        const a = label === 'utf-8' ? [0x41] : [0x41, 0];
        const d = new TextDecoder(label);
        out.push(hex(d.decode(new Uint8Array([...bom, ...a]), { stream: true })));
        out.push(hex(d.decode(new Uint8Array([...bom, ...a]), { stream: true })));
        out.push(hex(d.decode()));
        out.push(hex(d.decode(new Uint8Array([...bom, ...a]))));
        out.push(hex(d.decode(new Uint8Array(bom.slice(0, 1)), { stream: true })));
        out.push(hex(d.decode(new Uint8Array([...bom.slice(1), ...a]))));
      }
      return out;`);
  });

  it('keeps a second BOM when the first was cut across chunks (Node 24 drops it: a bug)', async () => {
    const body = `${HELPERS}
      const out = [];
      for (let cut = 0; cut <= 4; cut++) {
        const d = new TextDecoder();
        const b = [0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf];
        out.push(hex(d.decode(new Uint8Array(b.slice(0, cut)), { stream: true }) + d.decode(new Uint8Array(b.slice(cut)))));
      }
      return out;`;
    expect(await o.inIsolate(body)).toEqual(['feff', 'feff', 'feff', 'feff', 'feff']);
    expect(await inNode(body)).toEqual(['feff', '', '', 'feff', 'feff']);
  });

  it('accepts every BufferSource and refuses anything else with the same error class and code', async () => {
    await o.same(`${HELPERS}
      const d = new TextDecoder();
      const buf = new Uint8Array([0x61, 0x62, 0x63, 0x64]).buffer;
      const detached = new ArrayBuffer(4); detached.transfer();
      const out = [
        d.decode(buf), d.decode(new DataView(buf, 1, 2)), d.decode(new Uint16Array(buf, 2, 1)),
        d.decode(new Uint8Array(buf).subarray(3)), d.decode(), d.decode(undefined), d.decode(detached),
      ];
      for (const bad of [null, 'abc', 12, [0x61], {}]) {
        const e = run(() => d.decode(bad));
        out.push([e.name, e.code]);
      }
      return out;`);
  });

  it('resolves labels and refuses unsupported ones as Node does', async () => {
    await o.same(`${HELPERS}
      const labels = ['utf-8', 'UTF8', ' utf-8\\n', 'unicode-1-1-utf-8', 'utf-16', 'UTF-16LE', 'ucs-2',
        'utf-16be', 'unicodefffe', 'latin1', 'ISO-8859-1', 'ascii', 'us-ascii', 'cp1252', 'x-cp1252',
        'utf-32', 'foo', '', 'utf\\u00a08', 'replacement'];
      return labels.map((label) => run(() => new TextDecoder(label).encoding));`);
  });

  it('checks its options and receiver as Node does', async () => {
    await o.same(`${HELPERS}
      const d = new TextDecoder('utf-8', { fatal: 1, ignoreBOM: 'yes' });
      return [
        [d.encoding, d.fatal, d.ignoreBOM],
        run(() => new TextDecoder('utf-8', null).fatal),
        run(() => new TextDecoder('utf-8', 5)),
        run(() => new TextDecoder('utf-8', 'fatal')),
        run(() => d.decode(new Uint8Array(1), 5)),
        run(() => TextDecoder.prototype.decode.call({}, new Uint8Array(1))),
        run(() => Object.getOwnPropertyDescriptor(TextDecoder.prototype, 'encoding').get.call(null)),
        Object.prototype.toString.call(d),
        run(() => new TextDecoder(Symbol('x'))).name,
      ];`);
  });
});

describe('TextEncoder', () => {
  const STRINGS = [
    '',
    'hello',
    'é€😀',
    '\ud800',
    '\udc00',
    'a\ud800b',
    '\ud83d\ude00\ud83d',
    '\ude00\ud83d',
    '\u0000\u007f\u0080\u07ff\u0800\uffff',
    `${'x'.repeat(10_000)}é`,
  ];

  it('encodes tricky strings as Node does, into exactly sized buffers', async () => {
    await o.same(`${HELPERS}
      const strings = ${JSON.stringify(STRINGS)};
      const e = new TextEncoder();
      return [
        ...strings.map((s) => { const b = e.encode(s); return [bytes(b).join(','), b.byteLength, b.buffer.byteLength, b.byteOffset, Object.prototype.toString.call(b)]; }),
        bytes(e.encode()), bytes(e.encode(undefined)), bytes(e.encode(null)), bytes(e.encode(12)),
        bytes(e.encode({ toString: () => 'x' })), e.encoding,
      ];`);
  });

  it('encodeInto writes whole characters only and counts as Node does', async () => {
    await o.same(`${HELPERS}
      const strings = ${JSON.stringify(STRINGS.slice(0, 9))};
      const e = new TextEncoder();
      const out = [];
      for (const s of strings) {
        for (let room = 0; room <= 9; room++) {
          const dest = new Uint8Array(room + 2).fill(0xaa).subarray(1, room + 1);
          const r = e.encodeInto(s, dest);
          out.push([r.read, r.written, bytes(dest).join(','), Object.keys(r).join()]);
        }
      }
      for (const [src, dest] of [[5, new Uint8Array(4)], ['a', []], ['a', new Uint16Array(4)], ['a', new ArrayBuffer(4)]]) {
        const r = run(() => e.encodeInto(src, dest));
        out.push([r.name, r.code, r.message]);
      }
      return out;`);
  });
});

describe('TextEncoderStream and TextDecoderStream', () => {
  it('encode and decode across chunks as Node does', async () => {
    await o.same(`${HELPERS}
      const collect = async (readable) => { const out = []; for await (const c of readable) out.push(c); return out; };
      const from = (chunks) => new ReadableStream({ start(c) { for (const x of chunks) c.enqueue(x); c.close(); } });
      const enc = new TextEncoderStream();
      const encoded = await collect(from(['a', '\\ud83d', '\\ude00b', '', '\\ud800']).pipeThrough(enc));
      const dec = new TextDecoderStream('utf-8');
      const decoded = await collect(from([new Uint8Array([0xe2, 0x82]), new Uint8Array([0xac, 0xf0]), new Uint8Array([0x9f, 0x98, 0x80])]).pipeThrough(dec));
      const bad = await attempt(() => collect(from([new Uint8Array([0xff])]).pipeThrough(new TextDecoderStream('utf-8', { fatal: true }))));
      const d16 = await collect(from([new Uint8Array([0xff, 0xfe, 0x41]), new Uint8Array([0x00, 0x3d])]).pipeThrough(new TextDecoderStream('utf-16le')));
      return {
        encoded: encoded.map(bytes), decoded: decoded.map(hex), bad, d16: d16.map(hex),
        props: [enc.encoding, dec.encoding, dec.fatal, dec.ignoreBOM, typeof enc.readable.getReader, typeof dec.writable.getWriter],
      };`);
  });
});

describe('utf8Encode and utf8Decode (the prelude fast paths)', () => {
  it('agree with Node on the same inputs (run here: they are plain functions)', async () => {
    const { utf8Decode, utf8Encode } = (await import(
      new URL('../../src/sandbox/platform/encoding.js', import.meta.url).href
    )) as { utf8Decode(bytes: Uint8Array): string; utf8Encode(s: string): Uint8Array };
    const strings = ['', 'plain ascii', 'é€😀', '\ud800x', `${'a'.repeat(20_000)}€`];
    for (const s of strings) expect(utf8Encode(s)).toEqual(new TextEncoder().encode(s));
    for (const bytes of BYTE_CASES) {
      const u8 = new Uint8Array(bytes);
      expect(utf8Decode(u8)).toBe(new TextDecoder().decode(u8));
    }
    const big = new TextEncoder().encode('€'.repeat(50_000) + 'x'.repeat(50_000));
    expect(utf8Decode(big)).toBe(new TextDecoder().decode(big));
    expect(utf8Decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d]))).toBe('{}');
  });
});

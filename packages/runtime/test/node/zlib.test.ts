import { afterAll, describe, expect, it } from 'vitest';
import { createNodeOracle } from './harness.ts';

// node:zlib in an isolate against Node's own.
const o = createNodeOracle();
afterAll(() => o.dispose());

describe('node:zlib', () => {
  it('compresses to the bytes Node makes, sync, callback and promisified', async () => {
    await o.same(`
      import zlib from 'node:zlib';
      import { promisify } from 'node:util';
      const ERR = (f) => { try { f(); return 'no error'; } catch (e) { return [e.name, e.code, e.message]; } };
      export async function handler() {
        const text = Buffer.from('node:zlib in a function '.repeat(2000));
        const out = {};
        for (const [c, d] of [['gzip', 'gunzip'], ['deflate', 'inflate'], ['deflateRaw', 'inflateRaw'], ['brotliCompress', 'brotliDecompress']]) {
          const sync = zlib[c + 'Sync'](text);
          const cb = await new Promise((res, rej) => zlib[c](text, (e, b) => (e ? rej(e) : res(b))));
          const p = await promisify(zlib[c])('a string', c.startsWith('brotli') ? {} : { level: 1 });
          out[c] = [sync.toString('base64'), cb.equals(sync), p.toString('hex'), zlib[d + 'Sync'](sync).equals(text),
            (await promisify(zlib[d])(sync)).length];
        }
        out.unzip = zlib.unzipSync(zlib.deflateSync('x')).toString();
        out.level9 = zlib.gzipSync(text, { level: 9, memLevel: 9 }).toString('base64');
        out.q4 = zlib.brotliCompressSync(text, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } }).toString('base64');
        out.crc = [zlib.crc32('hello'), zlib.crc32(Buffer.from('world'), 12345)];
        out.constants = [zlib.constants.Z_BEST_COMPRESSION, zlib.Z_SYNC_FLUSH, zlib.constants.BROTLI_PARAM_QUALITY, zlib.codes.Z_DATA_ERROR];
        const gz = zlib.gzipSync(text);
        out.errors = [ERR(() => zlib.gunzipSync(gz.subarray(0, 50))), ERR(() => zlib.inflateSync(Buffer.from('not zlib'))),
          ERR(() => zlib.gunzipSync(gz, { maxOutputLength: 100 })), ERR(() => zlib.gzipSync(text, { level: 99 }))[1]];
        return out;
      }`);
  });

  it('makes gzip Node inflates, and inflates what Node makes', async () => {
    const zlib = await import('node:zlib');
    const data = Buffer.from('round trip '.repeat(500));
    const made = (await o.inIsolate(
      `import zlib from 'zlib';
      export async function handler(e) {
        return [zlib.gzipSync(Buffer.from(e.text)).toString('base64'), zlib.gunzipSync(Buffer.from(e.gz, 'base64')).toString()];
      }`,
      { text: data.toString(), gz: zlib.gzipSync(data).toString('base64') },
    )) as string[];
    expect(zlib.gunzipSync(Buffer.from(made[0] ?? '', 'base64'))).toEqual(data);
    expect(made[1]).toBe(data.toString());
  });
});

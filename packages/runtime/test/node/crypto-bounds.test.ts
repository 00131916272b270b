import { afterAll, describe, expect, it } from 'vitest';
import { createNodeOracle } from './harness.ts';

// What a function cannot do with node:crypto and node:zlib: use the sandbox's Node to escape
// its deadline or its memory. Each case ends quickly with a clear error, and the same
// function (the same isolate) serves the next call.
const o = createNodeOracle();
afterAll(() => o.dispose());

const SOURCE = `
  import crypto from 'node:crypto';
  import zlib from 'node:zlib';
  import { promisify } from 'node:util';
  /** A gzip of 10 GiB of zeros in about 10 MB: 10,240 members of 1 MiB each (Node reads them all). */
  const bomb = () => {
    const member = zlib.gzipSync(Buffer.alloc(1024 * 1024));
    return Buffer.concat(Array.from({ length: 10240 }, () => member));
  };
  /** Bytes brotli compresses slowly at its default quality (seconds per MB). */
  const noise = (n) => {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = (i * 2654435761) >>> 28;
    return b;
  };
  const CASES = {
    pbkdf2Sync: () => crypto.pbkdf2Sync('pw', 'salt', 1e9, 32, 'sha256'),
    pbkdf2: () => promisify(crypto.pbkdf2)('pw', 'salt', 1e9, 32, 'sha256'),
    scryptSync: () => crypto.scryptSync('pw', 'salt', 32, { N: 2 ** 14, r: 8, p: 2 ** 16 }),
    scryptMemory: () => crypto.scryptSync('pw', 'salt', 32, { N: 2 ** 24, r: 8, maxmem: 2 ** 40 }),
    scrypt: () => promisify(crypto.scrypt)('pw', 'salt', 32, { N: 2 ** 14, r: 8, p: 2 ** 16 }),
    rsa8192: () => crypto.generateKeyPairSync('rsa', { modulusLength: 8192 }),
    rsaTooBig: () => crypto.generateKeyPairSync('rsa', { modulusLength: 16384 }),
    randomBytesHuge: () => crypto.randomBytes(2 ** 31),
    randomBytesMemory: () => crypto.randomBytes(2 ** 31 - 1),
    gunzipBomb: () => zlib.gunzipSync(bomb()),
    gunzipBombAsync: () => promisify(zlib.gunzip)(bomb()),
    brotliSlow: () => zlib.brotliCompressSync(noise(8 * 1024 * 1024)),
    // A rope: 64 MiB of characters eight times over, almost nothing in the isolate, 512 MiB
    // once flattened in the sandbox.
    ropeJwk: () => {
      const s = 'A'.repeat(2 ** 26);
      return crypto.createPublicKey({ key: { kty: 'RSA', n: s, e: s, d: s, p: s, q: s, dp: s, dq: s, qi: s }, format: 'jwk' });
    },
    ropeHash: () => {
      const h = crypto.createHash('sha256');
      const s = 'a'.repeat(50e6);
      for (let i = 0; i < 31; i++) h.update(s);
      return h.digest('hex');
    },
  };
  export async function handler(event) {
    const t = Date.now();
    let outcome;
    try {
      await CASES[event.case]();
      outcome = 'no error';
    } catch (e) {
      outcome = [e.name, e.code, e.message];
    }
    return { outcome, ms: Date.now() - t, after: crypto.createHash('sha256').update('still here').digest('hex') };
  }`;

describe('node:crypto and node:zlib bounds', () => {
  const cases: [string, RegExp][] = [
    ['pbkdf2Sync', /ERR_WORK_EXCEEDS_DEADLINE.*pbkdf2 with 1000000000 iterations would take about/],
    ['pbkdf2', /ERR_WORK_EXCEEDS_DEADLINE/],
    ['scryptSync', /ERR_WORK_EXCEEDS_DEADLINE.*scrypt/],
    ['scryptMemory', /ERR_CRYPTO_INVALID_SCRYPT_PARAMS|ERR_WORK_EXCEEDS_DEADLINE/],
    ['scrypt', /ERR_WORK_EXCEEDS_DEADLINE/],
    ['rsa8192', /ERR_WORK_EXCEEDS_DEADLINE.*8192-bit RSA key/],
    ['rsaTooBig', /ERR_OUT_OF_RANGE/],
    ['randomBytesHuge', /ERR_OUT_OF_RANGE/],
    [
      'randomBytesMemory',
      /RangeError,ERR_BUFFER_TOO_LARGE,Cannot create a Buffer larger than \d+ bytes/,
    ],
    ['gunzipBomb', /RangeError,ERR_BUFFER_TOO_LARGE,Cannot create a Buffer larger than \d+ bytes/],
    ['gunzipBombAsync', /RangeError,ERR_BUFFER_TOO_LARGE/],
    ['brotliSlow', /ERR_WORK_EXCEEDS_DEADLINE/],
    [
      'ropeJwk',
      /RangeError,,The arguments of node.crypto.key would take more than the function's memory/,
    ],
  ];
  it.each(cases)(
    '%s ends the call with a clear error, and the function serves on',
    async (name, expected) => {
      const config = { timeout_ms: 2500, memory_mb: 128 };
      const out = await o.invoke(SOURCE, { case: name }, config);
      if (!out.ok) throw new Error(`${out.reason}: ${out.message}`);
      const r = JSON.parse(out.result) as { outcome: unknown; ms: number; after: string };
      expect(String(r.outcome)).toMatch(expected);
      expect(r.ms).toBeLessThan(2500);
      expect(r.after).toHaveLength(64);
    },
  );

  it('makes a repeated long string cost the isolate, not the sandbox', async () => {
    // Each update of the 50 MB string is encoded in the isolate: its memory runs out there.
    const out = await o.invoke(SOURCE, { case: 'ropeHash' }, { timeout_ms: 5000, memory_mb: 128 });
    expect(out).toMatchObject({ ok: false, reason: 'oom' });
  });

  it('serves other work at once after each', async () => {
    const out = await o.inIsolate(
      `import { createHash } from 'node:crypto';
      export async function handler() { return createHash('sha256').update('still here').digest('hex'); }`,
    );
    expect(out).toMatch(/^[0-9a-f]{64}$/);
  });
});

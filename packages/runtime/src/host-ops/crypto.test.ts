import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cryptoAsyncOps, cryptoSyncOps, MAX_RANDOM_BYTES } from './crypto.ts';
import { LIMITS } from './crypto-algorithm.ts';
import { FAST_MAX_BYTES } from './crypto-fast.ts';
import { MAX_KEYS } from './crypto-keys.ts';
import { failure, testContext } from './test-context.ts';
import type { HostOpContext } from './types.ts';

const subtle = (ctx: HostOpContext, ...args: unknown[]) =>
  cryptoAsyncOps['crypto.subtle'](ctx, args, new AbortController().signal) as Promise<unknown>;
const random = (ctx: HostOpContext, n: unknown) => cryptoSyncOps['crypto.random'](ctx, [n]);
const release = (ctx: HostOpContext, ids: unknown) => cryptoSyncOps['crypto.release'](ctx, [ids]);
const fast = (ctx: HostOpContext, ...args: unknown[]) => cryptoSyncOps['crypto.fast'](ctx, args);

const HMAC = { name: 'HMAC', hash: 'SHA-256' };
const importHmac = (ctx: HostOpContext, raw = new Uint8Array([1, 2, 3])) =>
  subtle(ctx, 'importKey', 'raw', raw, HMAC, true, ['sign', 'verify']) as Promise<{ id: number }>;

/** A value made to cross into an isolate: its own buffer, not a view of a larger one. */
function expectOwnBuffer(v: unknown) {
  expect(v).toBeInstanceOf(Uint8Array);
  const bytes = v as Uint8Array;
  expect(bytes.byteOffset).toBe(0);
  expect(bytes.buffer.byteLength).toBe(bytes.byteLength);
}

describe('crypto.random', () => {
  it('returns n random bytes in a buffer of their own, up to the limit', async () => {
    const ctx = testContext();
    for (const n of [0, 1, 16, MAX_RANDOM_BYTES]) {
      const bytes = random(ctx, n);
      expectOwnBuffer(bytes);
      expect((bytes as Uint8Array).length).toBe(n);
    }
    expect(new Set(random(ctx, 4096) as Uint8Array).size).toBeGreaterThan(200);
    for (const n of [-1, 1.5, MAX_RANDOM_BYTES + 1, '16', null, 2 ** 53]) {
      expect(await failure(() => random(ctx, n))).toEqual(['TypeError', expect.any(String)]);
    }
  });
});

describe('crypto.fast', () => {
  it('digests and HMACs small inputs as WebCrypto does', async () => {
    const ctx = testContext();
    const key = await importHmac(ctx);
    const data = new Uint8Array(1000).fill(3);
    for (const alg of ['SHA-1', 'sha-256', { name: 'SHA-384' }, 'SHA-512']) {
      const quick = fast(ctx, 'digest', alg, data);
      expect(quick).toBeInstanceOf(ArrayBuffer);
      expect(quick).toEqual(await subtle(ctx, 'digest', alg, data));
    }
    const mac = fast(ctx, 'sign', { name: 'hmac' }, key.id, data);
    expect(mac).toEqual(await subtle(ctx, 'sign', 'HMAC', key.id, data));
    expect(fast(ctx, 'verify', 'HMAC', key.id, mac, data)).toBe(true);
    expect(fast(ctx, 'verify', 'HMAC', key.id, new Uint8Array(32), data)).toBe(false);
    expect(fast(ctx, 'verify', 'HMAC', key.id, new Uint8Array(3), data)).toBe(false);
    // Keys that are not extractable too (Node deprecates KeyObject.from for them), when
    // imported from raw bytes or a JWK.
    const raw = new Uint8Array([5, 6, 7]);
    for (const [fmt, keyData] of [
      ['raw', raw],
      ['jwk', { kty: 'oct', k: Buffer.from(raw).toString('base64url') }],
    ] as const) {
      const sealed = (await subtle(ctx, 'importKey', fmt, keyData, HMAC, false, ['sign'])) as {
        id: number;
      };
      const expected = createHmac('sha256', raw).update(data).digest();
      expect(Buffer.from(fast(ctx, 'sign', 'HMAC', sealed.id, data) as ArrayBuffer)).toEqual(
        expected,
      );
    }
  });

  it('leaves everything else to the asynchronous path (null), where Node reports errors', async () => {
    const ctx = testContext();
    const other = testContext();
    const key = await importHmac(ctx);
    const signOnly = (await subtle(ctx, 'importKey', 'raw', new Uint8Array(4), HMAC, false, [
      'sign',
    ])) as { id: number };
    const aes = (await subtle(ctx, 'importKey', 'raw', new Uint8Array(16), 'AES-GCM', false, [
      'encrypt',
    ])) as { id: number };
    const generated = (await subtle(ctx, 'generateKey', HMAC, false, ['sign'])) as { id: number };
    const big = new Uint8Array(FAST_MAX_BYTES + 1);
    const data = new Uint8Array(1);
    const cases: unknown[][] = [
      ['digest', 'MD5', data],
      ['digest', 'SHA-256', big],
      ['digest', 'SHA-256', 'text'],
      ['digest', { name: 'SHA-256' }, undefined],
      ['sign', 'HMAC', key.id, big],
      ['sign', 'HMAC', aes.id, data],
      ['sign', 'ECDSA', key.id, data],
      ['sign', 'HMAC', 999, data],
      ['sign', 'HMAC', String(key.id), data],
      ['sign', 'HMAC', generated.id, data],
      ['verify', 'HMAC', signOnly.id, data, data],
      ['verify', 'HMAC', key.id, big, data],
      ['encrypt', 'AES-GCM', aes.id, data],
    ];
    for (const args of cases) expect([args, fast(ctx, ...args)]).toEqual([args, null]);
    expect(fast(other, 'sign', 'HMAC', key.id, data)).toBeNull();
  });
});

describe('crypto.subtle', () => {
  it('answers with copies: descriptors for keys, bytes of their own', async () => {
    const ctx = testContext();
    const key = await importHmac(ctx);
    expect(key).toEqual({
      id: 1,
      type: 'secret',
      extractable: true,
      algorithm: { name: 'HMAC', length: 24, hash: { name: 'SHA-256' } },
      usages: ['sign', 'verify'],
    });
    const mac = await subtle(ctx, 'sign', 'HMAC', key.id, new Uint8Array([9]));
    expect(mac).toBeInstanceOf(ArrayBuffer);
    expect(Buffer.from(mac as ArrayBuffer)).toEqual(
      createHmac('sha256', Buffer.from([1, 2, 3]))
        .update(Buffer.from([9]))
        .digest(),
    );
    expect(await subtle(ctx, 'verify', 'HMAC', key.id, mac, new Uint8Array([9]))).toBe(true);
    expect(await subtle(ctx, 'digest', 'SHA-1', new ArrayBuffer(3))).toBeInstanceOf(ArrayBuffer);
    expect(await subtle(ctx, 'exportKey', 'jwk', key.id)).toMatchObject({ kty: 'oct', k: 'AQID' });
  });

  it('resolves only ids of its own isolate’s table', async () => {
    const mine = testContext();
    const other = testContext();
    const key = await importHmac(other);
    const data = new Uint8Array([1]);
    for (const id of [key.id, 0, -1, 1.5, '1', 2 ** 53, { id: 1 }, null, undefined]) {
      expect(await failure(() => subtle(mine, 'sign', 'HMAC', id, data))).toEqual([
        'TypeError',
        expect.any(String),
      ]);
    }
    expect(await subtle(other, 'sign', 'HMAC', key.id, data)).toBeInstanceOf(ArrayBuffer);
  });

  it('rebuilds algorithms field by field and refuses what is not WebCrypto’s', async () => {
    const ctx = testContext();
    const data = new Uint8Array([1]);
    const key = await importHmac(ctx);
    // Unknown members are dropped; an inherited-looking own __proto__ member is only data.
    const odd = JSON.parse('{"name":"HMAC","__proto__":{"hash":"SHA-1"},"extra":1}');
    expect(await subtle(ctx, 'sign', odd, key.id, data)).toBeInstanceOf(ArrayBuffer);
    const refused: [unknown[], string][] = [
      [['digest', 'MD5', data], 'NotSupportedError'],
      [['digest', 'SHA3-256', data], 'NotSupportedError'],
      [['digest', { name: 'SHA-256', hash: 'MD5' }, data], 'NotSupportedError'],
      [['digest', { name: 1 }, data], 'TypeError'],
      [['digest', ['SHA-256'], data], 'TypeError'],
      [['digest', 'SHA-256', 'abc'], 'TypeError'],
      [['digest', { name: 'SHA-256', iv: [1, 2] }, data], 'TypeError'],
      [['digest', { name: 'SHA-256', length: { valueOf: 1 } }, data], 'TypeError'],
      [['sign', { name: 'ECDH', public: 999 }, key.id, data], 'TypeError'],
      [['importKey', 'jwk', data, HMAC, true, ['sign']], 'DataError'],
      [['importKey', 'raw', { kty: 'oct' }, HMAC, true, ['sign']], 'TypeError'],
      [['importKey', 'raw-secret', data, HMAC, true, ['sign']], 'TypeError'],
      [['importKey', 'raw', data, HMAC, 'yes', ['sign']], 'TypeError'],
      [['importKey', 'raw', data, HMAC, true, 'sign'], 'TypeError'],
      [['importKey', 'raw', data, HMAC, true, new Array(17).fill('sign')], 'TypeError'],
      [['exportKey', 'jwk', key.id, 'extra'], 'no error'],
      [['getPublicKey', key.id, ['verify']], 'TypeError'],
      [['__proto__'], 'TypeError'],
      [['constructor'], 'TypeError'],
      [[1], 'TypeError'],
    ];
    for (const [args, name] of refused) {
      const result = await failure(() => subtle(ctx, ...args));
      expect([args, name === 'no error' ? result : result[0]]).toEqual([args, name]);
    }
  });

  it('keeps no keys made for a call that was cancelled meanwhile', async () => {
    const ctx = testContext();
    const cancel = new AbortController();
    const pending = cryptoAsyncOps['crypto.subtle'](
      ctx,
      ['generateKey', { name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']],
      cancel.signal,
    );
    cancel.abort();
    expect(await failure(() => pending)).toEqual(['AbortError', expect.any(String)]);
    const next = await importHmac(ctx);
    expect(next.id).toBe(3);
    for (const id of [1, 2]) {
      expect(await failure(() => subtle(ctx, 'exportKey', 'jwk', id))).toEqual([
        'TypeError',
        expect.any(String),
      ]);
    }
  });

  it('refuses work past the limits a thread-pool job cannot be stopped at', async () => {
    const ctx = testContext();
    const pw = (await subtle(ctx, 'importKey', 'raw', new Uint8Array([1]), 'PBKDF2', false, [
      'deriveBits',
    ])) as { id: number };
    const pbkdf2 = { name: 'PBKDF2', salt: new Uint8Array(), hash: 'SHA-256' };
    expect(
      await failure(() =>
        subtle(ctx, 'deriveBits', { ...pbkdf2, iterations: LIMITS.iterations + 1 }, pw.id, 256),
      ),
    ).toEqual(['NotSupportedError', expect.any(String)]);
    expect(
      await failure(() =>
        subtle(ctx, 'deriveBits', { ...pbkdf2, iterations: 1 }, pw.id, LIMITS.deriveBits + 8),
      ),
    ).toEqual(['OperationError', expect.any(String)]);
    const rsa = {
      name: 'RSA-PSS',
      modulusLength: LIMITS.modulusLength + 1024,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: 'SHA-256',
    };
    expect(await failure(() => subtle(ctx, 'generateKey', rsa, true, ['sign']))).toEqual([
      'NotSupportedError',
      expect.any(String),
    ]);
  });

  it(`holds at most ${MAX_KEYS} keys per isolate; released ones make room`, async () => {
    const ctx = testContext();
    const raw = new Uint8Array([1]);
    const made: number[] = [];
    for (let i = 0; i < MAX_KEYS; i++) made.push((await importHmac(ctx, raw)).id);
    expect(await failure(() => importHmac(ctx, raw))).toEqual([
      'QuotaExceededError',
      expect.stringContaining(`${MAX_KEYS} CryptoKeys`),
    ]);
    const pair = { name: 'ECDSA', namedCurve: 'P-256' };
    release(ctx, [made[0], 'junk', -5, 1e9]);
    // A pair needs two places: refused before any work, and the table is unchanged.
    expect(await failure(() => subtle(ctx, 'generateKey', pair, true, ['sign', 'verify']))).toEqual(
      ['QuotaExceededError', expect.any(String)],
    );
    expect((await importHmac(ctx, raw)).id).toBe(MAX_KEYS + 1);
    expect(await failure(() => subtle(ctx, 'sign', 'HMAC', made[0], raw))).toEqual([
      'TypeError',
      expect.any(String),
    ]);
    for (const junk of ['1', { length: 1 }, new Array(MAX_KEYS + 1).fill(1)]) {
      expect(await failure(() => release(ctx, junk))).toEqual(['TypeError', expect.any(String)]);
    }
  }, 60_000);
});

import {
  type BinaryToTextEncoding,
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  hkdfSync,
  pbkdf2Sync,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  scryptSync,
  sign,
  verify,
} from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nodeCryptoAsyncOps, nodeCryptoSyncOps } from './node-crypto.ts';
import { KEY_CACHE_SIZE } from './node-crypto-keys.ts';
import { failure, testContext } from './test-context.ts';
import type { HostOpContext } from './types.ts';

const ops = nodeCryptoSyncOps as Record<string, (ctx: HostOpContext, args: unknown[]) => unknown>;
const call = (ctx: HostOpContext, op: string, ...args: unknown[]) => {
  const f = ops[`node.crypto.${op}`];
  if (!f) throw new Error(`no op ${op}`);
  return f(ctx, args);
};
const callAsync = (ctx: HostOpContext, op: string, ...args: unknown[]) => {
  const f = (
    nodeCryptoAsyncOps as Record<string, (typeof nodeCryptoAsyncOps)['node.crypto.pbkdf2']>
  )[`node.crypto.${op}`];
  if (!f) throw new Error(`no async op ${op}`);
  return f(ctx, args, new AbortController().signal);
};
/** A context whose invocation has `ms` left. */
function withTime(ms: number, memoryBytes = 128 * 1024 * 1024) {
  const ctx = testContext();
  return {
    ...ctx,
    isolate: { slots: new Map(), memoryBytes },
    invocation: { signal: ctx.invocation.signal, deadline: performance.now() + ms },
  };
}
const u8 = (b: Buffer) => new Uint8Array(b);

interface Descriptor {
  type: string;
  asymmetricKeyType: string;
  details: Record<string, unknown>;
  der: Uint8Array;
}

describe('node:crypto host ops: hashes and MACs', () => {
  it('hashes parts as Node does, in each output encoding', () => {
    const ctx = testContext();
    const parts = ['héllo ', u8(Buffer.from([0, 1, 2, 255])), 'world'];
    const expected = createHash('sha256')
      .update('héllo ')
      .update(Buffer.from([0, 1, 2, 255]))
      .update('world');
    for (const enc of ['hex', 'base64', 'base64url', 'latin1'] as BinaryToTextEncoding[]) {
      expect(call(ctx, 'hash', 'sha256', parts, enc)).toBe(expected.copy().digest(enc));
    }
    const bytes = call(ctx, 'hash', 'sha512', parts, 'buffer') as Uint8Array;
    expect(Buffer.from(bytes)).toEqual(
      createHash('sha512')
        .update('héllo ')
        .update(Buffer.from([0, 1, 2, 255]))
        .update('world')
        .digest(),
    );
    expect(bytes.buffer.byteLength).toBe(bytes.byteLength);
    expect(call(ctx, 'hash', 'shake256', ['x'], 'hex', 8)).toBe(
      createHash('shake256', { outputLength: 8 }).update('x').digest('hex'),
    );
  });

  it('HMACs with a string or byte key', () => {
    const ctx = testContext();
    const key = randomBytes(40);
    expect(call(ctx, 'hmac', 'sha256', u8(key), ['payload'], 'base64')).toBe(
      createHmac('sha256', key).update('payload').digest('base64'),
    );
    expect(call(ctx, 'hmac', 'sha1', 'secret', [], 'hex')).toBe(
      createHmac('sha1', 'secret').digest('hex'),
    );
  });

  it("reports Node's errors with their class and code", async () => {
    const ctx = testContext();
    expect(await failure(() => call(ctx, 'hash', 'nope', [], 'hex'))).toEqual([
      'Error',
      'Digest method not supported',
    ]);
    expect(await failure(() => call(ctx, 'pbkdf2', 'pw', 'salt', 1, 8, 'nope'))).toEqual([
      'TypeError',
      '[ERR_CRYPTO_INVALID_DIGEST] Invalid digest: nope',
    ]);
    expect((await failure(() => call(ctx, 'hash', 'sha256', [{}], 'hex')))[0]).toBe('TypeError');
    expect((await failure(() => call(ctx, 'hash', 'sha256', ['x'], 'utf16')))[0]).toBe('TypeError');
  });
});

describe('node:crypto host ops: random bytes', () => {
  it('gives random bytes up to the function memory, and refuses beyond', async () => {
    const ctx = withTime(10_000, 64 * 1024 * 1024);
    const a = call(ctx, 'randomBytes', 100_000) as Uint8Array;
    expect(a.byteLength).toBe(100_000);
    expect(new Set(a.subarray(0, 1000)).size).toBeGreaterThan(200);
    expect(await failure(() => call(ctx, 'randomBytes', 2 ** 31 - 1))).toEqual([
      'RangeError',
      `[ERR_BUFFER_TOO_LARGE] Cannot create a Buffer larger than ${64 * 1024 * 1024} bytes`,
    ]);
    expect((await failure(() => call(ctx, 'randomBytes', 2 ** 31)))[1]).toMatch(
      /^\[ERR_OUT_OF_RANGE\]/,
    );
    expect((await failure(() => call(ctx, 'randomBytes', -1)))[1]).toMatch(/^\[ERR_OUT_OF_RANGE\]/);
  });
});

describe('node:crypto host ops: key derivation within the deadline', () => {
  it('derives what Node derives', async () => {
    const ctx = testContext();
    expect(
      Buffer.from(
        call(ctx, 'pbkdf2', 'pw', u8(Buffer.from('salt')), 1000, 48, 'sha512') as Uint8Array,
      ),
    ).toEqual(pbkdf2Sync('pw', 'salt', 1000, 48, 'sha512'));
    expect(
      Buffer.from(call(ctx, 'scrypt', 'pw', 'salt', 32, { N: 1024, r: 8, p: 2 }) as Uint8Array),
    ).toEqual(scryptSync('pw', 'salt', 32, { N: 1024, r: 8, p: 2 }));
    expect(
      Buffer.from(call(ctx, 'hkdf', 'sha256', 'ikm', 'salt', 'info', 42) as Uint8Array),
    ).toEqual(Buffer.from(hkdfSync('sha256', 'ikm', 'salt', 'info', 42)));
    const asyncKey = await callAsync(ctx, 'pbkdf2', 'pw', 'salt', 2000, 32, 'sha256');
    expect(Buffer.from(asyncKey as Uint8Array)).toEqual(
      pbkdf2Sync('pw', 'salt', 2000, 32, 'sha256'),
    );
    const asyncScrypt = await callAsync(ctx, 'scrypt', 'pw', 'salt', 16, {});
    expect(Buffer.from(asyncScrypt as Uint8Array)).toEqual(scryptSync('pw', 'salt', 16));
  });

  it('refuses at once work that cannot finish before the deadline', async () => {
    const ctx = withTime(2000);
    const t = performance.now();
    const [name, message] = (await failure(() =>
      call(ctx, 'pbkdf2', 'pw', 'salt', 1e9, 32, 'sha256'),
    )) as string[];
    expect(name).toBe('RangeError');
    expect(message).toMatch(
      /^\[ERR_WORK_EXCEEDS_DEADLINE\] pbkdf2 with 1000000000 iterations would take about \d+ ms/,
    );
    const huge = await failure(() => callAsync(ctx, 'pbkdf2', 'pw', 'salt', 1e9, 32, 'sha256'));
    expect(huge[1]).toMatch(/ERR_WORK_EXCEEDS_DEADLINE/);
    // 2^20 × 8 × 64: about 4 GiB of work-memory and minutes; maxmem lifted as far as it goes.
    const scrypt = await failure(() =>
      call(ctx, 'scrypt', 'pw', 'salt', 32, { N: 2 ** 20, r: 8, p: 64, maxmem: 2 ** 40 }),
    );
    expect(scrypt[1]).toMatch(/ERR_WORK_EXCEEDS_DEADLINE|ERR_CRYPTO_INVALID_SCRYPT_PARAMS/);
    const big = await failure(() =>
      call(ctx, 'scrypt', 'pw', 'salt', 32, { N: 2 ** 14, r: 8, p: 2 ** 16 }),
    );
    expect(big[1]).toMatch(/^\[ERR_WORK_EXCEEDS_DEADLINE\] scrypt/);
    // Refused up front, not after the minutes the work would take (a generous bound: the
    // machine may be busy).
    expect(performance.now() - t).toBeLessThan(10_000);
  });

  it('counts the salt: one iteration over a long salt for a long key is still refused', async () => {
    // 8,192 blocks of SHA-256, each hashing the 256 KB salt once more: about 2 GB of hashing.
    const ctx = withTime(1000);
    const salt = new Uint8Array(256 * 1024);
    const t = performance.now();
    const sync = await failure(() => call(ctx, 'pbkdf2', 'pw', salt, 1, 256 * 1024, 'sha256'));
    expect(sync[1]).toMatch(/^\[ERR_WORK_EXCEEDS_DEADLINE\] pbkdf2 with 1 iterations/);
    const scrypt = await failure(() =>
      call(ctx, 'scrypt', 'pw', salt, 32, { N: 1024, r: 8, p: 256, maxmem: 64 * 1024 * 1024 }),
    );
    expect(scrypt[1]).toMatch(/^\[ERR_WORK_EXCEEDS_DEADLINE\] scrypt/);
    expect(performance.now() - t).toBeLessThan(10_000);
    // A salt of ordinary size still derives, as Node does.
    expect(call(ctx, 'pbkdf2', 'pw', salt.subarray(0, 64), 1, 64, 'sha256')).toEqual(
      u8(pbkdf2Sync('pw', salt.subarray(0, 64), 1, 64, 'sha256')),
    );
  });

  it('keeps the lane going when Node refuses a job at once, and takes isolates in turn', async () => {
    const a = withTime(60_000);
    // Node's scrypt throws synchronously for N=3: the lane must not stay taken.
    const bad = await failure(() => callAsync(a, 'scrypt', 'pw', 'salt', 32, { N: 3 }));
    expect(bad[1]).toMatch(/ERR_CRYPTO_INVALID_SCRYPT_PARAMS/);
    const done: string[] = [];
    const job = (ctx: HostOpContext, label: string) =>
      callAsync(ctx, 'pbkdf2', 'pw', label, 100_000, 32, 'sha256').then((key) => {
        done.push(label);
        expect(key).toEqual(u8(pbkdf2Sync('pw', label, 100_000, 32, 'sha256')));
      });
    const b = withTime(60_000);
    const jobs = [job(a, 'a1'), job(a, 'a2'), job(a, 'a3'), job(b, 'b1')];
    await Promise.all(jobs);
    // b1 came last but waits for one job of a's, not for all three.
    expect(done).toEqual(['a1', 'b1', 'a2', 'a3']);
  });

  it('runs derivations on the pool one at a time, and drops those whose invocation ended', async () => {
    const ctx = withTime(60_000);
    const ended = new AbortController();
    const jobs = [1, 2, 3].map(() =>
      (nodeCryptoAsyncOps as Record<string, (typeof nodeCryptoAsyncOps)['node.crypto.pbkdf2']>)[
        'node.crypto.pbkdf2'
      ]?.(ctx, ['pw', 'salt', 200_000, 32, 'sha256'], ended.signal),
    );
    ended.abort(new Error('the invocation ended'));
    const settled = await Promise.allSettled(jobs);
    // The first had started and finishes (its result is the host's to drop); the others
    // were still queued and never ran.
    expect(settled[0]).toEqual({
      status: 'fulfilled',
      value: u8(pbkdf2Sync('pw', 'salt', 200_000, 32, 'sha256')),
    });
    expect(settled.slice(1).map((s) => s.status)).toEqual(['rejected', 'rejected']);
    // Queued work counts against the deadline of the one that waits behind it.
    const short = withTime(60_000);
    const first = callAsync(short, 'pbkdf2', 'pw', 'salt', 200_000, 32, 'sha256');
    const behind = await failure(() =>
      callAsync(withTime(1), 'pbkdf2', 'pw', 'salt', 200_000, 32, 'sha256'),
    );
    expect(behind[1]).toMatch(/after the key derivations queued before it/);
    await first;
  });

  it("bounds scrypt's memory by the function's", async () => {
    const ctx = withTime(60_000, 16 * 1024 * 1024);
    // 128 × 2^15 × 8 = 32 MiB: Node's default maxmem allows it, a 16 MB function does not.
    const [, message] = (await failure(() =>
      call(ctx, 'scrypt', 'pw', 'salt', 32, { N: 2 ** 15, r: 8 }),
    )) as string[];
    expect(message).toMatch(/ERR_CRYPTO_INVALID_SCRYPT_PARAMS/);
    // Node leaves an OpenSSL error behind on this failure; the next key parse must not see it.
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
      format: 'pem',
      type: 'pkcs8',
    });
    expect(call(ctx, 'key', { key: pem }, 'private')).toMatchObject({ type: 'private' });
  });
});

describe('node:crypto host ops: keys, signatures and ciphers', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ed = generateKeyPairSync('ed25519');
  const pem = (k: typeof rsa.privateKey) => k.export({ format: 'pem', type: 'pkcs8' }) as string;

  it('describes a key from PEM, DER or JWK by its material', () => {
    const ctx = testContext();
    const d = call(ctx, 'key', { key: pem(rsa.privateKey) }, 'private') as Descriptor;
    expect(d.type).toBe('private');
    expect(d.asymmetricKeyType).toBe('rsa');
    expect(d.details).toEqual({ modulusLength: 2048, publicExponent: '65537' });
    expect(Buffer.from(d.der)).toEqual(rsa.privateKey.export({ format: 'der', type: 'pkcs8' }));
    const pub = call(ctx, 'key', { der: d.der, of: 'private' }, 'public') as Descriptor;
    expect(Buffer.from(pub.der)).toEqual(rsa.publicKey.export({ format: 'der', type: 'spki' }));
    const jwk = call(
      ctx,
      'key',
      { key: ec.publicKey.export({ format: 'jwk' }), format: 'jwk' },
      'public',
    ) as Descriptor;
    expect(jwk).toMatchObject({
      type: 'public',
      asymmetricKeyType: 'ec',
      details: { namedCurve: 'prime256v1' },
    });
    expect(
      call(ctx, 'keyExport', { der: jwk.der, of: 'public' }, 'public', { format: 'jwk' }),
    ).toEqual(ec.publicKey.export({ format: 'jwk' }));
    expect(
      call(ctx, 'keyExport', { der: d.der, of: 'private' }, 'private', {
        format: 'pem',
        type: 'pkcs1',
      }),
    ).toBe(rsa.privateKey.export({ format: 'pem', type: 'pkcs1' }));
  });

  it('refuses a public key where a private one is needed', async () => {
    const ctx = testContext();
    const der = u8(rsa.publicKey.export({ format: 'der', type: 'spki' }));
    expect(await failure(() => call(ctx, 'sign', 'sha256', 'x', { der, of: 'public' }))).toEqual([
      'TypeError',
      '[ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE] Invalid key object type public, expected private.',
    ]);
    expect((await failure(() => call(ctx, 'key', { key: 'not a key' }, 'private')))[0]).toBe(
      'Error',
    );
  });

  it('signs what Node verifies, and verifies what Node signs (RSA, PSS, ECDSA, Ed25519)', () => {
    const ctx = testContext();
    const data = 'signed data';
    const rsaRef = { key: pem(rsa.privateKey) };
    const s1 = call(ctx, 'sign', 'sha256', data, rsaRef) as Uint8Array;
    expect(verify('sha256', Buffer.from(data), rsa.publicKey, s1)).toBe(true);
    expect(Buffer.from(s1)).toEqual(sign('sha256', Buffer.from(data), rsa.privateKey));
    const pss = { padding: 6, saltLength: 32 };
    const s2 = call(ctx, 'sign', 'sha256', data, rsaRef, pss) as Uint8Array;
    expect(verify('sha256', Buffer.from(data), { key: rsa.publicKey, ...pss }, s2)).toBe(true);
    const ecRef = { key: ec.privateKey.export({ format: 'pem', type: 'sec1' }) };
    const s3 = call(ctx, 'sign', 'sha256', data, ecRef, {
      dsaEncoding: 'ieee-p1363',
    }) as Uint8Array;
    expect(s3.byteLength).toBe(64);
    expect(
      verify('sha256', Buffer.from(data), { key: ec.publicKey, dsaEncoding: 'ieee-p1363' }, s3),
    ).toBe(true);
    const s4 = call(ctx, 'sign', null, data, { key: pem(ed.privateKey) }) as Uint8Array;
    expect(verify(null, Buffer.from(data), ed.publicKey, s4)).toBe(true);

    const nodeSig = sign('sha384', Buffer.from(data), ec.privateKey);
    const pubDer = u8(ec.publicKey.export({ format: 'der', type: 'spki' }));
    expect(call(ctx, 'verify', 'sha384', data, { der: pubDer, of: 'public' }, u8(nodeSig))).toBe(
      true,
    );
    expect(call(ctx, 'verify', 'sha384', 'other', { der: pubDer, of: 'public' }, u8(nodeSig))).toBe(
      false,
    );
    // A private key verifies through its public half.
    expect(call(ctx, 'verify', 'sha256', data, rsaRef, s1)).toBe(true);
  });

  it('keeps recently used keys parsed, at most a bounded number', () => {
    const ctx = testContext();
    const ref = { key: pem(rsa.privateKey) };
    call(ctx, 'sign', 'sha256', 'a', ref);
    const cached = ctx.isolate.slots.get('node.crypto.keys') as Map<string, unknown>;
    expect(cached.size).toBe(1);
    const t = performance.now();
    for (let i = 0; i < 50; i++) call(ctx, 'sign', 'sha256', 'a', ref);
    expect(cached.size).toBe(1);
    expect(performance.now() - t).toBeLessThan(10_000);
    for (let i = 0; i < KEY_CACHE_SIZE + 10; i++) call(ctx, 'hash', 'sha256', [], 'hex');
    for (let i = 0; i < KEY_CACHE_SIZE + 10; i++) {
      call(ctx, 'key', { key: createHmacPem(i) }, 'public');
    }
    expect(cached.size).toBe(KEY_CACHE_SIZE);
  });

  it('encrypts and decrypts with RSA as Node does', () => {
    const ctx = testContext();
    const pubRef = { der: u8(rsa.publicKey.export({ format: 'der', type: 'spki' })), of: 'public' };
    const enc = call(
      ctx,
      'rsa',
      'publicEncrypt',
      pubRef,
      { oaepHash: 'sha256' },
      'secret',
    ) as Uint8Array;
    expect(privateDecrypt({ key: rsa.privateKey, oaepHash: 'sha256' }, enc).toString()).toBe(
      'secret',
    );
    const nodeEnc = publicEncrypt(rsa.publicKey, Buffer.from('back'));
    const dec = call(
      ctx,
      'rsa',
      'privateDecrypt',
      { key: pem(rsa.privateKey) },
      {},
      u8(nodeEnc),
    ) as Uint8Array;
    expect(Buffer.from(dec).toString()).toBe('back');
  });

  it('generates key pairs Node can use, within bounds', async () => {
    const ctx = testContext();
    const made = call(ctx, 'generateKeyPair', 'ec', { namedCurve: 'P-384' }) as Record<
      string,
      Descriptor
    >;
    const priv = createPrivateKey({
      key: Buffer.from(made.privateKey?.der ?? []),
      format: 'der',
      type: 'pkcs8',
    });
    const pub = createPublicKey({
      key: Buffer.from(made.publicKey?.der ?? []),
      format: 'der',
      type: 'spki',
    });
    expect(verify('sha256', Buffer.from('x'), pub, sign('sha256', Buffer.from('x'), priv))).toBe(
      true,
    );
    const rsaMade = (await callAsync(ctx, 'generateKeyPair', 'rsa', {
      modulusLength: 1024,
    })) as Record<string, Descriptor>;
    expect(rsaMade.publicKey?.details).toEqual({ modulusLength: 1024, publicExponent: '65537' });
    expect(
      (await failure(() => call(ctx, 'generateKeyPair', 'rsa', { modulusLength: 16384 })))[1],
    ).toMatch(/ERR_OUT_OF_RANGE/);
    const short = withTime(50);
    expect(
      (await failure(() => call(short, 'generateKeyPair', 'rsa', { modulusLength: 8192 })))[1],
    ).toMatch(/^\[ERR_WORK_EXCEEDS_DEADLINE\] generating a 8192-bit RSA key/);
  });

  it('runs AES-GCM, CBC and CTR step by step, byte for byte as Node', () => {
    const ctx = testContext();
    const key = randomBytes(32);
    const iv = randomBytes(12);
    const id = call(ctx, 'cipherOpen', false, 'aes-256-gcm', u8(key), u8(iv), {}) as number;
    call(ctx, 'cipherSet', id, 'aad', u8(Buffer.from('aad')));
    const a = call(ctx, 'cipherUpdate', id, u8(Buffer.from('hello '))) as Uint8Array;
    const b = call(ctx, 'cipherUpdate', id, u8(Buffer.from('world'))) as Uint8Array;
    const [c, tag] = call(ctx, 'cipherFinal', id) as [Uint8Array, Uint8Array];
    const ours = Buffer.concat([a, b, c]);
    expect(a.byteLength).toBe(6); // output at once, as Node's update gives it
    const d = createDecipheriv('aes-256-gcm', key, iv);
    d.setAAD(Buffer.from('aad'));
    d.setAuthTag(Buffer.from(tag));
    expect(Buffer.concat([d.update(ours), d.final()]).toString()).toBe('hello world');

    // Node's CBC ciphertext decrypted here; a wrong tag fails as Node fails.
    const cbcKey = randomBytes(16);
    const cbcIv = randomBytes(16);
    const e = createCipheriv('aes-128-cbc', cbcKey, cbcIv);
    const ct = Buffer.concat([e.update('cbc text of some length'), e.final()]);
    const dec = call(ctx, 'cipherOpen', true, 'aes-128-cbc', u8(cbcKey), u8(cbcIv), {}) as number;
    const pt = Buffer.concat([
      call(ctx, 'cipherUpdate', dec, u8(ct)) as Uint8Array,
      (call(ctx, 'cipherFinal', dec) as [Uint8Array])[0],
    ]);
    expect(pt.toString()).toBe('cbc text of some length');
    const ctr = call(
      ctx,
      'cipherOpen',
      false,
      'aes-192-ctr',
      u8(randomBytes(24)),
      u8(randomBytes(16)),
      {},
    );
    expect((call(ctx, 'cipherUpdate', ctr, u8(Buffer.from('abc'))) as Uint8Array).byteLength).toBe(
      3,
    );
  });

  it('fails a wrong auth tag, a wrong key length and a finished cipher as Node does', async () => {
    const ctx = testContext();
    const key = randomBytes(16);
    const iv = randomBytes(12);
    const id = call(ctx, 'cipherOpen', true, 'aes-128-gcm', u8(key), u8(iv), {});
    call(ctx, 'cipherSet', id, 'authTag', u8(randomBytes(16)));
    call(ctx, 'cipherUpdate', id, u8(Buffer.from('xxxx')));
    expect(await failure(() => call(ctx, 'cipherFinal', id))).toEqual([
      'Error',
      'Unsupported state or unable to authenticate data',
    ]);
    expect((await failure(() => call(ctx, 'cipherUpdate', id, u8(Buffer.from('x')))))[1]).toMatch(
      /ERR_CRYPTO_INVALID_STATE/,
    );
    expect(
      await failure(() => call(ctx, 'cipherOpen', false, 'aes-256-gcm', u8(key), u8(iv), {})),
    ).toEqual(['RangeError', '[ERR_CRYPTO_INVALID_KEYLEN] Invalid key length']);
  });
});

/** Distinct public keys in PEM, cheaply (the cache's bound). */
function createHmacPem(i: number): string {
  const { publicKey } = generateKeyPairSync('ed25519');
  void i;
  return publicKey.export({ format: 'pem', type: 'spki' }) as string;
}

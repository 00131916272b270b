import { createRequire } from 'node:module';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { createNodeOracle, nodeBuiltinsPlugin } from './harness.ts';

// node:crypto in an isolate against Node's own: the same code, the same JSON.
const o = createNodeOracle();
afterAll(() => o.dispose());

const ERR = `const err = (f) => { try { f(); return 'no error'; } catch (e) { return [e.name, e.code, e.message]; } };`;
// Keys made once per case in Node and in the isolate alike would differ: fixed keys instead.
const KEYS = (() => {
  const { generateKeyPairSync } = createRequire(import.meta.url)(
    'node:crypto',
  ) as typeof import('node:crypto');
  const pem = (k: import('node:crypto').KeyObject, type: 'pkcs8' | 'spki') =>
    k.export({ format: 'pem', type }) as string;
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ec384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const ed = generateKeyPairSync('ed25519');
  return {
    rsa: [pem(rsa.privateKey, 'pkcs8'), pem(rsa.publicKey, 'spki')],
    ec: [pem(ec.privateKey, 'pkcs8'), pem(ec.publicKey, 'spki')],
    ec384: [pem(ec384.privateKey, 'pkcs8'), pem(ec384.publicKey, 'spki')],
    ed: [pem(ed.privateKey, 'pkcs8'), pem(ed.publicKey, 'spki')],
  };
})();
const keys = `const KEYS = ${JSON.stringify(KEYS)};`;

describe('node:crypto hashes and MACs', () => {
  it('digests as Node does, in every encoding, with copy() and crypto.hash()', async () => {
    await o.same(`
      import crypto, { createHash, createHmac } from 'node:crypto';
      import { Buffer } from 'node:buffer';
      ${ERR}
      export async function handler() {
        const out = {};
        for (const alg of ['sha1', 'sha256', 'sha384', 'sha512', 'md5', 'sha3-256', 'RSA-SHA256', 'SHA256']) {
          const h = createHash(alg).update('héllo').update(Buffer.from([1, 2, 3])).update('6869', 'hex');
          const c = h.copy();
          out[alg] = [h.digest('hex'), c.update('more').digest('base64'), createHash(alg).digest('base64url')];
        }
        const big = Buffer.alloc(100000, 7);
        const h = createHash('sha256');
        for (let i = 0; i < 100; i++) h.update(big.subarray(i * 1000, (i + 1) * 1000));
        out.parts = h.digest('latin1');
        out.buf = [...createHash('sha256').update(new Uint16Array([1, 2, 3])).digest()];
        out.hmac = [
          createHmac('sha256', 'key').update('data').digest('hex'),
          createHmac('sha512', Buffer.from('k2')).update('a').update('b').digest('base64'),
          createHmac('sha256', crypto.createSecretKey(Buffer.from('secret'))).update('x').digest('base64'),
        ];
        const twice = createHmac('sha1', 'k');
        twice.digest();
        out.twice = twice.digest('hex');
        out.hash = [crypto.hash('sha1', 'abc'), crypto.hash('sha256', Buffer.from('abc'), 'base64')];
        const done = createHash('sha256'); done.digest();
        out.errors = [err(() => done.update('x')), err(() => done.digest()), err(() => createHash('nope')), err(() => createHash(1))];
        out.hashes = crypto.getHashes().includes('sha256');
        out.shake = createHash('shake256', { outputLength: 10 }).update('x').digest('hex');
        return out;
      }`);
  });
});

describe('node:crypto random values', () => {
  it('has the shapes and bounds of Node', async () => {
    await o.same(`
      import crypto from 'node:crypto';
      import { promisify } from 'node:util';
      ${ERR}
      export async function handler() {
        const b = crypto.randomBytes(100);
        const big = crypto.randomBytes(3 * 1024 * 1024);
        const viaCallback = await new Promise((res, rej) => crypto.randomBytes(8, (e, x) => (e ? rej(e) : res(x))));
        const filled = crypto.randomFillSync(new Uint32Array(4));
        const ints = Array.from({ length: 200 }, () => crypto.randomInt(10, 20));
        const uuid = crypto.randomUUID();
        return {
          lengths: [b.length, big.length, viaCallback.length, Buffer.isBuffer(b)],
          distinct: new Set(big.subarray(0, 4096)).size > 200,
          filled: filled.some((x) => x !== 0),
          ints: [Math.min(...ints) >= 10, Math.max(...ints) < 20, new Set(ints).size > 5],
          uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(uuid),
          gv: crypto.getRandomValues(new Uint8Array(4)).length,
          tse: [crypto.timingSafeEqual(Buffer.from('ab'), Buffer.from('ab')), crypto.timingSafeEqual(Buffer.from('ab'), Buffer.from('ac'))],
          errors: [
            err(() => crypto.randomBytes(-1))[1], err(() => crypto.randomBytes(2 ** 31))[1],
            err(() => crypto.randomInt(5, 5))[1], err(() => crypto.timingSafeEqual(Buffer.from('a'), Buffer.from('ab'))),
          ],
          promisified: (await promisify(crypto.randomBytes)(4)).length,
        };
      }`);
  });
});

describe('node:crypto key derivation', () => {
  it('derives as Node does, sync and callback', async () => {
    await o.same(`
      import crypto from 'node:crypto';
      import { promisify } from 'node:util';
      export async function handler() {
        return {
          pbkdf2: crypto.pbkdf2Sync('pw', 'salt', 1000, 64, 'sha512').toString('hex'),
          pbkdf2cb: (await promisify(crypto.pbkdf2)('pw', 'salt', 1000, 20, 'sha1')).toString('hex'),
          scrypt: crypto.scryptSync('pw', 'salt', 32, { N: 1024 }).toString('base64'),
          scryptcb: (await promisify(crypto.scrypt)('pw', 'salt', 16)).toString('hex'),
          hkdf: Buffer.from(crypto.hkdfSync('sha256', 'ikm', 'salt', 'info', 32)).toString('hex'),
          hkdfType: crypto.hkdfSync('sha256', 'ikm', 'salt', 'info', 8) instanceof ArrayBuffer,
          hkdfcb: Buffer.from(await promisify(crypto.hkdf)('sha256', 'ikm', 'salt', 'info', 16)).toString('hex'),
          hkdfcbError: await promisify(crypto.hkdf)('nope', 'ikm', 'salt', 'info', 16).catch((e) => e.code),
        };
      }`);
  });

  it('signs and verifies with a callback as Node does', async () => {
    await o.same(`
      import crypto from 'node:crypto';
      import { promisify } from 'node:util';
      ${keys}
      export async function handler() {
        const data = Buffer.from('payload');
        // Ed25519 signatures are deterministic: the same bytes in Node and in the isolate.
        const sig = await promisify(crypto.sign)(null, data, KEYS.ed[0]);
        return {
          sig: sig.toString('base64'),
          ok: await promisify(crypto.verify)(null, data, KEYS.ed[1], sig),
          bad: await promisify(crypto.verify)(null, Buffer.from('other'), KEYS.ed[1], sig),
        };
      }`);
  });
});

describe('node:crypto keys and signatures', () => {
  it('creates KeyObjects from PEM, DER and JWK and exports them as Node does', async () => {
    await o.same(`
      import crypto from 'node:crypto';
      ${keys}
      ${ERR}
      export async function handler() {
        const out = {};
        for (const [name, [priv, pub]] of Object.entries(KEYS)) {
          const k = crypto.createPrivateKey(priv);
          const p = crypto.createPublicKey(pub);
          const derived = crypto.createPublicKey(k);
          const details = { ...k.asymmetricKeyDetails };
          if (details.publicExponent !== undefined) details.publicExponent = String(details.publicExponent);
          out[name] = [
            k.type, k.asymmetricKeyType, details, p.type, derived.equals(p),
            p.export({ format: 'jwk' }), p.export({ type: 'spki', format: 'der' }).toString('base64'),
            crypto.createPublicKey({ key: p.export({ format: 'jwk' }), format: 'jwk' }).equals(p),
            k instanceof crypto.KeyObject, k.constructor.name, p.symmetricKeySize,
          ];
        }
        const s = crypto.createSecretKey(Buffer.from('0123456789abcdef'));
        out.secret = [s.type, s.symmetricKeySize, s.export().toString(), s.export({ format: 'jwk' }), s.asymmetricKeyType];
        out.errors = [err(() => crypto.createPrivateKey('not a key'))[0], err(() => crypto.createPrivateKey(KEYS.rsa[1]))[0]];
        return out;
      }`);
  });

  it('signs and verifies RSA, PSS, ECDSA (der and ieee-p1363) and Ed25519 as Node does', async () => {
    // Node verifies the isolate's signatures (deterministic ones compared byte for byte).
    const result = (await o.inIsolate(`
      import crypto from 'node:crypto';
      ${keys}
      export async function handler() {
        const data = Buffer.from('signed data');
        const sig = (f) => f().toString('base64');
        return {
          rsa: crypto.createSign('RSA-SHA256').update('signed ').update('data').sign(KEYS.rsa[0], 'base64'),
          rsaOneShot: sig(() => crypto.sign('sha256', data, KEYS.rsa[0])),
          pss: sig(() => crypto.sign('sha256', data, { key: KEYS.rsa[0], padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 })),
          ec: crypto.createSign('sha256').update(data).sign(crypto.createPrivateKey(KEYS.ec[0]), 'base64'),
          ecP1363: sig(() => crypto.sign('sha384', data, { key: KEYS.ec384[0], dsaEncoding: 'ieee-p1363' })),
          ed: sig(() => crypto.sign(null, data, KEYS.ed[0])),
        };
      }`)) as Record<string, string>;
    const c = await import('node:crypto');
    const data = Buffer.from('signed data');
    const b = (s: string | undefined) => Buffer.from(s ?? '', 'base64');
    expect(b(result.rsa)).toEqual(c.sign('sha256', data, KEYS.rsa[0] as string));
    expect(b(result.rsaOneShot)).toEqual(c.sign('sha256', data, KEYS.rsa[0] as string));
    expect(
      c.verify(
        'sha256',
        data,
        { key: KEYS.rsa[1] as string, padding: c.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
        b(result.pss),
      ),
    ).toBe(true);
    expect(c.verify('sha256', data, KEYS.ec[1] as string, b(result.ec))).toBe(true);
    expect(b(result.ecP1363).length).toBe(96);
    expect(
      c.verify(
        'sha384',
        data,
        { key: KEYS.ec384[1] as string, dsaEncoding: 'ieee-p1363' },
        b(result.ecP1363),
      ),
    ).toBe(true);
    expect(b(result.ed)).toEqual(c.sign(null, data, KEYS.ed[0] as string));

    // The isolate verifies Node's signatures.
    const sigs = {
      rsa: c.sign('sha256', data, KEYS.rsa[0] as string).toString('base64'),
      ec: c.sign('sha256', data, KEYS.ec[0] as string).toString('base64'),
      ed: c.sign(null, data, KEYS.ed[0] as string).toString('base64'),
    };
    expect(
      await o.inIsolate(
        `import crypto from 'node:crypto';
        ${keys}
        export async function handler(sigs) {
          const data = Buffer.from('signed data');
          const v = crypto.createVerify('RSA-SHA256');
          v.update(data);
          return [
            v.verify(KEYS.rsa[1], sigs.rsa, 'base64'),
            crypto.verify('sha256', data, crypto.createPublicKey(KEYS.ec[1]), Buffer.from(sigs.ec, 'base64')),
            crypto.verify(null, data, KEYS.ed[1], Buffer.from(sigs.ed, 'base64')),
            crypto.verify(null, Buffer.from('other'), KEYS.ed[1], Buffer.from(sigs.ed, 'base64')),
            crypto.verify('sha256', data, KEYS.ec[0], Buffer.from(sigs.ec, 'base64')),
          ];
        }`,
        sigs,
      ),
    ).toEqual([true, true, true, false, true]);
  });

  it('generates key pairs, sync and callback, that Node can use', async () => {
    const r = (await o.inIsolate(`
      import crypto from 'node:crypto';
      import { promisify } from 'node:util';
      export async function handler() {
        const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256', publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
        const rsa = await promisify(crypto.generateKeyPair)('rsa', { modulusLength: 1024 });
        const ed = crypto.generateKeyPairSync('ed25519');
        return { ec, rsaPub: rsa.publicKey.export({ type: 'pkcs1', format: 'pem' }), rsaPriv: rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }),
          bits: rsa.privateKey.asymmetricKeyDetails.modulusLength, ed: ed.publicKey.asymmetricKeyType };
      }`)) as {
      ec: { publicKey: string; privateKey: string };
      rsaPub: string;
      rsaPriv: string;
      bits: number;
      ed: string;
    };
    const c = await import('node:crypto');
    const d = Buffer.from('x');
    expect(c.verify('sha256', d, r.ec.publicKey, c.sign('sha256', d, r.ec.privateKey))).toBe(true);
    expect(c.verify('sha256', d, r.rsaPub, c.sign('sha256', d, r.rsaPriv))).toBe(true);
    expect([r.bits, r.ed]).toEqual([1024, 'ed25519']);
  });

  it('encrypts with RSA what Node decrypts', async () => {
    const enc = (await o.inIsolate(`
      import crypto from 'node:crypto';
      ${keys}
      export async function handler() {
        return [crypto.publicEncrypt(KEYS.rsa[1], Buffer.from('secret')).toString('base64'),
          crypto.publicEncrypt({ key: KEYS.rsa[1], oaepHash: 'sha256' }, Buffer.from('s2')).toString('base64')];
      }`)) as string[];
    const c = await import('node:crypto');
    expect(
      c.privateDecrypt(KEYS.rsa[0] as string, Buffer.from(enc[0] ?? '', 'base64')).toString(),
    ).toBe('secret');
    expect(
      c
        .privateDecrypt(
          { key: KEYS.rsa[0] as string, oaepHash: 'sha256' },
          Buffer.from(enc[1] ?? '', 'base64'),
        )
        .toString(),
    ).toBe('s2');
  });
});

describe('node:crypto ciphers', () => {
  it('encrypts and decrypts AES-GCM, CBC and CTR as Node does', async () => {
    await o.same(`
      import crypto from 'node:crypto';
      ${ERR}
      export async function handler() {
        const key = Buffer.alloc(32, 1), iv = Buffer.alloc(12, 2), iv16 = Buffer.alloc(16, 3);
        const gcm = crypto.createCipheriv('aes-256-gcm', key, iv);
        gcm.setAAD(Buffer.from('aad'));
        const ct = Buffer.concat([gcm.update('hello '), gcm.update(Buffer.from('world')), gcm.final()]);
        const tag = gcm.getAuthTag();
        const d = crypto.createDecipheriv('aes-256-gcm', key, iv);
        d.setAAD(Buffer.from('aad')); d.setAuthTag(tag);
        const pt = d.update(ct, undefined, 'utf8') + d.final('utf8');
        const bad = crypto.createDecipheriv('aes-256-gcm', key, iv);
        bad.setAuthTag(Buffer.alloc(16)); bad.update(ct);
        const cbc = crypto.createCipheriv('aes-128-cbc', Buffer.alloc(16, 4), iv16);
        const cbcHex = cbc.update('some text', 'utf8', 'hex') + cbc.final('hex');
        const cbcBack = crypto.createDecipheriv('aes-128-cbc', Buffer.alloc(16, 4), iv16);
        const nopad = crypto.createCipheriv('aes-192-cbc', Buffer.alloc(24, 5), iv16).setAutoPadding(false);
        const ctr = crypto.createCipheriv('aes-192-ctr', Buffer.alloc(24, 6), iv16);
        return {
          ct: ct.toString('hex'), tag: tag.toString('base64'), pt,
          bad: err(() => bad.final()),
          cbc: [cbcHex, cbcBack.update(cbcHex, 'hex', 'utf8') + cbcBack.final('utf8')],
          nopad: [nopad.update(Buffer.alloc(16, 9)).toString('hex'), err(() => { nopad.update(Buffer.alloc(3)); nopad.final(); })[0]],
          ctr: ctr.update('abc').toString('hex') + ctr.final('hex'),
          badKey: err(() => crypto.createCipheriv('aes-256-gcm', Buffer.alloc(5), iv)),
          ciphers: crypto.getCiphers().includes('aes-256-gcm'),
        };
      }`);
  });
});

/** `source` with its npm packages bundled in (as a deploy does: their `main` fields read). */
async function withPackages(source: string): Promise<string> {
  const out = await build({
    stdin: { contents: source, loader: 'js', resolveDir: import.meta.dirname },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    logLevel: 'silent',
    plugins: [nodeBuiltinsPlugin()],
  });
  return out.outputFiles[0]?.text ?? '';
}

describe('jsonwebtoken in an isolate', () => {
  const JWT = '../../../../compat/node_modules/jsonwebtoken/index.js';
  it('signs HS256, RS256 and ES256 tokens Node verifies, and verifies them back', async () => {
    const tokens = (await o.inIsolate(
      await withPackages(`
      import jwt from '${JWT}';
      ${keys}
      export async function handler() {
        const claims = { sub: 'u1', iat: 1700000000 };
        const hs = jwt.sign(claims, 'shhh', { algorithm: 'HS256' });
        const rs = jwt.sign(claims, KEYS.rsa[0], { algorithm: 'RS256' });
        const es = jwt.sign(claims, KEYS.ec[0], { algorithm: 'ES256' });
        const back = [jwt.verify(hs, 'shhh').sub, jwt.verify(rs, KEYS.rsa[1]).sub, jwt.verify(es, KEYS.ec[1]).sub];
        let wrong;
        try { jwt.verify(hs, 'other'); } catch (e) { wrong = e.message; }
        return { hs, rs, es, back, wrong };
      }`),
    )) as Record<string, unknown>;
    const jwt = createRequire(import.meta.url)(JWT) as {
      sign(claims: object, key: string, options: object): string;
      verify(token: string, key: string): unknown;
    };
    expect((jwt.verify(tokens.hs as string, 'shhh') as { sub: string }).sub).toBe('u1');
    expect(tokens.hs).toBe(
      jwt.sign({ sub: 'u1', iat: 1700000000 }, 'shhh', { algorithm: 'HS256' }),
    );
    expect(tokens.rs).toBe(
      jwt.sign({ sub: 'u1', iat: 1700000000 }, KEYS.rsa[0] as string, { algorithm: 'RS256' }),
    );
    expect((jwt.verify(tokens.es as string, KEYS.ec[1] as string) as { sub: string }).sub).toBe(
      'u1',
    );
    expect(tokens.back).toEqual(['u1', 'u1', 'u1']);
    expect(tokens.wrong).toBe('invalid signature');
  });
});

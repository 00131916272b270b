import {
  constants,
  createCipheriv,
  createDecipheriv,
  createECDH,
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  sign,
  verify,
} from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createOracle } from './oracle.ts';

// crypto and crypto.subtle in the isolate against Node: deterministic results must be
// equal to Node's WebCrypto; signatures, ciphertexts and shared secrets made in the
// isolate must check out with node:crypto, and the other way round.

const oracle = createOracle();
afterAll(() => oracle.dispose());

const json = (v: unknown) => JSON.stringify(v);
const arr = (b: Uint8Array) => json([...b]);
const u8 = (v: unknown) => Buffer.from(v as number[]);

/** Case-body helpers: bytes of ASCII text, and bytes from an embedded array. */
const H = `const ascii = (s) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const u8 = (a) => new Uint8Array(a);
const subtle = crypto.subtle;`;

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaPkcs8 = rsa.privateKey.export({ type: 'pkcs8', format: 'der' });
const rsaSpki = rsa.publicKey.export({ type: 'spki', format: 'der' });
const ed = generateKeyPairSync('ed25519');
const edPkcs8 = ed.privateKey.export({ type: 'pkcs8', format: 'der' });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-384' });
const ecJwk = ec.privateKey.export({ format: 'jwk' });

describe('digest and HMAC', () => {
  it('digests as Node does, for every hash and spelling', async () => {
    await oracle.same(`${H}
      const inputs = [u8([]), ascii('abc'), new Uint8Array(100000).fill(7), new DataView(ascii('view').buffer), ascii('x').buffer];
      const out = [];
      for (const alg of ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512', 'sha-256', { name: 'Sha-512' }])
        for (const data of inputs) out.push(bytes(await subtle.digest(alg, data)));
      // What each method resolves with: ArrayBuffers, whichever path the host took.
      const small = await subtle.digest('SHA-256', u8([1]));
      const large = await subtle.digest('SHA-256', new Uint8Array(70000));
      const hmac = await subtle.importKey('raw', u8([1, 2]), { name: 'HMAC', hash: 'SHA-1' }, true, ['sign', 'verify']);
      const aes = await subtle.importKey('raw', new Uint8Array(16), 'AES-CBC', true, ['encrypt']);
      const pbkdf2 = await subtle.importKey('raw', u8([1]), 'PBKDF2', false, ['deriveBits']);
      const results = [
        small, large,
        await subtle.sign('HMAC', hmac, u8([1])),
        await subtle.sign('HMAC', hmac, new Uint8Array(70000)),
        await subtle.verify('HMAC', hmac, new Uint8Array(20), u8([1])),
        await subtle.encrypt({ name: 'AES-CBC', iv: new Uint8Array(16) }, aes, u8([1])),
        await subtle.exportKey('raw', aes),
        await subtle.deriveBits({ name: 'PBKDF2', salt: u8([]), iterations: 1, hash: 'SHA-256' }, pbkdf2, 64),
      ];
      out.push(results.map((r) => [describe(r), r.byteLength]));
      return out;`);
  });

  it('signs with HMAC as node:crypto does, and verifies its MACs', async () => {
    const key = randomBytes(48);
    const message = 'webhook body';
    const out = (await oracle.inIsolate(`${H}
      const k = await subtle.importKey('raw', u8(${arr(key)}), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
      const mac = await subtle.sign('HMAC', k, ascii(${json(message)}));
      return {
        mac: bytes(mac),
        node: await subtle.verify('HMAC', k, u8(${arr(createHmac('sha256', key).update(message).digest())}), ascii(${json(message)})),
        wrong: await subtle.verify('HMAC', k, u8(${arr(createHmac('sha256', key).update('other').digest())}), ascii(${json(message)})),
      };`)) as { mac: number[]; node: boolean; wrong: boolean };
    expect(u8(out.mac)).toEqual(createHmac('sha256', key).update(message).digest());
    expect(out.node).toBe(true);
    expect(out.wrong).toBe(false);
  });

  it('imports, generates and exports HMAC keys as Node does', async () => {
    await oracle.same(`${H}
      const out = [];
      for (const hash of ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512']) {
        const k = await subtle.importKey('raw', u8([1, 2, 3, 4, 5]), { name: 'HMAC', hash }, true, ['sign']);
        out.push(k.algorithm, k.type, k.extractable, k.usages, await subtle.exportKey('jwk', k), bytes(await subtle.exportKey('raw', k)));
        out.push(bytes(await subtle.sign({ name: 'HMAC' }, k, ascii('m'))));
        const g = await subtle.generateKey({ name: 'HMAC', hash, length: 200 }, true, ['sign', 'verify']);
        out.push(g.algorithm, (await subtle.exportKey('raw', g)).byteLength);
      }
      const j = await subtle.importKey('jwk', { kty: 'oct', k: 'AQIDBA', alg: 'HS256', ext: true, key_ops: ['verify'] }, { name: 'HMAC', hash: 'SHA-256' }, true, ['verify']);
      out.push(j.algorithm, j.usages, await subtle.exportKey('jwk', j));
      return out;`);
  });
});

describe('AES', () => {
  it('encrypts and decrypts with GCM, CBC, CTR and wraps with KW as Node does', async () => {
    await oracle.same(`${H}
      const out = [];
      const data = ascii('attack at dawn, attack at dusk!');
      for (const length of [128, 256]) {
        const raw = new Uint8Array(length / 8).map((_, i) => i * 7 + 1);
        const gcm = await subtle.importKey('raw', raw, 'AES-GCM', true, ['encrypt', 'decrypt']);
        const iv = new Uint8Array(12).fill(9);
        const c1 = await subtle.encrypt({ name: 'AES-GCM', iv }, gcm, data);
        const c2 = await subtle.encrypt({ name: 'AES-GCM', iv, additionalData: ascii('aad'), tagLength: 96 }, gcm, data);
        out.push(bytes(c1), bytes(c2), bytes(await subtle.decrypt({ name: 'AES-GCM', iv, additionalData: ascii('aad'), tagLength: 96 }, gcm, c2)));
        const cbc = await subtle.importKey('raw', raw, { name: 'AES-CBC' }, true, ['encrypt', 'decrypt']);
        const c3 = await subtle.encrypt({ name: 'AES-CBC', iv: new Uint8Array(16).fill(3) }, cbc, data);
        out.push(bytes(c3), bytes(await subtle.decrypt({ name: 'AES-CBC', iv: new Uint8Array(16).fill(3) }, cbc, c3)));
        const ctr = await subtle.importKey('raw', raw, 'AES-CTR', true, ['encrypt', 'decrypt']);
        const counter = new Uint8Array(16).fill(255);
        const c4 = await subtle.encrypt({ name: 'AES-CTR', counter, length: 64 }, ctr, data);
        out.push(bytes(c4), bytes(await subtle.decrypt({ name: 'AES-CTR', counter, length: 64 }, ctr, c4)));
        out.push(gcm.algorithm, await subtle.exportKey('jwk', gcm), await subtle.exportKey('jwk', cbc), await subtle.exportKey('jwk', ctr));
        const kw = await subtle.importKey('raw', raw, 'AES-KW', true, ['wrapKey', 'unwrapKey']);
        const wrapped = await subtle.wrapKey('raw', gcm, kw, 'AES-KW');
        out.push(bytes(wrapped));
        const back = await subtle.unwrapKey('raw', wrapped, kw, 'AES-KW', 'AES-GCM', true, ['decrypt']);
        out.push(back.algorithm, back.usages, bytes(await subtle.exportKey('raw', back)));
      }
      return out;`);
  });

  it('decrypts what node:crypto encrypted with AES-256-GCM, and the other way round', async () => {
    const key = randomBytes(32);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const sealed = Buffer.concat([cipher.update('from node'), cipher.final(), cipher.getAuthTag()]);
    const out = (await oracle.inIsolate(`${H}
      const k = await subtle.importKey('raw', u8(${arr(key)}), 'AES-GCM', false, ['encrypt', 'decrypt']);
      const opened = await subtle.decrypt({ name: 'AES-GCM', iv: u8(${arr(iv)}) }, k, u8(${arr(sealed)}));
      const tampered = u8(${arr(sealed)}); tampered[0] ^= 1;
      return {
        opened: bytes(opened),
        tampered: await attempt(() => subtle.decrypt({ name: 'AES-GCM', iv: u8(${arr(iv)}) }, k, tampered)),
        sealed: bytes(await subtle.encrypt({ name: 'AES-GCM', iv: u8(${arr(iv)}) }, k, ascii('from the isolate'))),
      };`)) as { opened: number[]; tampered: unknown; sealed: number[] };
    expect(u8(out.opened).toString()).toBe('from node');
    expect(out.tampered).toEqual({ threw: 'OperationError' });
    const sealedByIsolate = u8(out.sealed);
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAuthTag(sealedByIsolate.subarray(-16));
    const plain = Buffer.concat([
      decipher.update(sealedByIsolate.subarray(0, -16)),
      decipher.final(),
    ]);
    expect(plain.toString()).toBe('from the isolate');
  });
});

describe('key derivation', () => {
  it('derives PBKDF2 and HKDF bits and keys equal to Node', async () => {
    await oracle.same(`${H}
      const out = [];
      const pw = await subtle.importKey('raw', ascii('correct horse'), 'PBKDF2', false, ['deriveBits', 'deriveKey']);
      for (const hash of ['SHA-1', 'SHA-256', 'SHA-512'])
        out.push(bytes(await subtle.deriveBits({ name: 'PBKDF2', salt: ascii('salt'), iterations: 1000, hash }, pw, 256)));
      const aes = await subtle.deriveKey({ name: 'PBKDF2', salt: ascii('s2'), iterations: 10, hash: 'SHA-256' }, pw, { name: 'AES-GCM', length: 128 }, true, ['encrypt']);
      out.push(aes.algorithm, bytes(await subtle.exportKey('raw', aes)));
      const ikm = await subtle.importKey('raw', u8([1, 2, 3, 4, 5, 6, 7, 8]), 'HKDF', false, ['deriveBits', 'deriveKey']);
      for (const hash of ['SHA-256', 'SHA-384'])
        out.push(bytes(await subtle.deriveBits({ name: 'HKDF', hash, salt: ascii('salt'), info: ascii('info') }, ikm, 512)));
      const mac = await subtle.deriveKey({ name: 'HKDF', hash: 'SHA-256', salt: u8([]), info: u8([]) }, ikm, { name: 'HMAC', hash: 'SHA-256', length: 256 }, true, ['sign']);
      out.push(mac.algorithm, bytes(await subtle.exportKey('raw', mac)));
      out.push(await attempt(() => subtle.deriveBits({ name: 'PBKDF2', salt: u8([]), iterations: 0, hash: 'SHA-256' }, pw, 256)));
      out.push(await attempt(() => subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: u8([]), info: u8([]) }, ikm, 256 * 255 * 8)));
      return out;`);
  });

  it('agrees on ECDH secrets with node:crypto, on both curves', async () => {
    for (const [curve, nodeCurve] of [
      ['P-256', 'prime256v1'],
      ['P-384', 'secp384r1'],
    ] as const) {
      const node = createECDH(nodeCurve);
      const nodePublic = node.generateKeys();
      const out = (await oracle.inIsolate(`${H}
        const mine = await subtle.generateKey({ name: 'ECDH', namedCurve: '${curve}' }, true, ['deriveBits', 'deriveKey']);
        const theirs = await subtle.importKey('raw', u8(${arr(nodePublic)}), { name: 'ECDH', namedCurve: '${curve}' }, true, []);
        const bits = await subtle.deriveBits({ name: 'ECDH', public: theirs }, mine.privateKey);
        const key = await subtle.deriveKey({ name: 'ECDH', public: theirs }, mine.privateKey, { name: 'AES-GCM', length: 256 }, true, ['encrypt']);
        return { pub: bytes(await subtle.exportKey('raw', mine.publicKey)), bits: bytes(bits), key: bytes(await subtle.exportKey('raw', key)) };`)) as Record<
        string,
        number[]
      >;
      const secret = node.computeSecret(u8(out.pub));
      expect(u8(out.bits)).toEqual(secret);
      expect(u8(out.key)).toEqual(secret.subarray(0, 32));
    }
  });
});

describe('signatures', () => {
  it('makes ECDSA signatures node:crypto verifies, and verifies node:crypto ones', async () => {
    for (const [curve, hash] of [
      ['P-256', 'SHA-256'],
      ['P-384', 'SHA-384'],
    ] as const) {
      const nodeKeys = generateKeyPairSync('ec', {
        namedCurve: curve === 'P-256' ? 'prime256v1' : 'secp384r1',
      });
      const nodeSig = sign(hash, Buffer.from('hello'), {
        key: nodeKeys.privateKey,
        dsaEncoding: 'ieee-p1363',
      });
      const spki = nodeKeys.publicKey.export({ type: 'spki', format: 'der' });
      const out = (await oracle.inIsolate(`${H}
        const alg = { name: 'ECDSA', hash: '${hash}' };
        const pair = await subtle.generateKey({ name: 'ECDSA', namedCurve: '${curve}' }, true, ['sign', 'verify']);
        const sig = await subtle.sign(alg, pair.privateKey, ascii('hello'));
        const theirs = await subtle.importKey('spki', u8(${arr(spki)}), { name: 'ECDSA', namedCurve: '${curve}' }, false, ['verify']);
        return {
          spki: bytes(await subtle.exportKey('spki', pair.publicKey)),
          sig: bytes(sig),
          ok: await subtle.verify(alg, theirs, u8(${arr(nodeSig)}), ascii('hello')),
          bad: await subtle.verify(alg, theirs, u8(${arr(nodeSig)}), ascii('hellO')),
          algorithm: pair.privateKey.algorithm,
        };`)) as { spki: number[]; sig: number[]; ok: boolean; bad: boolean; algorithm: unknown };
      const key = createPublicKey({ key: u8(out.spki), format: 'der', type: 'spki' });
      expect(
        verify(hash, Buffer.from('hello'), { key, dsaEncoding: 'ieee-p1363' }, u8(out.sig)),
      ).toBe(true);
      expect(out.ok).toBe(true);
      expect(out.bad).toBe(false);
      expect(out.algorithm).toEqual({ name: 'ECDSA', namedCurve: curve });
    }
  });

  it('signs with RSASSA-PKCS1-v1_5 and Ed25519 exactly as Node does (deterministic)', async () => {
    await oracle.same(`${H}
      const out = [];
      for (const hash of ['SHA-256', 'SHA-512']) {
        const k = await subtle.importKey('pkcs8', u8(${arr(rsaPkcs8)}), { name: 'RSASSA-PKCS1-v1_5', hash }, true, ['sign']);
        out.push(k.algorithm, bytes(await subtle.sign('RSASSA-PKCS1-v1_5', k, ascii('m'))));
        out.push(await subtle.exportKey('jwk', k), bytes(await subtle.exportKey('pkcs8', k)));
      }
      const pub = await subtle.importKey('spki', u8(${arr(rsaSpki)}), { name: 'RSA-PSS', hash: 'SHA-256' }, true, ['verify']);
      out.push(pub.algorithm, await subtle.exportKey('jwk', pub), bytes(await subtle.exportKey('spki', pub)));
      const ed = await subtle.importKey('pkcs8', u8(${arr(edPkcs8)}), 'Ed25519', true, ['sign']);
      out.push(ed.algorithm, bytes(await subtle.sign('Ed25519', ed, ascii('m'))), await subtle.exportKey('jwk', ed));
      const ecKey = await subtle.importKey('jwk', ${json(ecJwk)}, { name: 'ECDSA', namedCurve: 'P-384' }, true, ['sign']);
      out.push(ecKey.algorithm, await subtle.exportKey('jwk', ecKey), bytes(await subtle.exportKey('pkcs8', ecKey)));
      return out;`);
  });

  it('makes RSA-PSS and Ed25519 signatures node:crypto verifies, and verifies its own', async () => {
    const nodePss = sign('sha256', Buffer.from('m'), {
      key: rsa.privateKey,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: 32,
    });
    const out = (await oracle.inIsolate(`${H}
      const alg = { name: 'RSA-PSS', saltLength: 32 };
      const priv = await subtle.importKey('pkcs8', u8(${arr(rsaPkcs8)}), { name: 'RSA-PSS', hash: 'SHA-256' }, false, ['sign']);
      const pub = await subtle.importKey('spki', u8(${arr(rsaSpki)}), { name: 'RSA-PSS', hash: 'SHA-256' }, false, ['verify']);
      const pair = await subtle.generateKey('Ed25519', true, ['sign', 'verify']);
      return {
        pss: bytes(await subtle.sign(alg, priv, ascii('m'))),
        nodeOk: await subtle.verify(alg, pub, u8(${arr(nodePss)}), ascii('m')),
        edSpki: bytes(await subtle.exportKey('spki', pair.publicKey)),
        edSig: bytes(await subtle.sign('Ed25519', pair.privateKey, ascii('m'))),
      };`)) as { pss: number[]; nodeOk: boolean; edSpki: number[]; edSig: number[] };
    expect(
      verify(
        'sha256',
        Buffer.from('m'),
        { key: rsa.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
        u8(out.pss),
      ),
    ).toBe(true);
    expect(out.nodeOk).toBe(true);
    const edPublic = createPublicKey({ key: u8(out.edSpki), format: 'der', type: 'spki' });
    expect(verify(null, Buffer.from('m'), edPublic, u8(out.edSig))).toBe(true);
  });

  it('generates RSA keys node:crypto can use, and refuses sizes past the limit', async () => {
    const out = (await oracle.inIsolate(`${H}
      const alg = { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: u8([1, 0, 1]), hash: 'SHA-256' };
      const pair = await subtle.generateKey(alg, true, ['sign', 'verify']);
      return {
        pkcs8: bytes(await subtle.exportKey('pkcs8', pair.privateKey)),
        algorithm: pair.publicKey.algorithm,
        publicExponent: Object.prototype.toString.call(pair.publicKey.algorithm.publicExponent),
        big: await attempt(() => subtle.generateKey({ ...alg, modulusLength: 8192 }, true, ['sign'])),
      };`)) as { pkcs8: number[]; algorithm: unknown; publicExponent: string; big: unknown };
    const key = createPrivateKey({ key: u8(out.pkcs8), format: 'der', type: 'pkcs8' });
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(out.algorithm).toEqual({
      name: 'RSASSA-PKCS1-v1_5',
      modulusLength: 2048,
      publicExponent: { 0: 1, 1: 0, 2: 1 },
      hash: { name: 'SHA-256' },
    });
    expect(out.publicExponent).toBe('[object Uint8Array]');
    expect(out.big).toEqual({ threw: 'NotSupportedError' });
  });
});

describe('RSA-OAEP and key wrapping', () => {
  it('encrypts for node:crypto and decrypts what it encrypted', async () => {
    const nodeSealed = publicEncrypt(
      { key: rsa.publicKey, oaepHash: 'sha256', oaepLabel: Buffer.from('L') },
      Buffer.from('to the isolate'),
    );
    const out = (await oracle.inIsolate(`${H}
      const alg = { name: 'RSA-OAEP', label: ascii('L') };
      const pub = await subtle.importKey('spki', u8(${arr(rsaSpki)}), { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['encrypt']);
      const priv = await subtle.importKey('pkcs8', u8(${arr(rsaPkcs8)}), { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['decrypt']);
      return {
        sealed: bytes(await subtle.encrypt(alg, pub, ascii('to node'))),
        opened: bytes(await subtle.decrypt(alg, priv, u8(${arr(nodeSealed)}))),
      };`)) as { sealed: number[]; opened: number[] };
    const opened = privateDecrypt(
      { key: rsa.privateKey, oaepHash: 'sha256', oaepLabel: Buffer.from('L') },
      u8(out.sealed),
    );
    expect(opened.toString()).toBe('to node');
    expect(u8(out.opened).toString()).toBe('to the isolate');
  });

  it('wraps and unwraps keys in every format, round trip', async () => {
    const out = (await oracle.inIsolate(`${H}
      const results = [];
      const oaepPub = await subtle.importKey('spki', u8(${arr(rsaSpki)}), { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['wrapKey']);
      const oaepPriv = await subtle.importKey('pkcs8', u8(${arr(rsaPkcs8)}), { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['unwrapKey']);
      const hmac = await subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, true, ['sign']);
      const wrappedJwk = await subtle.wrapKey('jwk', hmac, oaepPub, 'RSA-OAEP');
      const back = await subtle.unwrapKey('jwk', wrappedJwk, oaepPriv, 'RSA-OAEP', { name: 'HMAC', hash: 'SHA-256' }, true, ['sign']);
      results.push((await subtle.exportKey('jwk', back)).k === (await subtle.exportKey('jwk', hmac)).k);
      const gcm = await subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['wrapKey', 'unwrapKey']);
      const ed = await subtle.generateKey('Ed25519', true, ['sign', 'verify']);
      const iv = new Uint8Array(12);
      const wrappedPkcs8 = await subtle.wrapKey('pkcs8', ed.privateKey, gcm, { name: 'AES-GCM', iv });
      const edBack = await subtle.unwrapKey('pkcs8', wrappedPkcs8, gcm, { name: 'AES-GCM', iv }, 'Ed25519', true, ['sign']);
      results.push(bytes(await subtle.exportKey('pkcs8', edBack)).join() === bytes(await subtle.exportKey('pkcs8', ed.privateKey)).join());
      const wrappedSpki = await subtle.wrapKey('spki', ed.publicKey, gcm, { name: 'AES-GCM', iv });
      const pubBack = await subtle.unwrapKey('spki', wrappedSpki, gcm, { name: 'AES-GCM', iv }, 'Ed25519', true, ['verify']);
      results.push(await subtle.verify('Ed25519', pubBack, await subtle.sign('Ed25519', ed.privateKey, ascii('x')), ascii('x')));
      results.push(await attempt(() => subtle.wrapKey('raw', gcm, gcm, { name: 'AES-GCM', iv })));
      return results;`)) as unknown[];
    expect(out).toEqual([true, true, true, { threw: 'InvalidAccessError' }]);
  });
});

describe('errors and keys user code makes', () => {
  it('rejects with the names Node uses', async () => {
    await oracle.same(`${H}
      const hmac = await subtle.importKey('raw', u8([1, 2, 3]), { name: 'HMAC', hash: 'SHA-256' }, true, ['sign']);
      const aes = await subtle.importKey('raw', new Uint8Array(16), 'AES-GCM', false, ['encrypt']);
      const cases = [
        () => subtle.digest('SHA-999', u8([1])),
        () => subtle.digest('SHA-256', 'abc'),
        () => subtle.digest('SHA-256'),
        () => subtle.digest({}, u8([1])),
        () => subtle.importKey('raw', u8([1, 2, 3]), 'AES-GCM', true, ['encrypt']),
        () => subtle.importKey('raw', new Uint8Array(16), 'AES-GCM', true, ['sign']),
        () => subtle.importKey('foo', new Uint8Array(16), 'AES-GCM', true, ['encrypt']),
        () => subtle.importKey('raw', new Uint8Array(16), 'AES-GCM', true, 'encrypt'),
        () => subtle.importKey('jwk', { kty: 'oct', k: '' }, { name: 'HMAC', hash: 'SHA-256' }, true, ['sign']),
        () => subtle.importKey('jwk', new Uint8Array(4), { name: 'HMAC', hash: 'SHA-256' }, true, ['sign']),
        () => subtle.importKey('raw', { kty: 'oct' }, 'AES-GCM', true, ['encrypt']),
        () => subtle.importKey('spki', u8([48, 3, 2, 1, 0]), { name: 'ECDSA', namedCurve: 'P-256' }, true, ['verify']),
        () => subtle.sign('HMAC', aes, u8([1])),
        () => subtle.decrypt({ name: 'AES-GCM', iv: new Uint8Array(12) }, aes, new Uint8Array(32)),
        () => subtle.encrypt({ name: 'AES-GCM', iv: 'nope' }, aes, u8([1])),
        () => subtle.exportKey('raw', aes),
        () => subtle.exportKey('spki', hmac),
        () => subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-999' }, true, ['sign']),
        () => subtle.generateKey({ name: 'AES-GCM', length: 100 }, true, ['encrypt']),
        () => subtle.deriveBits({ name: 'ECDH', public: hmac }, hmac, 128),
        () => subtle.deriveBits({ name: 'ECDH', public: {} }, hmac, 128),
        () => subtle.verify('HMAC', hmac, u8([1])),
        () => SubtleCrypto.prototype.digest.call({}, 'SHA-256', u8([1])),
      ];
      const out = [];
      for (const c of cases) out.push(await attempt(c));
      return out;`);
  });

  it('refuses keys it did not make: forged, proxied, copied or foreign', async () => {
    const out = await oracle.inIsolate(`${H}
      const real = await subtle.importKey('raw', u8([1, 2, 3]), { name: 'HMAC', hash: 'SHA-256' }, true, ['sign']);
      const fakes = [
        Object.create(CryptoKey.prototype),
        { type: 'secret', extractable: true, algorithm: real.algorithm, usages: real.usages },
        new Proxy(real, {}),
        Object.assign(Object.create(CryptoKey.prototype), real),
      ];
      const out = [];
      for (const fake of fakes) out.push(await attempt(() => subtle.sign('HMAC', fake, u8([1]))));
      out.push(await attempt(() => new CryptoKey()));
      out.push(await attempt(() => { class K extends CryptoKey {} return new K(); }));
      out.push(await attempt(() => Object.getOwnPropertyDescriptor(CryptoKey.prototype, 'type').get.call({})));
      real.algorithm.hash.name = 'SHA-1';
      real.usages.push('verify');
      out.push(bytes(await subtle.sign('HMAC', real, u8([1]))).length);
      out.push(await attempt(() => subtle.verify('HMAC', real, u8([1]), u8([1]))));
      return out;`);
    const threw = { threw: 'TypeError' };
    expect(out).toEqual([
      threw,
      threw,
      threw,
      threw,
      threw,
      threw,
      threw,
      32,
      {
        threw: 'InvalidAccessError',
      },
    ]);
  });

  it('matches Node for getRandomValues, randomUUID and the shape of the globals', async () => {
    await oracle.same(`
      const c = crypto;
      const kinds = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, BigInt64Array, BigUint64Array, Float32Array, Float64Array, DataView];
      const out = [];
      for (const K of kinds) out.push(await attempt(() => { const a = new K(new ArrayBuffer(64)); return c.getRandomValues(a) === a; }));
      out.push(await attempt(() => c.getRandomValues(new Uint8Array(65536)).length));
      out.push(await attempt(() => c.getRandomValues(new Uint8Array(65537))));
      out.push(await attempt(() => c.getRandomValues(new BigInt64Array(8193))));
      out.push(await attempt(() => c.getRandomValues(new Uint8Array(0)).length));
      out.push(await attempt(() => c.getRandomValues()));
      out.push(await attempt(() => c.getRandomValues([1, 2])));
      out.push(await attempt(() => c.getRandomValues.call({}, new Uint8Array(1))));
      out.push(await attempt(() => c.randomUUID.call({})));
      out.push(await attempt(() => new Crypto()));
      out.push(await attempt(() => new SubtleCrypto()));
      const uuids = new Set();
      for (let i = 0; i < 2000; i++) uuids.add(c.randomUUID());
      out.push(uuids.size, [...uuids].every((u) => /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(u)));
      const big = c.getRandomValues(new Uint8Array(4096));
      const seen = new Set(big);
      out.push(seen.size > 200);
      out.push(describe(c), describe(c.subtle), c.subtle === c.subtle, typeof CryptoKey);
      // Node 24 also has getPublicKey and ML-KEM's encapsulate/decapsulate: not ours.
      const methods = ['encrypt', 'decrypt', 'sign', 'verify', 'digest', 'generateKey', 'deriveKey', 'deriveBits', 'importKey', 'exportKey', 'wrapKey', 'unwrapKey'];
      out.push(methods.map((m) => [m, typeof SubtleCrypto.prototype[m], Object.getOwnPropertyDescriptor(SubtleCrypto.prototype, m).enumerable]));
      out.push(Object.keys(Object.getPrototypeOf(c)).sort(), Object.keys(CryptoKey.prototype).sort());
      return out;`);
  });
});

describe('limits of ours', () => {
  it('refuses PBKDF2 past a million iterations and bits past 2^20 (Node would run them)', async () => {
    const out = await oracle.inIsolate(`${H}
      const pw = await subtle.importKey('raw', ascii('pw'), 'PBKDF2', false, ['deriveBits']);
      return [
        await attempt(() => subtle.deriveBits({ name: 'PBKDF2', salt: u8([]), iterations: 1000001, hash: 'SHA-256' }, pw, 256)),
        await attempt(() => subtle.deriveBits({ name: 'PBKDF2', salt: u8([]), iterations: 1, hash: 'SHA-256' }, pw, 2 ** 20 + 8)),
        (await attempt(() => subtle.deriveBits({ name: 'PBKDF2', salt: u8([]), iterations: 1, hash: 'SHA-256' }, pw, 256))).ok.byteLength,
      ];`);
    expect(out).toEqual([{ threw: 'NotSupportedError' }, { threw: 'OperationError' }, 32]);
  });
});

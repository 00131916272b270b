// node:crypto's KeyObject. A KeyObject here holds the key's material (a secret key's
// bytes; a public key's SPKI DER, a private key's PKCS#8 DER) and what Node reported about
// it. The host keeps recently used keys parsed by their material (host-ops/
// node-crypto-keys.ts), so holding no handle of the host costs no re-parse per signature.
import { Buffer } from 'node:buffer';
import { call, coded, copyOf, input, settle, start, toBuffer } from './crypto-util.js';
import { ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE } from './errors.js';

const INTERNAL = Symbol('KeyObject');
const KEY_TYPES = [
  'string',
  'ArrayBuffer',
  'Buffer',
  'TypedArray',
  'DataView',
  'KeyObject',
  'CryptoKey',
];

let materialOf;

export class KeyObject {
  #type;
  #bytes;
  #info;

  constructor(type, handle) {
    if (type !== 'secret' && type !== 'public' && type !== 'private') {
      throw ERR_INVALID_ARG_VALUE('type', type);
    }
    if (typeof handle !== 'object' || handle === null || handle[INTERNAL] !== true) {
      throw ERR_INVALID_ARG_TYPE('handle', 'object', handle);
    }
    this.#type = type;
    this.#bytes = handle.bytes;
    this.#info = handle.info;
  }

  static {
    materialOf = (k) =>
      typeof k === 'object' && k !== null && #type in k
        ? { type: k.#type, bytes: k.#bytes, info: k.#info }
        : undefined;
  }

  static from(key) {
    throw coded(
      TypeError,
      'ERR_INVALID_ARG_TYPE',
      `KeyObject.from of a CryptoKey is not available in functions; export the CryptoKey (crypto.subtle.exportKey) and import its material. Received ${typeof key}`,
    );
  }

  get type() {
    return this.#type;
  }

  equals(other) {
    const m = materialOf(other);
    if (m === undefined) throw ERR_INVALID_ARG_TYPE('otherKeyObject', 'KeyObject', other);
    return m.type === this.#type && Buffer.from(m.bytes).equals(Buffer.from(this.#bytes));
  }

  get [Symbol.toStringTag]() {
    return 'KeyObject';
  }
}

export class SecretKeyObject extends KeyObject {
  get symmetricKeySize() {
    return materialOf(this).bytes.byteLength;
  }

  export(options) {
    const { bytes } = materialOf(this);
    if (options !== undefined && options !== null && options.format === 'jwk') {
      return { kty: 'oct', k: Buffer.from(bytes).toString('base64url') };
    }
    return Buffer.from(bytes);
  }
}

class AsymmetricKeyObject extends KeyObject {
  get asymmetricKeyType() {
    return materialOf(this).info.asymmetricKeyType;
  }

  get asymmetricKeyDetails() {
    const details = { ...materialOf(this).info.details };
    if (typeof details.publicExponent === 'string')
      details.publicExponent = BigInt(details.publicExponent);
    return details;
  }

  export(options) {
    const m = materialOf(this);
    const out = call('node.crypto.keyExport', refOf(m), m.type, exportOptions(options));
    return typeof out === 'string' || !ArrayBuffer.isView(out) ? out : toBuffer(out);
  }
}

export class PublicKeyObject extends AsymmetricKeyObject {}
export class PrivateKeyObject extends AsymmetricKeyObject {}

function exportOptions(options) {
  if (options === undefined || options === null) return undefined;
  if (typeof options !== 'object') throw ERR_INVALID_ARG_TYPE('options', 'object', options);
  const out = { format: options.format, type: options.type, cipher: options.cipher };
  if (options.passphrase !== undefined)
    out.passphrase = input(options.passphrase, 'utf8', 'options.passphrase');
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}

export function isKeyObject(v) {
  return materialOf(v) !== undefined;
}

/** A KeyObject's bytes, or undefined (for keys handed to HMAC, ciphers, KDFs). */
export function secretBytesOf(v) {
  const m = materialOf(v);
  if (m === undefined) return undefined;
  if (m.type !== 'secret') {
    throw coded(
      TypeError,
      'ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE',
      `Invalid key object type ${m.type}, expected secret.`,
    );
  }
  return m.bytes;
}

function refOf(m) {
  return { der: m.bytes, of: m.type };
}

function made(descriptor) {
  const Ctor = descriptor.type === 'private' ? PrivateKeyObject : PublicKeyObject;
  return new Ctor(descriptor.type, { [INTERNAL]: true, bytes: descriptor.der, info: descriptor });
}

/**
 * What the host needs for an asymmetric key given to sign, verify, publicEncrypt…:
 * a KeyObject's material or a key input ({key, format, type, passphrase}).
 */
export function keyRef(key, want) {
  const m = materialOf(key);
  if (m !== undefined) {
    if (m.type === 'secret' || (want === 'private' && m.type === 'public')) {
      throw coded(
        TypeError,
        'ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE',
        `Invalid key object type ${m.type}, expected ${want}.`,
      );
    }
    return refOf(m);
  }
  if (typeof key === 'string') return { key, format: 'pem' };
  if (ArrayBuffer.isView(key)) return { key: copyOf(key), format: 'pem' };
  if (key instanceof ArrayBuffer) return { key: new Uint8Array(key).slice(), format: 'pem' };
  if (typeof key === 'object' && key !== null) {
    if (isKeyObject(key.key)) return keyRef(key.key, want);
    const format = key.format ?? 'pem';
    const ref = { format };
    if (format === 'jwk') {
      if (typeof key.key !== 'object' || key.key === null)
        throw ERR_INVALID_ARG_TYPE('key.key', 'object', key.key);
      ref.key = { ...key.key };
    } else if (typeof key.key === 'string' && format === 'der') {
      ref.key = copyOf(Buffer.from(key.key, key.encoding ?? 'utf8'));
    } else {
      ref.key = input(key.key, undefined, 'key.key', KEY_TYPES.slice(0, 5));
    }
    if (key.type !== undefined) ref.type = key.type;
    if (key.passphrase !== undefined)
      ref.passphrase = input(key.passphrase, 'utf8', 'key.passphrase');
    return ref;
  }
  throw ERR_INVALID_ARG_TYPE('key', KEY_TYPES, key);
}

// Key inputs seen lately, with what the host made of them: jsonwebtoken makes a KeyObject
// of the same PEM on every call.
const recent = new Map();
const RECENT = 16;

function described(ref, want) {
  const id =
    typeof ref.key === 'string' && ref.passphrase === undefined
      ? `${want}${ref.format}${ref.type}${ref.key}`
      : undefined;
  let d = id === undefined ? undefined : recent.get(id);
  if (d === undefined) {
    d = call('node.crypto.key', ref, want);
    if (id !== undefined) {
      recent.set(id, d);
      if (recent.size > RECENT) recent.delete(recent.keys().next().value);
    }
  }
  return made(d);
}

export function createPrivateKey(key) {
  if (isKeyObject(key)) throw ERR_INVALID_ARG_TYPE('key', KEY_TYPES.slice(0, 5), key);
  return described(keyRef(key, 'private'), 'private');
}

export function createPublicKey(key) {
  const m = materialOf(key);
  if (m !== undefined && m.type === 'public')
    throw ERR_INVALID_ARG_TYPE('key', KEY_TYPES.slice(0, 5), key);
  return described(keyRef(key, 'public'), 'public');
}

export function createSecretKey(key, encoding) {
  const bytes =
    typeof key === 'string'
      ? copyOf(Buffer.from(key, encoding ?? 'utf8'))
      : input(key, undefined, 'key', ['ArrayBuffer', 'Buffer', 'TypedArray', 'DataView']);
  return new SecretKeyObject('secret', { [INTERNAL]: true, bytes });
}

function encodedPair(pair, options) {
  const o = options ?? {};
  return {
    publicKey: o.publicKeyEncoding ? pair.publicKey.export(o.publicKeyEncoding) : pair.publicKey,
    privateKey: o.privateKeyEncoding
      ? pair.privateKey.export(o.privateKeyEncoding)
      : pair.privateKey,
  };
}

function pairOptions(options) {
  if (options === undefined) return undefined;
  if (typeof options !== 'object' || options === null)
    throw ERR_INVALID_ARG_TYPE('options', 'object', options);
  const out = {};
  for (const k of [
    'modulusLength',
    'publicExponent',
    'hashAlgorithm',
    'mgf1HashAlgorithm',
    'hash',
    'mgf1Hash',
    'saltLength',
    'namedCurve',
    'paramEncoding',
  ]) {
    if (options[k] !== undefined) out[k] = options[k];
  }
  return out;
}

export function generateKeyPairSync(type, options) {
  const d = call('node.crypto.generateKeyPair', type, pairOptions(options));
  return encodedPair({ publicKey: made(d.publicKey), privateKey: made(d.privateKey) }, options);
}

export function generateKeyPair(type, options, callback) {
  if (typeof options === 'function') {
    callback = options;
    options = undefined;
  }
  if (typeof callback !== 'function') throw ERR_INVALID_ARG_TYPE('callback', 'function', callback);
  const p = start('node.crypto.generateKeyPair', [type, pairOptions(options)]).then((d) =>
    encodedPair({ publicKey: made(d.publicKey), privateKey: made(d.privateKey) }, options),
  );
  settle(p, (err, pair) => (err ? callback(err) : callback(null, pair.publicKey, pair.privateKey)));
}

// As Node's: util.promisify(generateKeyPair) resolves with { publicKey, privateKey }.
Object.defineProperty(generateKeyPair, Symbol.for('nodejs.util.promisify.custom'), {
  value: (type, options) =>
    new Promise((resolve, reject) =>
      generateKeyPair(type, options, (err, publicKey, privateKey) =>
        err ? reject(err) : resolve({ publicKey, privateKey }),
      ),
    ),
});

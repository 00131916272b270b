// Hash, Hmac, Sign and Verify: their input gathers here and crosses to the host once, at
// digest/sign/verify (one call of 13–34 µs, host-ops/node-crypto.ts).
import { Buffer } from 'node:buffer';
import { keyRef, secretBytesOf } from './crypto-keys.js';
import { call, coded, encoded, input, returnOrCallBack, toBuffer } from './crypto-util.js';
import { ERR_INVALID_ARG_TYPE } from './errors.js';
import { streamable } from './lazy-stream.js';

/** Parts joined into one once there are this many (each part costs a little to copy out). */
const MAX_PARTS = 32;
const TEXT_ENCODINGS = new Set(['hex', 'base64', 'base64url', 'latin1', 'binary']);

let hashes;

/** getHashes(), asked of the host once per isolate. */
export function getHashes() {
  hashes ??= call('node.crypto.list', 'hashes');
  return [...hashes];
}

let known;
function checkAlgorithm(algorithm) {
  if (typeof algorithm !== 'string') throw ERR_INVALID_ARG_TYPE('algorithm', 'string', algorithm);
  known ??= new Set(getHashes().map((h) => h.toLowerCase()));
  if (!known.has(algorithm.toLowerCase())) throw new Error('Digest method not supported');
}

function finalized() {
  return coded(Error, 'ERR_CRYPTO_HASH_FINALIZED', 'Digest already called');
}

/** Input gathered for one crossing: strings (UTF-8) and copies of bytes. */
class Parts {
  list = [];

  add(data, encoding) {
    // Strings stay strings (the host encodes them) only while short (see input()): one
    // long string updated 31 times would cost the isolate once and the sandbox 31 times.
    this.list.push(input(data, encoding));
    if (this.list.length >= MAX_PARTS) this.list = [this.joined()];
  }

  joined() {
    const buffers = this.list.map((p) => (typeof p === 'string' ? Buffer.from(p) : toBuffer(p)));
    return new Uint8Array(Buffer.concat(buffers));
  }
}

function digestOut(result, encoding) {
  return typeof result === 'string' ? result : encoded(result, encoding);
}

function hostEncoding(encoding) {
  return TEXT_ENCODINGS.has(encoding) ? encoding : 'buffer';
}

export class Hash {
  #algorithm;
  #parts;
  #outputLength;
  #done = false;

  constructor(algorithm, options, parts) {
    checkAlgorithm(algorithm);
    this.#algorithm = algorithm;
    this.#outputLength = options?.outputLength;
    this.#parts = new Parts();
    if (parts !== undefined) this.#parts.list = [...parts];
  }

  update(data, encoding) {
    if (this.#done) throw finalized();
    this.#parts.add(data, encoding);
    return this;
  }

  digest(encoding) {
    if (this.#done) throw finalized();
    this.#done = true;
    const e = hostEncoding(encoding);
    const result = call(
      'node.crypto.hash',
      this.#algorithm,
      this.#parts.list,
      e,
      this.#outputLength,
    );
    return digestOut(result, encoding);
  }

  copy(options) {
    if (this.#done) throw finalized();
    return new Hash(
      this.#algorithm,
      options ?? { outputLength: this.#outputLength },
      this.#parts.list,
    );
  }
}

export class Hmac {
  #algorithm;
  #key;
  #parts = new Parts();
  #done = false;

  constructor(algorithm, key, options) {
    checkAlgorithm(algorithm);
    this.#algorithm = algorithm;
    this.#key =
      secretBytesOf(key) ??
      input(key, options?.encoding, 'key', [
        'ArrayBuffer',
        'Buffer',
        'TypedArray',
        'DataView',
        'string',
        'KeyObject',
        'CryptoKey',
      ]);
  }

  update(data, encoding) {
    if (this.#done) throw finalized();
    this.#parts.add(data, encoding);
    return this;
  }

  digest(encoding) {
    // As Node's: a second digest gives an empty result.
    if (this.#done) return encoded(new Uint8Array(0), encoding);
    this.#done = true;
    const result = call(
      'node.crypto.hmac',
      this.#algorithm,
      this.#key,
      this.#parts.list,
      hostEncoding(encoding),
    );
    return digestOut(result, encoding);
  }
}

streamable(Hash, { transform: (h, chunk) => void h.update(chunk), flush: (h) => h.digest() });
streamable(Hmac, { transform: (h, chunk) => void h.update(chunk), flush: (h) => h.digest() });

/** crypto.hash(algorithm, data, outputEncoding = 'hex'): one call. */
export function hash(algorithm, data, outputEncoding = 'hex') {
  checkAlgorithm(algorithm);
  if (typeof data !== 'string' && !ArrayBuffer.isView(data)) {
    throw ERR_INVALID_ARG_TYPE('data', ['Buffer', 'TypedArray', 'DataView', 'string'], data);
  }
  const result = call('node.crypto.hash', algorithm, [input(data)], hostEncoding(outputEncoding));
  return digestOut(result, outputEncoding);
}

/** Options of a key given to sign/verify (an object may carry padding, saltLength, dsaEncoding). */
function signOptions(key) {
  if (typeof key !== 'object' || key === null || ArrayBuffer.isView(key)) return undefined;
  const o = {};
  for (const k of ['padding', 'saltLength', 'dsaEncoding']) if (key[k] !== undefined) o[k] = key[k];
  return o;
}

/** The algorithm and the data of a Sign or Verify, as the host ops take them. */
let signedOf;

/** What Sign and Verify share: the algorithm, and the data given to update() so far. */
class Signing {
  #algorithm;
  #parts = new Parts();

  constructor(algorithm) {
    if (typeof algorithm !== 'string') throw ERR_INVALID_ARG_TYPE('algorithm', 'string', algorithm);
    this.#algorithm = algorithm;
  }

  update(data, encoding) {
    this.#parts.add(data, encoding);
    return this;
  }

  static {
    // Not a method: user code must not see one Node's classes do not have.
    signedOf = (s) => [s.#algorithm, s.#parts.joined()];
  }
}

export class Sign extends Signing {
  sign(privateKey, outputEncoding) {
    const [algorithm, data] = signedOf(this);
    const signature = call(
      'node.crypto.sign',
      algorithm,
      data,
      keyRef(privateKey, 'private'),
      signOptions(privateKey),
    );
    return encoded(signature, outputEncoding);
  }
}

export class Verify extends Signing {
  verify(publicKey, signature, signatureEncoding) {
    const sig = input(signature, signatureEncoding ?? 'buffer', 'signature', [
      'ArrayBuffer',
      'Buffer',
      'TypedArray',
      'DataView',
      'string',
    ]);
    const bytes = typeof sig === 'string' ? new Uint8Array(Buffer.from(sig)) : sig;
    const [algorithm, data] = signedOf(this);
    return call(
      'node.crypto.verify',
      algorithm,
      data,
      keyRef(publicKey, 'public'),
      bytes,
      signOptions(publicKey),
    );
  }
}

streamable(Sign, { transform: (s, chunk) => void s.update(chunk), writable: true });
streamable(Verify, { transform: (s, chunk) => void s.update(chunk), writable: true });

function dataOf(data) {
  if (!ArrayBuffer.isView(data))
    throw ERR_INVALID_ARG_TYPE('data', ['Buffer', 'TypedArray', 'DataView'], data);
  return input(data);
}

/** crypto.sign(algorithm, data, key[, callback]). */
export function sign(algorithm, data, key, callback) {
  const run = () =>
    toBuffer(
      call(
        'node.crypto.sign',
        algorithm ?? null,
        dataOf(data),
        keyRef(key, 'private'),
        signOptions(key),
      ),
    );
  return returnOrCallBack(run, callback);
}

/** crypto.verify(algorithm, data, key, signature[, callback]). */
export function verify(algorithm, data, key, signature, callback) {
  const run = () => {
    if (!ArrayBuffer.isView(signature)) {
      throw ERR_INVALID_ARG_TYPE('signature', ['Buffer', 'TypedArray', 'DataView'], signature);
    }
    return call(
      'node.crypto.verify',
      algorithm ?? null,
      dataOf(data),
      keyRef(key, 'public'),
      input(signature),
      signOptions(key),
    );
  };
  return returnOrCallBack(run, callback);
}

function rsa(method, want) {
  return (key, buffer) => {
    const o = {};
    if (typeof key === 'object' && key !== null && !ArrayBuffer.isView(key)) {
      for (const k of ['padding', 'oaepHash']) if (key[k] !== undefined) o[k] = key[k];
      if (key.oaepLabel !== undefined) o.oaepLabel = input(key.oaepLabel);
    }
    const data = input(buffer, key?.encoding, 'buffer', [
      'string',
      'ArrayBuffer',
      'Buffer',
      'TypedArray',
      'DataView',
    ]);
    return toBuffer(call('node.crypto.rsa', method, keyRef(key, want), o, data));
  };
}

export const publicEncrypt = rsa('publicEncrypt', 'public');
export const privateDecrypt = rsa('privateDecrypt', 'private');
export const privateEncrypt = rsa('privateEncrypt', 'private');
export const publicDecrypt = rsa('publicDecrypt', 'public');

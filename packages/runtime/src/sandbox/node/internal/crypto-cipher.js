// createCipheriv/createDecipheriv: an OpenSSL cipher in the host under an id, one call per
// update (its output comes back at once, as in Node). Ids of ciphers the garbage collector
// took are handed back with the next open.
import { Buffer } from 'node:buffer';
import { secretBytesOf } from './crypto-keys.js';
import { call, coded, encoded, input } from './crypto-util.js';
import { ERR_INVALID_ARG_TYPE } from './errors.js';
import { streamable } from './lazy-stream.js';

let released = [];
const registry = new FinalizationRegistry((id) => {
  released.push(id);
});

function keyBytes(key) {
  return (
    secretBytesOf(key) ??
    input(key, 'utf8', 'key', [
      'string',
      'ArrayBuffer',
      'Buffer',
      'TypedArray',
      'DataView',
      'KeyObject',
      'CryptoKey',
    ])
  );
}

function bytesOf(v, name) {
  const b = input(v, 'utf8', name, ['string', 'ArrayBuffer', 'Buffer', 'TypedArray', 'DataView']);
  return typeof b === 'string' ? new Uint8Array(Buffer.from(b)) : b;
}

class CipherBase {
  #id;
  #decipher;
  #tag;
  #done = false;

  constructor(decipher, algorithm, key, iv, options) {
    if (typeof algorithm !== 'string') throw ERR_INVALID_ARG_TYPE('cipher', 'string', algorithm);
    if (released.length > 0) {
      const ids = released;
      released = [];
      call('node.crypto.cipherRelease', ids);
    }
    const o = {};
    if (options?.authTagLength !== undefined) o.authTagLength = options.authTagLength;
    this.#decipher = decipher;
    this.#id = call(
      'node.crypto.cipherOpen',
      decipher,
      algorithm,
      keyBytes(key),
      iv === null ? null : bytesOf(iv, 'iv'),
      o,
    );
    registry.register(this, this.#id, this);
  }

  update(data, inputEncoding, outputEncoding) {
    if (this.#done)
      throw coded(Error, 'ERR_CRYPTO_INVALID_STATE', 'Invalid state for operation update');
    const bytes =
      typeof data === 'string'
        ? new Uint8Array(Buffer.from(data, inputEncoding ?? 'utf8'))
        : input(data, undefined, 'data');
    return encoded(call('node.crypto.cipherUpdate', this.#id, bytes), outputEncoding);
  }

  final(outputEncoding) {
    if (this.#done)
      throw coded(Error, 'ERR_CRYPTO_INVALID_STATE', 'Invalid state for operation final');
    this.#done = true;
    registry.unregister(this);
    const [out, tag] = call('node.crypto.cipherFinal', this.#id);
    if (tag !== null) this.#tag = tag;
    return encoded(out, outputEncoding);
  }

  setAAD(buffer, options) {
    const o =
      options?.plaintextLength === undefined
        ? undefined
        : { plaintextLength: options.plaintextLength };
    call('node.crypto.cipherSet', this.#id, 'aad', bytesOf(buffer, 'buffer'), o);
    return this;
  }

  setAutoPadding(autoPadding = true) {
    call('node.crypto.cipherSet', this.#id, 'autoPadding', autoPadding !== false);
    return this;
  }

  getAuthTag() {
    if (this.#decipher || this.#tag === undefined) {
      throw coded(Error, 'ERR_CRYPTO_INVALID_STATE', 'Invalid state for operation getAuthTag');
    }
    return Buffer.from(this.#tag);
  }

  setAuthTag(tag, encoding) {
    if (!this.#decipher)
      throw coded(Error, 'ERR_CRYPTO_INVALID_STATE', 'Invalid state for operation setAuthTag');
    const bytes =
      typeof tag === 'string'
        ? new Uint8Array(Buffer.from(tag, encoding))
        : input(tag, undefined, 'buffer');
    call('node.crypto.cipherSet', this.#id, 'authTag', bytes);
    return this;
  }
}

export class Cipheriv extends CipherBase {
  constructor(algorithm, key, iv, options) {
    super(false, algorithm, key, iv, options);
  }
}

export class Decipheriv extends CipherBase {
  constructor(algorithm, key, iv, options) {
    super(true, algorithm, key, iv, options);
  }
}

for (const C of [Cipheriv, Decipheriv]) {
  streamable(C, { transform: (c, chunk) => c.update(chunk), flush: (c) => c.final() });
}

export function createCipheriv(algorithm, key, iv, options) {
  return new Cipheriv(algorithm, key, iv, options);
}

export function createDecipheriv(algorithm, key, iv, options) {
  return new Decipheriv(algorithm, key, iv, options);
}

let ciphers;
export function getCiphers() {
  ciphers ??= call('node.crypto.list', 'ciphers');
  return [...ciphers];
}

let curves;
export function getCurves() {
  curves ??= call('node.crypto.list', 'curves');
  return [...curves];
}

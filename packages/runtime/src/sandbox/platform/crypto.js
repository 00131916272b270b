// The `crypto` global: random values and UUIDs from a pool of random bytes the sandbox
// process fills (one crossing per 4 KiB instead of one per call), and SubtleCrypto
// (crypto-subtle.js).

import { bytesOf, typedArrayKind } from './buffer-source.js';
import { CryptoKey, createSubtle, SubtleCrypto } from './crypto-subtle.js';
import { webIDL } from './idl.js';
import { defineGlobal, defineLazy } from './lazy.js';

export { CryptoKey, SubtleCrypto };

const TypeErrorCtor = TypeError;
const apply = Reflect.apply;
const uint8Set = Uint8Array.prototype.set;
const uint8Subarray = Uint8Array.prototype.subarray;
const INTEGER_ARRAYS = {
  __proto__: null,
  Int8Array: true,
  Uint8Array: true,
  Uint8ClampedArray: true,
  Int16Array: true,
  Uint16Array: true,
  Int32Array: true,
  Uint32Array: true,
  BigInt64Array: true,
  BigUint64Array: true,
};
const MAX_BYTES = 65_536;
const POOL_BYTES = 4096;
/** Larger requests go to the host directly rather than through the pool. */
const POOL_MAX_REQUEST = 256;
/** Two hex digits per byte value, made on the first randomUUID (not in every isolate). */
let HEX;
function hexTable() {
  HEX = [];
  for (let i = 0; i < 256; i++) HEX[i] = (i < 16 ? '0' : '') + i.toString(16);
  return HEX;
}

/** The bridge, set by install; module-private. */
let host;
// Empty until first used, so isolates made from a common start never share random bytes.
let pool;
let poolAt = POOL_BYTES;

/** `n` random bytes of the pool (n <= POOL_MAX_REQUEST), refilled from the host. */
function take(n) {
  if (poolAt + n > POOL_BYTES) {
    pool = host.call('crypto.random', POOL_BYTES);
    poolAt = 0;
  }
  const bytes = apply(uint8Subarray, pool, [poolAt, poolAt + n]);
  poolAt += n;
  return bytes;
}

/** Fills `view` with random bytes; used bytes of the pool are never handed out again. */
function fill(view) {
  const n = view.length;
  apply(uint8Set, view, [n <= POOL_MAX_REQUEST ? take(n) : host.call('crypto.random', n)]);
}

let isCrypto;

export class Crypto {
  #subtle;

  constructor(token, subtle) {
    if (subtle === undefined || token !== Crypto) throw new TypeErrorCtor('Illegal constructor');
    this.#subtle = subtle;
  }

  static {
    isCrypto = (v) => typeof v === 'object' && v !== null && #subtle in v;
  }

  get subtle() {
    return this.#subtle;
  }

  getRandomValues(array) {
    if (!isCrypto(this)) throw new TypeErrorCtor('Value of "this" must be of type Crypto');
    // biome-ignore lint/complexity/noArguments: an argument left out is not one passed as undefined (WebIDL)
    if (arguments.length === 0) {
      throw new TypeErrorCtor(
        "Failed to execute 'getRandomValues' on 'Crypto': 1 argument required, but only 0 present.",
      );
    }
    if (INTEGER_ARRAYS[typedArrayKind(array)] !== true) {
      throw host.error('TypeMismatchError', 'The data argument must be an integer-type TypedArray');
    }
    const view = bytesOf(array);
    if (view.length > MAX_BYTES) {
      throw host.error('QuotaExceededError', 'The requested length exceeds 65,536 bytes');
    }
    if (view.length > 0) fill(view);
    return array;
  }

  randomUUID() {
    if (!isCrypto(this)) throw new TypeErrorCtor('Value of "this" must be of type Crypto');
    const b = take(16);
    const h = HEX ?? hexTable();
    // Version 4, variant 10 (RFC 9562).
    return `${h[b[0]]}${h[b[1]]}${h[b[2]]}${h[b[3]]}-${h[b[4]]}${h[b[5]]}-${h[(b[6] & 0x0f) | 0x40]}${h[b[7]]}-${h[(b[8] & 0x3f) | 0x80]}${h[b[9]]}-${h[b[10]]}${h[b[11]]}${h[b[12]]}${h[b[13]]}${h[b[14]]}${h[b[15]]}`;
  }
}

webIDL(Crypto.prototype, 'Crypto', ['subtle', 'getRandomValues', 'randomUUID']);

export function install(g, bridge) {
  host = bridge;
  defineGlobal(g, 'Crypto', Crypto);
  defineGlobal(g, 'SubtleCrypto', SubtleCrypto);
  defineGlobal(g, 'CryptoKey', CryptoKey);
  defineLazy(g, 'crypto', () => new Crypto(Crypto, createSubtle(bridge)));
}

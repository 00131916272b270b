import {
  createHash,
  createHmac,
  createSecretKey,
  KeyObject,
  timingSafeEqual,
  type webcrypto,
} from 'node:crypto';
import { bytes, exactBuffer, isPlainObject, own } from './args.ts';
import { keyTable } from './crypto-keys.ts';
import type { SyncOp } from './types.ts';

// digest, and HMAC sign and verify, of small inputs in one synchronous call. Through
// WebCrypto's asynchronous path a SHA-256 of 64 bytes costs a function about 90 µs (a
// thread-pool job and a delivery back into the isolate); here it costs one crossing and
// the hash (figures in test/platform/host-ops-bench.ts). Only the case where the operation
// must succeed is taken here; anything else (a wrong key, usage or algorithm) returns null
// and the isolate takes the asynchronous path, where Node's WebCrypto reports the error.

/** Inputs up to this size are hashed on this thread (about 50 µs of SHA-256 at most). */
export const FAST_MAX_BYTES = 64 * 1024;

const HASHES: Record<string, string> = {
  'sha-1': 'sha1',
  'sha-256': 'sha256',
  'sha-384': 'sha384',
  'sha-512': 'sha512',
};

function nameOf(alg: unknown): string | undefined {
  const name = isPlainObject(alg) ? own(alg, 'name') : alg;
  return typeof name === 'string' ? name.toLowerCase() : undefined;
}

function hashOf(alg: unknown): string | undefined {
  const name = nameOf(alg);
  return name !== undefined && Object.hasOwn(HASHES, name) ? HASHES[name] : undefined;
}

function small(v: unknown): Uint8Array | undefined {
  if (!(v instanceof Uint8Array || v instanceof ArrayBuffer || ArrayBuffer.isView(v))) return;
  const view = bytes(v, 'data');
  return view.byteLength <= FAST_MAX_BYTES ? view : undefined;
}

/**
 * KeyObjects of HMAC keys. Node deprecates KeyObject.from for keys that are not
 * extractable, so those get theirs from the bytes they were imported from.
 */
const keyObjects = new WeakMap<webcrypto.CryptoKey, KeyObject>();

/** An HMAC key was imported from `raw` or a JWK: its KeyObject for the fast path. */
export function rememberHmacKey(key: webcrypto.CryptoKey, keyData: unknown): void {
  if (key.algorithm.name !== 'HMAC') return;
  if (keyData instanceof Uint8Array) {
    keyObjects.set(key, createSecretKey(keyData));
  } else if (isPlainObject(keyData) && typeof keyData.k === 'string') {
    keyObjects.set(key, createSecretKey(Buffer.from(keyData.k, 'base64url')));
  }
}

function keyObjectOf(key: webcrypto.CryptoKey): KeyObject | undefined {
  let keyObject = keyObjects.get(key);
  if (keyObject === undefined && key.extractable) {
    keyObject = KeyObject.from(key);
    keyObjects.set(key, keyObject);
  }
  return keyObject;
}

/**
 * `crypto.fast([method, ...args])` for digest, sign and verify: the result, or null where
 * the isolate must use `crypto.subtle` instead.
 */
export const fast: SyncOp = (ctx, [method, alg, a, b, c]) => {
  if (method === 'digest') {
    const hash = hashOf(alg);
    const data = small(a);
    return hash === undefined || data === undefined
      ? null
      : exactBuffer(createHash(hash).update(data).digest());
  }
  if ((method !== 'sign' && method !== 'verify') || nameOf(alg) !== 'hmac') return null;
  const key = typeof a === 'number' ? keyTable(ctx.isolate).keys.get(a) : undefined;
  if (key === undefined || key.algorithm.name !== 'HMAC' || !key.usages.includes(method)) {
    return null;
  }
  const hash = hashOf((key.algorithm as webcrypto.HmacKeyAlgorithm).hash);
  const keyObject = keyObjectOf(key);
  const data = small(method === 'sign' ? b : c);
  if (hash === undefined || keyObject === undefined || data === undefined) return null;
  const mac = createHmac(hash, keyObject).update(data).digest();
  if (method === 'sign') return exactBuffer(mac);
  const signature = small(b);
  if (signature === undefined) return null;
  return signature.byteLength === mac.byteLength && timingSafeEqual(signature, mac);
};

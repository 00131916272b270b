import { randomFillSync, webcrypto } from 'node:crypto';
import { boolean, bytes, exactBuffer, isPlainObject, oneOf, typeError } from './args.ts';
import { algorithm, bitLength, jsonWebKey, jsonWebKeyCopy, usages } from './crypto-algorithm.ts';
import { fast, rememberHmacKey } from './crypto-fast.ts';
import { addKey, ensureRoom, keyById, keyTable, releaseKeys } from './crypto-keys.ts';
import { type AsyncOp, HostOpError, type SyncOp } from './types.ts';

// WebCrypto is Node's (`crypto.webcrypto.subtle`): the isolate sends an operation with its
// arguments copied, keys as ids into the isolate's key table (crypto-keys.ts), and gets back
// bytes, a JSON Web Key, a boolean or descriptors of new keys.

type CryptoKey = webcrypto.CryptoKey;
type Table = ReturnType<typeof keyTable>;
const { subtle } = webcrypto;

/** getRandomValues' limit, and the most one `crypto.random` returns. */
export const MAX_RANDOM_BYTES = 65_536;

/** `crypto.random(n)` -> n random bytes (the isolate keeps a pool for small requests). */
const random: SyncOp = (_ctx, [n]) => {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_RANDOM_BYTES) {
    return typeError(`n must be an integer from 0 to ${MAX_RANDOM_BYTES}`);
  }
  return randomFillSync(new Uint8Array(n));
};

/** `crypto.release(ids)`: keys the isolate's garbage collector found unreachable. */
const release: SyncOp = (ctx, [ids]) => {
  releaseKeys(keyTable(ctx.isolate), ids);
  return undefined;
};

const FORMATS = ['raw', 'spki', 'pkcs8', 'jwk'] as const;

function format(v: unknown) {
  return oneOf(v, FORMATS, 'format');
}

function keyData(fmt: (typeof FORMATS)[number], v: unknown) {
  return fmt === 'jwk' ? jsonWebKey(v) : bytes(v, 'keyData');
}

/** A key or key pair Node made, entered in the table; the isolate gets descriptors. */
function added(table: Table, made: CryptoKey | webcrypto.CryptoKeyPair) {
  if ('privateKey' in made) {
    return { publicKey: addKey(table, made.publicKey), privateKey: addKey(table, made.privateKey) };
  }
  return addKey(table, made);
}

function exported(result: ArrayBuffer | webcrypto.JsonWebKey) {
  return result instanceof ArrayBuffer ? exactBuffer(result) : jsonWebKeyCopy(result);
}

type Method = (t: Table, args: unknown[]) => Promise<unknown>;

const METHODS: Record<string, Method> = {
  digest: async (t, [alg, data]) =>
    exactBuffer(await subtle.digest(algorithm(alg, t), bytes(data, 'data'))),
  encrypt: async (t, [alg, key, data]) =>
    exactBuffer(
      await subtle.encrypt(algorithm(alg, t), keyById(t, key, 'key'), bytes(data, 'data')),
    ),
  decrypt: async (t, [alg, key, data]) =>
    exactBuffer(
      await subtle.decrypt(algorithm(alg, t), keyById(t, key, 'key'), bytes(data, 'data')),
    ),
  sign: async (t, [alg, key, data]) =>
    exactBuffer(await subtle.sign(algorithm(alg, t), keyById(t, key, 'key'), bytes(data, 'data'))),
  verify: async (t, [alg, key, signature, data]) =>
    subtle.verify(
      algorithm(alg, t),
      keyById(t, key, 'key'),
      bytes(signature, 'signature'),
      bytes(data, 'data'),
    ),
  generateKey: async (t, [alg, extractable, keyUsages]) => {
    ensureRoom(t, 2);
    const made = await subtle.generateKey(
      algorithm(alg, t),
      boolean(extractable, 'extractable'),
      usages(keyUsages),
    );
    return added(t, made);
  },
  deriveBits: async (t, [alg, key, length]) =>
    exactBuffer(
      await subtle.deriveBits(
        algorithm(alg, t) as webcrypto.EcdhKeyDeriveParams,
        keyById(t, key, 'baseKey'),
        bitLength(length) as number,
      ),
    ),
  deriveKey: async (t, [alg, key, derived, extractable, keyUsages]) => {
    ensureRoom(t, 1);
    const made = await subtle.deriveKey(
      algorithm(alg, t) as webcrypto.EcdhKeyDeriveParams,
      keyById(t, key, 'baseKey'),
      algorithm(derived, t) as webcrypto.HmacImportParams,
      boolean(extractable, 'extractable'),
      usages(keyUsages),
    );
    return added(t, made);
  },
  importKey: async (t, [fmt, data, alg, extractable, keyUsages]) => {
    ensureRoom(t, 1);
    const f = format(fmt);
    const material = keyData(f, data);
    const made = await subtle.importKey(
      f as 'raw',
      material as Uint8Array,
      algorithm(alg, t),
      boolean(extractable, 'extractable'),
      usages(keyUsages),
    );
    rememberHmacKey(made, material);
    return added(t, made);
  },
  exportKey: async (t, [fmt, key]) =>
    exported(await subtle.exportKey(format(fmt) as 'jwk', keyById(t, key, 'key'))),
  wrapKey: async (t, [fmt, key, wrapping, alg]) =>
    exactBuffer(
      await subtle.wrapKey(
        format(fmt),
        keyById(t, key, 'key'),
        keyById(t, wrapping, 'wrappingKey'),
        algorithm(alg, t),
      ),
    ),
  unwrapKey: async (t, [fmt, wrapped, unwrapping, alg, keyAlg, extractable, keyUsages]) => {
    ensureRoom(t, 1);
    const made = await subtle.unwrapKey(
      format(fmt),
      bytes(wrapped, 'wrappedKey'),
      keyById(t, unwrapping, 'unwrappingKey'),
      algorithm(alg, t),
      algorithm(keyAlg, t),
      boolean(extractable, 'extractable'),
      usages(keyUsages),
    );
    return added(t, made);
  },
};

/** Node's errors as the isolate must see them: WebCrypto's names, messages kept. */
function hostError(e: unknown): HostOpError {
  if (e instanceof HostOpError) return e;
  if (e instanceof Error) {
    const name =
      e instanceof TypeError ? 'TypeError' : e.name === 'Error' ? 'OperationError' : e.name;
    return new HostOpError(name, e.message);
  }
  return new HostOpError('OperationError', 'the operation failed');
}

/** `crypto.subtle([method, ...args])` -> what SubtleCrypto's method resolves with. */
const subtleOp: AsyncOp = async (ctx, [method, ...args], signal) => {
  if (typeof method !== 'string' || !Object.hasOwn(METHODS, method)) {
    return typeError('unknown SubtleCrypto method');
  }
  const table = keyTable(ctx.isolate);
  let result: unknown;
  try {
    const run = METHODS[method] as Method;
    result = await run(table, args);
  } catch (e) {
    throw hostError(e);
  }
  if (signal.aborted) {
    // Nobody will receive these keys (the invocation ended or the call was cancelled), so
    // no CryptoKey in the isolate will ever release them.
    releaseKeys(table, descriptorIds(result));
    throw new HostOpError('AbortError', 'The operation was aborted');
  }
  return result;
};

/** The key ids in a result: a descriptor's, a pair's, or none. */
function descriptorIds(result: unknown): unknown[] {
  if (!isPlainObject(result)) return [];
  if ('id' in result) return [result.id];
  const pair = [result.publicKey, result.privateKey];
  return pair.map((d) => (isPlainObject(d) ? d.id : undefined));
}

export const cryptoSyncOps = {
  'crypto.random': random,
  'crypto.release': release,
  'crypto.fast': fast,
};
export const cryptoAsyncOps = { 'crypto.subtle': subtleOp };

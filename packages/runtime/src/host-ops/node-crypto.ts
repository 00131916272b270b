import {
  type BinaryToTextEncoding,
  createHash,
  createHmac,
  getCiphers,
  getCurves,
  getHashes,
  randomFillSync,
} from 'node:crypto';
import { exact, oneOf, typeError } from './args.ts';
import { codedError, data, int, memoryBytes, name, nodeOp } from './node-crypto-args.ts';
import { cipherSyncOps } from './node-crypto-cipher.ts';
import { kdfAsyncOps, kdfSyncOps } from './node-crypto-kdf.ts';
import { signAsyncOps, signSyncOps } from './node-crypto-sign.ts';
import type { SyncOp } from './types.ts';

// node:crypto on the sandbox's Node (src/sandbox/node/crypto.js is the isolate's side).
// A Hash or Hmac gathers its input in the isolate and crosses once, at digest: one call
// of 13–34 µs where a pure-JavaScript SHA-256 in the isolate is slower past a few hundred
// bytes and would be more code in every isolate that hashes.

/** Parts of one hash's input, at most (the isolate joins them past a few dozen). */
const MAX_PARTS = 4096;

const ENCODINGS = ['buffer', 'hex', 'base64', 'base64url', 'latin1', 'binary'] as const;

function parts(v: unknown): (Uint8Array | string)[] {
  if (!Array.isArray(v) || v.length > MAX_PARTS) return typeError('data must be a list of parts');
  return v.map((p) => data(p, 'data'));
}

/** The digest as the isolate asked: bytes, or text in one of Node's binary encodings. */
function output(
  digest: { digest(): Buffer; digest(e: BinaryToTextEncoding): string },
  encoding: unknown,
) {
  const e = oneOf(encoding ?? 'buffer', ENCODINGS, 'encoding');
  return e === 'buffer' ? exact(digest.digest()) : digest.digest(e as BinaryToTextEncoding);
}

/** `node.crypto.hash(algorithm, parts, encoding, outputLength?)` -> the digest. */
const hashOp: SyncOp = nodeOp((_ctx, [algorithm, input, encoding, outputLength]) => {
  const hashOptions =
    outputLength === undefined
      ? undefined
      : { outputLength: int(outputLength, 'outputLength', 0, 1 << 20) };
  const hash = createHash(name(algorithm, 'algorithm'), hashOptions);
  for (const part of parts(input)) hash.update(part);
  return output(hash, encoding);
});

/** `node.crypto.hmac(algorithm, key, parts, encoding)` -> the MAC. */
const hmacOp: SyncOp = nodeOp((_ctx, [algorithm, key, input, encoding]) => {
  const hmac = createHmac(name(algorithm, 'algorithm'), data(key, 'key'));
  for (const part of parts(input)) hmac.update(part);
  return output(hmac, encoding);
});

/** `node.crypto.randomBytes(n)` -> n random bytes; no more than the function's memory. */
const randomBytesOp: SyncOp = nodeOp((ctx, [n]) => {
  const size = int(n, 'size', 0, 2 ** 31 - 1);
  const max = memoryBytes(ctx);
  if (size > max) {
    throw codedError(
      'RangeError',
      'ERR_BUFFER_TOO_LARGE',
      `Cannot create a Buffer larger than ${max} bytes`,
    );
  }
  return randomFillSync(new Uint8Array(size));
});

const LISTS = { hashes: getHashes, ciphers: getCiphers, curves: getCurves };

/** `node.crypto.list(which)` -> getHashes(), getCiphers() or getCurves(). */
const listOp: SyncOp = (_ctx, [which]) =>
  LISTS[oneOf(which, ['hashes', 'ciphers', 'curves'], 'list')]();

export const nodeCryptoSyncOps = {
  'node.crypto.hash': hashOp,
  'node.crypto.hmac': hmacOp,
  'node.crypto.randomBytes': randomBytesOp,
  'node.crypto.list': listOp,
  ...kdfSyncOps,
  ...signSyncOps,
  ...cipherSyncOps,
};
export const nodeCryptoAsyncOps = { ...kdfAsyncOps, ...signAsyncOps };

import { type CipherGCM, createCipheriv, createDecipheriv, type DecipherGCM } from 'node:crypto';
import { boolean, bytes, exact, id, oneOf, own, typeError } from './args.ts';
import { codedError, int, MAX_INPUT_BYTES, name, nodeOp, options } from './node-crypto-args.ts';
import type { IsolateState, SyncOp } from './types.ts';

// createCipheriv/createDecipheriv: Node's cipher objects, kept per isolate under ids, so
// `update` returns its output at once as Node's does (a GCM stream is not all held until
// `final`). A cipher leaves the table at `final` or when the isolate's object is garbage-
// collected (the isolate reports those ids, as it does for CryptoKeys).

/** Ciphers open at once in one isolate (each holds a few hundred bytes of OpenSSL state). */
export const MAX_CIPHERS = 1024;

type Cipher = CipherGCM | DecipherGCM;

interface Table {
  open: Map<number, { cipher: Cipher; decipher: boolean }>;
  next: number;
}

function table(isolate: IsolateState): Table {
  let t = isolate.slots.get('node.crypto.ciphers') as Table | undefined;
  if (t === undefined) {
    t = { open: new Map(), next: 1 };
    isolate.slots.set('node.crypto.ciphers', t);
  }
  return t;
}

function entry(isolate: IsolateState, v: unknown) {
  const found = table(isolate).open.get(id(v, 'cipher'));
  if (found === undefined) {
    throw codedError('Error', 'ERR_CRYPTO_INVALID_STATE', 'Invalid state for operation final');
  }
  return found;
}

function buffer(v: unknown, what: string): Buffer {
  const b = bytes(v, what, MAX_INPUT_BYTES);
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

/** `node.crypto.cipherOpen(decipher, algorithm, key, iv|null, options)` -> an id. */
const openOp: SyncOp = nodeOp((ctx, [decipher, algorithm, key, iv, opts]) => {
  const t = table(ctx.isolate);
  if (t.open.size >= MAX_CIPHERS) {
    throw codedError(
      'RangeError',
      'ERR_CRYPTO_TOO_MANY_CIPHERS',
      `a function can have at most ${MAX_CIPHERS} ciphers in use at once; finish them with final()`,
    );
  }
  const o = options(opts, 'options');
  const cipherOptions: { authTagLength?: number } = {};
  const tagLength = own(o, 'authTagLength');
  if (tagLength !== undefined) cipherOptions.authTagLength = int(tagLength, 'authTagLength', 1, 64);
  const make = (boolean(decipher, 'decipher') ? createDecipheriv : createCipheriv) as (
    algorithm: string,
    key: Buffer,
    iv: Buffer | null,
    options: { authTagLength?: number },
  ) => Cipher;
  const cipher = make(
    name(algorithm, 'algorithm'),
    buffer(key, 'key'),
    iv === null ? null : buffer(iv, 'iv'),
    cipherOptions,
  );
  const cipherId = t.next++;
  t.open.set(cipherId, { cipher, decipher: decipher === true });
  return cipherId;
});

/** `node.crypto.cipherUpdate(id, data)` -> output so far. */
const updateOp: SyncOp = nodeOp((ctx, [cipherId, data]) =>
  exact(entry(ctx.isolate, cipherId).cipher.update(buffer(data, 'data'))),
);

/** `node.crypto.cipherFinal(id)` -> [output, authTag|null]; the cipher is done. */
const finalOp: SyncOp = nodeOp((ctx, [cipherId]) => {
  const e = entry(ctx.isolate, cipherId);
  table(ctx.isolate).open.delete(cipherId as number);
  const out = exact(e.cipher.final());
  let tag: Uint8Array | null = null;
  if (!e.decipher) {
    try {
      tag = exact((e.cipher as CipherGCM).getAuthTag());
    } catch {
      // not an authenticated mode
    }
  }
  return [out, tag];
});

/** `node.crypto.cipherSet(id, what, value, options)`: setAAD, setAuthTag, setAutoPadding. */
const setOp: SyncOp = nodeOp((ctx, [cipherId, what, value, opts]) => {
  const { cipher } = entry(ctx.isolate, cipherId);
  switch (oneOf(what, ['aad', 'authTag', 'autoPadding'], 'what')) {
    case 'aad': {
      const length = own(options(opts, 'options'), 'plaintextLength');
      const aadOptions =
        length === undefined
          ? undefined
          : { plaintextLength: int(length, 'plaintextLength', 0, 2 ** 31 - 1) };
      (cipher as CipherGCM).setAAD(
        buffer(value, 'buffer'),
        aadOptions as { plaintextLength: number },
      );
      return undefined;
    }
    case 'authTag':
      (cipher as DecipherGCM).setAuthTag(buffer(value, 'buffer'));
      return undefined;
    default:
      cipher.setAutoPadding(boolean(value, 'autoPadding'));
      return undefined;
  }
});

/** `node.crypto.cipherRelease(ids)`: ciphers the isolate's garbage collector took. */
const releaseOp: SyncOp = (ctx, [ids]) => {
  if (!Array.isArray(ids) || ids.length > MAX_CIPHERS)
    typeError('ids must be a list of cipher ids');
  const t = table(ctx.isolate);
  for (const v of ids) if (typeof v === 'number') t.open.delete(v);
  return undefined;
};

export const cipherSyncOps = {
  'node.crypto.cipherOpen': openOp,
  'node.crypto.cipherUpdate': updateOp,
  'node.crypto.cipherFinal': finalOp,
  'node.crypto.cipherSet': setOp,
  'node.crypto.cipherRelease': releaseOp,
};

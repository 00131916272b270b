import {
  generateKeyPair,
  generateKeyPairSync,
  type KeyObject,
  privateDecrypt,
  privateEncrypt,
  publicDecrypt,
  publicEncrypt,
  type RsaPrivateKey,
  sign,
  verify,
} from 'node:crypto';
import { bytes, exact, oneOf, own } from './args.ts';
import { data, int, name, nodeError, nodeOp, options, withinDeadline } from './node-crypto-args.ts';
import { describe, exportKey, type KeyKind, resolveKey } from './node-crypto-keys.ts';
import { onLane } from './node-crypto-lane.ts';
import { rsaKeygenEstimate } from './node-crypto-work.ts';
import type { AsyncOp, HostOpContext, SyncOp } from './types.ts';

// Signatures, RSA encryption and key pairs of node:crypto. Keys arrive as the isolate's
// KeyObject material or as key input (node-crypto-keys.ts), and are parsed once per isolate.

/** RSA moduli up to this many bits may be generated (and only within the deadline). */
export const MAX_RSA_BITS = 8192;

const DSA_ENCODINGS = ['der', 'ieee-p1363'] as const;

function message(v: unknown, what: string): Buffer {
  const d = data(v, what);
  return typeof d === 'string' ? Buffer.from(d) : Buffer.from(d.buffer, d.byteOffset, d.byteLength);
}

/** The key and its options (padding, saltLength, dsaEncoding) as sign/verify take them. */
function signingKey(ctx: HostOpContext, key: unknown, want: KeyKind, opts: unknown) {
  const o = options(opts, 'options');
  const input: {
    key: KeyObject;
    padding?: number;
    saltLength?: number;
    dsaEncoding?: 'der' | 'ieee-p1363';
  } = {
    key: resolveKey(ctx.isolate, key, want).key,
  };
  const padding = own(o, 'padding');
  if (padding !== undefined) input.padding = int(padding, 'padding', 0, 16);
  const saltLength = own(o, 'saltLength');
  if (saltLength !== undefined) input.saltLength = int(saltLength, 'saltLength', -3, 2 ** 16);
  const dsaEncoding = own(o, 'dsaEncoding');
  if (dsaEncoding !== undefined)
    input.dsaEncoding = oneOf(dsaEncoding, DSA_ENCODINGS, 'dsaEncoding');
  return input;
}

function digestName(v: unknown): string | null {
  return v === null || v === undefined ? null : name(v, 'algorithm');
}

/** `node.crypto.sign(algorithm|null, data, key, options)` -> the signature. */
const signOp: SyncOp = nodeOp((ctx, [alg, d, key, opts]) =>
  exact(sign(digestName(alg), message(d, 'data'), signingKey(ctx, key, 'private', opts))),
);

/** `node.crypto.verify(algorithm|null, data, key, signature, options)` -> boolean. */
const verifyOp: SyncOp = nodeOp((ctx, [alg, d, key, signature, opts]) =>
  verify(
    digestName(alg),
    message(d, 'data'),
    signingKey(ctx, key, 'public', opts),
    bytes(signature, 'signature'),
  ),
);

const RSA_CIPHERS = {
  publicEncrypt: [publicEncrypt, 'public'],
  privateDecrypt: [privateDecrypt, 'private'],
  privateEncrypt: [privateEncrypt, 'private'],
  publicDecrypt: [publicDecrypt, 'public'],
} as const;

/** `node.crypto.rsa(method, key, options, data)`: publicEncrypt and its three siblings. */
const rsaOp: SyncOp = nodeOp((ctx, [method, key, opts, d]) => {
  const [run, want] =
    RSA_CIPHERS[oneOf(method, Object.keys(RSA_CIPHERS) as (keyof typeof RSA_CIPHERS)[], 'method')];
  const o = options(opts, 'options');
  const input: RsaPrivateKey & { oaepHash?: string; oaepLabel?: Buffer } = {
    key: resolveKey(ctx.isolate, key, want).key as unknown as string,
  };
  const padding = own(o, 'padding');
  if (padding !== undefined) input.padding = int(padding, 'padding', 0, 16);
  const oaepHash = own(o, 'oaepHash');
  if (oaepHash !== undefined) input.oaepHash = name(oaepHash, 'oaepHash');
  const oaepLabel = own(o, 'oaepLabel');
  if (oaepLabel !== undefined) input.oaepLabel = message(oaepLabel, 'oaepLabel');
  return exact(run(input, message(d, 'buffer')));
});

/** `node.crypto.key(ref, kind)` -> the descriptor of createPrivateKey/createPublicKey's result. */
const keyOp: SyncOp = nodeOp((ctx, [ref, kind]) =>
  describe(resolveKey(ctx.isolate, ref, oneOf(kind, ['public', 'private'], 'kind'))),
);

/** `node.crypto.keyExport(ref, kind, options)` -> PEM text, DER bytes or a JWK. */
const keyExportOp: SyncOp = nodeOp((ctx, [ref, kind, opts]) =>
  exportKey(resolveKey(ctx.isolate, ref, oneOf(kind, ['public', 'private'], 'kind')), opts),
);

const KEY_TYPES = ['rsa', 'rsa-pss', 'ec', 'ed25519', 'ed448', 'x25519', 'x448'] as const;
type PairType = (typeof KEY_TYPES)[number];

/** generateKeyPair's type and options, rebuilt, with its estimated milliseconds. */
function pairArgs(
  type: unknown,
  opts: unknown,
): [PairType, Record<string, unknown>, { ms: number; what: string }] {
  const t = oneOf(type, KEY_TYPES, 'type');
  const o = options(opts, 'options');
  const out: Record<string, unknown> = {};
  // Curves and Edwards keys take well under a millisecond.
  let work = { ms: 1, what: `generating a ${t} key` };
  if (t === 'rsa' || t === 'rsa-pss') {
    const bits = int(own(o, 'modulusLength'), 'options.modulusLength', 512, MAX_RSA_BITS);
    out.modulusLength = bits;
    const e = own(o, 'publicExponent');
    if (e !== undefined) out.publicExponent = int(e, 'options.publicExponent', 3, 2 ** 32 - 1);
    for (const field of ['hashAlgorithm', 'mgf1HashAlgorithm', 'hash', 'mgf1Hash']) {
      const v = own(o, field);
      if (v !== undefined) out[field] = name(v, `options.${field}`);
    }
    const saltLength = own(o, 'saltLength');
    if (saltLength !== undefined)
      out.saltLength = int(saltLength, 'options.saltLength', 0, 2 ** 16);
    work = { ms: rsaKeygenEstimate(bits), what: `generating a ${bits}-bit RSA key` };
  } else if (t === 'ec') {
    out.namedCurve = name(own(o, 'namedCurve'), 'options.namedCurve');
    const enc = own(o, 'paramEncoding');
    if (enc !== undefined)
      out.paramEncoding = oneOf(enc, ['named', 'explicit'], 'options.paramEncoding');
  }
  return [t, out, work];
}

function pair(made: { publicKey: KeyObject; privateKey: KeyObject }) {
  return {
    publicKey: describe({ key: made.publicKey }),
    privateKey: describe({ key: made.privateKey }),
  };
}

/** `node.crypto.generateKeyPair(type, options)` -> {publicKey, privateKey} descriptors. */
const generateOp: SyncOp = nodeOp((ctx, [type, opts]) => {
  const [t, o, work] = pairArgs(type, opts);
  withinDeadline(ctx, work.ms, work.what);
  return pair(generateKeyPairSync(t as 'rsa', o as { modulusLength: number }));
});

/** On the key-derivation lane (node-crypto-lane.ts): RSA key generation cannot be stopped. */
const generateAsync: AsyncOp = async (ctx, [type, opts], signal) => {
  try {
    const [t, o, work] = pairArgs(type, opts);
    const made = await onLane<{ publicKey: KeyObject; privateKey: KeyObject }>(
      ctx,
      signal,
      work.ms,
      work.what,
      (done) =>
        generateKeyPair(t as 'rsa', o as { modulusLength: number }, (err, publicKey, privateKey) =>
          done(err, { publicKey, privateKey }),
        ),
    );
    return pair(made);
  } catch (e) {
    throw nodeError(e);
  }
};

export const signSyncOps = {
  'node.crypto.sign': signOp,
  'node.crypto.verify': verifyOp,
  'node.crypto.rsa': rsaOp,
  'node.crypto.key': keyOp,
  'node.crypto.keyExport': keyExportOp,
  'node.crypto.generateKeyPair': generateOp,
};
export const signAsyncOps = { 'node.crypto.generateKeyPair': generateAsync };

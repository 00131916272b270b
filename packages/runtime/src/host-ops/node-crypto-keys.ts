import {
  createPrivateKey,
  createPublicKey,
  type KeyExportOptions,
  type KeyObject,
  type PrivateKeyInput,
  type PublicKeyInput,
} from 'node:crypto';
import { exact, isPlainObject, oneOf, own, typeError } from './args.ts';
import { jsonWebKey, jsonWebKeyCopy } from './crypto-algorithm.ts';
import { codedError, data, name, options } from './node-crypto-args.ts';
import type { IsolateState } from './types.ts';

// node:crypto's asymmetric KeyObjects. The isolate's KeyObject holds the key's material
// (DER: SPKI for a public key, PKCS#8 for a private one) and what Node reports about it;
// the host holds nothing the isolate would need a handle for. Parsing a key costs tens of
// microseconds (an RSA private key more), so each isolate keeps its recently used keys
// parsed, by their material: a JWT signer that passes the same PEM or KeyObject on every
// call parses it once.

/** Parsed keys kept per isolate. */
export const KEY_CACHE_SIZE = 64;
/** A key's text or bytes, at most (an RSA-16384 private key in PEM is about 12 KB). */
const MAX_KEY_BYTES = 64 * 1024;

export type KeyKind = 'public' | 'private';

/** What the isolate's KeyObject is made from. */
export interface KeyDescriptor {
  type: KeyKind;
  asymmetricKeyType: string;
  /** asymmetricKeyDetails, with publicExponent as a decimal string (made a bigint there). */
  details: Record<string, string | number>;
  der: Uint8Array;
}

interface Entry {
  key: KeyObject;
  descriptor?: KeyDescriptor;
}

const SLOT = 'node.crypto.keys';

function cache(isolate: IsolateState): Map<string, Entry> {
  let c = isolate.slots.get(SLOT) as Map<string, Entry> | undefined;
  if (c === undefined) {
    c = new Map();
    isolate.slots.set(SLOT, c);
  }
  return c;
}

function remember(c: Map<string, Entry>, id: string, entry: Entry): Entry {
  c.set(id, entry);
  if (c.size > KEY_CACHE_SIZE) c.delete(c.keys().next().value as string);
  return entry;
}

function keyBytes(v: unknown, what: string): Buffer {
  const d = data(v, what);
  if (d.length > MAX_KEY_BYTES) typeError(`${what} is larger than ${MAX_KEY_BYTES} bytes`);
  return typeof d === 'string' ? Buffer.from(d) : Buffer.from(d.buffer, d.byteOffset, d.byteLength);
}

/**
 * The input of createPrivateKey/createPublicKey, rebuilt field by field: `key` (PEM text,
 * DER bytes or a JWK), `format`, `type`, `passphrase`.
 */
function keyInput(ref: Record<string, unknown>): Record<string, unknown> {
  const format = oneOf(own(ref, 'format') ?? 'pem', ['pem', 'der', 'jwk'], 'format');
  const key = own(ref, 'key');
  if (format === 'jwk') return { key: jsonWebKey(key) as object, format };
  const input: Record<string, unknown> = {
    key: typeof key === 'string' && format === 'pem' ? key : keyBytes(key, 'key'),
    format,
  };
  if (typeof input.key === 'string' && input.key.length > MAX_KEY_BYTES)
    typeError('key is too large');
  const type = own(ref, 'type');
  if (type !== undefined) input.type = oneOf(type, ['pkcs1', 'spki', 'pkcs8', 'sec1'], 'type');
  const passphrase = own(ref, 'passphrase');
  if (passphrase !== undefined) input.passphrase = keyBytes(passphrase, 'passphrase');
  return input;
}

/** The cache's name for a key reference: its kind, its material or its input. */
function cacheId(want: KeyKind, ref: Record<string, unknown>): string | undefined {
  const der = own(ref, 'der');
  const of = own(ref, 'of');
  if (der !== undefined) return `${want}<${String(of)}:${keyBytes(der, 'der').toString('latin1')}`;
  if (own(ref, 'passphrase') !== undefined) return undefined; // not worth holding secrets for
  const key = own(ref, 'key');
  const how = `${String(own(ref, 'format'))}/${String(own(ref, 'type'))}`;
  if (typeof key === 'string') return `${want}<${how}:s:${key}`;
  if (isPlainObject(key)) return `${want}<${how}:j:${JSON.stringify(jsonWebKey(key))}`;
  return `${want}<${how}:b:${keyBytes(key, 'key').toString('latin1')}`;
}

function parse(want: KeyKind, ref: Record<string, unknown>): KeyObject {
  const der = own(ref, 'der');
  if (der !== undefined) {
    const of = oneOf(own(ref, 'of'), ['public', 'private'], 'of');
    if (of === 'public' && want === 'private') {
      throw codedError(
        'TypeError',
        'ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE',
        'Invalid key object type public, expected private.',
      );
    }
    const bytes = keyBytes(der, 'der');
    const key =
      of === 'private'
        ? createPrivateKey({ key: bytes, format: 'der', type: 'pkcs8' })
        : createPublicKey({ key: bytes, format: 'der', type: 'spki' });
    return want === 'public' && of === 'private' ? createPublicKey(key) : key;
  }
  const input = keyInput(ref);
  return want === 'private'
    ? createPrivateKey(input as unknown as PrivateKeyInput)
    : createPublicKey(input as unknown as PublicKeyInput);
}

/**
 * The KeyObject `ref` names, as a key of kind `want`: `{der, of}` (a KeyObject's material;
 * a private key's public half when `want` is public) or a key input (`{key, format, type,
 * passphrase}`, as createPrivateKey takes it).
 */
export function resolveKey(isolate: IsolateState, v: unknown, want: KeyKind): Entry {
  if (!isPlainObject(v)) return typeError('key must be a key object or key input');
  const c = cache(isolate);
  const id = cacheId(want, v);
  const found = id === undefined ? undefined : c.get(id);
  if (found !== undefined) {
    c.delete(id as string);
    c.set(id as string, found);
    return found;
  }
  const entry = { key: parse(want, v) };
  return id === undefined ? entry : remember(c, id, entry);
}

/** What the isolate's KeyObject is made from (computed once per cached key). */
export function describe(entry: Entry): KeyDescriptor {
  if (entry.descriptor) return entry.descriptor;
  const key = entry.key;
  const type = key.type as KeyKind;
  const der = key.export({ format: 'der', type: type === 'private' ? 'pkcs8' : 'spki' });
  const details: Record<string, string | number> = {};
  for (const [k, value] of Object.entries(key.asymmetricKeyDetails ?? {})) {
    if (typeof value === 'number' || typeof value === 'string') details[k] = value;
    else if (typeof value === 'bigint') details[k] = value.toString();
  }
  entry.descriptor = {
    type,
    asymmetricKeyType: key.asymmetricKeyType ?? '',
    details,
    der: exact(der),
  };
  return entry.descriptor;
}

/** key.export(options): PEM text, DER bytes or a JWK. */
export function exportKey(entry: Entry, v: unknown): unknown {
  const o = options(v, 'options');
  const format = oneOf(own(o, 'format') ?? 'pem', ['pem', 'der', 'jwk'], 'format');
  if (format === 'jwk') return jsonWebKeyCopy(entry.key.export({ format: 'jwk' }));
  const out: Record<string, unknown> = { format };
  const type = own(o, 'type');
  if (type !== undefined)
    out.type = oneOf(type, ['pkcs1', 'spki', 'pkcs8', 'sec1'], 'type') as 'pkcs1';
  const cipher = own(o, 'cipher');
  if (cipher !== undefined) out.cipher = name(cipher, 'cipher');
  const passphrase = own(o, 'passphrase');
  if (passphrase !== undefined) out.passphrase = keyBytes(passphrase, 'passphrase');
  const result = entry.key.export(out as unknown as KeyExportOptions<'pem'>);
  return typeof result === 'string' ? result : exact(result);
}

import type { webcrypto } from 'node:crypto';
import { bytes, isPlainObject, own, typeError } from './args.ts';
import { keyById, type keyTable } from './crypto-keys.ts';
import { HostOpError } from './types.ts';

// Algorithm dictionaries and JSON Web Keys from the isolate, rebuilt field by field before
// Node's WebCrypto sees them: only the members WebCrypto defines for the algorithms we
// offer, each of the type it must have. Node then validates values as the standard says.

type Table = ReturnType<typeof keyTable>;

/** The algorithms of the platform (docs/functions.md), by lower-case name. */
const NAMES = new Set(
  [
    'SHA-1',
    'SHA-256',
    'SHA-384',
    'SHA-512',
    'HMAC',
    'RSASSA-PKCS1-v1_5',
    'RSA-PSS',
    'RSA-OAEP',
    'ECDSA',
    'ECDH',
    'Ed25519',
    'X25519',
    'AES-GCM',
    'AES-CBC',
    'AES-CTR',
    'AES-KW',
    'PBKDF2',
    'HKDF',
  ].map((n) => n.toLowerCase()),
);
const HASHES = new Set(['sha-1', 'sha-256', 'sha-384', 'sha-512']);

const BYTE_FIELDS = ['iv', 'additionalData', 'counter', 'label', 'salt', 'info', 'publicExponent'];
/** Left for Node's WebIDL conversions (a string length converts as WebIDL says). */
const PRIMITIVE_FIELDS = ['length', 'tagLength', 'saltLength', 'iterations', 'namedCurve'];

/**
 * Work the sandbox's thread pool could not stop: past these an operation is refused. An
 * RSA key of 8192 bits takes seconds to generate, PBKDF2 costs its iterations times the
 * blocks asked for, and the deadline of an invocation cannot end either once started.
 */
export const LIMITS = { modulusLength: 4096, iterations: 1_000_000, deriveBits: 1 << 20 };

function notSupported(message: string): never {
  throw new HostOpError('NotSupportedError', message);
}

function isPrimitive(v: unknown): boolean {
  return v === null || (typeof v !== 'object' && typeof v !== 'function');
}

function algorithmName(v: unknown, names: Set<string>): string {
  if (typeof v !== 'string') return typeError('Algorithm name must be a string');
  if (!names.has(v.toLowerCase())) notSupported('Unrecognized algorithm name');
  return v;
}

function hashAlgorithm(v: unknown): { name: string } {
  if (typeof v === 'string') return { name: algorithmName(v, HASHES) };
  if (!isPlainObject(v)) return typeError('hash must be a string or an algorithm object');
  return { name: algorithmName(own(v, 'name'), HASHES) };
}

/** A copy of an algorithm identifier (a name or a dictionary) with known members only. */
export function algorithm(v: unknown, keys: Table): webcrypto.Algorithm {
  if (typeof v === 'string') return { name: algorithmName(v, NAMES) };
  if (!isPlainObject(v)) return typeError('Algorithm must be a string or an object');
  const out: Record<string, unknown> = { name: algorithmName(own(v, 'name'), NAMES) };
  for (const field of BYTE_FIELDS) {
    const x = own(v, field);
    if (x !== undefined) out[field] = bytes(x, `algorithm.${field}`);
  }
  for (const field of PRIMITIVE_FIELDS) {
    const x = own(v, field);
    if (x === undefined) continue;
    if (!isPrimitive(x)) typeError(`algorithm.${field} has the wrong type`);
    out[field] = x;
  }
  const modulusLength = own(v, 'modulusLength');
  if (modulusLength !== undefined) {
    if (typeof modulusLength !== 'number') typeError('algorithm.modulusLength must be a number');
    if (modulusLength > LIMITS.modulusLength) {
      notSupported(`RSA keys of more than ${LIMITS.modulusLength} bits are not supported here`);
    }
    out.modulusLength = modulusLength;
  }
  const iterations = out.iterations;
  if (typeof iterations === 'number' && iterations > LIMITS.iterations) {
    notSupported(`PBKDF2 with more than ${LIMITS.iterations} iterations is not supported here`);
  }
  const hash = own(v, 'hash');
  if (hash !== undefined) out.hash = hashAlgorithm(hash);
  const pub = own(v, 'public');
  if (pub !== undefined) out.public = keyById(keys, pub, 'algorithm.public');
  return out as unknown as webcrypto.Algorithm;
}

/** The optional `length` of deriveBits: null, undefined or a bounded number of bits. */
export function bitLength(v: unknown): number | null | undefined {
  if (v === null || v === undefined) return v;
  if (typeof v !== 'number') return typeError('length must be a number');
  if (v > LIMITS.deriveBits) {
    throw new HostOpError('OperationError', `length must be at most ${LIMITS.deriveBits} bits`);
  }
  return v;
}

const JWK_STRINGS = ['kty', 'use', 'alg', 'crv', 'x', 'y', 'd', 'n', 'e', 'p', 'q'] as const;
const JWK_MORE_STRINGS = ['dp', 'dq', 'qi', 'k'] as const;

function stringList(v: unknown, what: string, max: number): string[] {
  if (!Array.isArray(v) || v.length > max) return typeError(`${what} must be a list of strings`);
  return v.map((s) => (typeof s === 'string' ? s : typeError(`${what} must be a list of strings`)));
}

/** A copy of a JSON Web Key with the members WebCrypto reads, each a string (or list). */
export function jsonWebKey(v: unknown): webcrypto.JsonWebKey {
  if (!isPlainObject(v)) throw new HostOpError('DataError', 'Invalid keyData');
  const out: Record<string, unknown> = {};
  for (const field of [...JWK_STRINGS, ...JWK_MORE_STRINGS]) {
    const x = own(v, field);
    if (x === undefined) continue;
    if (typeof x !== 'string') typeError(`JWK member ${field} must be a string`);
    out[field] = x;
  }
  const ext = own(v, 'ext');
  if (ext !== undefined) {
    if (typeof ext !== 'boolean') typeError('JWK member ext must be a boolean');
    out.ext = ext;
  }
  const ops = own(v, 'key_ops');
  if (ops !== undefined) out.key_ops = stringList(ops, 'JWK member key_ops', 16);
  const oth = own(v, 'oth');
  if (oth !== undefined) {
    if (!Array.isArray(oth) || oth.length > 16) typeError('JWK member oth must be a list');
    out.oth = oth.map((o) => {
      if (!isPlainObject(o)) return typeError('JWK member oth must be a list of objects');
      const copy: Record<string, string> = {};
      for (const f of ['r', 'd', 't']) {
        const s = own(o, f);
        if (typeof s === 'string') copy[f] = s;
      }
      return copy;
    });
  }
  return out as webcrypto.JsonWebKey;
}

/** A JSON Web Key Node exported, as a plain copy of strings, booleans and string lists. */
export function jsonWebKeyCopy(jwk: webcrypto.JsonWebKey): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(jwk)) {
    if (typeof v === 'string' || typeof v === 'boolean') out[k] = v;
    else if (Array.isArray(v)) out[k] = v.filter((s) => typeof s === 'string');
  }
  return out;
}

/** Key usages: a short list of strings (Node checks each is a usage). */
export function usages(v: unknown): webcrypto.KeyUsage[] {
  return stringList(v, 'keyUsages', 16) as webcrypto.KeyUsage[];
}

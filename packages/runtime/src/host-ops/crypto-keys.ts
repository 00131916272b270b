import type { webcrypto } from 'node:crypto';
import { exact, id, isPlainObject, typeError } from './args.ts';
import { HostOpError, type IsolateState } from './types.ts';

type CryptoKey = webcrypto.CryptoKey;

/**
 * Keys alive in one isolate at most. A key cannot cross into an isolate, so the isolate's
 * `CryptoKey` holds an id into this table; ids are released when the isolate's object is
 * garbage-collected, and the table goes with the isolate.
 */
export const MAX_KEYS = 10_000;

/** What the isolate's `CryptoKey` is built from. */
export interface KeyDescriptor {
  id: number;
  type: string;
  extractable: boolean;
  algorithm: Record<string, unknown>;
  usages: string[];
}

interface KeyTable {
  keys: Map<number, CryptoKey>;
  next: number;
}

const SLOT = 'crypto.keys';

export function keyTable(isolate: IsolateState): KeyTable {
  let table = isolate.slots.get(SLOT) as KeyTable | undefined;
  if (table === undefined) {
    table = { keys: new Map(), next: 1 };
    isolate.slots.set(SLOT, table);
  }
  return table;
}

/** Throws unless `count` more keys fit (checked before the work that would make them). */
export function ensureRoom(table: KeyTable, count: number): void {
  if (table.keys.size + count > MAX_KEYS) {
    throw new HostOpError(
      'QuotaExceededError',
      `a function can hold at most ${MAX_KEYS} CryptoKeys at once; drop the ones it no longer uses`,
    );
  }
}

/** The key behind an id the isolate passed; only ids of this isolate's table resolve. */
export function keyById(table: KeyTable, v: unknown, what: string): CryptoKey {
  const key = table.keys.get(id(v, what));
  if (key === undefined) return typeError(`${what} is not a CryptoKey of this function`);
  return key;
}

export function addKey(table: KeyTable, key: CryptoKey): KeyDescriptor {
  ensureRoom(table, 1);
  const keyId = table.next++;
  table.keys.set(keyId, key);
  return {
    id: keyId,
    type: key.type,
    extractable: key.extractable,
    algorithm: algorithmCopy(key.algorithm),
    usages: [...key.usages],
  };
}

export function releaseKeys(table: KeyTable, ids: unknown): void {
  if (!Array.isArray(ids) || ids.length > MAX_KEYS) typeError('ids must be an array of key ids');
  for (const v of ids) if (typeof v === 'number') table.keys.delete(v);
}

/** A plain copy of a key's algorithm as Node reports it: named fields only. */
function algorithmCopy(alg: webcrypto.KeyAlgorithm): Record<string, unknown> {
  const src = alg as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = { name: src.name };
  for (const field of ['length', 'modulusLength', 'namedCurve'] as const) {
    const v = src[field];
    if (typeof v === 'number' || typeof v === 'string') out[field] = v;
  }
  if (ArrayBuffer.isView(src.publicExponent)) out.publicExponent = exact(src.publicExponent);
  if (isPlainObject(src.hash) && typeof src.hash.name === 'string') {
    out.hash = { name: src.hash.name };
  }
  return out;
}

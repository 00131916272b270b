import { HostOpError } from './types.ts';

// Checks for the arguments of host operations. They were copied out of the isolate, so they
// hold no getters or proxies, but any value of any shape may arrive: nothing is assumed.

const { hasOwn } = Object;

/** Throws a TypeError in the isolate: the message names what was wrong. */
export function typeError(message: string): never {
  throw new HostOpError('TypeError', message);
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** `obj[key]` if it is an own property, else undefined (never an inherited value). */
export function own(obj: Record<string, unknown>, key: string): unknown {
  return hasOwn(obj, key) ? obj[key] : undefined;
}

export function string(v: unknown, what: string, maxLength = Number.POSITIVE_INFINITY): string {
  if (typeof v !== 'string') typeError(`${what} must be a string`);
  if (v.length > maxLength) typeError(`${what} is longer than ${maxLength} characters`);
  return v;
}

export function boolean(v: unknown, what: string): boolean {
  if (typeof v !== 'boolean') typeError(`${what} must be a boolean`);
  return v;
}

/** An integer id as handed out by one of our tables. */
export function id(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0)
    typeError(`${what} is not valid`);
  return v;
}

/** One of `choices`, exactly. */
export function oneOf<T extends string>(v: unknown, choices: readonly T[], what: string): T {
  if (typeof v !== 'string' || !(choices as readonly string[]).includes(v)) {
    typeError(`${what} must be one of ${choices.join(', ')}`);
  }
  return v as T;
}

/** Bytes of an ArrayBuffer or a view, as a Uint8Array over the same memory (no copy). */
export function bytes(v: unknown, what: string, maxBytes = Number.POSITIVE_INFINITY): Uint8Array {
  let view: Uint8Array;
  if (v instanceof Uint8Array) view = v;
  else if (ArrayBuffer.isView(v)) view = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  else if (v instanceof ArrayBuffer) view = new Uint8Array(v);
  else return typeError(`${what} must be an ArrayBuffer or an ArrayBufferView`);
  if (view.byteLength > maxBytes) typeError(`${what} is larger than ${maxBytes} bytes`);
  return view;
}

/**
 * A copy of `view` in a Uint8Array of its own. Everything handed back to an isolate goes
 * through this: a view is copied with its whole ArrayBuffer, and Node's buffers may be
 * slices of a shared pool or of uninitialised memory holding other data of this process.
 */
export function exact(view: ArrayBufferView | ArrayBuffer): Uint8Array {
  const src =
    view instanceof ArrayBuffer
      ? new Uint8Array(view)
      : new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  const out = new Uint8Array(src.byteLength);
  out.set(src);
  return out;
}

/** A copy of `view` as an ArrayBuffer of its own: what WebCrypto's methods resolve with. */
export function exactBuffer(view: ArrayBufferView | ArrayBuffer): ArrayBuffer {
  return exact(view).buffer as ArrayBuffer;
}

/** The bytes of `chunks` joined in one Uint8Array of its own (see `exact`). */
export function joined(chunks: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

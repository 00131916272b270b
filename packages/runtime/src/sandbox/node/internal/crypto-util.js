// What node:crypto's and node:zlib's parts share: host calls whose errors look like Node's,
// bytes as the host wants them, and callbacks run later as Node runs them.
import { Buffer } from 'node:buffer';
import { wrapCallback } from '../../prelude/async-context.js';
import { host } from '../../prelude/host-access.js';
import { ERR_INVALID_ARG_TYPE } from './errors.js';

const CODED = /^\[([A-Z0-9_]+)\] /;

/** A host error as Node would have thrown it: its class, and `code` when Node gives one. */
export function nodeErrorOf(e) {
  if (!(e instanceof Error) && !(typeof e === 'object' && e !== null && 'message' in e)) return e;
  const name = e.name;
  if (name === 'AbortError') return e;
  let message = String(e.message);
  let code;
  const m = CODED.exec(message);
  if (m) {
    code = m[1];
    message = message.slice(m[0].length);
  }
  const Ctor = name === 'TypeError' ? TypeError : name === 'RangeError' ? RangeError : Error;
  const err = new Ctor(message);
  if (code !== undefined) err.code = code;
  return err;
}

/** `host().call(op, …)`; Node's errors thrown as Node throws them. */
export function call(op, a, b, c, d, e) {
  try {
    return host().call(op, a, b, c, d, e);
  } catch (err) {
    throw nodeErrorOf(err);
  }
}

/** The asynchronous form: a promise of the result. */
export function start(op, args) {
  return host()
    .start(op, args)
    .then(undefined, (err) => {
      throw nodeErrorOf(err);
    });
}

/** Runs `callback(err, value)` later, as Node runs a crypto or zlib callback. */
export function later(callback, err, value) {
  const run = wrapCallback(callback);
  Promise.resolve().then(() => {
    try {
      if (err) run(err);
      else run(null, value);
    } catch (e) {
      host().reportError(e);
    }
  });
}

/**
 * `run()`'s value; given a callback instead, its value or error handed to the callback on a
 * later tick (Node's sign and verify take an optional one).
 */
export function returnOrCallBack(run, callback) {
  if (typeof callback !== 'function') return run();
  let out;
  try {
    out = run();
  } catch (e) {
    return later(callback, e);
  }
  later(callback, null, out);
}

/** Settles Node's callback from a promise (the asynchronous forms). */
export function settle(promise, callback) {
  const run = wrapCallback(callback);
  promise.then(
    (value) => report(() => run(null, value)),
    (err) => report(() => run(err)),
  );
}

function report(f) {
  try {
    f();
  } catch (e) {
    host().reportError(e);
  }
}

export function isView(v) {
  return ArrayBuffer.isView(v);
}

/** A copy of `v`'s bytes (a view of a larger buffer would otherwise cross whole). */
export function copyOf(v) {
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength).slice();
}

/**
 * The longest string handed to the host as a string. What crosses is a flat copy: a longer
 * one (maybe a rope of one piece repeated, small in the isolate) is encoded here first, so
 * the isolate's own memory limit bounds it, not the sandbox's.
 */
const HOST_STRING_CHARS = 64 * 1024;

/**
 * `data` as the host takes it: a UTF-8 string as is, other strings encoded, views copied.
 * `types` names what Node accepts in its error.
 */
export function input(
  data,
  encoding,
  name = 'data',
  types = ['string', 'Buffer', 'TypedArray', 'DataView'],
) {
  if (typeof data === 'string') {
    const utf8 =
      encoding === undefined ||
      encoding === 'utf8' ||
      encoding === 'utf-8' ||
      encoding === 'buffer';
    if (utf8 && data.length <= HOST_STRING_CHARS) return data;
    return copyOf(Buffer.from(data, utf8 ? 'utf8' : encoding));
  }
  if (ArrayBuffer.isView(data)) return copyOf(data);
  if (types.includes('ArrayBuffer') && data instanceof ArrayBuffer)
    return new Uint8Array(data).slice();
  throw ERR_INVALID_ARG_TYPE(name, types, data);
}

/** A Buffer over bytes the host returned (they are this isolate's own copy). */
export function toBuffer(u8) {
  return Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
}

/** Output as Node's `digest(encoding)`/`final(encoding)` gives it. */
export function encoded(u8, encoding) {
  const b = toBuffer(u8);
  return encoding === undefined || encoding === 'buffer' ? b : b.toString(encoding);
}

export function coded(Ctor, code, message) {
  const e = new Ctor(message);
  e.code = code;
  return e;
}

// The body of a Request or Response, as undici's body.js, with one difference that is not
// observable: a body made from a string, bytes, Blob, FormData or URLSearchParams keeps its
// bytes and makes its ReadableStream only when `body` is read, so `new Response('hi')` and
// reading it back cost no stream (and no stream code is evaluated).
//
// A body is null or { source, stream, used }: `source` the bytes (or the string they encode)
// when known, `stream` the ReadableStream once made, `used` set when read without a stream.

import { isDisturbed, isReadableStream, streams } from '../streams.js';
import {
  Blob,
  blobBytes,
  bytesStream,
  concatBytes,
  decodeUtf8,
  isArrayBuffer,
  isBlobValue,
  viewOf,
} from './blob-class.js';
import { formDataFrom, isFormData, serializeFormData } from './form-data-class.js';
import { parseMultipart } from './form-data-parser.js';
import { extractMimeType, serializeMimeType } from './mime.js';
import { platformClass, utf8 } from './platform.js';

const TypeErrorCtor = TypeError;
const empty = new Uint8Array(0);
const typedArrayTag = Object.getOwnPropertyDescriptor(
  Object.getPrototypeOf(Uint8Array.prototype),
  Symbol.toStringTag,
).get;
const isUint8Array = (value) => typedArrayTag.call(value) === 'Uint8Array';
const noop = () => {};
const resolved = Promise.resolve();

const unusableError = () => new TypeErrorCtor('Body is unusable: Body has already been read');

const isURLSearchParams = (value) =>
  typeof value === 'object' && value !== null && value instanceof platformClass('URLSearchParams');

const makeBody = (source, stream = null) => ({ source, stream, used: false });

/** undici's ReadableStreamFrom: a byte stream of what an async iterable yields. */
function streamFrom(iterable) {
  let iterator;
  return new (streams().ReadableStream)({
    type: 'bytes',
    start() {
      iterator = iterable[Symbol.asyncIterator]();
    },
    async pull(controller) {
      while (true) {
        const { done, value } = await iterator.next();
        if (done) {
          resolved.then(() => {
            controller.close();
            controller.byobRequest?.respond(0);
          });
          return;
        }
        const bytes = typeof value === 'string' ? utf8.encode(value) : viewOf(value).slice();
        if (bytes.length > 0) {
          controller.enqueue(bytes);
          return;
        }
      }
    },
    cancel() {
      return iterator.return?.();
    },
  });
}

/**
 * Fetch's "extract a body" of a BodyInit (after WebIDL conversion: anything else becomes a
 * string). Returns { body, type } with `type` the Content-Type it implies, or null.
 */
export function extractBody(object, keepalive = false) {
  if (typeof object === 'string') {
    return { body: makeBody(object.toWellFormed()), type: 'text/plain;charset=UTF-8' };
  }
  if (typeof object === 'object' && object !== null) {
    if (typeof object[Symbol.asyncIterator] === 'function') {
      if (keepalive) throw new TypeErrorCtor('keepalive');
      const stream = isReadableStream(object) ? object : streamFrom(object);
      if (isDisturbed(stream) || stream.locked) {
        throw new TypeErrorCtor('Response body object should not be disturbed or locked');
      }
      return { body: makeBody(null, stream), type: null };
    }
    if (isBlobValue(object))
      return { body: makeBody(blobBytes(object)), type: object.type || null };
    if (isArrayBuffer(object) || ArrayBuffer.isView(object)) {
      return { body: makeBody(viewOf(object).slice()), type: null };
    }
    if (isFormData(object)) {
      const { bytes, type } = serializeFormData(object);
      return { body: makeBody(bytes), type };
    }
    if (isURLSearchParams(object)) {
      return {
        body: makeBody(object.toString()),
        type: 'application/x-www-form-urlencoded;charset=UTF-8',
      };
    }
  }
  return { body: makeBody(String(object).toWellFormed()), type: 'text/plain;charset=UTF-8' };
}

/** A body over bytes (from the host, trusted and not shared). */
export const bytesBody = (bytes) => makeBody(bytes);

function sourceBytes(body) {
  if (typeof body.source === 'string') body.source = utf8.encode(body.source);
  return body.source;
}

/** The body's ReadableStream, made on first use. */
export function bodyStream(body) {
  if (body.stream === null) {
    body.stream = bytesStream(body.used ? empty : sourceBytes(body));
    if (body.used) {
      // read without a stream: this one looks read, as undici's would (locked, disturbed)
      body.stream.getReader().read().catch(noop);
    }
  }
  return body.stream;
}

export const bodyUsed = (body) =>
  body !== null && (body.stream === null ? body.used : isDisturbed(body.stream));

/** Fetch's "unusable": read, or its stream locked. */
export const bodyUnusable = (body) =>
  body !== null &&
  (body.stream === null ? body.used : body.stream.locked || isDisturbed(body.stream));

/** Fetch's "clone a body": the stream, if made, is teed; bytes are shared (never changed). */
export function cloneBody(body) {
  if (body.stream === null) return makeBody(body.source);
  const [out1, out2] = body.stream.tee();
  body.stream = out1;
  return makeBody(body.source, out2);
}

/** A body that reads the same bytes as `body`, which counts as read from then on. */
export function transferBody(body) {
  if (body.stream === null) {
    body.used = true;
    return makeBody(body.source);
  }
  const transform = new (streams().TransformStream)();
  body.stream.pipeThrough(transform);
  return makeBody(body.source, transform.readable);
}

/**
 * The bytes of a usable body (check bodyUnusable first) without waiting, when they are known and no one can have read
 * any of them; the body counts as read. Else undefined: the stream must be read.
 */
export function takeBytes(body) {
  if (body.source === null) return undefined;
  if (body.stream !== null) {
    if (body.stream.locked || isDisturbed(body.stream)) return undefined;
    body.stream.getReader().cancel().catch(noop);
  } else {
    body.used = true;
  }
  return sourceBytes(body);
}

/**
 * Bytes to hand the host: copied when they are a view into a larger buffer (a Blob
 * slice), since a copy across the boundary takes the whole buffer of a view.
 */
export const exactBytes = (bytes) =>
  bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();

/**
 * Reads a stream to its end: { bytes }, or { tooLarge: true } once more than `limit` bytes
 * came (the stream is then cancelled, so an endless one ends too).
 */
export async function readStream(stream, limit) {
  const reader = stream.getReader();
  const parts = [];
  let total = 0;
  while (true) {
    const { done, value } = await reader.read();
    if (done) {
      if (parts.length === 1) return { bytes: exactBytes(parts[0]) };
      return { bytes: parts.length === 0 ? empty : concatBytes(parts, total) };
    }
    if (!isUint8Array(value)) throw new TypeErrorCtor('Received non-Uint8Array chunk');
    total += value.length;
    if (total > limit) {
      reader.cancel().catch(noop);
      return { tooLarge: true };
    }
    parts.push(value);
  }
}

/** Fetch's "consume body": the bytes of a body (a null body has none), then `convert`. */
function consume(self, stateOf, convert) {
  let state;
  try {
    state = stateOf(self);
  } catch (e) {
    return Promise.reject(e);
  }
  const body = state.body;
  if (body !== null && bodyUnusable(body)) return Promise.reject(unusableError());
  const bytes = body === null ? empty : takeBytes(body);
  if (bytes !== undefined) {
    try {
      return Promise.resolve(convert(bytes, state));
    } catch (e) {
      return Promise.reject(e);
    }
  }
  return readStream(body.stream, Infinity).then((read) => convert(read.bytes, state));
}

function toFormData(bytes, state) {
  const mimeType = extractMimeType(state.headersList);
  if (mimeType !== 'failure') {
    if (mimeType.essence === 'multipart/form-data') {
      return formDataFrom(parseMultipart(bytes, mimeType));
    }
    if (mimeType.essence === 'application/x-www-form-urlencoded') {
      const entries = [];
      for (const [name, value] of new (platformClass('URLSearchParams'))(utf8.decode(bytes))) {
        entries.push({ name, value });
      }
      return formDataFrom(entries);
    }
  }
  throw new TypeErrorCtor(
    'Content-Type was not one of "multipart/form-data" or "application/x-www-form-urlencoded".',
  );
}

/** The `body` attribute: null, or the body's stream. */
export const bodyAttribute = (body) => (body === null ? null : bodyStream(body));

/**
 * Adds the Body mixin's read methods to `Class.prototype` (the classes define `body` and
 * `bodyUsed` with bodyAttribute and bodyUsed, in their WebIDL order).
 * `stateOf(object)` returns { body, headersList } or throws for what is not a `Class`.
 */
export function mixinBody(Class, stateOf) {
  const methods = {
    blob() {
      return consume(this, stateOf, (bytes, state) => {
        const mimeType = extractMimeType(state.headersList);
        return new Blob([bytes], {
          type: mimeType === 'failure' ? '' : serializeMimeType(mimeType),
        });
      });
    },
    arrayBuffer() {
      return consume(this, stateOf, (bytes) => bytes.slice().buffer);
    },
    text() {
      return consume(this, stateOf, decodeUtf8);
    },
    json() {
      return consume(this, stateOf, (bytes) => JSON.parse(decodeUtf8(bytes)));
    },
    formData() {
      return consume(this, stateOf, toFormData);
    },
    bytes() {
      return consume(this, stateOf, (bytes) => bytes.slice());
    },
  };
  const proto = Class.prototype;
  for (const key of ['blob', 'arrayBuffer', 'text', 'json', 'formData', 'bytes']) {
    Object.defineProperty(proto, key, {
      value: methods[key],
      writable: true,
      enumerable: true,
      configurable: true,
    });
  }
}

export { unusableError };

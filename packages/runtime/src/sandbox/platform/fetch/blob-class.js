// biome-ignore-all lint/complexity/noArguments: WebIDL checks how many arguments were given, and the functions keep Node's `length`
// Blob and File as Node 24 has them (lib/internal/blob.js, lib/internal/file.js): bytes held
// in the isolate, immutable, so slices and copies share them.
import { streams } from '../streams.js';
import { utf8 } from './platform.js';

const TypeErrorCtor = TypeError;
const { max, min } = Math;
const { defineProperty, defineProperties } = Object;
const abByteLength = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'byteLength').get;
const isView = ArrayBuffer.isView;
const disallowedType = /[^\u0020-\u007E]/;
const lineEndings = /\r\n|\r|\n/g;
const empty = new Uint8Array(0);

const illegal = (name) => new TypeErrorCtor(`Value of "this" must be of type ${name}`);

/** Node's type normalisation: lower case, or '' when a character is outside U+0020–U+007E. */
function normaliseType(type) {
  const s = `${type}`;
  return disallowedType.test(s) ? '' : s.toLowerCase();
}

export function isArrayBuffer(value) {
  try {
    abByteLength.call(value);
    return true;
  } catch {
    return false;
  }
}

/** The bytes of a BufferSource (ArrayBuffer or view), as a view sharing its memory. */
export function viewOf(source) {
  if (isView(source)) return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  return new Uint8Array(source);
}

/** Concatenates byte arrays; one array comes back as it is. */
export function concatBytes(parts, total) {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

let bytesOf;
let isBlob;
let isFile;

/** The bytes of a Blob of ours, not copied (a Blob never changes them). */
export const blobBytes = (blob) => bytesOf(blob);
/** Whether `value` is a Blob (or File) of ours. */
export const isBlobValue = (value) => isBlob(value);
/** Whether `value` is a File of ours. */
export const isFileValue = (value) => isFile(value);

function partBytes(part, endings) {
  if (isBlob(part)) return bytesOf(part);
  if (isArrayBuffer(part) || isView(part)) return viewOf(part).slice();
  let s = `${part}`;
  if (endings === 'native') s = s.replace(lineEndings, '\n');
  return utf8.encode(s);
}

function checkOptions(options) {
  if (options != null && typeof options !== 'object' && typeof options !== 'function') {
    throw new TypeErrorCtor('The "options" argument must be of type object.');
  }
}

export class Blob {
  #bytes;
  #type;

  static {
    bytesOf = (blob) => blob.#bytes;
    isBlob = (value) => typeof value === 'object' && value !== null && #bytes in value;
  }

  constructor(sources = [], options = undefined) {
    if (
      (typeof sources !== 'object' && typeof sources !== 'function') ||
      sources === null ||
      typeof sources[Symbol.iterator] !== 'function'
    ) {
      throw new TypeErrorCtor('Value cannot be converted to sequence.');
    }
    checkOptions(options);
    const type = options?.type ?? '';
    const endings = `${options?.endings ?? 'transparent'}`;
    if (endings !== 'transparent' && endings !== 'native') {
      throw new TypeErrorCtor(`The property 'options.endings' is invalid. Received '${endings}'`);
    }
    const parts = [];
    let total = 0;
    for (const source of sources) {
      const bytes = partBytes(source, endings);
      parts.push(bytes);
      total += bytes.length;
    }
    this.#bytes = parts.length === 0 ? empty : concatBytes(parts, total);
    this.#type = normaliseType(type);
  }

  get type() {
    if (!isBlob(this)) throw illegal('Blob');
    return this.#type;
  }

  get size() {
    if (!isBlob(this)) throw illegal('Blob');
    return this.#bytes.length;
  }

  slice(start = 0, end = undefined, contentType = '') {
    if (!isBlob(this)) throw illegal('Blob');
    const size = this.#bytes.length;
    const from = clampIndex(start, size);
    const to = end === undefined ? size : clampIndex(end, size);
    const blob = new Blob();
    blob.#bytes = this.#bytes.subarray(from, max(from, to));
    blob.#type = normaliseType(contentType);
    return blob;
  }

  arrayBuffer() {
    if (!isBlob(this)) return Promise.reject(illegal('Blob'));
    return Promise.resolve(this.#bytes.slice().buffer);
  }

  text() {
    if (!isBlob(this)) return Promise.reject(illegal('Blob'));
    return Promise.resolve(decodeUtf8(this.#bytes));
  }

  bytes() {
    if (!isBlob(this)) return Promise.reject(illegal('Blob'));
    return Promise.resolve(this.#bytes.slice());
  }

  stream() {
    if (!isBlob(this)) throw illegal('Blob');
    return bytesStream(this.#bytes);
  }

  /** Node's (not in the File API): the text as a stream of strings. */
  textStream() {
    if (!isBlob(this)) throw illegal('Blob');
    const text = decodeUtf8(this.#bytes);
    return new (streams().ReadableStream)({
      start(controller) {
        if (text !== '') controller.enqueue(text);
        controller.close();
      },
    });
  }
}

/** A Blob index as Node clamps it: negative counts from the end, then into [0, size]. */
function clampIndex(value, size) {
  const n = Math.trunc(+value) || 0;
  return n < 0 ? max(size + n, 0) : min(n, size);
}

/** UTF-8 decoding as TextDecoder does by default: a leading BOM is dropped. */
export function decodeUtf8(bytes) {
  const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  return utf8.decode(bom ? bytes.subarray(3) : bytes);
}

/** A byte stream of a copy of `bytes` (enqueuing transfers a buffer; ours stay intact). */
export function bytesStream(bytes) {
  return new (streams().ReadableStream)({
    type: 'bytes',
    start(controller) {
      if (bytes.length > 0) controller.enqueue(bytes.slice());
      controller.close();
    },
  });
}

export class File extends Blob {
  #name;
  #lastModified;

  static {
    isFile = (value) => typeof value === 'object' && value !== null && #name in value;
  }

  constructor(fileBits, fileName, options = undefined) {
    if (arguments.length < 2) {
      throw new TypeErrorCtor('The "fileBits" and "fileName" arguments must be specified');
    }
    super(fileBits, options);
    let lastModified = options?.lastModified;
    if (lastModified === undefined) lastModified = Date.now();
    else {
      lastModified = +lastModified;
      if (Number.isNaN(lastModified)) lastModified = 0;
    }
    this.#name = `${fileName}`.toWellFormed();
    this.#lastModified = lastModified;
  }

  get name() {
    if (!isFile(this)) throw illegal('File');
    return this.#name;
  }

  get lastModified() {
    if (!isFile(this)) throw illegal('File');
    return this.#lastModified;
  }
}

// As Node: members enumerable, and the tags Object.prototype.toString reports.
const enumerable = { enumerable: true };
defineProperties(Blob.prototype, {
  type: enumerable,
  size: enumerable,
  slice: enumerable,
  arrayBuffer: enumerable,
  text: enumerable,
  bytes: enumerable,
  stream: enumerable,
  textStream: enumerable,
  [Symbol.toStringTag]: { value: 'Blob', configurable: true },
});
defineProperties(File.prototype, {
  name: enumerable,
  lastModified: enumerable,
  [Symbol.toStringTag]: { value: 'File', configurable: true },
});
// Minifiers may rename classes; the names are part of the API.
defineProperty(Blob, 'name', { value: 'Blob' });
defineProperty(File, 'name', { value: 'File' });

// TextEncoder, TextDecoder and their streams, as Node 24 has them. The decoder knows
// UTF-8, UTF-16LE/BE and windows-1252 (the standard's meaning of latin1, iso-8859-1 and
// ascii); other labels throw RangeError, as in a Node built without ICU.
import { codedError, invalidArgType, invalidThis, isObjectArg, ready, webIDLOnUse } from './idl.js';
import { defineLazy } from './lazy.js';
import { TransformStream } from './streams.js';
import {
  decodeUtf8,
  decodeUtf16,
  decodeWindows1252,
  newState,
  utf8Encode,
  utf8EncodeInto,
} from './text-codecs.js';

export { utf8Encode };

const RangeErrorCtor = RangeError;
const Uint8ArrayCtor = Uint8Array;
const { getOwnPropertyDescriptor, getPrototypeOf } = Object;
const apply = Reflect.apply;
const isView = ArrayBuffer.isView;
const TypedArrayProto = getPrototypeOf(Uint8Array.prototype);
const typedArrayTag = getOwnPropertyDescriptor(TypedArrayProto, Symbol.toStringTag).get;
const toLowerCase = String.prototype.toLowerCase;

/** The string of UTF-8 bytes, as `new TextDecoder().decode(bytes)` (a leading BOM dropped). */
export function utf8Decode(bytes) {
  const s = decodeUtf8(bytes, newState(), false, true);
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}

const LABELS = {
  __proto__: null,
  'unicode-1-1-utf-8': 'utf-8',
  unicode11utf8: 'utf-8',
  unicode20utf8: 'utf-8',
  utf8: 'utf-8',
  'utf-8': 'utf-8',
  'x-unicode20utf8': 'utf-8',
  'ansi_x3.4-1968': 'windows-1252',
  ascii: 'windows-1252',
  cp1252: 'windows-1252',
  cp819: 'windows-1252',
  csisolatin1: 'windows-1252',
  ibm819: 'windows-1252',
  'iso-8859-1': 'windows-1252',
  'iso-ir-100': 'windows-1252',
  'iso8859-1': 'windows-1252',
  iso88591: 'windows-1252',
  'iso_8859-1': 'windows-1252',
  'iso_8859-1:1987': 'windows-1252',
  l1: 'windows-1252',
  latin1: 'windows-1252',
  'us-ascii': 'windows-1252',
  'windows-1252': 'windows-1252',
  'x-cp1252': 'windows-1252',
  unicodefffe: 'utf-16be',
  'utf-16be': 'utf-16be',
  csunicode: 'utf-16le',
  'iso-10646-ucs-2': 'utf-16le',
  'ucs-2': 'utf-16le',
  unicode: 'utf-16le',
  unicodefeff: 'utf-16le',
  'utf-16le': 'utf-16le',
  'utf-16': 'utf-16le',
};

const isAsciiSpace = (c) => c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d || c === 0x20;

/** The encoding a label names (Node: as given, else lowercased and ASCII-trimmed). */
function encodingOf(label) {
  const exact = LABELS[label];
  if (exact !== undefined) return exact;
  const lower = apply(toLowerCase, label, []);
  let start = 0;
  let end = lower.length;
  while (start < end && isAsciiSpace(lower.charCodeAt(start))) start++;
  while (end > start && isAsciiSpace(lower.charCodeAt(end - 1))) end--;
  return LABELS[lower.slice(start, end)];
}

/** The bytes of a BufferSource, without copying; a detached buffer reads as empty. */
function bytesOf(input) {
  if (isView(input)) {
    const bytes =
      apply(typedArrayTag, input, []) === 'Uint8Array'
        ? input
        : new Uint8ArrayCtor(input.buffer, input.byteOffset, input.byteLength);
    return bytes;
  }
  try {
    return new Uint8ArrayCtor(input);
  } catch {
    return new Uint8ArrayCtor(0);
  }
}

function isBufferSource(input) {
  if (isView(input)) return true;
  if (typeof input !== 'object' || input === null) return false;
  try {
    apply(bufferByteLength, input, []);
    return true;
  } catch {
    return false;
  }
}
const bufferByteLength = getOwnPropertyDescriptor(ArrayBuffer.prototype, 'byteLength').get;

export class TextEncoder {
  #brand;

  constructor() {
    ready(new.target);
  }

  static #check(self) {
    if (!(typeof self === 'object' && self !== null && #brand in self)) {
      throw invalidThis('TextEncoder');
    }
  }

  get encoding() {
    TextEncoder.#check(this);
    return 'utf-8';
  }

  encode(input = '') {
    TextEncoder.#check(this);
    return utf8Encode(`${input}`);
  }

  encodeInto(src, dest) {
    TextEncoder.#check(this);
    if (typeof src !== 'string') throw invalidArgType('src', 'of type string', src);
    if (!isView(dest) || apply(typedArrayTag, dest, []) !== 'Uint8Array') {
      throw invalidArgType('dest', 'an instance of Uint8Array', dest);
    }
    return utf8EncodeInto(src, dest);
  }
}
webIDLOnUse(TextEncoder, 'TextEncoder', ['encode', 'encodeInto', 'encoding']);

export class TextDecoder {
  #encoding;
  #fatal;
  #ignoreBOM;
  #state = newState();
  /** The last decode() was streaming: the next one continues it. */
  #doNotFlush = false;
  #bomSeen = false;

  constructor(encoding = 'utf-8', options = undefined) {
    ready(new.target);
    const label = `${encoding}`;
    if (options !== undefined && options !== null && !isObjectArg(options, true)) {
      throw invalidArgType('options', 'of type object', options);
    }
    const name = encodingOf(label);
    if (name === undefined) {
      throw codedError(
        RangeErrorCtor,
        'ERR_ENCODING_NOT_SUPPORTED',
        `The "${label}" encoding is not supported`,
      );
    }
    this.#encoding = name;
    this.#fatal = !!options?.fatal;
    this.#ignoreBOM = !!options?.ignoreBOM;
  }

  static #check(self) {
    if (!(typeof self === 'object' && self !== null && #encoding in self)) {
      throw invalidThis('TextDecoder');
    }
  }

  decode(input = undefined, options = undefined) {
    TextDecoder.#check(this);
    if (options !== undefined && options !== null && !isObjectArg(options, true)) {
      throw invalidArgType('options', 'of type object', options);
    }
    let bytes;
    if (input === undefined) bytes = new Uint8ArrayCtor(0);
    else if (isBufferSource(input)) bytes = bytesOf(input);
    else throw invalidArgType('input', 'an instance of ArrayBuffer or ArrayBufferView', input);
    const stream = !!options?.stream;
    if (this.#encoding === 'windows-1252') return decodeWindows1252(bytes);
    if (!this.#doNotFlush) {
      this.#state = newState();
      this.#bomSeen = false;
    }
    this.#doNotFlush = stream;
    let text =
      this.#encoding === 'utf-8'
        ? decodeUtf8(bytes, this.#state, this.#fatal, !stream)
        : decodeUtf16(bytes, this.#state, this.#fatal, !stream, this.#encoding === 'utf-16be');
    if (!this.#ignoreBOM && !this.#bomSeen && text.length > 0) {
      this.#bomSeen = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    return text;
  }

  get encoding() {
    TextDecoder.#check(this);
    return this.#encoding;
  }

  get fatal() {
    TextDecoder.#check(this);
    return this.#fatal;
  }

  get ignoreBOM() {
    TextDecoder.#check(this);
    return this.#ignoreBOM;
  }
}
webIDLOnUse(TextDecoder, 'TextDecoder', ['decode', 'encoding', 'fatal', 'ignoreBOM']);

const STREAMING = { stream: true };

export class TextEncoderStream {
  #transform;

  constructor() {
    ready(new.target);
    let pending = ''; // a high surrogate that ended the last chunk
    this.#transform = new TransformStream({
      transform(chunk, controller) {
        let s = `${chunk}`;
        if (s.length === 0) return;
        if (pending !== '') {
          s = pending + s;
          pending = '';
        }
        const last = s.charCodeAt(s.length - 1);
        if (last >= 0xd800 && last <= 0xdbff) {
          pending = s.slice(-1);
          s = s.slice(0, -1);
          if (s.length === 0) return;
        }
        controller.enqueue(utf8Encode(s));
      },
      flush(controller) {
        if (pending !== '') controller.enqueue(new Uint8ArrayCtor([0xef, 0xbf, 0xbd]));
      },
    });
  }

  static #check(self) {
    if (!(typeof self === 'object' && self !== null && #transform in self)) {
      throw invalidThis('TextEncoderStream');
    }
  }

  get encoding() {
    TextEncoderStream.#check(this);
    return 'utf-8';
  }

  get readable() {
    TextEncoderStream.#check(this);
    return this.#transform.readable;
  }

  get writable() {
    TextEncoderStream.#check(this);
    return this.#transform.writable;
  }
}
webIDLOnUse(TextEncoderStream, 'TextEncoderStream', ['encoding', 'readable', 'writable']);

export class TextDecoderStream {
  #decoder;
  #transform;

  constructor(encoding = 'utf-8', options = undefined) {
    ready(new.target);
    const decoder = new TextDecoder(encoding, options);
    this.#decoder = decoder;
    this.#transform = new TransformStream({
      transform(chunk, controller) {
        if (chunk === undefined) throw invalidArgType('chunk', 'of type string', chunk);
        const text = decoder.decode(chunk, STREAMING);
        if (text) controller.enqueue(text);
      },
      flush(controller) {
        const text = decoder.decode();
        if (text) controller.enqueue(text);
        controller.terminate();
      },
    });
  }

  static #check(self) {
    if (!(typeof self === 'object' && self !== null && #decoder in self)) {
      throw invalidThis('TextDecoderStream');
    }
  }

  get encoding() {
    TextDecoderStream.#check(this);
    return this.#decoder.encoding;
  }

  get fatal() {
    TextDecoderStream.#check(this);
    return this.#decoder.fatal;
  }

  get ignoreBOM() {
    TextDecoderStream.#check(this);
    return this.#decoder.ignoreBOM;
  }

  get readable() {
    TextDecoderStream.#check(this);
    return this.#transform.readable;
  }

  get writable() {
    TextDecoderStream.#check(this);
    return this.#transform.writable;
  }
}
webIDLOnUse(TextDecoderStream, 'TextDecoderStream', [
  'encoding',
  'fatal',
  'ignoreBOM',
  'readable',
  'writable',
]);

export function install(g, _host) {
  defineLazy(g, 'TextEncoder', () => ready(TextEncoder));
  defineLazy(g, 'TextDecoder', () => ready(TextDecoder));
  defineLazy(g, 'TextEncoderStream', () => ready(TextEncoderStream));
  defineLazy(g, 'TextDecoderStream', () => ready(TextDecoderStream));
}

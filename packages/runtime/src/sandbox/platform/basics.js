// self, structuredClone, atob/btoa, performance and navigator.
import { loadChunk } from '../prelude/chunks.js';
import { DOMException } from './dom-exception.js';
import { EventTarget } from './events.js';
import {
  illegalConstructor,
  invalidThis,
  missingArgs,
  named,
  ready,
  sinceOrigin,
  timeOrigin,
  webIDLOnUse,
} from './idl.js';
import { defineGlobal, defineLazy } from './lazy.js';
import { unitsToString } from './text-codecs.js';

/** navigator.userAgent: the product and its version, as Node says `Node.js/24`. */
export const USER_AGENT = 'mini-lambda/0.1.0';

const Uint8ArrayCtor = Uint8Array;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
let sextets; // char code -> 6-bit value, 255 for anything else; made on first atob
let alphabet; // 6-bit value -> char code; made on first btoa

const invalidCharacter = (message) => new DOMException(message, 'InvalidCharacterError');

/** The forgiving-base64 decode of the HTML standard, with Node's two messages. */
export function atob(input) {
  // biome-ignore lint/complexity/noArguments: a missing argument differs from undefined (Node's ERR_MISSING_ARGS), and rest parameters would change `length`
  if (arguments.length === 0) throw missingArgs('input');
  const s = `${input}`;
  if (sextets === undefined) {
    sextets = new Uint8ArrayCtor(128).fill(255);
    for (let i = 0; i < 64; i++) sextets[ALPHABET.charCodeAt(i)] = i;
  }
  const codes = new Uint8ArrayCtor(s.length);
  let length = 0;
  let invalid = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d) continue;
    if (c > 0x7f) {
      invalid = true;
      break;
    }
    codes[length++] = c;
  }
  if (!invalid && length % 4 === 0 && length > 0 && codes[length - 1] === 0x3d) {
    length--;
    if (codes[length - 1] === 0x3d) length--;
  }
  for (let i = 0; i < length && !invalid; i++) invalid = sextets[codes[i]] === 255;
  if (invalid) throw invalidCharacter('Invalid character');
  if (length % 4 === 1) {
    throw invalidCharacter('The string to be decoded is not correctly encoded.');
  }
  const out = new Uint8ArrayCtor((length * 3) >> 2);
  let o = 0;
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    const n =
      (sextets[codes[i]] << 18) |
      (sextets[codes[i + 1]] << 12) |
      (sextets[codes[i + 2]] << 6) |
      sextets[codes[i + 3]];
    out[o++] = n >> 16;
    out[o++] = (n >> 8) & 255;
    out[o++] = n & 255;
  }
  if (length - i === 2) {
    out[o++] = (sextets[codes[i]] << 2) | (sextets[codes[i + 1]] >> 4);
  } else if (length - i === 3) {
    const n =
      (sextets[codes[i]] << 10) | (sextets[codes[i + 1]] << 4) | (sextets[codes[i + 2]] >> 2);
    out[o++] = n >> 8;
    out[o++] = n & 255;
  }
  return unitsToString(out, o);
}

/** Base64 of a string of Latin-1 characters. */
export function btoa(input) {
  // biome-ignore lint/complexity/noArguments: a missing argument differs from undefined (Node's ERR_MISSING_ARGS), and rest parameters would change `length`
  if (arguments.length === 0) throw missingArgs('input');
  const s = `${input}`;
  const n = s.length;
  if (alphabet === undefined) {
    alphabet = new Uint8ArrayCtor(64);
    for (let i = 0; i < 64; i++) alphabet[i] = ALPHABET.charCodeAt(i);
  }
  const out = new Uint8ArrayCtor(Math.ceil(n / 3) * 4);
  let o = 0;
  let i = 0;
  for (; i + 3 <= n; i += 3) {
    const a = s.charCodeAt(i);
    const b = s.charCodeAt(i + 1);
    const c = s.charCodeAt(i + 2);
    if ((a | b | c) > 0xff) throw invalidCharacter('Invalid character');
    const v = (a << 16) | (b << 8) | c;
    out[o++] = alphabet[v >> 18];
    out[o++] = alphabet[(v >> 12) & 63];
    out[o++] = alphabet[(v >> 6) & 63];
    out[o++] = alphabet[v & 63];
  }
  if (i < n) {
    const a = s.charCodeAt(i);
    const b = i + 1 < n ? s.charCodeAt(i + 1) : 0;
    if ((a | b) > 0xff) throw invalidCharacter('Invalid character');
    const v = (a << 16) | (b << 8);
    out[o++] = alphabet[v >> 18];
    out[o++] = alphabet[(v >> 12) & 63];
    out[o++] = i + 1 < n ? alphabet[(v >> 6) & 63] : 0x3d;
    out[o++] = 0x3d;
  }
  return unitsToString(out, o);
}

/** Lets the platform construct the singletons below. */
const CREATE = {};

class Performance extends EventTarget {
  // A default keeps `length` 0, as Node's.
  constructor(token = undefined) {
    if (token !== CREATE) throw illegalConstructor();
    super();
  }
  static #check(self) {
    if (!(typeof self === 'object' && self !== null && #brand in self)) {
      throw invalidThis('Performance');
    }
  }
  #brand;
  /** Milliseconds since the isolate's platform was installed (whole ms: Date.now based). */
  now() {
    Performance.#check(this);
    return sinceOrigin();
  }
  get timeOrigin() {
    Performance.#check(this);
    return timeOrigin;
  }
  toJSON() {
    Performance.#check(this);
    return { timeOrigin };
  }
}
webIDLOnUse(Performance, 'Performance', ['now', 'timeOrigin', 'toJSON']);

class Navigator {
  #brand;
  // A default keeps `length` 0, as Node's.
  constructor(token = undefined) {
    if (token !== CREATE) throw illegalConstructor();
    ready(new.target);
  }
  get userAgent() {
    if (!(typeof this === 'object' && this !== null && #brand in this)) {
      throw invalidThis('Navigator');
    }
    return USER_AGENT;
  }
}
webIDLOnUse(Navigator, 'Navigator', ['userAgent']);

export function install(g, _host) {
  defineGlobal(g, 'self', g);
  // A chunk loaded on first use (see prelude-source.ts): few functions clone.
  defineLazy(g, 'structuredClone', () =>
    named(loadChunk('structured-clone').structuredClone, 'structuredClone'),
  );
  defineLazy(g, 'atob', () => named(atob, 'atob'));
  defineLazy(g, 'btoa', () => named(btoa, 'btoa'));
  defineLazy(g, 'performance', () => new Performance(CREATE));
  defineLazy(g, 'navigator', () => new Navigator(CREATE));
}

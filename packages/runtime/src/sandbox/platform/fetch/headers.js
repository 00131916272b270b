// biome-ignore-all lint/complexity/noArguments: WebIDL checks how many arguments were given, and the functions keep Node's `length`
// Headers as undici (Node 24) has them: names case-insensitive, values of one name joined
// with ", " (cookies with "; "), Set-Cookie values kept apart, iteration sorted by lower-case
// name. Like undici, no forbidden header names; the guard only makes a list immutable.
import {
  argumentLengthCheck,
  byteString,
  exception,
  illegalInvocation,
  isObject,
  iteratorMixin,
  webidlClass,
} from './webidl.js';

const TypeErrorCtor = TypeError;
const token = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export const isValidHeaderName = (name) => token.test(name);

/** No leading or trailing tab or space, no NUL, CR or LF. */
export function isValidHeaderValue(value) {
  const last = value.length - 1;
  return !(
    value[0] === '\t' ||
    value[0] === ' ' ||
    value[last] === '\t' ||
    value[last] === ' ' ||
    value.includes('\n') ||
    value.includes('\r') ||
    value.includes('\0')
  );
}

const isHttpWhitespace = (c) => c === 0x0a || c === 0x0d || c === 0x09 || c === 0x20;

/** Strips leading and trailing HTTP whitespace. */
export function normaliseHeaderValue(value) {
  let i = 0;
  let j = value.length;
  while (j > i && isHttpWhitespace(value.charCodeAt(j - 1))) --j;
  while (j > i && isHttpWhitespace(value.charCodeAt(i))) ++i;
  return i === 0 && j === value.length ? value : value.substring(i, j);
}

const byName = (a, b) => (a[0] < b[0] ? -1 : 1);

/** A header list: lower-case name -> { name (as first given), value (joined) }. */
export class HeadersList {
  map = new Map();
  cookies = null;
  sorted = null;

  static copy(list) {
    const out = new HeadersList();
    out.map = new Map(list.map);
    out.cookies = list.cookies === null ? null : [...list.cookies];
    out.sorted = list.sorted;
    return out;
  }

  /** A list of [name, value] pairs the host sent (trusted, already valid). */
  static from(pairs) {
    const out = new HeadersList();
    for (const pair of pairs) out.append(pair[0], pair[1]);
    return out;
  }

  contains(name) {
    return this.map.has(name.toLowerCase());
  }

  get(name) {
    return this.map.get(name.toLowerCase())?.value ?? null;
  }

  append(name, value) {
    this.sorted = null;
    const lower = name.toLowerCase();
    const exists = this.map.get(lower);
    if (exists) {
      const delimiter = lower === 'cookie' ? '; ' : ', ';
      this.map.set(lower, { name: exists.name, value: `${exists.value}${delimiter}${value}` });
    } else {
      this.map.set(lower, { name, value });
    }
    if (lower === 'set-cookie') {
      this.cookies ??= [];
      this.cookies.push(value);
    }
  }

  set(name, value) {
    this.sorted = null;
    const lower = name.toLowerCase();
    if (lower === 'set-cookie') this.cookies = [value];
    this.map.set(lower, { name, value });
  }

  delete(name) {
    this.sorted = null;
    const lower = name.toLowerCase();
    if (lower === 'set-cookie') this.cookies = null;
    this.map.delete(lower);
  }

  clear() {
    this.map.clear();
    this.cookies = null;
    this.sorted = null;
  }

  /** Sorted by lower-case name, one pair per Set-Cookie value: what iteration yields. */
  sortAndCombine() {
    if (this.sorted !== null) return this.sorted;
    const names = [];
    for (const { 0: lower, 1: entry } of this.map) names.push([lower, entry.value]);
    names.sort(byName);
    const cookies = this.cookies;
    if (cookies === null || cookies.length === 1) {
      this.sorted = names;
      return names;
    }
    const out = [];
    for (const pair of names) {
      if (pair[0] === 'set-cookie') for (const cookie of cookies) out.push(['set-cookie', cookie]);
      else out.push(pair);
    }
    this.sorted = out;
    return out;
  }

  /** In insertion order, names as first given, Set-Cookie values apart. */
  entriesList() {
    const out = [];
    for (const { 0: lower, 1: entry } of this.map) {
      if (lower === 'set-cookie') for (const cookie of this.cookies) out.push([entry.name, cookie]);
      else out.push([entry.name, entry.value]);
    }
    return out;
  }
}

function appendHeader(list, guard, name, value, prefix) {
  const normalised = normaliseHeaderValue(value);
  if (!isValidHeaderName(name)) throw exception(prefix, `"${name}" is an invalid header name.`);
  if (!isValidHeaderValue(normalised)) {
    throw exception(prefix, `"${normalised}" is an invalid header value.`);
  }
  if (guard === 'immutable') throw new TypeErrorCtor('immutable');
  list.append(name, normalised);
}

let listOf;
let make;
const kConstruct = {};

/** The header list of a Headers (TypeError for anything else). */
export const headersListOf = (headers) => listOf(headers);
/** A Headers over `list` (shared, not copied) with `guard`. */
export const headersFromList = (list, guard) => make(list, guard);

export class Headers {
  #list;
  #guard;

  static {
    listOf = (h) => {
      if (!isObject(h) || !(#list in h)) throw illegalInvocation();
      return h.#list;
    };
    make = (list, guard) => {
      const h = new Headers(kConstruct);
      h.#list = list;
      h.#guard = guard;
      return h;
    };
  }

  constructor(init = undefined) {
    if (init === kConstruct) return;
    this.#list = new HeadersList();
    this.#guard = 'none';
    if (init !== undefined) {
      fillHeadersList(this.#list, 'none', convertHeadersInit(init, 'Headers constructor', 'init'));
    }
  }

  append(name, value) {
    const list = listOf(this);
    argumentLengthCheck(arguments.length, 2, 'Headers.append');
    const n = byteString(name, 'Headers.append', 'name');
    const v = byteString(value, 'Headers.append', 'value');
    appendHeader(list, this.#guard, n, v, 'Headers.append');
  }

  delete(name) {
    const list = listOf(this);
    argumentLengthCheck(arguments.length, 1, 'Headers.delete');
    const n = byteString(name, 'Headers.delete', 'name');
    if (!isValidHeaderName(n))
      throw exception('Headers.delete', `"${n}" is an invalid header name.`);
    if (this.#guard === 'immutable') throw new TypeErrorCtor('immutable');
    if (list.contains(n)) list.delete(n);
  }

  get(name) {
    const list = listOf(this);
    argumentLengthCheck(arguments.length, 1, 'Headers.get');
    const n = byteString(name, 'Headers.get', 'name');
    if (!isValidHeaderName(n)) throw exception('Headers.get', `"${n}" is an invalid header name.`);
    return list.get(n);
  }

  has(name) {
    const list = listOf(this);
    argumentLengthCheck(arguments.length, 1, 'Headers.has');
    const n = byteString(name, 'Headers.has', 'name');
    if (!isValidHeaderName(n)) throw exception('Headers.has', `"${n}" is an invalid header name.`);
    return list.contains(n);
  }

  set(name, value) {
    const list = listOf(this);
    argumentLengthCheck(arguments.length, 2, 'Headers.set');
    const n = byteString(name, 'Headers.set', 'name');
    const v = normaliseHeaderValue(byteString(value, 'Headers.set', 'value'));
    if (!isValidHeaderName(n)) throw exception('Headers.set', `"${n}" is an invalid header name.`);
    if (!isValidHeaderValue(v))
      throw exception('Headers.set', `"${v}" is an invalid header value.`);
    if (this.#guard === 'immutable') throw new TypeErrorCtor('immutable');
    list.set(n, v);
  }

  getSetCookie() {
    const cookies = listOf(this).cookies;
    return cookies ? [...cookies] : [];
  }
}

iteratorMixin('Headers', Headers, (h) => listOf(h).sortAndCombine(), 0, 1);
webidlClass(Headers, 'Headers', ['append', 'delete', 'get', 'has', 'set', 'getSetCookie']);

/** Fills a header list from a converted HeadersInit (an array of pairs or a record). */
export function fillHeadersList(list, guard, object) {
  if (Array.isArray(object)) {
    for (const header of object) {
      if (header.length !== 2) {
        throw exception(
          'Headers constructor',
          `expected name/value pair to be length 2, found ${header.length}.`,
        );
      }
      appendHeader(list, guard, header[0], header[1], 'Headers.append');
    }
    return;
  }
  for (const key of Object.keys(object))
    appendHeader(list, guard, key, object[key], 'Headers.append');
}

const conversionFailed = () =>
  exception(
    'Headers constructor',
    'Argument 1 could not be converted to one of: sequence<sequence<ByteString>>, record<ByteString, ByteString>.',
  );

/** WebIDL's HeadersInit: a sequence of pairs, else a record; a Headers keeps its name case. */
export function convertHeadersInit(value, prefix, argument) {
  if (!isObject(value)) throw conversionFailed();
  const iterator = value[Symbol.iterator];
  if (iterator === Headers.prototype.entries) {
    try {
      return listOf(value).entriesList();
    } catch {
      // not a Headers of ours after all: iterate it as any other
    }
  }
  if (typeof iterator === 'function') {
    const out = [];
    let index = 0;
    for (const item of { [Symbol.iterator]: () => iterator.call(value) }) {
      if (!isObject(item) || typeof item[Symbol.iterator] !== 'function') {
        throw exception(prefix, `${argument}[${index}] is not iterable.`);
      }
      const pair = [];
      let j = 0;
      for (const part of item) pair.push(byteString(part, prefix, `${argument}[${index}][${j++}]`));
      out.push(pair);
      index++;
    }
    return out;
  }
  const record = {};
  const keys = [...Object.getOwnPropertyNames(value), ...Object.getOwnPropertySymbols(value)];
  for (const key of keys) {
    const typedKey = byteString(key, prefix, `Key in ${argument}`);
    record[typedKey] = byteString(value[key], prefix, `${argument}[${typedKey}]`);
  }
  return record;
}

// URLSearchParams, in the isolate: application/x-www-form-urlencoded parsing and
// serialising are short string work that a crossing to the host would only slow down.
import { utf8Decode, utf8Encode } from './encoding.js';
import { webIDL } from './idl.js';

const TypeErrorCtor = TypeError;
const apply = Reflect.apply;
const { defineProperty, getOwnPropertyDescriptor, getPrototypeOf, setPrototypeOf } = Object;
const ownKeys = Reflect.ownKeys;
const toWellFormed = String.prototype.toWellFormed;
const { indexOf, slice, split, replace, charCodeAt } = String.prototype;
const decodeURIComponentFn = decodeURIComponent;
const encodeURIComponentFn = encodeURIComponent;
const iteratorSymbol = Symbol.iterator;
const IteratorPrototype = getPrototypeOf(getPrototypeOf([][iteratorSymbol]()));
const PLUS = /\+/g;
const NOT_FORM_SAFE = /%20|[!'()~]/g;

/** A WebIDL USVString: the string, with lone surrogates replaced by U+FFFD. */
export function usv(v) {
  // A template, not String(v): converting a Symbol must throw, as WebIDL says.
  return apply(toWellFormed, `${v}`, []);
}

function needArgs(given, needed, names) {
  if (given < needed) throw new TypeErrorCtor(`The ${names} must be specified`);
}

const hexDigit = (c) =>
  c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1;

/** Percent-decoding of bytes, then UTF-8 with replacement: the standard's slow path. */
function decodeBytes(s) {
  const bytes = utf8Encode(s);
  const out = new Uint8Array(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0x25 && i + 2 < bytes.length) {
      const hi = hexDigit(bytes[i + 1]);
      const lo = hexDigit(bytes[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out[n++] = hi * 16 + lo;
        i += 2;
        continue;
      }
    }
    out[n++] = b;
  }
  return utf8Decode(out.subarray(0, n));
}

function decode(s) {
  const spaced = apply(indexOf, s, ['+']) < 0 ? s : apply(replace, s, [PLUS, ' ']);
  if (apply(indexOf, spaced, ['%']) < 0) return spaced;
  try {
    // Right whenever the escapes are whole UTF-8 sequences, which is nearly always.
    return decodeURIComponentFn(spaced);
  } catch {
    return decodeBytes(spaced);
  }
}

/** The pairs of an application/x-www-form-urlencoded string. */
export function parseQuery(s) {
  const list = [];
  for (const part of apply(split, s, ['&'])) {
    if (part === '') continue;
    const eq = apply(indexOf, part, ['=']);
    const name = eq < 0 ? part : apply(slice, part, [0, eq]);
    const value = eq < 0 ? '' : apply(slice, part, [eq + 1]);
    list[list.length] = [decode(name), decode(value)];
  }
  return list;
}

const formEscape = (m) =>
  m === '%20' ? '+' : `%${apply(charCodeAt, m, [0]).toString(16).toUpperCase()}`;

function encode(s) {
  return apply(replace, encodeURIComponentFn(s), [NOT_FORM_SAFE, formEscape]);
}

/** The application/x-www-form-urlencoded string of a list of pairs. */
export function serializeQuery(list) {
  let out = '';
  for (let i = 0; i < list.length; i++) {
    out += `${i === 0 ? '' : '&'}${encode(list[i][0])}=${encode(list[i][1])}`;
  }
  return out;
}

function pairsOf(init) {
  const method = init[iteratorSymbol];
  if (method !== undefined && method !== null) {
    if (typeof method !== 'function') throw new TypeErrorCtor('Query pairs must be iterable');
    const list = [];
    for (const pair of { [iteratorSymbol]: () => apply(method, init, []) }) {
      if ((typeof pair !== 'object' && typeof pair !== 'function') || pair === null) {
        throw new TypeErrorCtor('Each query pair must be an iterable [name, value] tuple');
      }
      const items = [];
      for (const item of pair) items[items.length] = usv(item);
      if (items.length !== 2) {
        throw new TypeErrorCtor('Each query pair must be an iterable [name, value] tuple');
      }
      list[list.length] = items;
    }
    return list;
  }
  // A record<USVString, USVString>: own enumerable keys, a repeated key keeps its place.
  const list = [];
  const at = { __proto__: null };
  for (const key of ownKeys(init)) {
    const desc = getOwnPropertyDescriptor(init, key);
    if (desc === undefined || !desc.enumerable) continue;
    const name = usv(key);
    const value = usv(init[key]);
    if (at[name] === undefined) {
      at[name] = list.length;
      list[list.length] = [name, value];
    } else list[at[name]][1] = value;
  }
  return list;
}

let listOf;
let linkTo;
let relist;

export class URLSearchParams {
  #list;
  /** The URL whose query this is, told of every change (null when standalone). */
  #update = null;

  constructor(init = '') {
    if ((typeof init === 'object' && init !== null) || typeof init === 'function') {
      this.#list = pairsOf(init);
    } else {
      let s = usv(init);
      if (s[0] === '?') s = apply(slice, s, [1]);
      this.#list = parseQuery(s);
    }
  }

  static {
    listOf = (params) => params.#list;
    linkTo = (params, query, update) => {
      params.#list = parseQuery(query);
      params.#update = update;
    };
    relist = (params, query) => {
      params.#list = parseQuery(query);
    };
  }

  #changed() {
    if (this.#update !== null) this.#update(serializeQuery(this.#list));
  }

  get size() {
    return this.#list.length;
  }

  append(name, value) {
    // biome-ignore lint/complexity/noArguments: an argument left out is not one passed as undefined (WebIDL)
    needArgs(arguments.length, 2, '"name" and "value" arguments');
    const list = this.#list;
    list[list.length] = [usv(name), usv(value)];
    this.#changed();
  }

  delete(name, value = undefined) {
    // biome-ignore lint/complexity/noArguments: an argument left out is not one passed as undefined (WebIDL)
    needArgs(arguments.length, 1, '"name" argument');
    const n = usv(name);
    const v = value === undefined ? undefined : usv(value);
    const kept = [];
    for (const pair of this.#list) {
      if (pair[0] !== n || (v !== undefined && pair[1] !== v)) kept[kept.length] = pair;
    }
    this.#list = kept;
    this.#changed();
  }

  get(name) {
    // biome-ignore lint/complexity/noArguments: an argument left out is not one passed as undefined (WebIDL)
    needArgs(arguments.length, 1, '"name" argument');
    const n = usv(name);
    for (const pair of this.#list) if (pair[0] === n) return pair[1];
    return null;
  }

  getAll(name) {
    // biome-ignore lint/complexity/noArguments: an argument left out is not one passed as undefined (WebIDL)
    needArgs(arguments.length, 1, '"name" argument');
    const n = usv(name);
    const out = [];
    for (const pair of this.#list) if (pair[0] === n) out[out.length] = pair[1];
    return out;
  }

  has(name, value = undefined) {
    // biome-ignore lint/complexity/noArguments: an argument left out is not one passed as undefined (WebIDL)
    needArgs(arguments.length, 1, '"name" argument');
    const n = usv(name);
    const v = value === undefined ? undefined : usv(value);
    for (const pair of this.#list) {
      if (pair[0] === n && (v === undefined || pair[1] === v)) return true;
    }
    return false;
  }

  set(name, value) {
    // biome-ignore lint/complexity/noArguments: an argument left out is not one passed as undefined (WebIDL)
    needArgs(arguments.length, 2, '"name" and "value" arguments');
    const n = usv(name);
    const v = usv(value);
    const kept = [];
    let found = false;
    for (const pair of this.#list) {
      if (pair[0] !== n) kept[kept.length] = pair;
      else if (!found) {
        found = true;
        kept[kept.length] = [n, v];
      }
    }
    if (!found) kept[kept.length] = [n, v];
    this.#list = kept;
    this.#changed();
  }

  sort() {
    // Stable, by UTF-16 code units of the names (string comparison in JS is exactly that).
    const list = this.#list;
    for (let i = 1; i < list.length; i++) {
      const pair = list[i];
      let j = i;
      while (j > 0 && list[j - 1][0] > pair[0]) {
        list[j] = list[j - 1];
        j--;
      }
      list[j] = pair;
    }
    this.#changed();
  }

  forEach(callback, thisArg = undefined) {
    if (typeof callback !== 'function') {
      throw new TypeErrorCtor('The "callback" argument must be of type function');
    }
    // The list as it is at each step: the callback may change it.
    for (let i = 0; i < this.#list.length; i++) {
      const pair = this.#list[i];
      apply(callback, thisArg, [pair[1], pair[0], this]);
    }
  }

  keys() {
    return new Iterator(this, 0);
  }

  values() {
    return new Iterator(this, 1);
  }

  entries() {
    return new Iterator(this, 2);
  }

  toString() {
    return serializeQuery(this.#list);
  }
}

/** The live iterator WebIDL gives a pair-iterable interface: it reads the list as it is. */
class Iterator {
  #params;
  #kind;
  #index = 0;

  constructor(params, kind) {
    this.#params = params;
    this.#kind = kind;
  }

  next() {
    const list = listOf(this.#params);
    if (this.#index >= list.length) return { value: undefined, done: true };
    const pair = list[this.#index++];
    const kind = this.#kind;
    return { value: kind === 0 ? pair[0] : kind === 1 ? pair[1] : [pair[0], pair[1]], done: false };
  }
}

/**
 * The URLSearchParams of a URL: its list parsed from `query`, and `update(serialized)`
 * called after every change so the URL's query follows.
 */
export function linkedSearchParams(query, update) {
  const params = new URLSearchParams();
  linkTo(params, query, update);
  return params;
}

/** The URL's query changed through the URL: the list is parsed again. */
export function resetSearchParams(params, query) {
  relist(params, query);
}

webIDL(URLSearchParams.prototype, 'URLSearchParams', [
  'size',
  'append',
  'delete',
  'get',
  'getAll',
  'has',
  'set',
  'sort',
  'forEach',
  'keys',
  'values',
  'entries',
  'toString',
]);
defineProperty(URLSearchParams.prototype, iteratorSymbol, {
  value: URLSearchParams.prototype.entries,
  writable: true,
  configurable: true,
});
// The iterator's class stays private: its prototype inherits `constructor` (the global
// Iterator) from %IteratorPrototype%, as a built-in iterator's does.
delete Iterator.prototype.constructor;
setPrototypeOf(Iterator.prototype, IteratorPrototype);
webIDL(Iterator.prototype, 'URLSearchParams Iterator', ['next']);

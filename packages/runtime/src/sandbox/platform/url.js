// URL: parsing and setters run in the sandbox process (Node's WHATWG parser, a host
// operation of a few microseconds); the isolate keeps the parsed parts of each URL.
// URLSearchParams is plain JS (url-search-params.js).
import { webIDL } from './idl.js';
import { defineGlobal } from './lazy.js';
import {
  linkedSearchParams,
  resetSearchParams,
  URLSearchParams,
  usv,
} from './url-search-params.js';

export { URLSearchParams };

const TypeErrorCtor = TypeError;
const apply = Reflect.apply;
const { slice, endsWith } = String.prototype;
const copyArray = Array.prototype.slice;
/** Makes a URL of a record (URL.parse): only this module holds it. */
const FROM_RECORD = Symbol('record');

// Positions in the record host-ops/url.ts returns.
const HREF = 0;
const ORIGIN = 1;
const PROTOCOL = 2;
const USERNAME = 3;
const PASSWORD = 4;
const HOST = 5;
const HOSTNAME = 6;
const PORT = 7;
const PATHNAME = 8;
const SEARCH = 9;
const HASH = 10;

/** The bridge, set by install; module-private so user code never reaches it. */
let host;

// Records of recent parses, by input (and base): parsing is deterministic and records are
// never changed in place, so a URL parsed again (a constant in a loop, the same base for
// each call) costs a lookup instead of a crossing. FIFO, bounded.
const CACHE_SIZE = 256;
const MapCtor = Map;
const { get: mapGet, set: mapSet, delete: mapDelete, keys: mapKeys } = Map.prototype;
const mapSize = Object.getOwnPropertyDescriptor(Map.prototype, 'size').get;
const iteratorNext = Object.getPrototypeOf(new Map().keys()).next;
const cache = new MapCtor();

function parse(input, base) {
  // Unambiguous: '-' never starts a key with a base, whose input length says where it ends.
  const key = base === undefined ? `-${input}` : `${input.length}:${input}${base}`;
  const cached = apply(mapGet, cache, [key]);
  if (cached !== undefined) return cached;
  const r =
    base === undefined ? host.call('url.parse', input) : host.call('url.parse', input, base);
  if (apply(mapSize, cache, []) >= CACHE_SIZE) {
    apply(mapDelete, cache, [apply(iteratorNext, apply(mapKeys, cache, []), []).value]);
  }
  apply(mapSet, cache, [key, r]);
  return r;
}

function invalid() {
  const e = new TypeErrorCtor('Invalid URL');
  e.code = 'ERR_INVALID_URL';
  return e;
}

export class URL {
  /** [href, origin, protocol, …] as host-ops/url.ts makes it. */
  #r;
  #query = null;

  constructor(url, base = undefined) {
    if (url === FROM_RECORD) {
      this.#r = base;
      return;
    }
    // biome-ignore lint/complexity/noArguments: an argument left out is not one passed as undefined (WebIDL)
    if (arguments.length === 0) throw new TypeErrorCtor('The "url" argument must be specified');
    const r = parse(usv(url), base === undefined ? undefined : usv(base));
    if (r === null) throw invalid();
    this.#r = r;
  }

  static parse(url, base = undefined) {
    // biome-ignore lint/complexity/noArguments: an argument left out is not one passed as undefined (WebIDL)
    if (arguments.length === 0) throw new TypeErrorCtor('The "url" argument must be specified');
    const r = parse(usv(url), base === undefined ? undefined : usv(base));
    return r === null ? null : new URL(FROM_RECORD, r);
  }

  static canParse(url, base = undefined) {
    // biome-ignore lint/complexity/noArguments: an argument left out is not one passed as undefined (WebIDL)
    if (arguments.length === 0) throw new TypeErrorCtor('The "url" argument must be specified');
    const input = usv(url);
    return base === undefined
      ? host.call('url.canParse', input)
      : host.call('url.canParse', input, usv(base));
  }

  #set(part, value) {
    this.#r = host.call('url.set', this.#r[HREF], part, usv(value));
    if (this.#query !== null && (part === 'href' || part === 'search')) {
      resetSearchParams(this.#query, apply(slice, this.#r[SEARCH], [1]));
    }
  }

  /** The URLSearchParams changed: its serialization becomes the query (no reparse). */
  #queryChanged(serialized) {
    const r = this.#r;
    const href = r[HREF];
    let end = href.length;
    let fragment = r[HASH];
    if (fragment !== '') end -= fragment.length;
    else if (apply(endsWith, href, ['#'])) {
      // An empty fragment: '#' cannot end a URL otherwise, it is escaped elsewhere.
      end -= 1;
      fragment = '#';
    }
    const search = r[SEARCH];
    if (search !== '') end -= search.length;
    else if (href[end - 1] === '?') end -= 1;
    if (serialized === '' && fragment === '' && apply(endsWith, r[PATHNAME], [' '])) {
      // An opaque path loses its trailing spaces with its query: the parser knows how.
      this.#set('search', '');
      return;
    }
    const query = serialized === '' ? '' : `?${serialized}`;
    const next = apply(copyArray, r, []);
    next[HREF] = `${apply(slice, href, [0, end])}${query}${fragment}`;
    next[SEARCH] = query;
    this.#r = next;
  }

  get href() {
    return this.#r[HREF];
  }
  set href(v) {
    this.#set('href', v);
  }
  get origin() {
    return this.#r[ORIGIN];
  }
  get protocol() {
    return this.#r[PROTOCOL];
  }
  set protocol(v) {
    this.#set('protocol', v);
  }
  get username() {
    return this.#r[USERNAME];
  }
  set username(v) {
    this.#set('username', v);
  }
  get password() {
    return this.#r[PASSWORD];
  }
  set password(v) {
    this.#set('password', v);
  }
  get host() {
    return this.#r[HOST];
  }
  set host(v) {
    this.#set('host', v);
  }
  get hostname() {
    return this.#r[HOSTNAME];
  }
  set hostname(v) {
    this.#set('hostname', v);
  }
  get port() {
    return this.#r[PORT];
  }
  set port(v) {
    this.#set('port', v);
  }
  get pathname() {
    return this.#r[PATHNAME];
  }
  set pathname(v) {
    this.#set('pathname', v);
  }
  get search() {
    return this.#r[SEARCH];
  }
  set search(v) {
    this.#set('search', v);
  }
  get searchParams() {
    if (this.#query === null) {
      this.#query = linkedSearchParams(apply(slice, this.#r[SEARCH], [1]), (serialized) =>
        this.#queryChanged(serialized),
      );
    }
    return this.#query;
  }
  get hash() {
    return this.#r[HASH];
  }
  set hash(v) {
    this.#set('hash', v);
  }

  toString() {
    return this.#r[HREF];
  }

  toJSON() {
    return this.#r[HREF];
  }
}

webIDL(URL.prototype, 'URL', [
  'href',
  'origin',
  'protocol',
  'username',
  'password',
  'host',
  'hostname',
  'port',
  'pathname',
  'search',
  'searchParams',
  'hash',
  'toString',
  'toJSON',
]);

export function install(g, bridge) {
  host = bridge;
  defineGlobal(g, 'URL', URL);
  defineGlobal(g, 'URLSearchParams', URLSearchParams);
}

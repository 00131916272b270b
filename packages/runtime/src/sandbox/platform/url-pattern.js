// URLPattern from urlpattern-polyfill (kept by the spec's editors, tested against the
// web-platform tests): a chunk loaded on first use (see prelude-source.ts), so an isolate
// that never matches a pattern pays for nothing but the accessor. It parses with the global
// URL (url.js).
import { loadChunk } from '../prelude/chunks.js';
import { defineLazy } from './lazy.js';

const { defineProperty, getOwnPropertyDescriptor } = Object;

/** The class, shaped as Node's: Symbol.toStringTag, enumerable methods and getters. */
function load() {
  const { URLPattern } = loadChunk('urlpattern');
  const proto = URLPattern.prototype;
  for (const key of [
    'protocol',
    'username',
    'password',
    'hostname',
    'port',
    'pathname',
    'search',
    'hash',
    'hasRegExpGroups',
    'exec',
    'test',
  ]) {
    const d = getOwnPropertyDescriptor(proto, key);
    if (d === undefined) continue;
    d.enumerable = true;
    defineProperty(proto, key, d);
  }
  defineProperty(proto, Symbol.toStringTag, { value: 'URLPattern', configurable: true });
  return URLPattern;
}

export function install(g, _host) {
  defineLazy(g, 'URLPattern', load);
}

// URLPattern from urlpattern-polyfill (kept by the spec's editors, tested against the
// web-platform tests), evaluated on first use only: `require` makes esbuild wrap the
// package in a function that runs when first called, so an isolate that never matches a
// pattern pays for nothing but the accessor. It parses with the global URL (url.js).
import { defineLazy } from './lazy.js';

const { defineProperty, getOwnPropertyDescriptor } = Object;

/** The class, shaped as Node's: Symbol.toStringTag, enumerable methods and getters. */
function load() {
  const { URLPattern } = require('urlpattern-polyfill/urlpattern');
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

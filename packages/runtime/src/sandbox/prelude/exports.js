import { apply, getOwnPropertyDescriptor, hasOwn, join, push, toStr } from './intrinsics.js';

const keysOf = Object.keys;

/**
 * The entry point a module really offers, decided from its evaluated exports (docs/functions.md,
 * "Handler styles"): an ESM `handler`; CommonJS `exports.handler` (esbuild hands a
 * CommonJS entry's `module.exports` over as the default export); or a default export whose
 * `fetch` is a function (`export default { fetch }`, a Hono app). Null when none.
 */
export function pickHandler(namespace) {
  if (typeof namespace.handler === 'function') {
    return { style: 'event', target: undefined, fn: namespace.handler };
  }
  const main = namespace.default;
  if (main !== null && (typeof main === 'object' || typeof main === 'function')) {
    if (typeof main.handler === 'function')
      return { style: 'event', target: undefined, fn: main.handler };
    if (typeof main.fetch === 'function') return { style: 'fetch', target: main, fn: main.fetch };
  }
  return null;
}

function kindOf(value) {
  if (value === null) return 'null';
  if (typeof value === 'function') return 'a function';
  if (typeof value !== 'object') return `a ${typeof value}`;
  const keys = keysOf(value);
  if (keys.length === 0) return 'an object with no keys';
  const shown = keys.length > 8 ? [...apply(Array.prototype.slice, keys, [0, 8]), '…'] : keys;
  return `an object with keys ${apply(join, shown, [', '])}`;
}

/** What a module exports, in words, for a deploy that finds no handler in it. */
export function describeExports(namespace) {
  const parts = [];
  for (const name of keysOf(namespace)) {
    const d = getOwnPropertyDescriptor(namespace, name);
    const value = d !== undefined && hasOwn(d, 'value') ? d.value : undefined;
    apply(push, parts, [`${toStr(name)} (${kindOf(value)})`]);
  }
  return parts.length === 0 ? 'it exports nothing' : `it exports ${apply(join, parts, ['; '])}`;
}

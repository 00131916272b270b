// Node's built-in modules (docs/functions.md, "Node.js compatibility"). A bundle asks for
// one with `globalThis[Symbol.for('mini-lambda.node')]('buffer')`; each is a chunk,
// `node:<id>`, compiled into the isolate the first time it is asked for (see chunks.js and
// prelude-source.ts), so a function that uses none of them pays nothing.
import { nodeModules } from 'mini-lambda:node-modules';
import { connectBuiltins, loadChunk } from './chunks.js';
import { connectHost } from './host-access.js';
import { apply, defineProperty, dict, ErrorCtor, slice, toStr } from './intrinsics.js';

const startsWith = String.prototype.startsWith;
const known = dict();
for (const id of nodeModules) known[id] = true;

/** Node's `module.exports` of built-in `id` (`buffer`, or `node:buffer`), one per isolate. */
export function loadBuiltin(id) {
  const name =
    typeof id === 'string' && apply(startsWith, id, ['node:']) ? apply(slice, id, [5]) : id;
  if (typeof name !== 'string' || known[name] !== true) {
    const e = new ErrorCtor(`No such built-in module: node:${toStr(name)}`);
    e.code = 'ERR_UNKNOWN_BUILTIN_MODULE';
    throw e;
  }
  return loadChunk(`node:${name}`);
}

/** Whether built-in `id` exists here (a part not yet written has no chunk). */
export function hasBuiltin(id) {
  return known[id] === true;
}

/** Defines the loader bundles call: neither writable nor configurable, not enumerable. */
export function installNodeLoader(g, host) {
  connectHost(host);
  connectBuiltins(loadBuiltin);
  defineProperty(g, Symbol.for('mini-lambda.node'), {
    value: loadBuiltin,
    writable: false,
    configurable: false,
    enumerable: false,
  });
}

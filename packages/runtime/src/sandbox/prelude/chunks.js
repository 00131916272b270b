import { apply, dict, ErrorCtor, slice } from './intrinsics.js';

const startsWith = String.prototype.startsWith;

// What esbuild's helpers in a chunk use in place of Object's methods (prelude-source.ts,
// chunkWrapper): captured now, before user code could replace them. `__hasOwnProp` is only
// ever called as `__hasOwnProp.call(object, key)`, so it gets a `call` of its own.
const HELPER_INTRINSICS = Object.freeze({
  __proto__: null,
  __create: Object.create,
  __defProp: Object.defineProperty,
  __getOwnPropDesc: Object.getOwnPropertyDescriptor,
  __getOwnPropNames: Object.getOwnPropertyNames,
  __getProtoOf: Object.getPrototypeOf,
  __hasOwnProp: Object.freeze({ __proto__: null, call: Object.hasOwn }),
});

// Parts of the platform most functions never touch (web streams, the fetch classes,
// URLPattern) are not in the prelude: each is a chunk the sandbox process compiles into
// this isolate the first time something needs it (see prelude-source.ts). An idle isolate
// then holds neither their source nor their compiled code.
let hostCall;
let received;
let loadBuiltin;
const loaded = dict();
// Chunks being loaded: one that requires itself, directly or through others, is a defect
// of ours, reported as such rather than as a stack overflow.
const loading = dict();

/** Connects chunk loading to the host; install does it before any user code runs. */
export function connectChunks(call) {
  hostCall = call;
}

/** How a chunk's `require('node:x')` is answered: node-loader.js connects it. */
export function connectBuiltins(load) {
  loadBuiltin = load;
}

/** The exports of chunk `name`: compiled and run in this isolate on first use. */
export function loadChunk(name) {
  const done = loaded[name];
  if (done !== undefined) return done;
  if (loading[name] === true) throw new ErrorCtor(`The platform's ${name} requires itself`);
  loading[name] = true;
  received = undefined;
  let reply;
  try {
    reply = hostCall('chunk.load', [name]);
  } finally {
    loading[name] = undefined;
  }
  const exports = received;
  received = undefined;
  if (!reply.ok || exports === undefined) {
    throw new ErrorCtor(`The platform could not load ${name}: ${reply.message ?? 'no exports'}`);
  }
  loaded[name] = exports;
  return exports;
}

/**
 * What the host calls with a chunk's wrapper, `(require, module, exports) => …`: runs it
 * with the prelude's own modules as its imports, so both share one DOMException, one URL,
 * and with Node's built-ins (`node:x`) as the isolate's one copy of each.
 */
export function createLinker(shared) {
  const requireShared = (id) => {
    if (apply(startsWith, id, ['node:'])) return loadBuiltin(apply(slice, id, [5]));
    const found = shared[id];
    if (found === undefined)
      throw new ErrorCtor(`A chunk needs ${id}, which the prelude does not share`);
    return found;
  };
  return function link(wrapper) {
    const module = { exports: {} };
    wrapper(requireShared, module, module.exports, HELPER_INTRINSICS);
    received = module.exports;
  };
}

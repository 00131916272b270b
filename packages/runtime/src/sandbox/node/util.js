// node:util. inspect, format and formatWithOptions are node-inspect-extracted: Node's own
// lib/internal/util/inspect.js with its requires replaced, so output matches Node's
// (unenv's inspect returns the value itself). The rest is written here after Node's
// lib/util.js (unenv stubs callbackify and compares deeply with JSON.stringify);
// isDeepStrictEqual is assert's comparison, loaded with node:assert when first used.

import types from 'node:util/types';
import { loadBuiltin } from '../prelude/node-loader.js';

// Node's inspect is built on first use: building it (its primordials and tables) is most of
// what loading util costs (about 4 ms), and most functions that load util never format.
let extracted;
/** node-inspect-extracted's exports; the require() is evaluated on its first call. */
const inspector = () => {
  extracted ??= require('node-inspect-extracted');
  return extracted;
};

// Every argument is passed on: Node's inspect still takes (value, showHidden, depth, colors).
function inspect(...args) {
  return Reflect.apply(inspector().inspect, undefined, args);
}
Object.defineProperty(inspect, 'length', { value: 2 });
// What Node's inspect carries: the custom symbol at once, the rest from the real one.
Object.defineProperty(inspect, 'custom', { value: Symbol.for('nodejs.util.inspect.custom') });
for (const key of ['defaultOptions', 'colors', 'styles']) {
  Object.defineProperty(inspect, key, {
    get: () => inspector().inspect[key],
    set: (v) => {
      inspector().inspect[key] = v;
    },
  });
}

function format(...args) {
  return Reflect.apply(inspector().format, undefined, args);
}

function formatWithOptions(...args) {
  return Reflect.apply(inspector().formatWithOptions, undefined, args);
}

function stripVTControlCharacters(str) {
  return inspector().stripVTControlCharacters(str);
}

import { ERR_INVALID_ARG_TYPE } from './internal/errors.js';

const kCustomPromisify = Symbol.for('nodejs.util.promisify.custom');
const kDeepStrictEqual = Symbol.for('mini-lambda.isDeepStrictEqual');

function validateFunction(value, name) {
  if (typeof value !== 'function') throw ERR_INVALID_ARG_TYPE(name, 'Function', value);
}

/** Node's promisify: util.promisify.custom first, else (err, value) callbacks. */
function promisify(original) {
  validateFunction(original, 'original');
  if (original[kCustomPromisify]) {
    const fn = original[kCustomPromisify];
    validateFunction(fn, 'util.promisify.custom');
    return Object.defineProperty(fn, kCustomPromisify, {
      value: fn,
      enumerable: false,
      writable: false,
      configurable: true,
    });
  }
  function fn(...args) {
    return new Promise((resolve, reject) => {
      Reflect.apply(original, this, [
        ...args,
        (err, ...values) => {
          if (err) return reject(err);
          resolve(values[0]);
        },
      ]);
    });
  }
  Object.setPrototypeOf(fn, Object.getPrototypeOf(original));
  Object.defineProperty(fn, kCustomPromisify, {
    value: fn,
    enumerable: false,
    writable: false,
    configurable: true,
  });
  return Object.defineProperties(fn, Object.getOwnPropertyDescriptors(original));
}
promisify.custom = kCustomPromisify;

/** Node's callbackify: a falsy rejection becomes an Error with `reason`. */
function callbackify(original) {
  validateFunction(original, 'original');
  function callbackified(...args) {
    const callback = args.pop();
    validateFunction(callback, 'last argument');
    const onRejected = (reason) => {
      if (!reason) {
        const wrapped = new Error('Promise was rejected with falsy value');
        wrapped.code = 'ERR_FALSY_VALUE_REJECTION';
        wrapped.reason = reason;
        reason = wrapped;
      }
      queueMicrotask(() => callback(reason));
    };
    Reflect.apply(original, this, args).then(
      (value) => queueMicrotask(() => callback(null, value)),
      onRejected,
    );
  }
  const descriptors = Object.getOwnPropertyDescriptors(original);
  if (typeof descriptors.length.value === 'number') descriptors.length.value++;
  if (typeof descriptors.name.value === 'string') descriptors.name.value += 'Callbackified';
  Object.setPrototypeOf(callbackified, Object.getPrototypeOf(original));
  return Object.defineProperties(callbackified, descriptors);
}

const warned = new Set();

/** Node's deprecate: the wrapped function warns once (per code) through process.emitWarning. */
function deprecate(fn, msg, code) {
  validateFunction(fn, 'fn');
  let done = false;
  function deprecated(...args) {
    if (!done && !(code !== undefined && warned.has(code))) {
      done = true;
      if (code !== undefined) warned.add(code);
      globalThis.process?.emitWarning?.(msg, 'DeprecationWarning', code, deprecated);
    }
    return new.target ? Reflect.construct(fn, args, new.target) : Reflect.apply(fn, this, args);
  }
  Object.setPrototypeOf(deprecated, fn);
  if (fn.prototype) deprecated.prototype = fn.prototype;
  return deprecated;
}

function inherits(ctor, superCtor) {
  if (ctor === undefined || ctor === null) throw ERR_INVALID_ARG_TYPE('ctor', 'Function', ctor);
  if (superCtor === undefined || superCtor === null) {
    throw ERR_INVALID_ARG_TYPE('superCtor', 'Function', superCtor);
  }
  if (superCtor.prototype === undefined) {
    throw ERR_INVALID_ARG_TYPE('superCtor.prototype', 'Object', superCtor.prototype);
  }
  Object.defineProperty(ctor, 'super_', { value: superCtor, writable: true, configurable: true });
  Object.setPrototypeOf(ctor.prototype, superCtor.prototype);
}

/** Functions have no NODE_DEBUG: every section is off. */
function debuglog(_section, callback) {
  const log = () => {};
  log.enabled = false;
  if (typeof callback === 'function') callback(log);
  return log;
}

function isDeepStrictEqual(a, b) {
  return loadBuiltin('assert')[kDeepStrictEqual](a, b);
}

function toUSVString(input) {
  return `${input}`.toWellFormed();
}

function aborted(signal, resource) {
  if (resource === undefined || resource === null || typeof resource !== 'object') {
    throw ERR_INVALID_ARG_TYPE('resource', 'Object', resource);
  }
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

function _extend(target, source) {
  if (source === null || typeof source !== 'object') return target;
  for (const key of Object.keys(source)) target[key] = source[key];
  return target;
}

const legacy = {
  isArray: Array.isArray,
  isBoolean: (v) => typeof v === 'boolean',
  isNull: (v) => v === null,
  isNullOrUndefined: (v) => v === null || v === undefined,
  isNumber: (v) => typeof v === 'number',
  isString: (v) => typeof v === 'string',
  isSymbol: (v) => typeof v === 'symbol',
  isUndefined: (v) => v === undefined,
  isRegExp: types.isRegExp,
  isObject: (v) => v !== null && typeof v === 'object',
  isDate: types.isDate,
  isError: (v) => types.isNativeError(v) || v instanceof Error,
  isFunction: (v) => typeof v === 'function',
  isPrimitive: (v) => v === null || (typeof v !== 'object' && typeof v !== 'function'),
};

export default {
  _extend,
  aborted,
  callbackify,
  debug: debuglog,
  debuglog,
  deprecate,
  format,
  formatWithOptions,
  inherits,
  inspect,
  isDeepStrictEqual,
  promisify,
  stripVTControlCharacters,
  toUSVString,
  types,
  TextDecoder: globalThis.TextDecoder,
  TextEncoder: globalThis.TextEncoder,
  ...legacy,
};

import { domExceptionInfo } from '../platform/dom-exception.js';
import {
  apply,
  ErrorCtor,
  getOwnPropertyDescriptor,
  getPrototypeOf,
  hasOwn,
  toStr,
  truncate,
} from './intrinsics.js';

const NAME_LIMIT = 256;
const MESSAGE_LIMIT = 4096;
const STACK_LIMIT = 16384;

const nativeStackGetter = getOwnPropertyDescriptor(new ErrorCtor(), 'stack')?.get;

// Finds `key` on `obj` or its prototypes without calling any getter.
function dataProperty(obj, key) {
  let o = obj;
  for (let depth = 0; o !== null && depth < 32; depth++) {
    const d = getOwnPropertyDescriptor(o, key);
    // hasOwn, not `in`: a getter on Object.prototype.value must not run here.
    if (d !== undefined) return hasOwn(d, 'value') ? { ok: true, value: d.value } : { ok: false };
    o = getPrototypeOf(o);
  }
  return { ok: true, value: undefined };
}

// A plain, bounded {name, message, stack} for whatever was thrown: never calls a user
// getter or toString, so a hostile error value cannot hang the report.
function describe(thrown) {
  const info = { __proto__: null, name: 'Error', message: '', stack: '' };
  if (thrown === null || (typeof thrown !== 'object' && typeof thrown !== 'function')) {
    info.message = truncate(toStr(thrown), MESSAGE_LIMIT);
    return info;
  }
  // A DOMException keeps its name and message in internal state behind getters: read
  // from there, without running any getter.
  const dom = domExceptionInfo(thrown);
  const name = dom !== undefined ? { ok: true, value: dom.name } : dataProperty(thrown, 'name');
  const message =
    dom !== undefined ? { ok: true, value: dom.message } : dataProperty(thrown, 'message');
  if (name.ok && typeof name.value === 'string') info.name = truncate(name.value, NAME_LIMIT);
  info.message =
    message.ok && typeof message.value === 'string'
      ? truncate(message.value, MESSAGE_LIMIT)
      : 'Non-error value thrown';
  const own = getOwnPropertyDescriptor(thrown, 'stack');
  let stack;
  if (own !== undefined && hasOwn(own, 'value')) stack = own.value;
  else if (
    own !== undefined &&
    hasOwn(own, 'get') &&
    own.get === nativeStackGetter &&
    name.ok &&
    message.ok
  ) {
    // The native getter builds "name: message" from the two properties checked above.
    stack = apply(nativeStackGetter, thrown, []);
  }
  if (typeof stack === 'string') info.stack = truncate(stack, STACK_LIMIT);
  return info;
}

/**
 * describe() runs no user code for ordinary values, but a thrown Proxy's traps can throw:
 * then a fixed description, so nothing user-made escapes as our own failure.
 */
export function describeSafely(thrown) {
  try {
    return describe(thrown);
  } catch {
    return {
      __proto__: null,
      name: 'Error',
      message: 'The function threw a value that cannot be described',
      stack: '',
    };
  }
}

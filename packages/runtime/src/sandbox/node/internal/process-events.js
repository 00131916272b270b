// The EventEmitter methods process and its streams carry. A small copy, not node:events:
// most functions read process.env and nothing else, and loading the events module for
// that would cost every cold start. Nothing here emits 'uncaughtException' and the like:
// an error a function does not catch fails its invocation.

import { invalidArgType } from '../../platform/idl.js';
import { apply, ErrorCtor } from '../../prelude/intrinsics.js';

const { keys } = Object;

/** Adds on/once/off/emit/listeners/… to `target`, with listeners of its own. */
export function addEmitter(target) {
  const listeners = { __proto__: null };
  let max = 10;
  const add = (name, listener, once, prepend) => {
    if (typeof listener !== 'function') {
      throw invalidArgType('listener', 'of type function', listener);
    }
    const list = listeners[name] ?? [];
    const entry = { listener, once };
    listeners[name] = prepend ? [entry, ...list] : [...list, entry];
    return target;
  };
  const remove = (name, listener) => {
    const list = listeners[name];
    if (list === undefined) return target;
    const i = list.findLastIndex((e) => e.listener === listener);
    if (i !== -1) listeners[name] = [...list.slice(0, i), ...list.slice(i + 1)];
    if (listeners[name].length === 0) delete listeners[name];
    return target;
  };
  const methods = {
    on: (name, fn) => add(name, fn, false, false),
    addListener: (name, fn) => add(name, fn, false, false),
    prependListener: (name, fn) => add(name, fn, false, true),
    once: (name, fn) => add(name, fn, true, false),
    prependOnceListener: (name, fn) => add(name, fn, true, true),
    off: remove,
    removeListener: remove,
    removeAllListeners(name) {
      if (name === undefined) for (const key of keys(listeners)) delete listeners[key];
      else delete listeners[name];
      return target;
    },
    emit(name, ...args) {
      const list = listeners[name];
      if (list === undefined) {
        if (name === 'error')
          throw args[0] instanceof ErrorCtor
            ? args[0]
            : new ErrorCtor(`Unhandled error. (${args[0]})`);
        return false;
      }
      for (const entry of list) {
        if (entry.once) remove(name, entry.listener);
        apply(entry.listener, target, args);
      }
      return true;
    },
    listeners: (name) => (listeners[name] ?? []).map((e) => e.listener),
    rawListeners: (name) => (listeners[name] ?? []).map((e) => e.listener),
    listenerCount: (name) => listeners[name]?.length ?? 0,
    eventNames: () => keys(listeners),
    setMaxListeners(n) {
      max = n;
      return target;
    },
    getMaxListeners: () => max,
  };
  for (const key of keys(methods)) target[key] = methods[key];
  return target;
}

// The globals Node code expects besides the web platform's: `Buffer`, `global`,
// `setImmediate`/`clearImmediate` and `process`. The modules behind them are chunks loaded
// on first read (platform/lazy.js), so a function that never touches them pays nothing.
import { wrapCallback } from '../prelude/async-context.js';
import { hasBuiltin, loadBuiltin } from '../prelude/node-loader.js';
import { defineGlobal, defineLazy } from './lazy.js';

const TypeErrorCtor = TypeError;

/** What setImmediate returns in Node: an object with ref/unref, accepted by clearImmediate. */
class Immediate {
  #id;
  constructor(id) {
    this.#id = id;
  }
  static idOf(immediate) {
    return immediate instanceof Immediate ? immediate.#id : undefined;
  }
  ref() {
    return this;
  }
  unref() {
    return this;
  }
  hasRef() {
    return true;
  }
}

export function install(g, host) {
  defineGlobal(g, 'global', g);
  defineLazy(g, 'Buffer', () => loadBuiltin('buffer').Buffer);
  // A host timer of delay 0 (the host runs it after at least 1 ms, as Node's timers do):
  // it belongs to the invocation like every timer, and runs in the async context it was
  // scheduled in.
  defineGlobal(g, 'setImmediate', function setImmediate(callback, ...args) {
    if (typeof callback !== 'function') {
      const e = new TypeErrorCtor('The "callback" argument must be of type function');
      e.code = 'ERR_INVALID_ARG_TYPE';
      throw e;
    }
    return new Immediate(host.setTimer(wrapCallback(callback), 0, false, args));
  });
  defineGlobal(g, 'clearImmediate', function clearImmediate(immediate) {
    const id = Immediate.idOf(immediate);
    if (id !== undefined) host.clearTimer(id);
  });

  // --- process: node/process.js, loaded on first read. Defined only once that module
  // exists: `typeof process` must never throw.
  if (hasBuiltin('process')) defineLazy(g, 'process', () => loadBuiltin('process'));
  // --- end of process
}

import { wrapCallback } from '../prelude/async-context.js';
import { defineGlobal } from './lazy.js';

const TypeErrorCtor = TypeError;
const promiseThen = Promise.prototype.then;
const resolved = Promise.resolve();
const apply = Reflect.apply;
/** Node's bound: a longer or invalid delay runs as 1 ms, as setTimeout(fn, 2 ** 31) does. */
const MAX_DELAY = 2 ** 31 - 1;

const delayOf = (ms) => {
  const n = +ms;
  return n >= 0 && n <= MAX_DELAY ? n : 0;
};

/**
 * Timers and queueMicrotask. Timers belong to the invocation that set them: the host
 * runs them with Node's timers and cancels the ones still pending when it ends, so a
 * timer never fires into a later invocation (see prelude/bridge.js). Ids are numbers,
 * as in browsers and workers. Each callback runs in the async context it was scheduled in
 * (AsyncLocalStorage, see prelude/async-context.js).
 */
export function install(g, host) {
  const timer = (repeat) =>
    function schedule(callback, ms, ...args) {
      if (typeof callback !== 'function') {
        throw new TypeErrorCtor('The callback must be a function (strings are not evaluated)');
      }
      return host.setTimer(wrapCallback(callback), delayOf(ms), repeat, args);
    };
  const clear = (id) => host.clearTimer(id);
  defineGlobal(g, 'setTimeout', timer(false));
  defineGlobal(g, 'setInterval', timer(true));
  defineGlobal(g, 'clearTimeout', clear);
  defineGlobal(g, 'clearInterval', clear);
  defineGlobal(g, 'queueMicrotask', (callback) => {
    if (typeof callback !== 'function') throw new TypeErrorCtor('The callback must be a function');
    const run = wrapCallback(callback);
    apply(promiseThen, resolved, [() => run()]);
  });
}

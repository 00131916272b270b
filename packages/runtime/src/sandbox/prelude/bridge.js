import { resetContext } from './async-context.js';
import { apply, dict, ErrorCtor, PromiseCtor, TypeErrorCtor } from './intrinsics.js';

const RangeErrorCtor = RangeError;
const { isView } = ArrayBuffer;
const keysOf = Object.keys;
const { isArray } = Array;
const byteLengthOf = (proto) => Object.getOwnPropertyDescriptor(proto, 'byteLength').get;
const bufferBytes = byteLengthOf(ArrayBuffer.prototype);
const typedArrayBytes = byteLengthOf(Object.getPrototypeOf(Uint8Array.prototype));
const dataViewBytes = byteLengthOf(DataView.prototype);

/**
 * At least how many bytes isolated-vm copies out for `value` (stopping once past `limit`):
 * a string counts its length each time it occurs, so a rope made of one piece repeated,
 * small in the isolate, is counted as the flat copy the sandbox would make of it.
 */
function weigh(value, limit, depth) {
  if (typeof value === 'string') return value.length;
  if (value === null || typeof value !== 'object') return 8;
  if (depth > 16) return limit + 1;
  if (isView(value)) {
    try {
      return apply(typedArrayBytes, value, []);
    } catch {
      return apply(dataViewBytes, value, []);
    }
  }
  // Arrays (every call's argument list) first: the ArrayBuffer check below throws for
  // anything else, and an exception costs microseconds.
  if (!isArray(value)) {
    try {
      return apply(bufferBytes, value, []);
    } catch {
      // not an ArrayBuffer: a plain object of ours (options, a JWK, a request)
    }
  }
  const keys = keysOf(value);
  let n = 0;
  for (let i = 0; i < keys.length && n <= limit; i++) {
    n += keys[i].length + weigh(value[keys[i]], limit - n, depth + 1);
  }
  return n;
}
const SyntaxErrorCtor = SyntaxError;
const promiseReject = Promise.reject;
const rejected = (reason) => apply(promiseReject, PromiseCtor, [reason]);

/**
 * The isolate's end of the bridge to the sandbox process. `hostCall` is an isolated-vm
 * Callback: a function whose calls run in the sandbox process, with arguments and result
 * copied. It lives in this closure only; user code reaches the host through the methods
 * below, each of which checks its own arguments on the host side again.
 *
 * Work started by an invocation belongs to it: the host cancels its timers and operations
 * when it ends, and `begin` forgets them here, so nothing fires into a later invocation.
 */
export function createBridge(hostCall, maxArgBytes) {
  let timers = dict();
  let ops = dict();
  // Whether this invocation set a timer or started an operation: most calls do neither,
  // and their tables need no replacing.
  let used = false;
  let invocation = 0;
  let onUncaught;
  // An error reported before the invocation could listen (during its synchronous part).
  let early;
  let DOMExceptionCtor;

  function error(name, message) {
    if (name === 'TypeError') return new TypeErrorCtor(message);
    if (name === 'RangeError') return new RangeErrorCtor(message);
    if (name === 'SyntaxError' && DOMExceptionCtor === undefined)
      return new SyntaxErrorCtor(message);
    if (DOMExceptionCtor !== undefined) return new DOMExceptionCtor(message, name);
    const e = new ErrorCtor(message);
    e.name = name;
    return e;
  }

  function call(op, ...args) {
    if (weigh(args, maxArgBytes, 0) > maxArgBytes) {
      throw new RangeErrorCtor(
        `The arguments of ${op} would take more than the function's memory (${maxArgBytes} bytes) outside it`,
      );
    }
    const reply = hostCall(op, args);
    if (reply.ok) return reply.value;
    throw error(reply.name, reply.message);
  }

  function start(op, args, signal) {
    if (signal?.aborted) return rejected(signal.reason);
    let id;
    try {
      id = call('op.start', op, args);
    } catch (e) {
      return rejected(e);
    }
    used = true;
    return new PromiseCtor((resolve, reject) => {
      const entry = { resolve, reject, detach: undefined };
      ops[id] = entry;
      if (signal) {
        const onAbort = () => {
          if (ops[id] !== entry) return;
          delete ops[id];
          try {
            call('op.cancel', id);
          } catch {
            // the invocation ended meanwhile; the host has cancelled it already
          }
          reject(signal.reason);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        entry.detach = () => signal.removeEventListener('abort', onAbort);
      }
    });
  }

  function setTimer(callback, ms, repeat, args) {
    const id = call('timer.set', ms, repeat);
    used = true;
    timers[id] = { callback, args, repeat };
    return id;
  }

  function clearTimer(id) {
    if (typeof id !== 'number' || timers[id] === undefined) return;
    delete timers[id];
    call('timer.clear', id);
  }

  function uncaught(e) {
    if (onUncaught !== undefined) onUncaught(e);
    else if (early === undefined) early = { error: e };
  }

  /** The host hands over a timer that fired or an operation that finished. */
  function deliver(kind, id, ok, value, name) {
    if (kind === 'timer') {
      const timer = timers[id];
      if (timer === undefined) return;
      if (!timer.repeat) delete timers[id];
      try {
        apply(timer.callback, undefined, timer.args);
      } catch (e) {
        uncaught(e);
      }
      return;
    }
    const entry = ops[id];
    if (entry === undefined) return;
    delete ops[id];
    entry.detach?.();
    if (ok) entry.resolve(value);
    else entry.reject(error(name, value));
  }

  const host = {
    __proto__: null,
    call,
    start,
    setTimer,
    clearTimer,
    error,
    invocation: () => invocation,
    /** An error no caller can catch (an event listener's): it fails the invocation. */
    reportError(e) {
      uncaught(e);
    },
    registerDOMException(ctor) {
      DOMExceptionCtor = ctor;
    },
  };

  return {
    host,
    deliver,
    /**
     * A new invocation: work of earlier ones is forgotten (the host cancelled it), and it
     * starts in the empty async context.
     */
    begin() {
      invocation++;
      resetContext();
      if (used) {
        timers = dict();
        ops = dict();
        used = false;
      }
      onUncaught = undefined;
      early = undefined;
    },
    /** Where an exception thrown by a timer callback of this invocation goes. */
    onUncaught(fail) {
      onUncaught = fail;
      if (early !== undefined) fail(early.error);
    },
    /** An error reported during the invocation's synchronous part, if any: it fails it. */
    takeEarly() {
      const found = early;
      early = undefined;
      return found;
    },
  };
}

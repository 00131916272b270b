// node:timers/promises, written after Node's lib/timers/promises.js over the platform's
// timers: setTimeout/setImmediate resolve with their value, setInterval is an async
// iterator, all honour an AbortSignal (rejecting with Node's AbortError). unenv's
// setInterval yields once a tick without waiting.
import { AbortError, ERR_INVALID_ARG_TYPE } from './internal/errors.js';

const { setTimeout: setTimer, clearTimeout: clearTimer, setInterval: setRepeat } = globalThis;
const { setImmediate: setImmediateTimer, clearImmediate: clearImmediateTimer } = globalThis;

function checkOptions(options) {
  if (options === null || typeof options !== 'object') {
    throw ERR_INVALID_ARG_TYPE('options', 'Object', options);
  }
  const { signal } = options;
  if (signal !== undefined && (signal === null || typeof signal.aborted !== 'boolean')) {
    throw ERR_INVALID_ARG_TYPE('options.signal', 'AbortSignal', signal);
  }
  return signal;
}

function later(schedule, cancel, value, options) {
  let signal;
  try {
    signal = checkOptions(options);
  } catch (e) {
    return Promise.reject(e);
  }
  if (signal?.aborted) return Promise.reject(new AbortError(undefined, { cause: signal.reason }));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      cancel(handle);
      reject(new AbortError(undefined, { cause: signal.reason }));
    };
    const handle = schedule(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(value);
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function setTimeout(delay, value, options = {}) {
  return later((fn) => setTimer(fn, delay), clearTimer, value, options);
}

function setImmediate(value, options = {}) {
  return later((fn) => setImmediateTimer(fn), clearImmediateTimer, value, options);
}

async function* setInterval(delay, value, options = {}) {
  const signal = checkOptions(options);
  if (signal?.aborted) throw new AbortError(undefined, { cause: signal.reason });
  let notYielded = 0;
  let wake;
  let aborted = false;
  const onAbort = () => {
    aborted = true;
    wake?.();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  const handle = setRepeat(() => {
    notYielded++;
    wake?.();
  }, delay);
  try {
    while (true) {
      if (notYielded === 0 && !aborted) await new Promise((resolve) => (wake = resolve));
      wake = undefined;
      if (aborted) throw new AbortError(undefined, { cause: signal.reason });
      for (; notYielded > 0; notYielded--) yield value;
    }
  } finally {
    clearTimer(handle);
    signal?.removeEventListener('abort', onAbort);
  }
}

const scheduler = {
  wait: (delay, options) => setTimeout(delay, undefined, options),
  yield: () => setImmediate(),
};

export default { setTimeout, setImmediate, setInterval, scheduler };

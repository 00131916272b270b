// The intrinsics the prelude relies on, captured when the prelude script runs: before any
// user code. User code may later replace JSON.stringify or Array.prototype.push in its own
// isolate, and that must not change how we report its outcomes.
export const g = globalThis;
export const { defineProperty, freeze, getOwnPropertyDescriptor, getPrototypeOf, hasOwn } = Object;
export const apply = Reflect.apply;
export const stringify = JSON.stringify;
export const parse = JSON.parse;
export const now = Date.now;
export const toStr = String;
export const slice = String.prototype.slice;
export const push = Array.prototype.push;
export const join = Array.prototype.join;
export const max = Math.max;
export const ErrorCtor = Error;
export const TypeErrorCtor = TypeError;
export const PromiseCtor = Promise;
export const promiseThen = Promise.prototype.then;
export const promiseRace = Promise.race;
export const promiseAllSettled = Promise.allSettled;

/** `promise.then(a, b)` with the intrinsic then, whatever user code did to the prototype. */
export const thenSafely = (promise, onFulfilled, onRejected) =>
  apply(promiseThen, promise, [onFulfilled, onRejected]);

/** A dictionary no inherited setter or getter can reach. */
export const dict = () => ({ __proto__: null });

export const truncate = (s, limit) =>
  s.length > limit ? `${apply(slice, s, [0, limit - 1])}\u2026` : s;

// The async context AsyncLocalStorage reads (node:async_hooks), modelled on Node 24's
// AsyncContextFrame: a frame is a Map from each storage to its store, replaced (never
// changed) when a store is entered, and the current frame travels with every callback.
//
// Node keeps the frame in V8's continuation-preserved embedder data, which isolated-vm
// does not expose. Here it follows callbacks instead: a bundle that imports async_hooks is
// built with `await` lowered to `.then` (the bundler), Promise.prototype.then captures the
// frame when a callback is registered and restores it around the callback, and so do the
// timers, setImmediate, process.nextTick and queueMicrotask (wrapCallback). Until a
// function creates an AsyncLocalStorage nothing is tracked: `then` checks one flag and
// wrapCallback returns the callback itself, so functions that never import it pay nothing.
//
// What it does not see: a native `await` (code that was not lowered, such as our own
// chunks) resumes in whatever frame is current when the microtask runs, and so does the
// `then` method of a user's thenable called by a promise job. Every callback we wrap
// restores the frame it found, so that is the frame of the host call that started the
// microtasks; an enterWith outside any callback lasts until the next invocation begins
// (bridge.js resets it), never into it.
import { apply, promiseThen } from './intrinsics.js';

const MapCtor = Map;
const {
  get: mapGet,
  has: mapHas,
  set: mapSet,
  delete: mapDelete,
  forEach: mapForEach,
} = Map.prototype;

/** Whether an AsyncLocalStorage exists in this isolate (then on, callbacks are tracked). */
let active = false;
/** The current frame: undefined when empty, else a Map (never handed to user code). */
let frame;

/** Turns tracking on for the rest of this isolate's life (an AsyncLocalStorage exists). */
export function activate() {
  active = true;
}

/** The current frame, to capture (AsyncResource, AsyncLocalStorage.bind). */
export function currentFrame() {
  return frame;
}

/** Makes `next` the current frame and returns the one it replaces. */
export function exchangeFrame(next) {
  const prior = frame;
  frame = next;
  return prior;
}

/**
 * Every invocation starts with the empty frame: an `enterWith` outside any callback of an
 * earlier invocation must not reach it.
 */
export function resetContext() {
  frame = undefined;
}

/** Whether the current frame holds `key`, and its value. */
export function frameHas(key) {
  return frame !== undefined && apply(mapHas, frame, [key]);
}

export function frameGet(key) {
  return frame === undefined ? undefined : apply(mapGet, frame, [key]);
}

/** Enters a copy of the current frame in which `key` holds `value` (Node's enterWith). */
export function enterFrameWith(key, value) {
  const next = new MapCtor();
  if (frame !== undefined) apply(mapForEach, frame, [copyEntry, next]);
  apply(mapSet, next, [key, value]);
  frame = next;
}

function copyEntry(value, key) {
  apply(mapSet, this, [key, value]);
}

/** Removes `key` from the current frame itself, as Node's disable() does. */
export function deleteFromFrame(key) {
  if (frame !== undefined) apply(mapDelete, frame, [key]);
}

/** `callback` run in `captured` (any this and arguments), the prior frame restored after. */
export function bindFrame(callback, captured) {
  return function runInFrame(...args) {
    const prior = frame;
    frame = captured;
    try {
      return apply(callback, this, args);
    } finally {
      frame = prior;
    }
  };
}

/**
 * What timers and the other schedulers call on the callback they keep: run later, it runs
 * in the frame current now. The callback itself while nothing is tracked.
 */
export function wrapCallback(callback) {
  return active ? bindFrame(callback, frame) : callback;
}

/** A promise reaction (one argument, no `this`) run in `captured`. */
function reaction(callback, captured) {
  return (value) => {
    const prior = frame;
    frame = captured;
    try {
      return callback(value);
    } finally {
      frame = prior;
    }
  };
}

/**
 * Promise.prototype.then as the prelude installs it (and then locks it). isolated-vm and
 * the prelude adopt a function's result through `then`, so this must stay exactly the
 * intrinsic's behaviour: same receiver checks, same species, same promise returned; the
 * only difference is that each callback runs in the frame current when it was registered.
 * Built of intrinsics captured before user code runs; it calls no user-replaceable code.
 */
export const trackingThen = {
  // A method, so that like the intrinsic it is named `then`, has length 2 and cannot be
  // called with `new`.
  // biome-ignore lint/suspicious/noThenProperty: this is Promise.prototype.then
  then(onFulfilled, onRejected) {
    if (!active) return apply(promiseThen, this, [onFulfilled, onRejected]);
    const captured = frame;
    return apply(promiseThen, this, [
      typeof onFulfilled === 'function' ? reaction(onFulfilled, captured) : onFulfilled,
      typeof onRejected === 'function' ? reaction(onRejected, captured) : onRejected,
    ]);
  },
}.then;

// Event, CustomEvent and EventTarget as Node 24 has them: one target, no bubbling, listeners
// keyed by (callback, capture) and called in the order they were added. Where Node departs
// from the DOM standard by accident, this follows the standard: every listener of a
// dispatch sees `currentTarget`, listeners added during a dispatch wait for the next one,
// `removeEventListener(type, f, true)` removes a capture listener, and the stop flags are
// cleared when a dispatch ends.
import {
  invalidArgType,
  invalidThis,
  isObjectArg,
  missingArgs,
  plainError,
  ready,
  sinceOrigin,
  webIDLOnUse,
} from './idl.js';
import { defineLazy } from './lazy.js';

const { defineProperty, defineProperties } = Object;
const apply = Reflect.apply;
const promiseResolve = Promise.resolve.bind(Promise);
const thenOf = Promise.prototype.then;

const NONE = 0;
const AT_TARGET = 2;

/** Where an exception thrown by a listener goes; install() connects it to the host. */
let report = (error) => {
  // Before install (never in an isolate): an unhandled rejection, as close as it gets.
  apply(thenOf, promiseResolve(), [
    () => {
      throw error;
    },
  ]);
};

/** Reports `error` as Node reports a throwing listener: an uncaught exception. */
export function reportError(error) {
  report(error);
}

let beginDispatch;
let endDispatch;
let stopped;
let setPassive;
let isEvent;
let typeOf;
let canceled;

export class Event {
  #type;
  #bubbles;
  #cancelable;
  #composed;
  #defaultPrevented = false;
  #timeStamp = sinceOrigin();
  #propagationStopped = false;
  #immediateStopped = false;
  #target = null;
  #dispatching = false;
  #inPassiveListener = false;

  constructor(type, options = undefined) {
    ready(new.target);
    // biome-ignore lint/complexity/noArguments: a missing argument differs from undefined (Node's ERR_MISSING_ARGS), and rest parameters would change `length`
    if (arguments.length === 0) throw missingArgs('type');
    if (options != null && !isObjectArg(options, false)) {
      throw invalidArgType('options', 'of type object', options);
    }
    this.#bubbles = !!options?.bubbles;
    this.#cancelable = !!options?.cancelable;
    this.#composed = !!options?.composed;
    this.#type = `${type}`;
  }

  static #check(self) {
    if (typeof self !== 'object' || self === null || !(#type in self)) {
      throw invalidThis('Event');
    }
  }

  // Dispatch bookkeeping for EventTarget, handed out through module variables so user
  // code cannot reach it.
  static {
    beginDispatch = (event, target) => {
      if (event.#dispatching) {
        throw plainError(
          'ERR_EVENT_RECURSION',
          `The event "${event.#type}" is already being dispatched`,
        );
      }
      event.#target = target;
      event.#dispatching = true;
    };
    endDispatch = (event) => {
      event.#dispatching = false;
      event.#propagationStopped = false;
      event.#immediateStopped = false;
    };
    stopped = (event) => event.#immediateStopped;
    setPassive = (event, passive) => {
      event.#inPassiveListener = passive;
    };
    isEvent = (value) => typeof value === 'object' && value !== null && #type in value;
    typeOf = (event) => event.#type;
    canceled = (event) => event.#cancelable && event.#defaultPrevented;
  }

  initEvent(type, bubbles = false, cancelable = false) {
    Event.#check(this);
    // biome-ignore lint/complexity/noArguments: a missing argument differs from undefined (Node's ERR_MISSING_ARGS), and rest parameters would change `length`
    if (arguments.length === 0) throw missingArgs('type');
    if (this.#dispatching) return;
    this.#type = `${type}`;
    this.#bubbles = !!bubbles;
    this.#cancelable = !!cancelable;
  }

  stopImmediatePropagation() {
    Event.#check(this);
    this.#propagationStopped = true;
    this.#immediateStopped = true;
  }

  preventDefault() {
    Event.#check(this);
    if (this.#cancelable && !this.#inPassiveListener) this.#defaultPrevented = true;
  }

  get target() {
    Event.#check(this);
    return this.#target;
  }

  get currentTarget() {
    Event.#check(this);
    return this.#dispatching ? this.#target : null;
  }

  get srcElement() {
    Event.#check(this);
    return this.#target;
  }

  get type() {
    Event.#check(this);
    return this.#type;
  }

  get cancelable() {
    Event.#check(this);
    return this.#cancelable;
  }

  get defaultPrevented() {
    Event.#check(this);
    return this.#cancelable && this.#defaultPrevented;
  }

  get timeStamp() {
    Event.#check(this);
    return this.#timeStamp;
  }

  composedPath() {
    Event.#check(this);
    return this.#dispatching ? [this.#target] : [];
  }

  get returnValue() {
    Event.#check(this);
    return !this.#cancelable || !this.#defaultPrevented;
  }

  set returnValue(value) {
    Event.#check(this);
    if (!value && this.#cancelable && !this.#inPassiveListener) this.#defaultPrevented = true;
  }

  get bubbles() {
    Event.#check(this);
    return this.#bubbles;
  }

  get composed() {
    Event.#check(this);
    return this.#composed;
  }

  get eventPhase() {
    Event.#check(this);
    return this.#dispatching ? AT_TARGET : NONE;
  }

  get cancelBubble() {
    Event.#check(this);
    return this.#propagationStopped;
  }

  set cancelBubble(value) {
    Event.#check(this);
    if (value) this.#propagationStopped = true;
  }

  stopPropagation() {
    Event.#check(this);
    this.#propagationStopped = true;
  }
}

// Events the platform itself fires (an AbortSignal's 'abort') are trusted.
const trusted = new WeakSet();
const isTrusted = Object.getOwnPropertyDescriptor(
  {
    get isTrusted() {
      return trusted.has(this);
    },
  },
  'isTrusted',
).get;

/** An event of the platform's own, whose isTrusted is true. */
export function trustedEvent(type) {
  const event = new Event(type);
  trusted.add(event);
  return event;
}

webIDLOnUse(
  Event,
  'Event',
  [
    'initEvent',
    'stopImmediatePropagation',
    'preventDefault',
    'target',
    'currentTarget',
    'srcElement',
    'type',
    'cancelable',
    'defaultPrevented',
    'timeStamp',
    'composedPath',
    'returnValue',
    'bubbles',
    'composed',
    'eventPhase',
    'cancelBubble',
    'stopPropagation',
  ],
  () => {
    // Node keeps isTrusted on the prototype (the standard has it on each event: costly).
    defineProperty(Event.prototype, 'isTrusted', {
      get: isTrusted,
      enumerable: true,
      configurable: false,
    });
    const phases = ['NONE', 'CAPTURING_PHASE', 'AT_TARGET', 'BUBBLING_PHASE'];
    for (let i = 0; i < phases.length; i++) {
      defineProperty(Event, phases[i], { value: i, enumerable: true });
    }
  },
);

export class CustomEvent extends Event {
  #detail;
  constructor(type, options = undefined) {
    // biome-ignore lint/complexity/noArguments: a missing argument differs from undefined (Node's ERR_MISSING_ARGS), and rest parameters would change `length`
    if (arguments.length === 0) throw missingArgs('type');
    super(type, options);
    this.#detail = options?.detail ?? null;
  }

  get detail() {
    if (typeof this !== 'object' || this === null || !(#detail in this)) {
      throw invalidThis('CustomEvent');
    }
    return this.#detail;
  }
}
webIDLOnUse(CustomEvent, 'CustomEvent', ['detail']);

/** Options of addEventListener, read once each, in Node's order. */
function listenerOptions(options) {
  if (typeof options === 'boolean') return { capture: options, once: false, passive: false };
  if (options === null || options === undefined) {
    return { capture: false, once: false, passive: false, signal: undefined };
  }
  if (!isObjectArg(options, true)) throw invalidArgType('options', 'of type object', options);
  return {
    once: !!options.once,
    capture: !!options.capture,
    passive: !!options.passive,
    signal: options.signal,
  };
}

/** Node accepts a function or any object (handleEvent is looked up when called). */
function validListener(listener) {
  if (typeof listener === 'function') return true;
  if (listener === null || listener === undefined) return false;
  if (typeof listener === 'object') return true;
  throw invalidArgType('listener', 'an instance of EventListener', listener);
}

/** How a target tells its subclass (AbortSignal) how many listeners a type has. */
let observers;

/**
 * Calls `observer(type, count)` whenever a listener of `target` is added or removed:
 * AbortSignal keeps a signal that follows others alive only while it has 'abort' listeners.
 */
export function observeListeners(target, observer) {
  observers ??= new WeakMap();
  observers.set(target, observer);
}

let isEventTarget;

export class EventTarget {
  // type -> array of listener records; arrays are replaced, never changed, so a dispatch
  // walks the listeners as they were when it began.
  #listeners;

  constructor() {
    ready(new.target);
  }

  static #check(self) {
    if (!isEventTarget(self)) throw invalidThis('EventTarget');
  }

  static {
    isEventTarget = (value) => typeof value === 'object' && value !== null && #listeners in value;
  }

  #changed(type, list) {
    const observer = observers?.get(this);
    if (observer !== undefined) observer(type, list === undefined ? 0 : list.length);
  }

  addEventListener(type, listener, options = undefined) {
    EventTarget.#check(this);
    // biome-ignore lint/complexity/noArguments: a missing argument differs from undefined (Node's ERR_MISSING_ARGS), and rest parameters would change `length`
    if (arguments.length < 2) throw missingArgs('type', 'listener');
    const { once, capture, passive, signal } = listenerOptions(options);
    if (
      signal !== undefined &&
      (signal === null || typeof signal !== 'object' || !('aborted' in signal))
    ) {
      throw invalidArgType('options.signal', 'an instance of AbortSignal', signal);
    }
    if (!validListener(listener)) return;
    const key = `${type}`;
    if (signal?.aborted) return;
    this.#listeners ??= new Map();
    const list = this.#listeners.get(key);
    const n = list === undefined ? 0 : list.length;
    for (let i = 0; i < n; i++) {
      if (list[i].listener === listener && list[i].capture === capture) return;
    }
    const record = { listener, capture, once, passive, removed: false };
    const next = new Array(n + 1);
    for (let i = 0; i < n; i++) next[i] = list[i];
    next[n] = record;
    this.#listeners.set(key, next);
    this.#changed(key, next);
    if (signal !== undefined) {
      signal.addEventListener('abort', () => this.#remove(key, record), { once: true });
    }
  }

  removeEventListener(type, listener, options = undefined) {
    EventTarget.#check(this);
    // biome-ignore lint/complexity/noArguments: a missing argument differs from undefined (Node's ERR_MISSING_ARGS), and rest parameters would change `length`
    if (arguments.length < 2) throw missingArgs('type', 'listener');
    if (!validListener(listener)) return;
    const key = `${type}`;
    const capture = typeof options === 'boolean' ? options : !!options?.capture;
    const list = this.#listeners?.get(key);
    if (list === undefined) return;
    for (let i = 0; i < list.length; i++) {
      if (list[i].listener === listener && list[i].capture === capture) {
        this.#remove(key, list[i]);
        return;
      }
    }
  }

  #remove(key, record) {
    if (record.removed) return;
    record.removed = true;
    const list = this.#listeners.get(key);
    const next = [];
    for (let i = 0; i < list.length; i++) if (list[i] !== record) next[next.length] = list[i];
    if (next.length === 0) this.#listeners.delete(key);
    else this.#listeners.set(key, next);
    this.#changed(key, next.length === 0 ? undefined : next);
  }

  dispatchEvent(event) {
    EventTarget.#check(this);
    // biome-ignore lint/complexity/noArguments: a missing argument differs from undefined (Node's ERR_MISSING_ARGS), and rest parameters would change `length`
    if (arguments.length < 1) throw missingArgs('event');
    if (!isEvent(event)) throw invalidArgType('event', 'an instance of Event', event);
    beginDispatch(event, this);
    try {
      const list = this.#listeners?.get(typeOf(event));
      if (list !== undefined) {
        for (let i = 0; i < list.length && !stopped(event); i++) {
          const record = list[i];
          if (record.removed) continue;
          if (record.once) this.#remove(typeOf(event), record);
          this.#invoke(record, event);
        }
      }
    } finally {
      endDispatch(event);
    }
    return !canceled(event);
  }

  #invoke(record, event) {
    const { listener } = record;
    if (record.passive) setPassive(event, true);
    try {
      let result;
      if (typeof listener === 'function') {
        result = apply(listener, this, [event]);
      } else {
        const handleEvent = listener.handleEvent;
        if (typeof handleEvent !== 'function') return;
        result = apply(handleEvent, listener, [event]);
      }
      // As Node: a listener's rejected promise is reported like a throw.
      if (result !== undefined && result !== null && typeof result.then === 'function') {
        apply(result.then, result, [undefined, report]);
      }
    } catch (error) {
      report(error);
    } finally {
      if (record.passive) setPassive(event, false);
    }
  }
}
webIDLOnUse(EventTarget, 'EventTarget', [
  'addEventListener',
  'removeEventListener',
  'dispatchEvent',
]);

/**
 * An `on<name>` event handler attribute on `proto`, as Node defines them: the first
 * handler set adds a listener, later ones replace what that listener calls (keeping its
 * place among the listeners).
 */
export function defineEventHandler(proto, name) {
  const handlers = new WeakMap();
  const attribute = `on${name}`;
  defineProperties(proto, {
    [attribute]: {
      get: {
        [`get ${attribute}`]() {
          if (!isEventTarget(this)) throw invalidThis('EventTarget');
          return handlers.get(this)?.handler ?? null;
        },
      }[`get ${attribute}`],
      set: {
        [`set ${attribute}`](value) {
          if (!isEventTarget(this)) throw invalidThis('EventTarget');
          const handler =
            value !== null && (typeof value === 'object' || typeof value === 'function')
              ? value
              : null;
          let slot = handlers.get(this);
          if (slot === undefined) {
            if (handler === null) return;
            slot = { handler };
            handlers.set(this, slot);
            this.addEventListener(name, function eventHandler(event) {
              const h = slot.handler;
              if (typeof h === 'function') return apply(h, this, [event]);
            });
            return;
          }
          slot.handler = handler;
        },
      }[`set ${attribute}`],
      enumerable: true,
      configurable: true,
    },
  });
}

export function install(g, host) {
  report = (error) => {
    if (typeof host.reportError === 'function') {
      host.reportError(error);
      return;
    }
    // A timer that throws fails the invocation, as an uncaught exception ends a Node process.
    try {
      host.setTimer(
        () => {
          throw error;
        },
        0,
        false,
        [],
      );
    } catch {
      g.console?.error?.(error);
    }
  };
  defineLazy(g, 'Event', () => ready(Event));
  defineLazy(g, 'EventTarget', () => ready(EventTarget));
  defineLazy(g, 'CustomEvent', () => ready(CustomEvent));
}

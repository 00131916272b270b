// AbortController and AbortSignal as Node 24 has them, with abort(), timeout() and any().
// A signal made by any() follows its sources only while something listens for 'abort' on
// it; otherwise reading `aborted` or `reason` consults the sources (Node's design too): a
// long-lived source, such as a controller kept by the module, then holds no reference to
// the many signals derived from it per invocation.
import { DOMException } from './dom-exception.js';
import { defineEventHandler, EventTarget, observeListeners, trustedEvent } from './events.js';
import {
  codedError,
  illegalConstructor,
  invalidArgType,
  invalidThis,
  outOfRange,
  ready,
  webIDLOnUse,
} from './idl.js';
import { defineLazy } from './lazy.js';

const apply = Reflect.apply;
const dispatch = EventTarget.prototype.dispatchEvent;
const WeakRefCtor = WeakRef;
const TypeErrorCtor = TypeError;
const isInteger = Number.isInteger;
const min = Math.min;
const iteratorSymbol = Symbol.iterator;
/** The longest delay a host timer takes; a longer timeout never fires within a deadline. */
const MAX_DELAY = 2 ** 31 - 1;

/** Lets the platform construct signals; `new AbortSignal()` is illegal. */
const CREATE = {};
const abortError = () => new DOMException('This operation was aborted', 'AbortError');

/** Signals that follow sources and have 'abort' listeners: kept alive until they abort. */
const listening = new Set();

/** host.setTimer, once installed. */
let setTimer = () => {
  throw new TypeErrorCtor('AbortSignal.timeout is not available before the platform is installed');
};

let signalAbort;
let isSignal;

export class AbortSignal extends EventTarget {
  #aborted = false;
  #reason = undefined;
  /** For a signal made by any(): its sources, none of them made by any(). */
  #sources;
  /** For a source: weak references to the composite signals that follow it. */
  #dependents;
  #dependentsPruned = 0;
  #following = false;
  #self;

  // A default keeps `length` 0, as Node's.
  constructor(token = undefined) {
    if (token !== CREATE) throw illegalConstructor();
    super();
  }

  static #make;
  static #refresh;

  static {
    isSignal = (value) => typeof value === 'object' && value !== null && #aborted in value;

    const refresh = (signal) => {
      const sources = signal.#sources;
      if (sources === undefined || signal.#aborted) return;
      for (let i = 0; i < sources.length; i++) {
        if (sources[i].#aborted) {
          signalAbort(signal, sources[i].#reason);
          return;
        }
      }
    };

    const unfollow = (signal) => {
      const sources = signal.#sources;
      if (!signal.#following || sources === undefined) return;
      for (let i = 0; i < sources.length; i++) sources[i].#dependents?.delete(signal.#self);
      signal.#following = false;
    };

    const follow = (signal) => {
      const sources = signal.#sources;
      if (signal.#following || signal.#aborted || sources === undefined) return;
      refresh(signal);
      if (signal.#aborted) return;
      signal.#self ??= new WeakRefCtor(signal);
      for (let i = 0; i < sources.length; i++) {
        const source = sources[i];
        source.#dependents ??= new Set();
        source.#dependents.add(signal.#self);
        // Drop references to signals collected meanwhile, every time the set doubles.
        if (source.#dependents.size > 2 * source.#dependentsPruned + 32) {
          for (const ref of source.#dependents) {
            if (ref.deref() === undefined) source.#dependents.delete(ref);
          }
          source.#dependentsPruned = source.#dependents.size;
        }
      }
      signal.#following = true;
    };

    const observe = (signal) =>
      observeListeners(signal, (type, count) => {
        if (type !== 'abort' || signal.#sources === undefined) return;
        if (count > 0 && !signal.#aborted) {
          follow(signal);
          if (signal.#following) listening.add(signal);
        } else if (count === 0) {
          unfollow(signal);
          listening.delete(signal);
        }
      });

    const fire = (signal) => apply(dispatch, signal, [trustedEvent('abort')]);

    // The DOM standard's "signal abort": dependents are marked aborted before any event
    // fires, then the source's event, then theirs.
    signalAbort = (signal, reason) => {
      if (signal.#aborted) return;
      signal.#aborted = true;
      signal.#reason = reason;
      const toAbort = [];
      if (signal.#dependents !== undefined) {
        for (const ref of signal.#dependents) {
          const dependent = ref.deref();
          if (dependent !== undefined && !dependent.#aborted) {
            dependent.#aborted = true;
            dependent.#reason = reason;
            toAbort[toAbort.length] = dependent;
          }
        }
        signal.#dependents = undefined;
      }
      unfollow(signal);
      listening.delete(signal);
      fire(signal);
      for (let i = 0; i < toAbort.length; i++) {
        unfollow(toAbort[i]);
        listening.delete(toAbort[i]);
        fire(toAbort[i]);
      }
    };

    AbortSignal.#make = (aborted, reason, sources) => {
      const signal = new AbortSignal(CREATE);
      signal.#aborted = aborted;
      signal.#reason = reason;
      if (sources !== undefined) {
        signal.#sources = sources;
        if (sources.length > 0) observe(signal);
      }
      return signal;
    };

    AbortSignal.#refresh = refresh;
  }

  static #check(self) {
    if (!isSignal(self)) throw invalidThis('AbortSignal');
    AbortSignal.#refresh(self);
  }

  get aborted() {
    AbortSignal.#check(this);
    return this.#aborted;
  }

  get reason() {
    AbortSignal.#check(this);
    return this.#reason;
  }

  throwIfAborted() {
    AbortSignal.#check(this);
    if (this.#aborted) throw this.#reason;
  }

  static abort(reason = abortError()) {
    return AbortSignal.#make(true, reason, undefined);
  }

  static timeout(delay) {
    if (typeof delay !== 'number') throw invalidArgType('delay', 'of type number', delay);
    if (!isInteger(delay)) throw outOfRange('delay', 'an integer', delay);
    if (delay < 0 || delay > 4294967295) {
      throw outOfRange('delay', '>= 0 && <= 4294967295', delay);
    }
    const signal = AbortSignal.#make(false, undefined, undefined);
    // The timer belongs to the running invocation and ends with it; Node would run a delay
    // past 2^31 - 1 ms after 1 ms, which no caller means.
    setTimer(
      () =>
        signalAbort(
          signal,
          new DOMException('The operation was aborted due to timeout', 'TimeoutError'),
        ),
      min(delay, MAX_DELAY),
      false,
      [],
    );
    return signal;
  }

  static any(signals) {
    const list = sequenceOfSignals(signals);
    const sources = [];
    for (let i = 0; i < list.length; i++) {
      const signal = list[i];
      AbortSignal.#refresh(signal);
      if (signal.#aborted) return AbortSignal.#make(true, signal.#reason, undefined);
      // A signal made by any() contributes its sources (any([]) made one with none).
      const own = signal.#sources ?? [signal];
      for (let j = 0; j < own.length; j++) {
        if (own[j].#aborted) return AbortSignal.#make(true, own[j].#reason, undefined);
        if (!includes(sources, own[j])) sources[sources.length] = own[j];
      }
    }
    return AbortSignal.#make(false, undefined, sources);
  }
}

const includes = (list, value) => {
  for (let i = 0; i < list.length; i++) if (list[i] === value) return true;
  return false;
};

/** WebIDL sequence<AbortSignal>, with Node's messages. */
function sequenceOfSignals(value) {
  const fail = (what) => codedError(TypeErrorCtor, 'ERR_INVALID_ARG_TYPE', `signals ${what}`);
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) {
    throw fail('cannot be converted to sequence.');
  }
  const method = value[iteratorSymbol];
  if (typeof method !== 'function') throw fail('cannot be converted to sequence.');
  const iterator = apply(method, value, []);
  const next = iterator?.next;
  if (typeof next !== 'function') throw fail('cannot be converted to sequence.');
  const out = [];
  for (;;) {
    const step = apply(next, iterator, []);
    if (step === null || (typeof step !== 'object' && typeof step !== 'function')) {
      throw fail('cannot be converted to sequence.');
    }
    if (step.done) return out;
    if (!isSignal(step.value)) {
      throw codedError(
        TypeErrorCtor,
        'ERR_INVALID_ARG_TYPE',
        `signals[${out.length}] is not of type AbortSignal.`,
      );
    }
    out[out.length] = step.value;
  }
}

webIDLOnUse(AbortSignal, 'AbortSignal', ['aborted'], () =>
  defineEventHandler(AbortSignal.prototype, 'abort'),
);

export class AbortController {
  #signal;

  constructor() {
    ready(new.target);
  }

  get signal() {
    if (!(typeof this === 'object' && this !== null && #signal in this)) {
      throw invalidThis('AbortController');
    }
    this.#signal ??= makeSignal();
    return this.#signal;
  }

  abort(reason = abortError()) {
    if (!(typeof this === 'object' && this !== null && #signal in this)) {
      throw invalidThis('AbortController');
    }
    this.#signal ??= makeSignal();
    signalAbort(this.#signal, reason);
  }
}
webIDLOnUse(AbortController, 'AbortController', ['signal', 'abort']);

/** A fresh signal that is not aborted (for controllers). */
function makeSignal() {
  return new AbortSignal(CREATE);
}

export function install(g, host) {
  setTimer = host.setTimer;
  defineLazy(g, 'AbortController', () => ready(AbortController));
  defineLazy(g, 'AbortSignal', () => ready(AbortSignal));
}

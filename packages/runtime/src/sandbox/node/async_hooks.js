// node:async_hooks: AsyncLocalStorage and AsyncResource as Node 24 defines them (its
// lib/internal/async_local_storage/async_context_frame.js and lib/async_hooks.js), on the
// async context of prelude/async-context.js. The store follows `await` (lowered to `.then`
// by the bundler for bundles that import this module), timers, setImmediate,
// process.nextTick, queueMicrotask and the promises of fetch and other host operations.
//
// Not Node's: createHook() returns a hook whose enable()/disable() do nothing (no init,
// before, after, destroy or promiseResolve callback is ever called: the isolate has no
// async resources of Node's to report); executionAsyncId() and triggerAsyncId() are the
// AsyncResource's ids inside runInAsyncScope and 1 and 0 elsewhere;
// executionAsyncResource() is that AsyncResource, or one object outside any.
//
// This module is evaluated after user code ran: it uses the prelude's intrinsics only.
import {
  activate,
  currentFrame,
  deleteFromFrame,
  enterFrameWith,
  exchangeFrame,
  frameGet,
  frameHas,
} from '../prelude/async-context.js';
import {
  apply,
  defineProperty,
  freeze,
  slice,
  TypeErrorCtor,
  toStr,
} from '../prelude/intrinsics.js';

const RangeErrorCtor = RangeError;
const isSafeInteger = Number.isSafeInteger;
const symbolDispose = Symbol.dispose;

/** Object.is, which user code may have replaced by the time this module runs. */
// biome-ignore lint/suspicious/noSelfCompare: x !== x is how NaN is told without a global
const same = (a, b) => (a === b ? a !== 0 || 1 / a === 1 / b : a !== a && b !== b);

/** Node's description of a wrong argument, as in its ERR_INVALID_ARG_TYPE messages. */
function received(value) {
  if (value === null || value === undefined) return ` Received ${value}`;
  if (typeof value === 'function') return ` Received function ${value.name}`;
  if (typeof value === 'object') {
    const name = value.constructor?.name;
    return name ? ` Received an instance of ${name}` : ' Received [object]';
  }
  let shown = typeof value === 'string' ? `'${value}'` : toStr(value);
  if (typeof value === 'bigint') shown += 'n';
  if (shown.length > 28) shown = `${apply(slice, shown, [0, 25])}...`;
  return ` Received type ${typeof value} (${shown})`;
}

function nodeError(Ctor, code, message) {
  const e = new Ctor(message);
  e.code = code;
  return e;
}

function invalidArgType(name, type, value) {
  return nodeError(
    TypeErrorCtor,
    'ERR_INVALID_ARG_TYPE',
    `The "${name}" argument must be of type ${type}.${received(value)}`,
  );
}

function validateFunction(value, name) {
  if (typeof value !== 'function') throw invalidArgType(name, 'function', value);
}

// --- Async ids. Nothing here has Node's asynchronous resources, so ids only number the
// AsyncResources a function creates.
let lastAsyncId = 1;
let running; // the AsyncResource whose runInAsyncScope is on the stack, if any
const topLevelResource = {};

export function executionAsyncId() {
  return running === undefined ? 1 : running.asyncId();
}

export function triggerAsyncId() {
  return running === undefined ? 0 : running.triggerAsyncId();
}

export function executionAsyncResource() {
  return running ?? topLevelResource;
}

/** `fn` called in `frame` with `resource` as the execution's resource. */
function runIn(resource, frame, fn, thisArg, args) {
  const prior = exchangeFrame(frame);
  const outer = running;
  running = resource;
  try {
    return apply(fn, thisArg, args);
  } finally {
    running = outer;
    exchangeFrame(prior);
  }
}

export class AsyncResource {
  #frame;
  #asyncId;
  #triggerAsyncId;

  constructor(type, opts = {}) {
    if (typeof type !== 'string') throw invalidArgType('type', 'string', type);
    let trigger = opts;
    if (typeof opts !== 'number') {
      trigger = opts.triggerAsyncId === undefined ? executionAsyncId() : opts.triggerAsyncId;
    }
    if (!isSafeInteger(trigger) || trigger < -1) {
      throw nodeError(
        RangeErrorCtor,
        'ERR_INVALID_ASYNC_ID',
        `Invalid triggerAsyncId value: ${toStr(trigger)}`,
      );
    }
    this.#frame = currentFrame();
    this.#asyncId = ++lastAsyncId;
    this.#triggerAsyncId = trigger;
  }

  runInAsyncScope(fn, thisArg, ...args) {
    return runIn(this, this.#frame, fn, thisArg, args);
  }

  emitDestroy() {
    return this;
  }

  asyncId() {
    return this.#asyncId;
  }

  triggerAsyncId() {
    return this.#triggerAsyncId;
  }

  bind(fn, thisArg) {
    validateFunction(fn, 'fn');
    const resource = this;
    let bound;
    if (thisArg === undefined) {
      bound = function (...args) {
        return apply(resource.runInAsyncScope, resource, [fn, this, ...args]);
      };
    } else {
      bound = (...args) => apply(resource.runInAsyncScope, resource, [fn, thisArg, ...args]);
      defineProperty(bound, 'name', { value: 'bound runInAsyncScope', configurable: true });
    }
    defineProperty(bound, 'length', { value: fn.length, configurable: true });
    let self = this;
    // Deprecated in Node (DEP0172), still there.
    defineProperty(bound, 'asyncResource', {
      configurable: true,
      enumerable: true,
      get: () => self,
      set: (value) => {
        self = value;
      },
    });
    return bound;
  }

  static bind(fn, type, thisArg) {
    const name = type || fn.name;
    return new AsyncResource(name || 'bound-anonymous-fn').bind(fn, thisArg);
  }
}

/** A scope entered by `storage.withScope(store)`, left by dispose() (or `using`). */
class RunScope {
  #storage;
  #previousStore;
  #disposed = false;

  constructor(storage, store) {
    this.#storage = storage;
    this.#previousStore = storage.getStore();
    storage.enterWith(store);
  }

  dispose() {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#storage.enterWith(this.#previousStore);
  }
}
if (symbolDispose !== undefined) {
  defineProperty(RunScope.prototype, symbolDispose, {
    value() {
      this.dispose();
    },
    writable: true,
    configurable: true,
  });
}

export class AsyncLocalStorage {
  #defaultValue = undefined;
  #name = undefined;

  constructor(options = {}) {
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      throw invalidArgType('options', 'object', options);
    }
    this.#defaultValue = options.defaultValue;
    if (options.name !== undefined) this.#name = `${options.name}`;
    // From now on callbacks carry the async context.
    activate();
  }

  get name() {
    return this.#name || '';
  }

  /** `fn` run, whenever called, in the context current now. */
  static bind(fn) {
    return AsyncResource.bind(fn);
  }

  /** `(cb, ...args) => cb(...args)` run in the context current now. */
  static snapshot() {
    return AsyncLocalStorage.bind((cb, ...args) => cb(...args));
  }

  disable() {
    deleteFromFrame(this);
  }

  enterWith(store) {
    enterFrameWith(this, store);
  }

  run(store, fn, ...args) {
    const prior = this.getStore();
    if (same(prior, store)) return apply(fn, null, args);
    this.enterWith(store);
    try {
      return apply(fn, null, args);
    } finally {
      this.enterWith(prior);
    }
  }

  exit(fn, ...args) {
    return this.run(undefined, fn, ...args);
  }

  getStore() {
    if (!frameHas(this)) return this.#defaultValue;
    return frameGet(this);
  }

  withScope(store) {
    return new RunScope(this, store);
  }
}

const HOOK_NAMES = ['init', 'before', 'after', 'destroy', 'promiseResolve'];

class AsyncHook {
  constructor(callbacks) {
    for (let i = 0; i < HOOK_NAMES.length; i++) {
      const name = HOOK_NAMES[i];
      const callback = callbacks[name];
      if (callback !== undefined && typeof callback !== 'function') {
        throw nodeError(TypeErrorCtor, 'ERR_ASYNC_CALLBACK', `hook.${name} must be a function`);
      }
    }
  }

  /** Does nothing: no async resource here is reported to hooks. */
  enable() {
    return this;
  }

  disable() {
    return this;
  }
}

export function createHook(callbacks) {
  return new AsyncHook(callbacks);
}

/** Node 24's table of async resource types (for code that reads it; no hook reports them). */
const PROVIDERS = [
  'NONE',
  'DIRHANDLE',
  'DNSCHANNEL',
  'ELDHISTOGRAM',
  'FILEHANDLE',
  'FILEHANDLECLOSEREQ',
  'BLOBREADER',
  'FSEVENTWRAP',
  'FSREQCALLBACK',
  'FSREQPROMISE',
  'GETADDRINFOREQWRAP',
  'GETNAMEINFOREQWRAP',
  'HEAPSNAPSHOT',
  'HTTP2SESSION',
  'HTTP2STREAM',
  'HTTP2PING',
  'HTTP2SETTINGS',
  'HTTPINCOMINGMESSAGE',
  'HTTPCLIENTREQUEST',
  'LOCKS',
  'JSSTREAM',
  'JSUDPWRAP',
  'MESSAGEPORT',
  'PIPECONNECTWRAP',
  'PIPESERVERWRAP',
  'PIPEWRAP',
  'PROCESSWRAP',
  'PROMISE',
  'QUERYWRAP',
  'QUIC_ENDPOINT',
  'QUIC_LOGSTREAM',
  'QUIC_SESSION',
  'QUIC_STREAM',
  'QUIC_UDP',
  'SHUTDOWNWRAP',
  'SIGNALWRAP',
  'STATWATCHER',
  'STREAMPIPE',
  'TCPCONNECTWRAP',
  'TCPSERVERWRAP',
  'TCPWRAP',
  'TTYWRAP',
  'UDPSENDWRAP',
  'UDPWRAP',
  'SIGINTWATCHDOG',
  'WORKER',
  'WORKERCPUPROFILE',
  'WORKERCPUUSAGE',
  'WORKERHEAPPROFILE',
  'WORKERHEAPSNAPSHOT',
  'WORKERHEAPSTATISTICS',
  'WRITEWRAP',
  'ZLIB',
  'CHECKPRIMEREQUEST',
  'PBKDF2REQUEST',
  'KEYPAIRGENREQUEST',
  'KEYGENREQUEST',
  'KEYEXPORTREQUEST',
  'ARGON2REQUEST',
  'CIPHERREQUEST',
  'DERIVEBITSREQUEST',
  'HASHREQUEST',
  'RANDOMBYTESREQUEST',
  'RANDOMPRIMEREQUEST',
  'SCRYPTREQUEST',
  'SIGNREQUEST',
  'TLSWRAP',
  'VERIFYREQUEST',
];
const asyncWrapProviders = { __proto__: null };
for (let i = 0; i < PROVIDERS.length; i++) asyncWrapProviders[PROVIDERS[i]] = i;
freeze(asyncWrapProviders);

export default {
  AsyncLocalStorage,
  createHook,
  executionAsyncId,
  triggerAsyncId,
  executionAsyncResource,
  asyncWrapProviders,
  AsyncResource,
};

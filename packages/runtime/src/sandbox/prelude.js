// Runs inside every isolate before any user code; its completion value is `install`.
// It is the only code of ours in the isolate, so it captures the intrinsics it needs
// up front: user code may later replace JSON.stringify or Array.prototype.push in its
// own isolate, and that must not change how we report its outcomes. The host trusts
// nothing from here but the one envelope string each call returns.
(function install(optionsJson) {
  // biome-ignore lint/suspicious/noRedundantUseStrict: V8 compiles this as a classic script, where it counts.
  'use strict';
  const g = globalThis;
  const { defineProperty, freeze, getOwnPropertyDescriptor, getPrototypeOf, hasOwn } = Object;
  const apply = Reflect.apply;
  const stringify = JSON.stringify;
  const parse = JSON.parse;
  const now = Date.now;
  const toStr = String;
  const slice = String.prototype.slice;
  const push = Array.prototype.push;
  const join = Array.prototype.join;
  const max = Math.max;
  const ErrorCtor = Error;

  const options = parse(optionsJson);
  const LOG_LIMIT = options.logLimit;
  const NAME_LIMIT = 256;
  const MESSAGE_LIMIT = 4096;
  const STACK_LIMIT = 16384;

  // Capabilities we do not hand out. SharedArrayBuffer and Atomics make precise timers
  // (Spectre-class side channels); WebAssembly allocates memory and compiles on threads
  // outside the limits we enforce, so it stays off until a function can opt in.
  for (const name of ['SharedArrayBuffer', 'Atomics', 'WebAssembly']) delete g[name];

  // V8 formats `error.stack` lazily through Error.prepareStackTrace; locked, reading a
  // stack can never run user code.
  defineProperty(ErrorCtor, 'prepareStackTrace', {
    value: undefined,
    writable: false,
    configurable: false,
  });
  const nativeStackGetter = getOwnPropertyDescriptor(new ErrorCtor(), 'stack')?.get;

  // isolated-vm adopts the promise a call returns with Promise.prototype.then and the
  // species found through Promise.prototype.constructor. Replaced by user code, those
  // would let a function hand the host any string as its outcome, so they are locked
  // (assigning them throws in strict code; code that patches Promise, like zone.js,
  // cannot run here).
  for (const key of ['then', 'constructor']) {
    defineProperty(Promise.prototype, key, { writable: false, configurable: false });
  }
  defineProperty(Promise, Symbol.species, { configurable: false });

  const truncate = (s, limit) =>
    s.length > limit ? `${apply(slice, s, [0, limit - 1])}\u2026` : s;

  // Finds `key` on `obj` or its prototypes without calling any getter.
  function dataProperty(obj, key) {
    let o = obj;
    for (let depth = 0; o !== null && depth < 32; depth++) {
      const d = getOwnPropertyDescriptor(o, key);
      // hasOwn, not `in`: a getter on Object.prototype.value must not run here.
      if (d !== undefined) return hasOwn(d, 'value') ? { ok: true, value: d.value } : { ok: false };
      o = getPrototypeOf(o);
    }
    return { ok: true, value: undefined };
  }

  // A plain, bounded {name, message, stack} for whatever was thrown: never calls a
  // user getter or toString, so a hostile error value cannot hang the report.
  function describe(thrown) {
    const info = { __proto__: null, name: 'Error', message: '', stack: '' };
    if (thrown === null || (typeof thrown !== 'object' && typeof thrown !== 'function')) {
      info.message = truncate(toStr(thrown), MESSAGE_LIMIT);
      return info;
    }
    const name = dataProperty(thrown, 'name');
    const message = dataProperty(thrown, 'message');
    if (name.ok && typeof name.value === 'string') info.name = truncate(name.value, NAME_LIMIT);
    info.message =
      message.ok && typeof message.value === 'string'
        ? truncate(message.value, MESSAGE_LIMIT)
        : 'Non-error value thrown';
    const own = getOwnPropertyDescriptor(thrown, 'stack');
    let stack;
    if (own !== undefined && hasOwn(own, 'value')) stack = own.value;
    else if (
      own !== undefined &&
      hasOwn(own, 'get') &&
      own.get === nativeStackGetter &&
      name.ok &&
      message.ok
    ) {
      // The native getter builds "name: message" from the two properties checked above.
      stack = apply(nativeStackGetter, thrown, []);
    }
    if (typeof stack === 'string') info.stack = truncate(stack, STACK_LIMIT);
    return info;
  }

  // describe() runs no user code for ordinary values, but a thrown Proxy's traps can
  // throw: then a fixed description, so nothing user-made escapes as our own failure.
  function describeSafely(thrown) {
    try {
      return describe(thrown);
    } catch {
      return {
        __proto__: null,
        name: 'Error',
        message: 'The function threw a value that cannot be described',
        stack: '',
      };
    }
  }

  // Console capture: the newest lines up to LOG_LIMIT characters, and a count of the
  // lines dropped or cut short. Only between an invocation's start and its envelope:
  // output of work left running afterwards belongs to no caller and is discarded, so
  // it can never show up in the next caller's logs.
  let capturing = false;
  // A ring of lines allocated now, before user code: every line is at least 2 characters
  // with its newline, so LOG_LIMIT slots always suffice, the ring never grows however
  // much is logged, and writes go to existing elements (no inherited setter can run).
  const ring = new Array(LOG_LIMIT);
  for (let i = 0; i < LOG_LIMIT; i++) ring[i] = '';
  let first = 0;
  let count = 0;
  let size = 0;
  let dropped = 0;

  function resetLogs() {
    first = 0;
    count = 0;
    size = 0;
    dropped = 0;
  }

  function formatArg(value) {
    if (typeof value === 'string') return value;
    if (value === null || (typeof value !== 'object' && typeof value !== 'function')) {
      return toStr(value);
    }
    if (typeof value === 'function') return '[Function]';
    const d = describeSafely(value);
    if (d.stack !== '') return d.stack;
    try {
      const json = stringify(value);
      return typeof json === 'string' ? json : '[object]';
    } catch {
      return '[object]';
    }
  }

  function record(level, args) {
    if (!capturing) return;
    const parts = [];
    for (let i = 0; i < args.length; i++) apply(push, parts, [formatArg(args[i])]);
    let line = `${level} ${apply(join, parts, [' '])}`;
    if (line.length > LOG_LIMIT) {
      line = truncate(line, LOG_LIMIT);
      dropped++;
    }
    if (count === LOG_LIMIT) dropOldest();
    ring[(first + count) % LOG_LIMIT] = line;
    count++;
    size += line.length + 1;
    while (size > LOG_LIMIT + 1 && count > 0) dropOldest();
  }

  function dropOldest() {
    size -= ring[first].length + 1;
    ring[first] = '';
    first = (first + 1) % LOG_LIMIT;
    count--;
    dropped++;
  }

  function takeLogs() {
    let text = '';
    for (let i = 0; i < count; i++) {
      const line = ring[(first + i) % LOG_LIMIT];
      text += i === 0 ? line : `\n${line}`;
    }
    const result = { text, dropped };
    resetLogs();
    return result;
  }

  const consoleObject = {};
  for (const [method, level] of [
    ['log', 'INFO'],
    ['info', 'INFO'],
    ['debug', 'DEBUG'],
    ['warn', 'WARN'],
    ['error', 'ERROR'],
    ['trace', 'TRACE'],
  ]) {
    consoleObject[method] = (...args) => record(level, args);
  }
  defineProperty(g, 'console', { value: consoleObject, writable: true, configurable: true });

  // The envelope the host reads: <tag><logs length>,<dropped>;<logs><payload>.
  // R = result JSON, E = error JSON, I = invalid result message, J = invalid event message.
  function envelope(tag, payload) {
    const logs = takeLogs();
    capturing = false;
    return `${tag}${logs.text.length},${logs.dropped};${logs.text}${payload}`;
  }

  const promiseThen = Promise.prototype.then;
  const PromiseCtor = Promise;

  const thenSafely = (promise, onFulfilled, onRejected) =>
    apply(promiseThen, promise, [onFulfilled, onRejected]);

  // Binds a module namespace to the three entry points the host calls: `run` (async
  // callers await its promise), and `runSync` + `take` + `wait` for callers that run the
  // handler synchronously and only fall back to waiting when it is really asynchronous.
  return function attach(namespace, metaJson) {
    const meta = parse(metaJson);
    const handler = namespace.handler;
    if (typeof handler !== 'function') {
      throw new ErrorCtor('The module has no `handler` export to call');
    }
    const env = freeze(meta.env);
    const functionName = meta.name;
    const functionVersion = toStr(meta.version);
    const memoryLimitInMB = meta.memoryMb;

    function finish(result) {
      let json;
      try {
        json = result === undefined ? 'null' : stringify(result);
      } catch (e) {
        return envelope('I', `The result is not JSON-serializable: ${describeSafely(e).message}`);
      }
      if (typeof json !== 'string') {
        return envelope('I', `The result is not JSON-serializable: a ${typeof result}`);
      }
      return envelope('R', json);
    }

    const fail = (e) => envelope('E', stringify(describeSafely(e)));

    // The envelope string when the handler finished synchronously, else a promise of it.
    // Never throws for anything user code does: only termination or OOM rejects a call.
    function start(eventJson, invocationId, timeoutMs) {
      try {
        return begin(eventJson, invocationId, timeoutMs);
      } catch (e) {
        return fail(e);
      }
    }

    function begin(eventJson, invocationId, timeoutMs) {
      resetLogs();
      capturing = true;
      const deadline = now() + timeoutMs;
      let event = null;
      if (eventJson !== '') {
        try {
          event = parse(eventJson);
        } catch (e) {
          return envelope('J', describeSafely(e).message);
        }
      }
      const context = {
        functionName,
        functionVersion,
        invocationId,
        awsRequestId: invocationId,
        memoryLimitInMB,
        env,
        getRemainingTimeInMillis: () => max(0, deadline - now()),
      };
      let result;
      try {
        result = apply(handler, undefined, [event, context]);
      } catch (e) {
        return fail(e);
      }
      if (result === null || (typeof result !== 'object' && typeof result !== 'function')) {
        return finish(result);
      }
      let then;
      try {
        then = result.then;
      } catch (e) {
        return fail(e);
      }
      if (typeof then !== 'function') return finish(result);
      // Adopt the thenable as `await` would, with the intrinsics captured above.
      const adopted = new PromiseCtor((resolve) => resolve(result));
      return thenSafely(adopted, finish, fail);
    }

    let pending;
    let settled = '';
    return {
      run: (eventJson, invocationId, timeoutMs) => start(eventJson, invocationId, timeoutMs),
      runSync(eventJson, invocationId, timeoutMs) {
        const out = start(eventJson, invocationId, timeoutMs);
        if (typeof out === 'string') return out;
        settled = '';
        pending = thenSafely(out, (envelopeString) => {
          settled = envelopeString;
          return envelopeString;
        });
        return ''; // not settled yet: the host calls take(), then wait()
      },
      take() {
        const out = settled;
        if (out !== '') {
          settled = '';
          pending = undefined;
        }
        return out;
      },
      wait() {
        const p = pending;
        pending = undefined;
        settled = '';
        return p;
      },
    };
  };
});

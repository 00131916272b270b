import { utf8Decode, utf8Encode } from '../platform/encoding.js';
import { Response, requestFromData, responseToData } from '../platform/fetch/index.js';
import { describeSafely } from './describe.js';
import { describeExports, pickHandler } from './exports.js';
import {
  configureFunction,
  connectProcessIo,
  exitDuringInit,
  functionMeta,
  initExit,
} from './function-info.js';
import {
  apply,
  ErrorCtor,
  g,
  PromiseCtor,
  parse,
  promiseAllSettled,
  promiseRace,
  push,
  stringify,
  TypeErrorCtor,
  thenSafely,
} from './intrinsics.js';
import { createCompletion, createContextFactory } from './lambda-context.js';

const isThenable = (value) => {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  return typeof value.then === 'function';
};

/**
 * Binds a module namespace to the entry points the host calls, for its real handler style.
 * `io` is the prelude's shared state: console capture, the bridge, the envelope writer.
 */
export function createAttach(io) {
  const { capture, bridge, maxResultBytes, notifySettled } = io;
  let pendingBody; // the body of the last 'H' envelope, until the host takes it
  let keepAlive = []; // ctx.waitUntil promises of the running fetch invocation
  let bound = false; // the module is evaluated and its handler bound

  // node:process writes through these (the console as the prelude made it, whatever user
  // code does to the global later); its exit() fails the invocation running, or the
  // module's init when called from top-level code.
  const { log, warn } = g.console;
  connectProcessIo({
    log,
    warn,
    error: capture.error,
    exit(error) {
      if (bound) bridge.host.reportError(error);
      else exitDuringInit(error);
    },
  });

  // The envelope the host reads: <tag><logs length>,<dropped>;<logs><payload>.
  // R result JSON, E error JSON, I invalid result, J invalid event, H HTTP response head
  // (body via takeBody), L result too large.
  function envelope(tag, payload) {
    const logs = capture.take();
    return `${tag}${logs.text.length},${logs.dropped};${logs.text}${payload}`;
  }

  const fail = (e) => envelope('E', stringify(describeSafely(e)));

  function finishJson(result) {
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

  /** Settles `value` (maybe a thenable) into an envelope; a timer that throws fails it. */
  function settle(value, onValue) {
    if (!isThenable(value)) {
      const early = bridge.takeEarly();
      return early === undefined ? onValue(value) : fail(early.error);
    }
    let failInvocation;
    const uncaught = new PromiseCtor((_, reject) => {
      failInvocation = reject;
    });
    bridge.onUncaught(failInvocation);
    // Adopt the thenable as `await` would, with the intrinsics captured up front.
    const adopted = new PromiseCtor((resolve) => resolve(value));
    return thenSafely(apply(promiseRace, PromiseCtor, [[adopted, uncaught]]), onValue, fail);
  }

  function checkResponse(response) {
    if (!(response instanceof Response)) {
      const got = response === null ? 'null' : typeof response;
      throw new TypeErrorCtor(`The fetch handler must return a Response (it returned ${got})`);
    }
    return response;
  }

  /** A fetch-style function called through invoke: the response body becomes the result. */
  function finishInvokeResponse(response) {
    return settle(responseToData(checkResponse(response), maxResultBytes), (data) => {
      if (data.tooLarge)
        return envelope('L', `The response is larger than ${maxResultBytes} bytes`);
      const text = utf8Decode(data.body);
      try {
        parse(text);
        return envelope('R', text);
      } catch {
        return envelope('R', stringify(text));
      }
    });
  }

  /** A fetch-style function on an HTTP trigger: the response goes back as it is. */
  function finishHttpResponse(response) {
    return settle(responseToData(checkResponse(response), maxResultBytes), (data) => {
      if (data.tooLarge)
        return envelope('L', `The response is larger than ${maxResultBytes} bytes`);
      pendingBody = data.body;
      const head = { status: data.status, statusText: data.statusText, headers: data.headers };
      return envelope('H', stringify(head));
    });
  }

  /** An event handler's result: the first of its callback and what it returns. */
  function settleEvent(fn, result, completion) {
    const called = completion.outcome();
    if (called !== undefined) return settle(called, finishOutcome);
    if (isThenable(result)) {
      const returned = thenSafely(
        new PromiseCtor((resolve) => resolve(result)),
        (value) => ({ failed: false, value }),
        (error) => ({ failed: true, error }),
      );
      const first = apply(promiseRace, PromiseCtor, [[completion.later(), returned]]);
      return settle(first, finishOutcome);
    }
    // The callback form returns nothing and calls back later (AWS passes the callback to
    // every handler; one that declares it and returns nothing is waited for).
    if (result === undefined && fn.length >= 3) return settle(completion.later(), finishOutcome);
    return settle(result, finishJson);
  }

  function finishOutcome(outcome) {
    return outcome.failed ? fail(outcome.error) : finishJson(outcome.value);
  }

  /**
   * attach(undefined, metaJson): the function this isolate runs, before its module is
   * evaluated (top-level code may read process.env). attach(namespace): binds the
   * evaluated module's handler to the entry points the host calls.
   */
  return function attach(namespace, metaJson) {
    if (namespace === undefined) {
      configureFunction(parse(metaJson));
      return undefined;
    }
    // process.exit() in top-level code fails the module even if the module caught it.
    const exited = initExit();
    if (exited !== undefined) throw exited;
    const picked = pickHandler(namespace);
    if (picked === null) {
      throw new ErrorCtor(`The module has no handler: ${describeExports(namespace)}`);
    }
    const meta = functionMeta();
    const env = meta.env;
    const contextFor = createContextFactory(meta);
    bound = true;

    function fetchContext() {
      return {
        waitUntil(promise) {
          if (keepAlive.length === 0) bridge.host.call('invocation.keepAlive');
          apply(push, keepAlive, [promise]);
        },
        passThroughOnException() {},
      };
    }

    function callFetch(request) {
      return apply(picked.fn, picked.target, [request, env, fetchContext()]);
    }

    /** Starts an invocation: a fresh console, and no work of earlier ones left around. */
    function open() {
      capture.start();
      bridge.begin();
      if (keepAlive.length > 0) keepAlive = [];
      pendingBody = undefined;
    }

    function startEvent(eventJson, invocationId, timeoutMs) {
      open();
      let event = null;
      if (eventJson !== '') {
        try {
          event = parse(eventJson);
        } catch (e) {
          return envelope('J', describeSafely(e).message);
        }
      }
      if (picked.style === 'fetch') {
        const request = requestFromData({
          method: 'POST',
          url: 'http://localhost/',
          headers: [['content-type', 'application/json']],
          body: utf8Encode(eventJson === '' ? 'null' : eventJson),
        });
        return settle(callFetch(request), finishInvokeResponse);
      }
      const completion = createCompletion();
      const context = contextFor(invocationId, timeoutMs, completion);
      let result;
      try {
        result = apply(picked.fn, undefined, [event, context, completion.done]);
      } catch (e) {
        // AWS's runtime hands the exception to the callback: a callback made first wins.
        if (completion.outcome() === undefined) throw e;
      }
      return settleEvent(picked.fn, result, completion);
    }

    function startHttp(_invocationId, _timeoutMs, method, url, headers, body) {
      open();
      if (picked.style !== 'fetch') {
        throw new TypeErrorCtor('An HTTP request reached a function that has no fetch handler');
      }
      const request = requestFromData({ method, url, headers, body });
      return settle(callFetch(request), finishHttpResponse);
    }

    // The envelope when the handler finished synchronously, else a promise of it. Never
    // throws for anything user code does: only termination or OOM rejects a call. (Spelled
    // out, not wrapped generically: this is every call's path.)
    function runEvent(eventJson, invocationId, timeoutMs) {
      try {
        return startEvent(eventJson, invocationId, timeoutMs);
      } catch (e) {
        return fail(e);
      }
    }

    function runHttp(invocationId, timeoutMs, method, url, headers, body) {
      try {
        return startHttp(invocationId, timeoutMs, method, url, headers, body);
      } catch (e) {
        return fail(e);
      }
    }
    let pending;
    let settled = '';

    /** '' when the envelope is not ready yet: the host then calls take(), then wait(). */
    function sync(out) {
      if (typeof out === 'string') return out;
      settled = '';
      pending = thenSafely(out, (envelopeString) => {
        settled = envelopeString;
        // In sync execution the host learns of it here, inside the host call (a timer, a
        // fetch result) that let the handler finish: no hop to isolated-vm's thread pool.
        // A signal only: the host then takes the envelope itself (take()).
        if (notifySettled) bridge.host.call('invocation.settled');
        return envelopeString;
      });
      return '';
    }

    return {
      style: picked.style,
      runSync: (eventJson, invocationId, timeoutMs) =>
        sync(runEvent(eventJson, invocationId, timeoutMs)),
      runHttpSync: (invocationId, timeoutMs, method, url, headers, body) =>
        sync(runHttp(invocationId, timeoutMs, method, url, headers, body)),
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
      takeBody() {
        const body = pendingBody;
        pendingBody = undefined;
        return body;
      },
      /** Settles once every ctx.waitUntil promise has (those added meanwhile too). */
      drain() {
        const round = () => {
          const waiting = keepAlive;
          keepAlive = [];
          if (waiting.length === 0) return '';
          return thenSafely(apply(promiseAllSettled, PromiseCtor, [waiting]), round);
        };
        return thenSafely(new PromiseCtor((resolve) => resolve()), round);
      },
    };
  };
}

// Runs inside every isolate before any user code: the only code of ours in the isolate.
// esbuild bundles this directory and ../platform into one classic script whose completion
// value is `install` (see prelude-source.ts). The host trusts nothing from here but the
// envelope strings the entry points return.
import { shared } from 'mini-lambda:shared';
import { installPlatform } from '../platform/index.js';
import { trackingThen } from './async-context.js';
import { createBridge } from './bridge.js';
import { connectChunks, createLinker } from './chunks.js';
import { createConsoleCapture } from './console.js';
import { describeExports, pickHandler } from './exports.js';
import { initExit } from './function-info.js';
import { createAttach } from './handler.js';
import { defineProperty, ErrorCtor, g, parse, stringify } from './intrinsics.js';
import { installNodeLoader } from './node-loader.js';

/**
 * Installs the prelude in this context. `hostCall` is the isolated-vm Callback into the
 * sandbox process (see bridge.js). Returns the functions the host holds references to.
 */
export function install(optionsJson, hostCall) {
  const options = parse(optionsJson);

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

  // isolated-vm adopts the promise a call returns with Promise.prototype.then and the
  // species found through Promise.prototype.constructor. Replaced by user code, those
  // would let a function hand the host any string as its outcome, so they are locked
  // (assigning them throws in strict code; code that patches Promise, like zone.js,
  // cannot run here). `then` is first replaced by one that carries the async context
  // (async-context.js): identical to the intrinsic until a function uses AsyncLocalStorage.
  defineProperty(Promise.prototype, 'then', { value: trackingThen });
  for (const key of ['then', 'constructor']) {
    defineProperty(Promise.prototype, key, { writable: false, configurable: false });
  }
  defineProperty(Promise, Symbol.species, { configurable: false });

  const capture = createConsoleCapture(options.logLimit);
  connectChunks(hostCall);
  const bridge = createBridge(hostCall, options.maxArgBytes);
  installPlatform(g, bridge.host);
  installNodeLoader(g, bridge.host);
  const attach = createAttach({
    capture,
    bridge,
    maxResultBytes: options.maxResultBytes,
    notifySettled: options.notifySettled === true,
  });

  return {
    attach,
    deliver: bridge.deliver,
    link: createLinker(shared),
    /** What a deploy learns of a module: its handler style, or what it exports instead. */
    inspect(namespace) {
      // process.exit() in top-level code fails the deploy, even if the module caught it.
      const exited = initExit();
      if (exited !== undefined) throw exited;
      const picked = pickHandler(namespace);
      return stringify(
        picked === null
          ? { style: null, found: describeExports(namespace) }
          : { style: picked.style },
      );
    },
  };
}

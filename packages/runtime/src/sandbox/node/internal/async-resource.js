// AsyncResource for unenv's events module, which extends it at load time: the real one
// (node:async_hooks) is loaded when an EventEmitterAsyncResource is first made, so loading
// `events` neither loads async_hooks nor turns on its context tracking.
import { loadBuiltin } from '../../prelude/node-loader.js';

export class AsyncResource {
  #real;
  constructor(type, options) {
    const Real = loadBuiltin('async_hooks').AsyncResource;
    this.#real = new Real(type, options);
  }
  runInAsyncScope(fn, thisArg, ...args) {
    return this.#real.runInAsyncScope(fn, thisArg, ...args);
  }
  emitDestroy() {
    this.#real.emitDestroy();
    return this;
  }
  asyncId() {
    return this.#real.asyncId();
  }
  triggerAsyncId() {
    return this.#real.triggerAsyncId();
  }
  bind(fn, thisArg) {
    return this.#real.bind(fn, thisArg);
  }
}

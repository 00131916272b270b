// node:events. unenv's events (Node's lib/events.js; its stubbed errors and checks are
// restored in node-source-patches.ts) gives errorMonitor, captureRejections, on/once with
// AbortSignal and getEventListeners. It is a class, and old code inherits the Node way,
// `EventEmitter.call(this)` (readable-stream's Stream does): module.exports is a plain
// function over the same prototype, as Node's EventEmitter is.
import { _EventEmitter as Base } from 'unenv/node/internal/events/events';

const kCapture = Symbol.for('kCapture');
const kShapeMode = Symbol.for('shapeMode');
const proto = Base.prototype;

/** Node's EventEmitter: callable on `this` by old-style subclasses, or with `new`. */
export default function EventEmitter(opts) {
  EventEmitter.init.call(this, opts);
}

for (const [key, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(Base))) {
  if (key !== 'prototype' && key !== 'name' && key !== 'length') {
    Object.defineProperty(EventEmitter, key, descriptor);
  }
}
for (const key of Object.getOwnPropertySymbols(Base)) {
  Object.defineProperty(EventEmitter, key, Object.getOwnPropertyDescriptor(Base, key));
}
EventEmitter.prototype = proto;
Object.defineProperty(proto, 'constructor', {
  value: EventEmitter,
  writable: true,
  configurable: true,
  enumerable: false,
});
// Node's on and off are addListener and removeListener themselves; unenv's call them
// through `this`, which recurses forever under readable-stream's Readable (its
// addListener is its on, which calls the emitter's on).
proto.on = proto.addListener;
proto.off = proto.removeListener;
proto._events = undefined;
proto._eventsCount = 0;
proto._maxListeners = undefined;
proto[kCapture] = false;

Object.defineProperties(EventEmitter, {
  EventEmitter: { value: EventEmitter, enumerable: true, configurable: true, writable: true },
  init: {
    value: function init(opts) {
      if (this._events === undefined || this._events === Object.getPrototypeOf(this)._events) {
        this._events = { __proto__: null };
        this._eventsCount = 0;
        this[kShapeMode] = false;
      } else {
        this[kShapeMode] = true;
      }
      this._maxListeners = this._maxListeners || undefined;
      if (opts?.captureRejections) {
        this[kCapture] = Boolean(opts.captureRejections);
      } else {
        this[kCapture] = proto[kCapture];
      }
    },
    enumerable: true,
    configurable: true,
    writable: true,
  },
  // Node keeps the default on the prototype, where init reads it.
  captureRejections: {
    get: () => proto[kCapture],
    set: (value) => {
      if (typeof value !== 'boolean') {
        throw Object.assign(
          new TypeError('The "EventEmitter.captureRejections" property must be of type boolean.'),
          { code: 'ERR_INVALID_ARG_TYPE' },
        );
      }
      proto[kCapture] = value;
    },
    enumerable: true,
    configurable: true,
  },
});

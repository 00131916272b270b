// Hash, Hmac, Cipher, Sign and Verify are streams in Node (hash.pipe(…), source.pipe(hash)),
// but almost all code calls update()/digest(). The stream behind one is made on its first
// stream method, so a function that only hashes never loads node:stream.
import { loadBuiltin } from '../../prelude/node-loader.js';

const METHODS = [
  'write',
  'end',
  'pipe',
  'unpipe',
  'on',
  'once',
  'off',
  'addListener',
  'removeListener',
  'removeAllListeners',
  'prependListener',
  'prependOnceListener',
  'emit',
  'listeners',
  'listenerCount',
  'eventNames',
  'read',
  'setEncoding',
  'setDefaultEncoding',
  'pause',
  'resume',
  'isPaused',
  'destroy',
  'cork',
  'uncork',
  'push',
];
const PROPERTIES = [
  '_readableState',
  '_writableState',
  'readable',
  'writable',
  'destroyed',
  'closed',
  'errored',
  'readableEnded',
  'readableFlowing',
  'writableEnded',
  'writableFinished',
];

/**
 * Gives `Class`'s instances the methods of a stream.Transform (`writable`: a Writable)
 * whose `transform(self, chunk, encoding)` returns what to push (or undefined) and whose
 * `flush(self)` returns the last output.
 */
export function streamable(Class, { transform, flush, writable = false }) {
  const streams = new WeakMap();
  const streamOf = (self) => {
    let s = streams.get(self);
    if (s === undefined) {
      const { Transform, Writable } = loadBuiltin('stream');
      s = writable
        ? new Writable({
            write(chunk, encoding, cb) {
              transform(self, chunk, encoding);
              cb();
            },
          })
        : new Transform({
            transform(chunk, encoding, cb) {
              let out;
              try {
                out = transform(self, chunk, encoding);
              } catch (e) {
                cb(e);
                return;
              }
              cb(null, out === undefined || out.length === 0 ? undefined : out);
            },
            flush(cb) {
              let out;
              try {
                out = flush(self);
              } catch (e) {
                cb(e);
                return;
              }
              cb(null, out === undefined || out.length === 0 ? undefined : out);
            },
          });
      streams.set(self, s);
    }
    return s;
  };
  for (const name of METHODS) {
    if (Object.hasOwn(Class.prototype, name)) continue;
    Object.defineProperty(Class.prototype, name, {
      configurable: true,
      writable: true,
      value(...args) {
        const s = streamOf(this);
        const result = s[name](...args);
        return result === s ? this : result;
      },
    });
  }
  for (const name of PROPERTIES) {
    Object.defineProperty(Class.prototype, name, {
      configurable: true,
      get() {
        return streamOf(this)[name];
      },
    });
  }
  Class.prototype[Symbol.asyncIterator] = function asyncIterator() {
    return streamOf(this)[Symbol.asyncIterator]();
  };
}

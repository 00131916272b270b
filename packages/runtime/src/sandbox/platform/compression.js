// CompressionStream and DecompressionStream: TransformStreams whose chunks go through a
// zlib stream in the sandbox process (host-ops/zlib.ts), one per stream, opened on first
// use and closed when it finishes, fails or its invocation ends.
import { bytesOf, copyBytes } from './buffer-source.js';
import { webIDL } from './idl.js';
import { defineGlobal } from './lazy.js';
import { TransformStream } from './streams.js';

const TypeErrorCtor = TypeError;
const FORMATS = { __proto__: null, gzip: true, deflate: true, 'deflate-raw': true };

/** The bridge, set by install; module-private. */
let host;

function formatOf(format, ctor) {
  const f = `${format}`;
  if (FORMATS[f] !== true) {
    const e = new TypeErrorCtor(
      `Failed to construct '${ctor}': 1st argument '${f}' is not a valid enum value of type CompressionFormat.`,
    );
    e.code = 'ERR_INVALID_ARG_VALUE';
    throw e;
  }
  return f;
}

/** The transform of one stream: chunks to the host's zlib stream, its output enqueued. */
function zlibTransform(format, mode) {
  let id;
  const open = () => {
    if (id === undefined) id = host.call('zlib.open', format, mode);
    return id;
  };
  const close = () => {
    if (id === undefined) return;
    try {
      host.call('zlib.close', id);
    } catch {
      // the invocation ended and the host closed it already
    }
  };
  // One step may hand over part of its output; the rest is pulled until it is complete,
  // so the host never holds more than a step's worth for us.
  async function drain(step, controller) {
    try {
      let [out, done] = await step;
      for (;;) {
        if (out.length > 0) controller.enqueue(out);
        if (done) return;
        [out, done] = await host.start('zlib.pull', [id]);
      }
    } catch (e) {
      close();
      throw e;
    }
  }
  return new TransformStream({
    transform(chunk, controller) {
      const bytes = bytesOf(chunk);
      if (bytes === undefined) {
        close();
        throw new TypeErrorCtor('The chunk must be an ArrayBuffer, TypedArray or DataView');
      }
      if (bytes.length === 0) return undefined;
      return drain(host.start('zlib.push', [open(), copyBytes(bytes, 'chunk')]), controller);
    },
    flush(controller) {
      return drain(host.start('zlib.finish', [open()]), controller);
    },
    cancel() {
      close();
    },
  });
}

export class CompressionStream {
  #transform;

  constructor(format) {
    this.#transform = zlibTransform(formatOf(format, 'CompressionStream'), 'compress');
  }

  get readable() {
    return this.#transform.readable;
  }

  get writable() {
    return this.#transform.writable;
  }
}

export class DecompressionStream {
  #transform;

  constructor(format) {
    this.#transform = zlibTransform(formatOf(format, 'DecompressionStream'), 'decompress');
  }

  get readable() {
    return this.#transform.readable;
  }

  get writable() {
    return this.#transform.writable;
  }
}

webIDL(CompressionStream.prototype, 'CompressionStream', ['readable', 'writable']);
webIDL(DecompressionStream.prototype, 'DecompressionStream', ['readable', 'writable']);

export function install(g, bridge) {
  host = bridge;
  defineGlobal(g, 'CompressionStream', CompressionStream);
  defineGlobal(g, 'DecompressionStream', DecompressionStream);
}

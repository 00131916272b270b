// Node streams to and from the platform's web streams (Readable.fromWeb/toWeb,
// Writable.fromWeb/toWeb), after Node's lib/internal/webstreams/adapters.js, which
// readable-stream leaves out. Backpressure: a Readable pauses when the web stream's queue
// is full and resumes on pull; a Writable waits for the writer's `ready`.
import { ERR_INVALID_ARG_TYPE } from './errors.js';

const isReadableStream = (v) => typeof v?.getReader === 'function' && typeof v?.tee === 'function';
const isWritableStream = (v) =>
  typeof v?.getWriter === 'function' && typeof v?.abort === 'function';

export function installWebAdapters(Readable, Writable, Buffer) {
  Readable.fromWeb = function fromWeb(readableStream, options = {}) {
    if (!isReadableStream(readableStream)) {
      throw ERR_INVALID_ARG_TYPE('readableStream', 'ReadableStream', readableStream);
    }
    const { highWaterMark, encoding, objectMode = false, signal } = options;
    const reader = readableStream.getReader();
    let closed = false;
    reader.closed.then(
      () => {
        closed = true;
      },
      (error) => {
        closed = true;
        readable.destroy(error);
      },
    );
    const readable = new Readable({
      objectMode,
      highWaterMark,
      encoding,
      signal,
      read() {
        reader.read().then(
          (chunk) => {
            if (chunk.done) readable.push(null);
            else readable.push(chunk.value);
          },
          (error) => readable.destroy(error),
        );
      },
      destroy(error, callback) {
        const done = () => queueMicrotask(() => callback(error));
        if (closed) return done();
        reader.cancel(error).then(done, (e) => queueMicrotask(() => callback(e ?? error)));
      },
    });
    return readable;
  };

  Readable.toWeb = function toWeb(streamReadable, options = {}) {
    if (!(streamReadable instanceof Readable) && typeof streamReadable?.on !== 'function') {
      throw ERR_INVALID_ARG_TYPE('streamReadable', 'stream.Readable', streamReadable);
    }
    const objectMode = streamReadable.readableObjectMode;
    const strategy =
      options.strategy ??
      (objectMode
        ? { highWaterMark: 16 }
        : { highWaterMark: 16 * 1024, size: (c) => c.byteLength });
    let controller;
    let ended = false;
    const onData = (chunk) => {
      if (Buffer.isBuffer(chunk) && !objectMode) chunk = new Uint8Array(chunk);
      controller.enqueue(chunk);
      if (controller.desiredSize <= 0) streamReadable.pause();
    };
    return new ReadableStream(
      {
        start(c) {
          controller = c;
          streamReadable.pause();
          streamReadable.on('data', onData);
          streamReadable.once('end', () => {
            ended = true;
            controller.close();
          });
          streamReadable.once('error', (error) => {
            if (!ended) controller.error(error);
          });
          streamReadable.once('close', () => {
            if (!ended && !streamReadable.readableEnded) {
              ended = true;
              const e = new Error('Premature close');
              e.code = 'ERR_STREAM_PREMATURE_CLOSE';
              try {
                controller.error(streamReadable.errored ?? e);
              } catch {
                // already closed or errored
              }
            }
          });
        },
        pull() {
          streamReadable.resume();
        },
        cancel(reason) {
          ended = true;
          streamReadable.destroy(reason);
        },
      },
      strategy,
    );
  };

  Writable.fromWeb = function fromWeb(writableStream, options = {}) {
    if (!isWritableStream(writableStream)) {
      throw ERR_INVALID_ARG_TYPE('writableStream', 'WritableStream', writableStream);
    }
    const { highWaterMark, decodeStrings = true, objectMode = false, signal } = options;
    const writer = writableStream.getWriter();
    let closed = false;
    const encoder = new TextEncoder();
    return new Writable({
      highWaterMark,
      decodeStrings,
      objectMode,
      signal,
      write(chunk, encoding, callback) {
        if (typeof chunk === 'string' && !objectMode) {
          chunk =
            encoding === 'utf8' || encoding === 'utf-8'
              ? encoder.encode(chunk)
              : Buffer.from(chunk, encoding);
        }
        writer.ready.then(() => writer.write(chunk)).then(() => callback(), callback);
      },
      final(callback) {
        closed = true;
        writer.close().then(() => callback(), callback);
      },
      destroy(error, callback) {
        if (closed) return queueMicrotask(() => callback(error));
        closed = true;
        writer.abort(error).then(
          () => queueMicrotask(() => callback(error)),
          (e) => queueMicrotask(() => callback(e ?? error)),
        );
      },
    });
  };

  Writable.toWeb = function toWeb(streamWritable) {
    if (typeof streamWritable?.write !== 'function') {
      throw ERR_INVALID_ARG_TYPE('streamWritable', 'stream.Writable', streamWritable);
    }
    return new WritableStream(
      {
        write(chunk) {
          return new Promise((resolve, reject) => {
            const ok = streamWritable.write(chunk, (error) => (error ? reject(error) : undefined));
            if (ok) resolve();
            else streamWritable.once('drain', resolve);
          });
        },
        close() {
          return new Promise((resolve, reject) => {
            streamWritable.end((error) => (error ? reject(error) : resolve()));
          });
        },
        abort(reason) {
          streamWritable.destroy(reason);
        },
      },
      {
        highWaterMark: streamWritable.writableHighWaterMark ?? 16 * 1024,
        size: (c) => c?.byteLength ?? 1,
      },
    );
  };
}

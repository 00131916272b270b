import type { IncomingMessage } from 'node:http';
import { MiniLambdaError } from '@mini-lambda/core';
import type { Context } from 'hono';

/**
 * The request body, refused with 413 as soon as it passes `limit` bytes, whether the
 * client declared a Content-Length or streams chunks: nothing past the limit is held.
 * On @hono/node-server it reads the Node request directly (cheaper than a web stream
 * on the hot path); elsewhere (app.request in tests) the web stream.
 */
export async function readBody(c: Context, limit: number, budget?: BodyBudget): Promise<Buffer> {
  const declared = c.req.header('content-length');
  if (declared !== undefined && Number(declared) > limit) throw tooLarge(limit);
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (!budget) return incoming ? readIncoming(incoming, limit) : readStream(c.req.raw.body, limit);
  // Held against the budget while it arrives: stalled uploads cannot add up without end.
  const held = budget.hold(Math.min(limit, Number(declared ?? limit) || 0));
  try {
    return await (incoming ? readIncoming(incoming, limit) : readStream(c.req.raw.body, limit));
  } finally {
    held();
  }
}

/** Bytes all request bodies being read may hold at once; past it, 503 and Retry-After. */
export function createBodyBudget(maxBytes: number) {
  let held = 0;
  return {
    /** Reserves `bytes` or throws ServiceUnavailable; returns the release. */
    hold(bytes: number): () => void {
      if (held + bytes > maxBytes) {
        throw new MiniLambdaError(
          'ServiceUnavailable',
          'Too many request bodies are being received; retry shortly',
        );
      }
      held += bytes;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        held -= bytes;
      };
    },
    get held() {
      return held;
    },
  };
}

export type BodyBudget = ReturnType<typeof createBodyBudget>;

function readIncoming(incoming: IncomingMessage, limit: number): Promise<Buffer> {
  if (incoming.complete && incoming.readableLength === 0 && !incoming.readable) {
    return Promise.resolve(Buffer.alloc(0));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (err?: unknown) => {
      incoming
        .off('data', onData)
        .off('end', onEnd)
        .off('error', onError)
        .off('aborted', onAborted);
      if (err) {
        discardRest(incoming);
        reject(err);
      } else resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) done(tooLarge(limit));
      else chunks.push(chunk);
    };
    const onEnd = () => done();
    const onError = (err: Error) => done(aborted(err));
    const onAborted = () => done(aborted());
    incoming.on('data', onData).on('end', onEnd).on('error', onError).on('aborted', onAborted);
  });
}

/**
 * After an early 413 the rest of the body is read and thrown away for a short while
 * (a "lingering close", as nginx does). Node ends a connection whose request was not
 * read to the end with `destroySoon()`, and destroying a socket with unread data makes
 * TCP reset it: a client still sending would lose our answer. So here `destroySoon`
 * only half-closes (our answer and FIN go out), the body keeps draining, and the socket
 * is destroyed once the client stops, or past a bound of time or bytes.
 */
function discardRest(incoming: IncomingMessage): void {
  const socket = incoming.socket;
  if (!socket) return;
  let discarded = 0;
  const stop = () => socket.destroy();
  const timer = setTimeout(stop, LINGER_MS).unref();
  socket.destroySoon = function halfClose() {
    socket.end();
    return socket;
  };
  socket.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > LINGER_BYTES) stop();
  });
  socket.once('end', stop);
  socket.once('close', () => clearTimeout(timer));
  incoming.resume();
}

const LINGER_MS = 5_000;
const LINGER_BYTES = 64 * 1024 * 1024;

async function readStream(stream: ReadableStream<Uint8Array> | null, limit: number) {
  if (!stream) return Buffer.alloc(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}

function tooLarge(limit: number): MiniLambdaError {
  return new MiniLambdaError('PayloadTooLarge', `The request body is larger than ${limit} bytes`, {
    limit,
  });
}

function aborted(cause?: Error): MiniLambdaError {
  return new MiniLambdaError('InvalidRequest', 'The request body was cut short', {
    ...(cause ? { reason: cause.message } : {}),
  });
}

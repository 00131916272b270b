import type { IncomingMessage } from 'node:http';
import { MiniLambdaError } from '@mini-lambda/core';
import type { Context } from 'hono';

/**
 * The request body, refused with 413 as soon as it passes `limit` bytes, whether the
 * client declared a Content-Length or streams chunks: nothing past the limit is held.
 * On @hono/node-server it reads the Node request directly (cheaper than a web stream
 * on the hot path); elsewhere (app.request in tests) the web stream.
 */
export async function readBody(c: Context, limit: number): Promise<Buffer> {
  const declared = c.req.header('content-length');
  if (declared !== undefined && Number(declared) > limit) throw tooLarge(limit);
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return incoming ? readIncoming(incoming, limit) : readStream(c.req.raw.body, limit);
}

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
        incoming.pause();
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
  return new MiniLambdaError('InvalidJSON', 'The request body was cut short', {
    ...(cause ? { reason: cause.message } : {}),
  });
}

import { pipeline, Readable, type Transform } from 'node:stream';
import zlib from 'node:zlib';
import { OutboundLimitError } from './errors.ts';

/** Content codings in one response at most, as Node's fetch (a CVE fix in curl and urllib3). */
const MAX_CODINGS = 5;

// Lenient as Node's fetch (and curl): a body cut short still yields what it had.
const ZLIB = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };
const BROTLI = {
  flush: zlib.constants.BROTLI_OPERATION_FLUSH,
  finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH,
};

type Decoder = (source: AsyncIterable<Buffer>) => AsyncIterable<Buffer>;

const DECODERS: Record<string, Decoder> = {
  gzip: (source) => through(source, zlib.createGunzip(ZLIB)),
  'x-gzip': (source) => through(source, zlib.createGunzip(ZLIB)),
  deflate: inflateEither,
  br: (source) => through(source, zlib.createBrotliDecompress(BROTLI)),
  zstd: (source) =>
    through(
      source,
      zlib.createZstdDecompress({
        // RFC 9659: a decoder needs no window past 8 MB, and must not be made to hold more.
        params: { [zlib.constants.ZSTD_d_windowLogMax]: 23 },
      }),
    ),
};

/**
 * The decoders for a `content-encoding` value, last coding first, as fetch applies them.
 * A coding we do not know leaves the body as sent (fetch does the same).
 */
/** Whether a body with this `content-encoding` reaches the function decoded. */
export function isDecoded(contentEncoding: string): boolean {
  try {
    return decodersFor(contentEncoding).length > 0;
  } catch {
    return false;
  }
}

function decodersFor(contentEncoding: string | undefined): Decoder[] {
  if (!contentEncoding) return [];
  const codings = contentEncoding.toLowerCase().split(',');
  if (codings.length > MAX_CODINGS) {
    throw new TypeError(`too many content codings in the response (${codings.length})`);
  }
  const decoders: Decoder[] = [];
  for (const coding of codings.reverse()) {
    const decoder = DECODERS[coding.trim()];
    if (!decoder) return [];
    decoders.push(decoder);
  }
  return decoders;
}

/**
 * Reads a response body, decoded by its `content-encoding`, into one buffer of at most
 * `maxBytes` decoded bytes; the bytes as received are bounded by the same number. Past
 * either, it stops reading (the stream is destroyed, which aborts the request) and
 * rejects, so a compression bomb costs at most `maxBytes` of memory. `onReceived` gets
 * the bytes received once, at the end, whatever the end.
 */
export async function readBody(
  raw: Readable,
  contentEncoding: string | undefined,
  maxBytes: number,
  onReceived: (bytes: number) => void,
): Promise<Uint8Array> {
  const tooLarge = () =>
    new OutboundLimitError(`response body exceeds the limit of ${maxBytes} bytes`);
  let received = 0;
  async function* counted(): AsyncIterable<Buffer> {
    for await (const chunk of raw as AsyncIterable<Buffer>) {
      received += chunk.length;
      if (received > maxBytes) throw tooLarge();
      yield chunk;
    }
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    let stream: AsyncIterable<Buffer> = counted();
    // Every layer is bounded, not only the last: `gzip, gzip` can inflate 300 KB into
    // 200 MB of empty blocks that the outer layer then decodes to nothing.
    for (const decode of decodersFor(contentEncoding))
      stream = bounded(decode(stream), maxBytes, tooLarge);
    for await (const chunk of stream) {
      size += chunk.length;
      if (size > maxBytes) throw tooLarge();
      chunks.push(chunk);
    }
  } finally {
    // Stopped early, the stream's own error (an abort) is no news.
    raw.on('error', () => {});
    raw.destroy();
    onReceived(received);
  }
  // A fresh buffer of its own: Buffer.concat may hand out a slice of Node's shared pool,
  // whose other bytes must not travel along with the body.
  const body = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.length;
  }
  return body;
}

/** `source`, failing with `tooLarge()` once it has produced more than `maxBytes`. */
async function* bounded(
  source: AsyncIterable<Buffer>,
  maxBytes: number,
  tooLarge: () => Error,
): AsyncIterable<Buffer> {
  let produced = 0;
  for await (const chunk of source) {
    produced += chunk.length;
    if (produced > maxBytes) throw tooLarge();
    yield chunk;
  }
}

/** `source` through a transform, with errors and early ends reaching both sides. */
function through(source: AsyncIterable<Buffer>, transform: Transform): AsyncIterable<Buffer> {
  return pipeline(Readable.from(source, { objectMode: false }), transform, () => {});
}

/**
 * `deflate` is meant to be zlib-wrapped, but some servers send raw deflate; fetch looks
 * at the first byte (a zlib header's low nibble is 8) to tell which.
 */
async function* inflateEither(source: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
  const iterator = source[Symbol.asyncIterator]();
  let first: Buffer | undefined;
  while (!first?.length) {
    const next = await iterator.next();
    if (next.done) return;
    first = next.value;
  }
  const head = first;
  async function* rest(): AsyncIterable<Buffer> {
    yield head;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      yield next.value;
    }
  }
  const inflate = ((head[0] ?? 0) & 0x0f) === 0x08 ? zlib.createInflate : zlib.createInflateRaw;
  try {
    yield* through(rest(), inflate(ZLIB));
  } finally {
    await iterator.return?.();
  }
}

import {
  createDeflate,
  createDeflateRaw,
  createGunzip,
  createGzip,
  createInflate,
  createInflateRaw,
  type ZlibOptions,
} from 'node:zlib';
import { bytes, id, joined, oneOf, typeError } from './args.ts';
import {
  type AsyncOp,
  type HostOpContext,
  HostOpError,
  type InvocationState,
  type IsolateState,
  type SyncOp,
} from './types.ts';

// CompressionStream and DecompressionStream run on Node's zlib streams, one per isolate
// stream, owned by the invocation that opened it (destroyed when it ends). The zlib work
// runs on the thread pool, so these steps are asynchronous operations.

export const ZLIB_LIMITS = {
  /** Streams open at once in one isolate (a deflate stream holds about 300 KB). */
  streams: 16,
  /**
   * Output of one stream in all. A decompression bomb ends with a TypeError here instead
   * of running on: 256 MiB is twice what a function holds at the default memory_mb, and
   * eight times the largest fetch body; the host holds a step of it at a time, at most.
   */
  outputBytes: 256 * 1024 * 1024,
  /** Output handed over per step; zlib pauses past it until the isolate asks again. */
  stepBytes: 256 * 1024,
};

const FORMATS = ['gzip', 'deflate', 'deflate-raw'] as const;
const MODES = ['compress', 'decompress'] as const;
type Format = (typeof FORMATS)[number];
type Mode = (typeof MODES)[number];

// Node's DecompressionStream refuses data after the end of the compressed stream; the
// option is newer than @types/node.
const decompressOptions = { rejectGarbageAfterEnd: true } as ZlibOptions;

function engine(format: Format, mode: Mode) {
  if (mode === 'compress') {
    if (format === 'gzip') return createGzip();
    return format === 'deflate' ? createDeflate() : createDeflateRaw();
  }
  if (format === 'gzip') return createGunzip(decompressOptions);
  return format === 'deflate'
    ? createInflate(decompressOptions)
    : createInflateRaw(decompressOptions);
}

type Engine = ReturnType<typeof engine>;
/** What a step hands back: the bytes so far and whether the step is complete. */
type Step = [Uint8Array, boolean];

/** One zlib stream and the output it produced that the isolate has not taken yet. */
class ZlibStream {
  private out: Uint8Array[] = [];
  private outBytes = 0;
  private total = 0;
  private failure: HostOpError | undefined;
  private ended = false;
  private written = true;
  private endCalled = false;
  private busy = false;
  private wake: (() => void) | undefined;
  private readonly z: Engine;

  constructor(z: Engine) {
    this.z = z;
    z.on('data', (chunk: Buffer) => {
      this.total += chunk.byteLength;
      if (this.total > ZLIB_LIMITS.outputBytes) {
        this.fail(`the stream's output exceeds ${ZLIB_LIMITS.outputBytes} bytes`);
        return;
      }
      this.out.push(chunk);
      this.outBytes += chunk.byteLength;
      if (this.outBytes >= ZLIB_LIMITS.stepBytes) z.pause();
      this.wakeUp();
    });
    z.on('error', (e: Error) => this.fail(e.message || 'invalid compressed data'));
    z.on('end', () => {
      this.ended = true;
      this.wakeUp();
    });
  }

  push(data: Uint8Array, signal: AbortSignal): Promise<Step> {
    this.ready();
    if (this.endCalled) typeError('the stream is finished');
    this.written = false;
    this.z.write(data, () => {
      this.written = true;
      this.wakeUp();
    });
    return this.until(signal);
  }

  pull(signal: AbortSignal): Promise<Step> {
    this.ready();
    return this.until(signal);
  }

  finish(signal: AbortSignal): Promise<Step> {
    this.ready();
    if (!this.endCalled) {
      this.endCalled = true;
      this.z.end();
    }
    return this.until(signal);
  }

  destroy(): void {
    this.z.destroy();
    this.failure ??= new HostOpError('TypeError', 'the stream is closed');
    this.wakeUp();
  }

  private ready(): void {
    if (this.failure) throw this.failure;
    if (this.busy) typeError('a step of this stream is still running');
  }

  private fail(message: string): void {
    this.failure ??= new HostOpError('TypeError', message);
    this.z.destroy();
    this.wakeUp();
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** The step is complete: its input consumed and all output so far handed over. */
  private complete(): boolean {
    if (this.endCalled) return this.ended;
    return this.written && this.z.readableLength === 0;
  }

  private async until(signal: AbortSignal): Promise<Step> {
    this.busy = true;
    const onAbort = () => this.destroy();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      while (!this.failure && this.outBytes < ZLIB_LIMITS.stepBytes && !this.complete()) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
      }
      if (this.failure) throw this.failure;
      const done = this.complete() && this.z.readableLength === 0;
      return [this.take(), done];
    } finally {
      this.busy = false;
      signal.removeEventListener('abort', onAbort);
    }
  }

  private take(): Uint8Array {
    const bytes = joined(this.out, this.outBytes);
    this.out = [];
    this.outBytes = 0;
    if (this.z.isPaused()) this.z.resume();
    return bytes;
  }
}

interface Streams {
  open: Map<number, { stream: ZlibStream; detach: () => void }>;
  next: number;
}

function streams(isolate: IsolateState): Streams {
  let s = isolate.slots.get('zlib.streams') as Streams | undefined;
  if (s === undefined) {
    s = { open: new Map(), next: 1 };
    isolate.slots.set('zlib.streams', s);
  }
  return s;
}

/** `zlib.open(format, mode)` -> a stream id, valid until closed or the invocation ends. */
const open: SyncOp = (ctx, [format, mode]) => {
  const invocation = ctx.invocation as InvocationState | undefined;
  if (invocation === undefined || invocation.signal.aborted) {
    return typeError('compression streams work only while an invocation runs');
  }
  const all = streams(ctx.isolate);
  if (all.open.size >= ZLIB_LIMITS.streams) {
    return typeError(`at most ${ZLIB_LIMITS.streams} compression streams can be open at once`);
  }
  const s = new ZlibStream(engine(oneOf(format, FORMATS, 'format'), oneOf(mode, MODES, 'mode')));
  const streamId = all.next++;
  const onEnd = () => closeStream(all, streamId);
  invocation.signal.addEventListener('abort', onEnd, { once: true });
  all.open.set(streamId, {
    stream: s,
    detach: () => invocation.signal.removeEventListener('abort', onEnd),
  });
  return streamId;
};

function closeStream(all: Streams, streamId: number): void {
  const entry = all.open.get(streamId);
  if (entry === undefined) return;
  all.open.delete(streamId);
  entry.detach();
  entry.stream.destroy();
}

/** Runs a step of an open stream; a failed step (or a completed finish) closes it. */
async function step(
  ctx: HostOpContext,
  v: unknown,
  run: (s: ZlibStream) => Promise<Step>,
  closeWhenComplete = false,
): Promise<Step> {
  const all = streams(ctx.isolate);
  const streamId = id(v, 'stream');
  const entry = all.open.get(streamId);
  if (entry === undefined) return typeError('the stream is closed');
  try {
    const result = await run(entry.stream);
    if (closeWhenComplete && result[1]) closeStream(all, streamId);
    return result;
  } catch (e) {
    closeStream(all, streamId);
    throw e;
  }
}

/** `zlib.push(id, bytes)` -> [output, complete]; when not complete, `zlib.pull` for more. */
const push: AsyncOp = (ctx, [streamId, data], signal) =>
  step(ctx, streamId, (s) => s.push(bytes(data, 'chunk'), signal));

/** `zlib.pull(id)` -> [output, complete] of the step under way. */
const pull: AsyncOp = (ctx, [streamId], signal) => step(ctx, streamId, (s) => s.pull(signal));

/** `zlib.finish(id)` -> [output, complete]; once complete the stream is closed. */
const finish: AsyncOp = (ctx, [streamId], signal) =>
  step(ctx, streamId, (s) => s.finish(signal), true);

/** `zlib.close(id)`: the isolate's stream was cancelled or errored. */
const close: SyncOp = (ctx, [streamId]) => {
  closeStream(streams(ctx.isolate), id(streamId, 'stream'));
  return undefined;
};

export const zlibSyncOps = { 'zlib.open': open, 'zlib.close': close };
export const zlibAsyncOps = { 'zlib.push': push, 'zlib.pull': pull, 'zlib.finish': finish };

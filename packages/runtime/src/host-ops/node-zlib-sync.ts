import { joined } from './args.ts';
import { codedError } from './node-crypto-args.ts';
import type { Engine } from './node-zlib.ts';
import type { HostOpError } from './types.ts';

// gzipSync and the rest, in steps. Node's own zlibBufferSync hands the whole input to one
// native call, which cannot be stopped: brotliCompressSync of 100 MB at its default quality
// (11) runs for minutes, and gunzipSync of a bomb runs until its output is complete. This
// is the loop of Node's processChunkSync (lib/zlib.js) over the engine's native handle, fed
// a slice of input at a time, with the output bound and the deadline checked after every
// native step (each makes at most one output chunk, or takes one slice of input). The
// bytes are the same as Node's: zlib's and brotli's output does not depend on how the
// input is split when nothing is flushed in between.

/** The parts of Node's zlib objects this loop drives (lib/zlib.js, Node 24). */
interface Internals {
  _handle: {
    writeSync(
      flush: number,
      input: Buffer,
      inOff: number,
      inLen: number,
      out: Buffer,
      outOff: number,
      outLen: number,
    ): void;
    onerror: (message: string, errno: number, code: string) => void;
  };
  _writeState: Uint32Array;
  _chunkSize: number;
  _defaultFlushFlag: number;
  _finishFlushFlag: number;
}

function internals(engine: Engine): Internals {
  const e = engine as unknown as Internals;
  if (typeof e._handle?.writeSync !== 'function' || !(e._writeState instanceof Uint32Array)) {
    throw new Error('node:zlib internals changed: the synchronous step loop needs updating');
  }
  return e;
}

/**
 * Runs `input` through `engine` (a new zlib object) to the end; throws Node's
 * ERR_BUFFER_TOO_LARGE past `cap` bytes of output and ERR_WORK_EXCEEDS_DEADLINE once
 * `deadline` (performance.now()) passes. The engine is closed either way.
 */
export function runSliced(
  engine: Engine,
  input: Buffer,
  cap: number,
  deadline: number,
  slice: number,
): Uint8Array {
  const e = internals(engine);
  let failure: Error | undefined;
  // Instead of Node's handler, which destroys the stream and emits 'error' later.
  e._handle.onerror = (message, errno, code) => {
    failure = Object.assign(new Error(message), { errno, code });
  };
  const chunkSize = e._chunkSize;
  const out: Buffer[] = [];
  let total = 0;
  let buffer = Buffer.allocUnsafe(chunkSize);
  let offset = 0;
  let longest = 0;
  let stepStart = performance.now();
  try {
    let at = 0;
    for (;;) {
      const end = Math.min(at + slice, input.byteLength);
      const last = end === input.byteLength;
      const flush = last ? e._finishFlushFlag : e._defaultFlushFlag;
      let inOff = at;
      let availIn = end - at;
      for (;;) {
        const availOut = chunkSize - offset;
        e._handle.writeSync(flush, input, inOff, availIn, buffer, offset, availOut);
        if (failure) throw failure;
        const availOutAfter = e._writeState[0] as number;
        const availInAfter = e._writeState[1] as number;
        const have = availOut - availOutAfter;
        if (have > 0) {
          total += have;
          if (total > cap) throw tooLarge(cap);
          out.push(buffer.subarray(offset, offset + have));
          offset += have;
        }
        // Stop before a step that would likely end past the deadline (as long as the
        // longest so far): the function then gets this error rather than a timeout.
        const now = performance.now();
        longest = Math.max(longest, now - stepStart);
        if (now + longest > deadline) throw outOfTime();
        stepStart = now;
        if (availOutAfter === 0 || offset >= chunkSize) {
          buffer = Buffer.allocUnsafe(chunkSize);
          offset = 0;
        }
        if (availOutAfter !== 0) break; // this slice is consumed (or the stream ended)
        inOff += availIn - availInAfter;
        availIn = availInAfter;
      }
      if (last) break;
      at = end;
    }
  } finally {
    engine.close();
  }
  return joined(out, total);
}

export function tooLarge(cap: number): HostOpError {
  return codedError(
    'RangeError',
    'ERR_BUFFER_TOO_LARGE',
    `Cannot create a Buffer larger than ${cap} bytes`,
  );
}

function outOfTime(): HostOpError {
  return codedError(
    'RangeError',
    'ERR_WORK_EXCEEDS_DEADLINE',
    'the zlib operation did not finish within the time the invocation has left',
  );
}

import { randomFillSync } from 'node:crypto';
import { bytes, isPlainObject, own, typeError } from './args.ts';
import { type HostOpContext, HostOpError, type SyncOp } from './types.ts';

// What node:crypto's and node:zlib's host operations share: errors as Node reports them,
// the invocation's deadline and memory as bounds, and argument checks.

/** Inputs of one operation, at most (a key, a password, a piece of data to sign). */
export const MAX_INPUT_BYTES = 256 * 1024 * 1024;

/**
 * An error Node raised, as the isolate gets it: its class by name and its `code` in front
 * of the message (`[ERR_X] message`), which node/crypto.js turns back into `err.code`.
 */
export function nodeError(e: unknown): HostOpError {
  clearOpenSslErrors();
  if (e instanceof HostOpError) return e;
  if (!(e instanceof Error)) return new HostOpError('Error', 'The operation failed');
  const name =
    e instanceof RangeError ? 'RangeError' : e instanceof TypeError ? 'TypeError' : 'Error';
  const code = (e as { code?: unknown }).code;
  return new HostOpError(name, typeof code === 'string' ? `[${code}] ${e.message}` : e.message);
}

const oneByte = new Uint8Array(1);

/**
 * Empties this thread's OpenSSL error queue. Some of Node's failures leave an error there
 * (scryptSync with parameters past maxmem does), and the next key parse on this thread then
 * fails with it: another function's createPrivateKey of a good PEM would throw "memory
 * limit exceeded". Node's random-bytes job clears the queue when it returns.
 */
function clearOpenSslErrors(): void {
  randomFillSync(oneByte);
}

/** An error of ours with a Node-style code (`RangeError [ERR_X]` in the isolate). */
export function codedError(
  name: 'Error' | 'RangeError' | 'TypeError',
  code: string,
  message: string,
) {
  return new HostOpError(name, `[${code}] ${message}`);
}

/** `op`, with Node's errors reported as `nodeError` makes them. */
export function nodeOp(op: SyncOp): SyncOp {
  return (ctx, args) => {
    try {
      return op(ctx, args);
    } catch (e) {
      throw nodeError(e);
    }
  };
}

/** The isolate's memory limit, in bytes: what an operation may hand back at most. */
export function memoryBytes(ctx: HostOpContext): number {
  return ctx.isolate.memoryBytes;
}

/** Milliseconds the invocation has left. */
export function timeLeft(ctx: HostOpContext): number {
  return ctx.invocation.deadline - performance.now();
}

/**
 * Refuses work estimated to take `estimateMs` when the invocation has less time left:
 * this work would block the sandbox's thread (or hold a pool thread) past the deadline,
 * and none of it can be stopped once started.
 */
export function withinDeadline(ctx: HostOpContext, estimateMs: number, what: string): void {
  const left = timeLeft(ctx);
  if (estimateMs > left) {
    throw codedError(
      'RangeError',
      'ERR_WORK_EXCEEDS_DEADLINE',
      `${what} would take about ${Math.ceil(estimateMs)} ms, more than the ${Math.max(0, Math.floor(left))} ms the invocation has left`,
    );
  }
}

/** Bytes an output of `n` may have at most: the isolate's memory, Node's own bound. */
export function outputFits(ctx: HostOpContext, n: number): boolean {
  return n <= memoryBytes(ctx);
}

/** Bytes or a string (Node's hashes and keys take both; strings are UTF-8). */
export function data(v: unknown, what: string): Uint8Array | string {
  if (typeof v === 'string') {
    if (v.length > MAX_INPUT_BYTES) typeError(`${what} is too large`);
    return v;
  }
  return bytes(v, what, MAX_INPUT_BYTES);
}

/** A short name: a digest, a cipher, a curve (`sha256`, `aes-256-gcm`, `prime256v1`). */
export function name(v: unknown, what: string): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > 64) {
    return typeError(`${what} must be a name`);
  }
  return v;
}

/** An integer from `min` to `max`. */
export function int(v: unknown, what: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw codedError(
      'RangeError',
      'ERR_OUT_OF_RANGE',
      `The value of "${what}" is out of range. It must be >= ${min} && <= ${max}. Received ${String(v)}`,
    );
  }
  return v;
}

/** `obj` as a plain object of options (undefined: none). */
export function options(v: unknown, what: string): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (!isPlainObject(v)) return typeError(`${what} must be an object`);
  return v;
}

/** `own(obj, key)` when it is a string, number or boolean; undefined otherwise. */
export function scalar(
  obj: Record<string, unknown>,
  key: string,
): string | number | boolean | undefined {
  const v = own(obj, key);
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : undefined;
}

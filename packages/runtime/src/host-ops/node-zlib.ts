import zlib from 'node:zlib';
import { bytes, isPlainObject, joined, oneOf, own, typeError } from './args.ts';
import {
  data as dataArg,
  int,
  MAX_INPUT_BYTES,
  memoryBytes,
  nodeError,
  nodeOp,
  options,
} from './node-crypto-args.ts';
import { runSliced, tooLarge } from './node-zlib-sync.ts';
import { type AsyncOp, HostOpError, type SyncOp } from './types.ts';

// node:zlib's convenience methods (gzipSync, gzip(buf, cb), …) on the sandbox's zlib
// (src/sandbox/node/zlib.js is the isolate's side). The output is bounded by the function's
// memory (a bomb of 1 KB that inflates to 10 GB ends at that bound with Node's
// ERR_BUFFER_TOO_LARGE) and the work by the invocation: the synchronous forms run in steps
// on the sandbox's thread and stop at the deadline (node-zlib-sync.ts); the asynchronous
// ones feed Node's zlib stream in slices, one thread-pool job each, and stop when the
// invocation ends.

/** Input handed to zlib per step: bounds the work one step can do. */
export const SLICE_BYTES = 64 * 1024;

export const METHODS = {
  gzip: zlib.Gzip,
  gunzip: zlib.Gunzip,
  deflate: zlib.Deflate,
  inflate: zlib.Inflate,
  deflateRaw: zlib.DeflateRaw,
  inflateRaw: zlib.InflateRaw,
  unzip: zlib.Unzip,
  brotliCompress: zlib.BrotliCompress,
  brotliDecompress: zlib.BrotliDecompress,
} as const;
export type Method = keyof typeof METHODS;
export type Engine = zlib.Gzip | zlib.BrotliCompress;

const NUMBERS = [
  'level',
  'windowBits',
  'memLevel',
  'strategy',
  'flush',
  'finishFlush',
  'chunkSize',
] as const;

/** Options rebuilt field by field; Node checks their ranges. */
function engineOptions(v: unknown): Record<string, unknown> {
  const o = options(v, 'options');
  const out: Record<string, unknown> = { chunkSize: 64 * 1024 };
  for (const field of NUMBERS) {
    const x = own(o, field);
    if (x !== undefined) out[field] = int(x, `options.${field}`, -(2 ** 31), 2 ** 31 - 1);
  }
  const dictionary = own(o, 'dictionary');
  if (dictionary !== undefined)
    out.dictionary = Buffer.from(bytes(dictionary, 'options.dictionary', 1 << 20));
  const params = own(o, 'params');
  if (params !== undefined) {
    if (!isPlainObject(params)) typeError('options.params must be an object');
    const copy: Record<number, number> = {};
    for (const [k, x] of Object.entries(params))
      copy[int(Number(k), 'params key', 0, 64)] = int(x, `params[${k}]`, 0, 2 ** 32 - 1);
    out.params = copy;
  }
  return out;
}

/** The most output the call may make: its maxOutputLength, and the function's memory. */
function outputCap(memory: number, v: unknown): number {
  const max = own(options(v, 'options'), 'maxOutputLength');
  return max === undefined
    ? memory
    : Math.min(memory, int(max, 'options.maxOutputLength', 1, 2 ** 53 - 1));
}

function prepare(method: unknown, input: unknown, opts: unknown) {
  const m = oneOf(method, Object.keys(METHODS) as Method[], 'method');
  const data = bytes(input, 'buffer', MAX_INPUT_BYTES);
  return {
    m,
    data: Buffer.from(data.buffer, data.byteOffset, data.byteLength),
    opts: engineOptions(opts),
  };
}

/** `node.zlib.run(method, buffer, options)` -> the output (gzipSync and the rest). */
const runOp: SyncOp = nodeOp((ctx, [method, input, opts]) => {
  const { m, data, opts: o } = prepare(method, input, opts);
  const engine = new METHODS[m](o) as Engine;
  return runSliced(
    engine,
    data,
    outputCap(memoryBytes(ctx), opts),
    ctx.invocation.deadline,
    SLICE_BYTES,
  );
});

/** The same on the thread pool: gzip(buffer, callback) and the rest. */
const runAsync: AsyncOp = (ctx, [method, input, opts], signal) => {
  let engine: Engine;
  let data: Buffer;
  let cap: number;
  try {
    const p = prepare(method, input, opts);
    engine = new METHODS[p.m](p.opts) as Engine;
    data = p.data;
    cap = outputCap(memoryBytes(ctx), opts);
  } catch (e) {
    return Promise.reject(nodeError(e));
  }
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    let total = 0;
    const fail = (e: HostOpError) => {
      signal.removeEventListener('abort', onAbort);
      engine.destroy();
      reject(e);
    };
    const onAbort = () => fail(new HostOpError('AbortError', 'The operation was aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    engine.on('data', (chunk: Buffer) => {
      total += chunk.byteLength;
      if (total > cap) fail(tooLarge(cap));
      else out.push(chunk);
    });
    engine.on('error', (e) => fail(nodeError(e)));
    engine.on('end', () => {
      signal.removeEventListener('abort', onAbort);
      resolve(joined(out, total));
    });
    for (let at = 0; at < data.byteLength; at += SLICE_BYTES)
      engine.write(data.subarray(at, at + SLICE_BYTES));
    engine.end();
  });
};

/** `node.zlib.crc32(data, value)`. */
const crc32Op: SyncOp = nodeOp((_ctx, [input, value]) =>
  zlib.crc32(dataArg(input, 'data'), int(value ?? 0, 'value', 0, 2 ** 32 - 1)),
);

/** `node.zlib.constants()` -> zlib.constants (the isolate asks once). */
const constantsOp: SyncOp = () => ({ ...zlib.constants });

export const nodeZlibSyncOps = {
  'node.zlib.run': runOp,
  'node.zlib.crc32': crc32Op,
  'node.zlib.constants': constantsOp,
};
export const nodeZlibAsyncOps = { 'node.zlib.run': runAsync };

// node:zlib's convenience methods on the sandbox process's zlib (host-ops/node-zlib.ts):
// gzipSync and the rest in steps on the sandbox's thread, stopped at the invocation's
// deadline; gzip(buf, cb) and the rest on its thread pool. Output is bounded by the
// function's memory (and maxOutputLength): a decompression bomb ends with Node's
// ERR_BUFFER_TOO_LARGE. The stream classes (createGzip…) are not offered: use the
// convenience methods, or CompressionStream.

import { call, coded, input, settle, start, toBuffer } from './internal/crypto-util.js';
import { ERR_INVALID_ARG_TYPE } from './internal/errors.js';

const constants = Object.freeze(call('node.zlib.constants'));

const BUFFER_TYPES = ['string', 'Buffer', 'TypedArray', 'DataView', 'ArrayBuffer'];

function options(o) {
  if (o === undefined || o === null) return undefined;
  if (typeof o !== 'object') throw ERR_INVALID_ARG_TYPE('options', 'Object', o);
  const out = {};
  for (const k of [
    'level',
    'windowBits',
    'memLevel',
    'strategy',
    'flush',
    'finishFlush',
    'chunkSize',
    'maxOutputLength',
  ]) {
    if (o[k] !== undefined) out[k] = o[k];
  }
  if (o.dictionary !== undefined)
    out.dictionary = input(o.dictionary, undefined, 'options.dictionary', BUFFER_TYPES.slice(1));
  if (o.params !== undefined) out.params = { ...o.params };
  return out;
}

function bytes(buffer) {
  const b = input(buffer, 'utf8', 'buffer', BUFFER_TYPES);
  return typeof b === 'string' ? new TextEncoder().encode(b) : b;
}

const api = { constants, codes: {} };

for (const method of [
  'gzip',
  'gunzip',
  'deflate',
  'inflate',
  'deflateRaw',
  'inflateRaw',
  'unzip',
  'brotliCompress',
  'brotliDecompress',
]) {
  api[`${method}Sync`] = function sync(buffer, opts) {
    return toBuffer(call('node.zlib.run', method, bytes(buffer), options(opts)));
  };
  api[method] = function async(buffer, opts, callback) {
    if (typeof opts === 'function') [opts, callback] = [undefined, opts];
    if (typeof callback !== 'function')
      throw ERR_INVALID_ARG_TYPE('callback', 'function', callback);
    settle(start('node.zlib.run', [method, bytes(buffer), options(opts)]).then(toBuffer), callback);
  };
}

api.crc32 = function crc32(data, value = 0) {
  if (typeof data !== 'string' && !ArrayBuffer.isView(data)) {
    throw ERR_INVALID_ARG_TYPE('data', ['Buffer', 'TypedArray', 'DataView', 'string'], data);
  }
  return call('node.zlib.crc32', input(data), value);
};

const CODES = [
  'Z_OK',
  'Z_STREAM_END',
  'Z_NEED_DICT',
  'Z_ERRNO',
  'Z_STREAM_ERROR',
  'Z_DATA_ERROR',
  'Z_MEM_ERROR',
  'Z_BUF_ERROR',
  'Z_VERSION_ERROR',
];

// Node's legacy top-level constants (zlib.Z_NO_FLUSH) and codes.
for (const [k, v] of Object.entries(constants)) {
  if (k.startsWith('Z_')) api[k] = v;
  if (CODES.includes(k)) {
    api.codes[k] = v;
    api.codes[v] = k;
  }
}

for (const name of [
  'Gzip',
  'Gunzip',
  'Deflate',
  'Inflate',
  'DeflateRaw',
  'InflateRaw',
  'Unzip',
  'BrotliCompress',
  'BrotliDecompress',
]) {
  const unavailable = () => {
    throw coded(
      Error,
      'ERR_FEATURE_UNAVAILABLE_ON_PLATFORM',
      `zlib.create${name} (zlib streams) is not available in functions: use zlib.${name[0].toLowerCase()}${name.slice(1)}Sync or the callback form, or CompressionStream`,
    );
  };
  api[name] = unavailable;
  api[`create${name}`] = unavailable;
}

export default api;

// Random values, timingSafeEqual and key derivation of node:crypto. Small random values
// come from the platform's crypto.getRandomValues (a pool refilled from the host); large
// ones in one host call bounded by the function's memory.
import { Buffer } from 'node:buffer';
import { secretBytesOf } from './crypto-keys.js';
import {
  call,
  coded,
  input,
  later,
  returnOrCallBack,
  settle,
  start,
  toBuffer,
} from './crypto-util.js';
import { ERR_INVALID_ARG_TYPE, ERR_OUT_OF_RANGE } from './errors.js';

const MAX_SIZE = 2 ** 31 - 1;
const WEB_MAX = 65_536;
const webcrypto = globalThis.crypto;

function checkSize(size, name = 'size') {
  if (typeof size !== 'number') throw ERR_INVALID_ARG_TYPE(name, 'number', size);
  if (!(size >= 0 && size <= MAX_SIZE))
    throw ERR_OUT_OF_RANGE(name, `>= 0 && <= ${MAX_SIZE}`, size);
}

/** Fills `view` (bytes) with random values. */
function fill(view) {
  for (let at = 0; at < view.byteLength; at += WEB_MAX) {
    webcrypto.getRandomValues(view.subarray(at, Math.min(at + WEB_MAX, view.byteLength)));
  }
}

function randomBuffer(size) {
  if (size > 16 * WEB_MAX) return toBuffer(call('node.crypto.randomBytes', size));
  const b = Buffer.alloc(size);
  fill(b);
  return b;
}

export function randomBytes(size, callback) {
  checkSize(size);
  if (callback !== undefined && typeof callback !== 'function')
    throw ERR_INVALID_ARG_TYPE('callback', 'function', callback);
  const b = randomBuffer(size);
  if (callback === undefined) return b;
  later(callback, null, b);
}

function viewBytes(buf) {
  if (buf instanceof ArrayBuffer) return new Uint8Array(buf);
  if (!ArrayBuffer.isView(buf))
    throw ERR_INVALID_ARG_TYPE('buf', ['ArrayBuffer', 'ArrayBufferView'], buf);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

export function randomFillSync(buf, offset = 0, size) {
  const bytes = viewBytes(buf);
  const elementSize = buf.BYTES_PER_ELEMENT ?? 1;
  const start = offset * elementSize;
  const end = size === undefined ? bytes.byteLength : start + size * elementSize;
  if (start < 0 || start > bytes.byteLength)
    throw ERR_OUT_OF_RANGE('offset', `>= 0 && <= ${bytes.byteLength}`, offset);
  if (end > bytes.byteLength || end < start)
    throw ERR_OUT_OF_RANGE('size + offset', `<= ${bytes.byteLength}`, end);
  const target = bytes.subarray(start, end);
  if (target.byteLength > 16 * WEB_MAX)
    target.set(call('node.crypto.randomBytes', target.byteLength));
  else fill(target);
  return buf;
}

export function randomFill(buf, offset, size, callback) {
  if (typeof offset === 'function') [offset, size, callback] = [0, undefined, offset];
  else if (typeof size === 'function') [size, callback] = [undefined, size];
  if (typeof callback !== 'function') throw ERR_INVALID_ARG_TYPE('callback', 'function', callback);
  randomFillSync(buf, offset, size);
  later(callback, null, buf);
}

const RAND_MAX = 0xffff_ffff_ffff;

/** randomInt([min, ]max[, callback]) as Node: rejection sampling over 48 random bits. */
export function randomInt(min, max, callback) {
  if (max === undefined || typeof max === 'function') [min, max, callback] = [0, min, max];
  if (!Number.isSafeInteger(min)) throw ERR_INVALID_ARG_TYPE('min', 'a safe integer', min);
  if (!Number.isSafeInteger(max)) throw ERR_INVALID_ARG_TYPE('max', 'a safe integer', max);
  if (max <= min) {
    throw ERR_OUT_OF_RANGE('max', `greater than the value of "min" (${min})`, max);
  }
  const range = max - min;
  if (!(range <= RAND_MAX)) throw ERR_OUT_OF_RANGE('max - min', `<= ${RAND_MAX}`, range);
  const limit = RAND_MAX - (RAND_MAX % range);
  const six = new Uint8Array(6);
  let x;
  do {
    fill(six);
    x =
      six[0] * 2 ** 40 +
      six[1] * 2 ** 32 +
      six[2] * 2 ** 24 +
      six[3] * 2 ** 16 +
      six[4] * 2 ** 8 +
      six[5];
  } while (x >= limit);
  const n = min + (x % range);
  if (typeof callback !== 'function') return n;
  later(callback, null, n);
}

export function randomUUID() {
  return webcrypto.randomUUID();
}

export function getRandomValues(array) {
  return webcrypto.getRandomValues(array);
}

export function timingSafeEqual(a, b) {
  const types = ['ArrayBuffer', 'Buffer', 'TypedArray', 'DataView'];
  if (!ArrayBuffer.isView(a) && !(a instanceof ArrayBuffer))
    throw ERR_INVALID_ARG_TYPE('buf1', types, a);
  if (!ArrayBuffer.isView(b) && !(b instanceof ArrayBuffer))
    throw ERR_INVALID_ARG_TYPE('buf2', types, b);
  const x = viewBytes(a);
  const y = viewBytes(b);
  if (x.byteLength !== y.byteLength) {
    throw coded(
      RangeError,
      'ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH',
      'Input buffers must have the same byte length',
    );
  }
  let diff = 0;
  for (let i = 0; i < x.byteLength; i++) diff |= x[i] ^ y[i];
  return diff === 0;
}

// --- key derivation: checked for time and memory by the host (host-ops/node-crypto-kdf.ts).

const SECRET_TYPES = ['string', 'ArrayBuffer', 'Buffer', 'TypedArray', 'DataView'];

function secret(v, name) {
  return secretBytesOf(v) ?? input(v, 'utf8', name, SECRET_TYPES);
}

function pbkdf2Args(password, salt, iterations, keylen, digest) {
  if (typeof digest !== 'string') throw ERR_INVALID_ARG_TYPE('digest', 'string', digest);
  if (typeof iterations !== 'number')
    throw ERR_INVALID_ARG_TYPE('iterations', 'number', iterations);
  if (typeof keylen !== 'number') throw ERR_INVALID_ARG_TYPE('keylen', 'number', keylen);
  return [secret(password, 'password'), secret(salt, 'salt'), iterations, keylen, digest];
}

export function pbkdf2Sync(password, salt, iterations, keylen, digest) {
  return toBuffer(
    call('node.crypto.pbkdf2', ...pbkdf2Args(password, salt, iterations, keylen, digest)),
  );
}

export function pbkdf2(password, salt, iterations, keylen, digest, callback) {
  if (typeof callback !== 'function') throw ERR_INVALID_ARG_TYPE('callback', 'function', callback);
  const args = pbkdf2Args(password, salt, iterations, keylen, digest);
  settle(start('node.crypto.pbkdf2', args).then(toBuffer), callback);
}

function scryptOptions(options = {}) {
  const o = {};
  const pick = (a, b, name) => {
    const v = options[a] ?? options[b];
    if (v !== undefined) o[name] = v;
  };
  pick('N', 'cost', 'N');
  pick('r', 'blockSize', 'r');
  pick('p', 'parallelization', 'p');
  if (options.maxmem !== undefined) o.maxmem = options.maxmem;
  return o;
}

export function scryptSync(password, salt, keylen, options) {
  if (typeof keylen !== 'number') throw ERR_INVALID_ARG_TYPE('keylen', 'number', keylen);
  return toBuffer(
    call(
      'node.crypto.scrypt',
      secret(password, 'password'),
      secret(salt, 'salt'),
      keylen,
      scryptOptions(options),
    ),
  );
}

export function scrypt(password, salt, keylen, options, callback) {
  if (typeof options === 'function') [options, callback] = [undefined, options];
  if (typeof callback !== 'function') throw ERR_INVALID_ARG_TYPE('callback', 'function', callback);
  if (typeof keylen !== 'number') throw ERR_INVALID_ARG_TYPE('keylen', 'number', keylen);
  const args = [secret(password, 'password'), secret(salt, 'salt'), keylen, scryptOptions(options)];
  settle(start('node.crypto.scrypt', args).then(toBuffer), callback);
}

/** hkdfSync returns an ArrayBuffer, as Node's. */
export function hkdfSync(digest, ikm, salt, info, keylen) {
  if (typeof digest !== 'string') throw ERR_INVALID_ARG_TYPE('digest', 'string', digest);
  const out = call(
    'node.crypto.hkdf',
    digest,
    secret(ikm, 'ikm'),
    secret(salt, 'salt'),
    secret(info, 'info'),
    keylen,
  );
  return out.buffer;
}

export function hkdf(digest, ikm, salt, info, keylen, callback) {
  if (typeof callback !== 'function') throw ERR_INVALID_ARG_TYPE('callback', 'function', callback);
  returnOrCallBack(() => hkdfSync(digest, ikm, salt, info, keylen), callback);
}

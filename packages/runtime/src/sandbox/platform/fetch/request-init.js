// WebIDL's RequestInit for the Request constructor, and method normalisation, as undici.

import { convertHeadersInit } from './headers.js';
import { platformClass } from './platform.js';
import {
  byteString,
  checkDictionary,
  domString,
  enumValue,
  exception,
  isObject,
  usvString,
} from './webidl.js';

const TypeErrorCtor = TypeError;
const token = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

const NORMALISED = {
  __proto__: null,
  delete: 'DELETE',
  DELETE: 'DELETE',
  get: 'GET',
  GET: 'GET',
  head: 'HEAD',
  HEAD: 'HEAD',
  options: 'OPTIONS',
  OPTIONS: 'OPTIONS',
  post: 'POST',
  POST: 'POST',
  put: 'PUT',
  PUT: 'PUT',
};
const FORBIDDEN_METHODS = ['CONNECT', 'TRACE', 'TRACK'];

const ENUMS = {
  referrerPolicy: [
    '',
    'no-referrer',
    'no-referrer-when-downgrade',
    'same-origin',
    'origin',
    'strict-origin',
    'origin-when-cross-origin',
    'strict-origin-when-cross-origin',
    'unsafe-url',
  ],
  mode: ['navigate', 'same-origin', 'no-cors', 'cors'],
  credentials: ['omit', 'same-origin', 'include'],
  cache: ['default', 'no-store', 'reload', 'no-cache', 'force-cache', 'only-if-cached'],
  redirect: ['follow', 'manual', 'error'],
  duplex: ['half'],
  priority: ['high', 'low', 'auto'],
};

/** WebIDL's RequestInit, members converted in lexicographic order as undici does. */
export function convertRequestInit(init) {
  checkDictionary(init, 'RequestInit');
  const out = { priority: 'auto' };
  if (init == null) return out;
  const prefix = 'RequestInit';
  const body = init.body;
  if (body !== undefined) out.body = body;
  for (const key of ['cache', 'credentials', 'duplex']) {
    if (init[key] !== undefined) out[key] = enumValue(init[key], ENUMS[key], prefix);
  }
  if (init.headers !== undefined) out.headers = convertHeadersInit(init.headers, prefix, 'headers');
  if (init.integrity !== undefined) out.integrity = domString(init.integrity, prefix, 'integrity');
  if (init.keepalive !== undefined) out.keepalive = !!init.keepalive;
  if (init.method !== undefined) out.method = byteString(init.method, prefix, 'method');
  if (init.mode !== undefined) out.mode = enumValue(init.mode, ENUMS.mode, prefix);
  if (init.priority !== undefined) out.priority = enumValue(init.priority, ENUMS.priority, prefix);
  if (init.redirect !== undefined) out.redirect = enumValue(init.redirect, ENUMS.redirect, prefix);
  if (init.referrer !== undefined) out.referrer = usvString(init.referrer);
  if (init.referrerPolicy !== undefined) {
    out.referrerPolicy = enumValue(init.referrerPolicy, ENUMS.referrerPolicy, prefix);
  }
  const signal = init.signal;
  if (signal !== undefined) {
    if (signal !== null && !(isObject(signal) && signal instanceof platformClass('AbortSignal'))) {
      throw exception(prefix, 'Expected signal to be an instance of AbortSignal.');
    }
    out.signal = signal;
  }
  if ('window' in init) out.window = init.window;
  return out;
}

export function normaliseMethod(method) {
  const known = NORMALISED[method];
  if (known !== undefined) return known;
  if (method === 'patch' || method === 'PATCH') return method;
  if (!token.test(method)) throw new TypeErrorCtor(`'${method}' is not a valid HTTP method.`);
  const upper = method.toUpperCase();
  if (FORBIDDEN_METHODS.includes(upper)) {
    throw new TypeErrorCtor(`'${method}' HTTP method is unsupported.`);
  }
  return NORMALISED[upper] ?? method;
}

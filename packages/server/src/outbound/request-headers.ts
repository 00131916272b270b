import type { HeaderList } from '@mini-lambda/core';

/**
 * Headers a function may not set: hop-by-hop ones, framing the client computes itself
 * (`host`, `content-length`), and proxy ones. They are dropped, not refused, as a
 * browser's fetch silently ignores forbidden names. Others that browsers forbid
 * (`cookie`, `origin`, `referer`) pass, as in Node's and Workers' fetch.
 */
const DROPPED = new Set([
  'connection',
  'content-length',
  'expect',
  'host',
  'http2-settings',
  'keep-alive',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Request body headers that a redirect turning the request into a GET drops (fetch). */
export const BODY_HEADERS = [
  'content-encoding',
  'content-language',
  'content-location',
  'content-type',
] as const;

// RFC 9110 token; a value is a byte string without NUL, CR or LF.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;
const BAD_VALUE = /[\0\r\n\u0100-\uffff]/;
const EDGE_WHITESPACE = /^[\t ]+|[\t ]+$/g;

/** All request headers together, names and values, at most (what servers take, and more). */
export const MAX_REQUEST_HEADER_BYTES = 256 * 1024;

export interface HeaderDefaults {
  userAgent: string;
  https: boolean;
}

/**
 * The headers to send: names lower-cased and checked, values trimmed and checked (a
 * TypeError for a bad one, as `new Headers` throws), dropped names left out, and fetch's
 * defaults added where absent (`accept`, `accept-encoding`, `user-agent`).
 */
export function outgoingHeaders(headers: HeaderList, defaults: HeaderDefaults): HeaderList {
  const out: HeaderList = [];
  let size = 0;
  for (const header of headers) {
    const [rawName, rawValue] = header;
    const name = rawName.toLowerCase();
    if (!TOKEN.test(name)) throw new TypeError(`invalid header name: ${JSON.stringify(rawName)}`);
    const value = rawValue.replace(EDGE_WHITESPACE, '');
    if (BAD_VALUE.test(value)) throw new TypeError(`invalid value for header ${name}`);
    size += name.length + value.length;
    if (size > MAX_REQUEST_HEADER_BYTES) {
      throw new TypeError(`request headers exceed ${MAX_REQUEST_HEADER_BYTES} bytes`);
    }
    if (DROPPED.has(name) || name.startsWith('proxy-')) continue;
    out.push([name, value]);
  }
  const has = (name: string) => out.some(([n]) => n === name);
  if (!has('accept')) out.push(['accept', '*/*']);
  if (!has('user-agent')) out.push(['user-agent', defaults.userAgent]);
  // As Node's fetch: a range request asks for the bytes as stored.
  if (!has('accept-encoding')) {
    const encodings = has('range')
      ? 'identity'
      : defaults.https
        ? 'br, gzip, deflate'
        : 'gzip, deflate';
    out.push(['accept-encoding', encodings]);
  }
  return out;
}

/** Checks that `value` is a HeaderList, as data from a sandbox must be before use. */
export function isHeaderList(value: unknown): value is HeaderList {
  return (
    Array.isArray(value) &&
    value.every(
      (h) =>
        Array.isArray(h) && h.length === 2 && typeof h[0] === 'string' && typeof h[1] === 'string',
    )
  );
}

import type { HeaderList } from '@mini-lambda/core';

/**
 * Headers that describe one connection, not the message (RFC 9110 §7.6.1), plus
 * `content-length`, which we compute from the body we actually send. A function neither
 * sees the caller's nor sets its own.
 */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

const RESPONSE_DROPPED = new Set([...HOP_BY_HOP, 'content-length']);

/** RFC 9110 §5.1: a field name is a token. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * RFC 9110 §5.5 field values, as Node's `validateHeaderValue` accepts them: tab, visible
 * ASCII, space and obs-text bytes; never CR, LF, NUL or a character past U+00FF.
 */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** Whether `name` may be sent as a header name. */
export function isHeaderName(name: string): boolean {
  return TOKEN.test(name);
}

/** Whether `value` may be sent as a header value. */
export function isHeaderValue(value: string): boolean {
  return FIELD_VALUE.test(value);
}

/**
 * The caller's headers as a function sees them: names lower case, order and repeats kept,
 * hop-by-hop ones (and those `Connection` names) removed. `dropAuthorization`: the
 * caller's `Authorization` carried our invoke key, which is not the function's to read.
 */
export function requestHeaders(list: HeaderList, dropAuthorization: boolean): HeaderList {
  const named = new Set<string>();
  for (const [name, value] of list) {
    if (name.toLowerCase() !== 'connection') continue;
    for (const token of value.split(',')) named.add(token.trim().toLowerCase());
  }
  const kept: HeaderList = [];
  for (const [rawName, value] of list) {
    const name = rawName.toLowerCase();
    if (HOP_BY_HOP.has(name) || named.has(name)) continue;
    if (dropAuthorization && name === 'authorization') continue;
    kept.push([name, value]);
  }
  return kept;
}

/** Response headers after the rules: what goes out, and the names that did not. */
export interface SanitizedHeaders {
  headers: Headers;
  dropped: string[];
}

/**
 * A function's response headers as we send them. Hop-by-hop headers, `content-length`,
 * names that are not tokens and values HTTP cannot carry (CR, LF, NUL, characters past
 * U+00FF) are dropped, never sent and never thrown: a function cannot split a response
 * or crash the server with its headers.
 */
export function responseHeaders(list: Iterable<unknown>): SanitizedHeaders {
  const headers = new Headers();
  const dropped: string[] = [];
  for (const line of list) {
    const [name, value] = Array.isArray(line) ? line : [];
    if (typeof name !== 'string' || typeof value !== 'string') {
      dropped.push(typeof name === 'string' ? name : '(not a name)');
      continue;
    }
    const lower = name.toLowerCase();
    if (!isHeaderName(name) || !isHeaderValue(value) || RESPONSE_DROPPED.has(lower)) {
      dropped.push(name);
      continue;
    }
    try {
      headers.append(lower, value);
    } catch {
      dropped.push(name); // the Headers class is stricter than the rules above: its word wins
    }
  }
  return { headers, dropped };
}

/** Statuses a response of a function may have: no 1xx (those are the connection's). */
export function httpStatus(value: unknown): number | undefined {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\d{3}$/.test(value)
        ? Number(value)
        : Number.NaN;
  return Number.isInteger(n) && n >= 200 && n <= 599 ? n : undefined;
}

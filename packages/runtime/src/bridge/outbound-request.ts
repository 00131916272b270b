import type { HeaderList, OutboundRequest } from '@mini-lambda/core';
import { HostOpError } from '../host-ops/types.ts';

/** Bounds of a request a function sends out (docs/functions.md). */
export const OUTBOUND_LIMITS = {
  urlChars: 16 * 1024,
  headers: 256,
  headerBytes: 64 * 1024,
  bodyBytes: 10 * 1024 * 1024,
} as const;

const METHOD = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,32}$/;
const REDIRECTS = new Set(['follow', 'manual', 'error']);

const refuse = (message: string): never => {
  throw new HostOpError('TypeError', message);
};

/** The request a function's fetch hands the host, checked: it comes from user code. */
export function checkOutboundRequest(value: unknown): OutboundRequest {
  if (value === null || typeof value !== 'object') return refuse('Malformed request');
  const { method, url, headers, body, redirect } = value as Record<string, unknown>;
  if (typeof method !== 'string' || !METHOD.test(method)) return refuse('Invalid request method');
  if (typeof url !== 'string' || url.length > OUTBOUND_LIMITS.urlChars) {
    return refuse(`The URL must be a string of at most ${OUTBOUND_LIMITS.urlChars} characters`);
  }
  if (typeof redirect !== 'string' || !REDIRECTS.has(redirect))
    return refuse('Invalid redirect mode');
  if (body !== null && !(body instanceof Uint8Array)) return refuse('Malformed request body');
  if (body !== null && body.byteLength > OUTBOUND_LIMITS.bodyBytes) {
    return refuse(`A request body may be at most ${OUTBOUND_LIMITS.bodyBytes} bytes`);
  }
  return {
    method,
    url,
    headers: checkHeaders(headers),
    body,
    redirect: redirect as OutboundRequest['redirect'],
  };
}

function checkHeaders(value: unknown): HeaderList {
  if (!Array.isArray(value) || value.length > OUTBOUND_LIMITS.headers) {
    return refuse(`At most ${OUTBOUND_LIMITS.headers} request headers`);
  }
  const out: HeaderList = [];
  let bytes = 0;
  for (const pair of value) {
    if (!Array.isArray(pair) || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') {
      return refuse('Malformed request headers');
    }
    bytes += pair[0].length + pair[1].length;
    if (bytes > OUTBOUND_LIMITS.headerBytes) {
      return refuse(`Request headers may total at most ${OUTBOUND_LIMITS.headerBytes} bytes`);
    }
    out.push([pair[0], pair[1]]);
  }
  return out;
}

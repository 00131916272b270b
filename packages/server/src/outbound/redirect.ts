import type { HeaderList } from '@mini-lambda/core';
import { BODY_HEADERS } from './request-headers.ts';

export const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** What a hop sends; a redirect turns one into the next. */
export interface Hop {
  url: URL;
  method: string;
  body: Uint8Array | null;
  headers: HeaderList;
}

// Credentials that must not follow a request to another origin (fetch drops
// authorization; Node's fetch drops these too).
const CROSS_ORIGIN_DROPPED = new Set(['authorization', 'cookie', 'proxy-authorization', 'host']);
const BODY_HEADER_NAMES = new Set<string>(BODY_HEADERS);

/**
 * The next hop of a redirect, by fetch's HTTP-redirect fetch: `location` resolved against
 * the current URL; 303 (other than GET/HEAD), and 301/302 of a POST, become a GET without
 * body or body headers; 307/308 resend method and body; another origin loses the
 * credentials. The policy is checked on the new URL by the caller, as on the first.
 */
export function followRedirect(hop: Hop, status: number, location: string): Hop {
  let next: URL;
  try {
    // Header values arrive as latin1; a location is UTF-8 bytes, as browsers read it.
    next = new URL(Buffer.from(location, 'latin1').toString('utf8'), hop.url);
  } catch {
    throw new TypeError(`fetch failed: invalid redirect location ${location.slice(0, 200)}`);
  }
  let { method, body, headers } = hop;
  if (
    ((status === 301 || status === 302) && method === 'POST') ||
    (status === 303 && method !== 'GET' && method !== 'HEAD')
  ) {
    method = 'GET';
    body = null;
    headers = headers.filter(([name]) => !BODY_HEADER_NAMES.has(name.toLowerCase()));
  }
  if (next.origin !== hop.url.origin) {
    headers = headers.filter(([name]) => !CROSS_ORIGIN_DROPPED.has(name.toLowerCase()));
  }
  return { url: next, method, body, headers };
}

import type { IncomingMessage } from 'node:http';
import type { HeaderList } from '@mini-lambda/core';
import type { Context } from 'hono';

/** An HTTP request to `/fn/:name/…` as both handler styles are handed it. */
export interface TriggerRequest {
  method: string;
  /** The path below `/fn/:name`, as sent (percent-encoding kept), starting with `/`. */
  path: string;
  /** The query string as sent, without `?`; empty when none. */
  query: string;
  /** The caller's headers, names lower case, repeats kept (see `requestHeaders`). */
  headers: HeaderList;
  body: Uint8Array;
  /** The Host header (`localhost:3000`). */
  host: string;
  /** The address of the immediate peer (a proxy, when there is one). */
  sourceIp: string;
  /** `HTTP/1.1`, or what the connection spoke. */
  protocol: string;
}

/** What the request line and the connection say, read from Node when we run on it. */
export interface RequestLine {
  path: string;
  query: string;
  headers: HeaderList;
  host: string;
  sourceIp: string;
  protocol: string;
}

/**
 * The request target, headers and peer of `c`. On @hono/node-server from Node's own
 * request: the raw target (the URL class would re-encode it) and the raw header lines
 * (a Headers object joins repeats with ", "). Elsewhere (`app.request` in tests) from
 * the fetch Request.
 */
export function requestLine(c: Context): RequestLine {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  const target =
    incoming?.url?.startsWith('/') === true ? incoming.url : fromUrl(new URL(c.req.url));
  const queryAt = target.indexOf('?');
  const pathname = queryAt === -1 ? target : target.slice(0, queryAt);
  const headers: HeaderList = [];
  if (incoming) {
    const raw = incoming.rawHeaders;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      headers.push([(raw[i] as string).toLowerCase(), raw[i + 1] as string]);
    }
  } else {
    for (const [name, value] of c.req.raw.headers) headers.push([name, value]);
  }
  return {
    path: pathBelowFunction(pathname),
    query: queryAt === -1 ? '' : target.slice(queryAt + 1),
    headers,
    host: c.req.header('host') ?? new URL(c.req.url).host,
    sourceIp: peerAddress(incoming?.socket?.remoteAddress),
    protocol: incoming ? `HTTP/${incoming.httpVersion}` : 'HTTP/1.1',
  };
}

function fromUrl(url: URL): string {
  return url.pathname + url.search;
}

/** `/fn/app/users/42` → `/users/42`; `/fn/app` and `/fn/app/` → `/`. */
export function pathBelowFunction(pathname: string): string {
  const rest = pathname.replace(/^\/fn\/[^/]*/, '');
  return rest === '' ? '/' : rest;
}

/** IPv4 peers come as `::ffff:1.2.3.4` on a dual-stack socket; Lambda shows `1.2.3.4`. */
function peerAddress(address: string | undefined): string {
  if (address === undefined) return '';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

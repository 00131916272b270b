import { type HttpRequestData, MiniLambdaError } from '@mini-lambda/core';
import type { TriggerRequest } from './trigger-request.ts';

const HOST = /^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

/**
 * The `Request` a fetch-style function gets: `http://<Host>/<path below /fn/:name>?<query>`
 * (so a router inside sees its own paths), with the method, headers and body as sent;
 * no body for GET and HEAD, as the fetch standard allows none there.
 */
export function httpRequestData(request: TriggerRequest): HttpRequestData {
  // Only a host and a port: Node accepts `Host: x/admin?`, which would move the path the
  // function sees (`/fn/app/public` arriving as `/admin`), or `u:p@h`, which adds credentials.
  if (!HOST.test(request.host)) {
    throw new MiniLambdaError('InvalidRequest', 'The Host header is not a host name and port');
  }
  const url = `http://${request.host}${request.path}${request.query === '' ? '' : `?${request.query}`}`;
  if (!URL.canParse(url)) {
    throw new MiniLambdaError('InvalidRequest', 'The Host header and path do not form a URL');
  }
  const bodyless = request.method === 'GET' || request.method === 'HEAD';
  return {
    method: request.method,
    url,
    headers: request.headers,
    // A copy of exactly its bytes: a Buffer may be a view into a pool shared with other
    // requests, and whoever ships `body.buffer` across must not ship theirs too.
    body: bodyless ? null : new Uint8Array(request.body),
  };
}

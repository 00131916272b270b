import { STATUS_CODES } from 'node:http';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { asApiFailure, type Failure } from './failure.ts';
import { nativeApi } from './native-api.ts';
import type { ErrorSurface, RenderedError } from './surface.ts';

/** The one way an error is rendered; the functions below only hand it to a transport. */
export function renderError(failure: Failure, surface: ErrorSurface = nativeApi): RenderedError {
  return surface(asApiFailure(failure));
}

export interface ErrorResponseOptions {
  surface?: ErrorSurface;
  /** The transport's own headers (X-Instance-Id, an invocation's); the error's win. */
  headers?: Record<string, string>;
}

/** An error as a fetch Response, for paths outside a Hono context. */
export function errorResponse(failure: Failure, options: ErrorResponseOptions = {}): Response {
  const { status, headers, body } = renderError(failure, options.surface);
  const all = new Headers(options.headers);
  for (const [name, value] of Object.entries(headers)) all.set(name, value); // any case
  return new Response(body, { status, headers: all });
}

/** An error through Hono's context, which keeps the headers middleware set on it. */
export function sendError(c: Context, failure: Failure, surface?: ErrorSurface): Response {
  const { status, headers, body } = renderError(failure, surface);
  return c.body(body, status as ContentfulStatusCode, headers);
}

/**
 * A rendered error as HTTP/1.1 text for a socket Node refused to parse (no Response
 * exists there): the error's headers, then the transport's; the connection closes after it.
 */
export function errorHttpText(rendered: RenderedError, headers: Record<string, string>): string {
  const lines = Object.entries({ ...rendered.headers, ...headers, Connection: 'close' }).map(
    ([name, value]) => `${name}: ${value}\r\n`,
  );
  return (
    `HTTP/1.1 ${rendered.status} ${STATUS_CODES[rendered.status]}\r\n${lines.join('')}` +
    `Content-Length: ${Buffer.byteLength(rendered.body)}\r\n\r\n${rendered.body}`
  );
}

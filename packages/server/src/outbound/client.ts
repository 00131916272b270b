import type { Readable } from 'node:stream';
import type {
  FunctionConfig,
  HeaderList,
  OutboundRequest,
  OutboundResponse,
} from '@mini-lambda/core';
import { Agent, buildConnector } from 'undici';
import { createAddressPolicy, type ListenAddress } from './address-policy.ts';
import { createCheckedConnector, type Lookup, systemLookup } from './connector.ts';
import type { EgressAllowEntry } from './egress-allow.ts';
import { EgressRefusedError, OutboundLimitError, type RefusalReason } from './errors.ts';
import { followRedirect, REDIRECT_STATUSES } from './redirect.ts';
import { checkRequest, checkUrl, parseRequestUrl } from './request-checks.ts';
import { outgoingHeaders } from './request-headers.ts';
import { isDecoded, readBody } from './response-body.ts';

/** One invocation's side of a request: its function and its count of subrequests so far. */
export interface OutboundCall {
  fn: { name: string; config: Pick<FunctionConfig, 'egress' | 'max_subrequests'> };
  /** One object per invocation; every request and every redirect hop adds one. */
  subrequests: { used: number };
}

export type OutboundOutcome = 'ok' | 'refused' | 'limit' | 'aborted' | 'error';

/** What the client reports, per function: the server's metrics, or a test's tally. */
export interface OutboundObserver {
  /** One per `fetch` call, however many hops it took. */
  request(fn: string, outcome: OutboundOutcome): void;
  /** Response body bytes as received, before decompression. */
  received(fn: string, bytes: number): void;
  refused(fn: string, reason: RefusalReason): void;
}

export interface OutboundClientOptions {
  /** `EGRESS_ALLOW`, parsed. */
  allow: readonly EgressAllowEntry[];
  /** The instance's listen addresses, read on every connect (known only after listen). */
  ownAddresses?: () => readonly ListenAddress[];
  /** Decoded body bytes per response, at most; the bytes received are bounded the same. */
  maxResponseBytes?: number;
  maxRedirects?: number;
  metrics?: OutboundObserver;
  /** Host name resolution; default the system's (getaddrinfo, so /etc/hosts counts). */
  lookup?: Lookup;
  userAgent?: string;
  connectTimeoutMs?: number;
  /** Extra CA certificates to trust (tests with their own CA); default the system's. */
  ca?: string | Buffer;
}

export interface OutboundClient {
  /**
   * Sends a function's request under the egress policy, following redirects as fetch
   * does. Rejects with a TypeError (`egress refused: …` for the policy), or with
   * `signal.reason` once `signal` aborts (the invocation's end or deadline).
   */
  fetch(
    call: OutboundCall,
    request: OutboundRequest,
    signal: AbortSignal,
  ): Promise<OutboundResponse>;
  /** Closes idle connections and ends the ones in use. */
  close(): Promise<void>;
}

export const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

// Statuses whose response has no body, as fetch defines them.
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/** The server's outbound HTTP client: every request a function makes goes through it. */
export function createOutboundClient(options: OutboundClientOptions): OutboundClient {
  const {
    maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES,
    maxRedirects = 20,
    metrics,
    userAgent = 'mini-lambda',
    connectTimeoutMs = 10_000,
  } = options;
  const policy = createAddressPolicy({
    allow: options.allow,
    ...(options.ownAddresses ? { ownAddresses: options.ownAddresses } : {}),
  });
  const agent = new Agent({
    // HTTP/1.1 only, as Node's fetch: one protocol to reason about.
    allowH2: false,
    connect: createCheckedConnector({
      policy,
      lookup: options.lookup ?? systemLookup,
      base: buildConnector({
        allowH2: false,
        timeout: connectTimeoutMs,
        ...(options.ca ? { ca: options.ca } : {}),
      }),
      lookupTimeoutMs: connectTimeoutMs,
    }),
  });

  async function send(
    call: OutboundCall,
    request: OutboundRequest,
    signal: AbortSignal,
  ): Promise<OutboundResponse> {
    let method = checkRequest(request);
    let url = parseRequestUrl(request.url);
    let body = request.body;
    let headers: HeaderList = request.headers;
    const { egress, max_subrequests: maxSubrequests } = call.fn.config;
    for (let redirects = 0; ; redirects++) {
      signal.throwIfAborted();
      checkUrl(url, egress, policy);
      const sent = outgoingHeaders(headers, { userAgent, https: url.protocol === 'https:' });
      if (call.subrequests.used >= maxSubrequests) {
        throw new OutboundLimitError(
          `subrequest limit reached: at most ${maxSubrequests} requests per invocation (max_subrequests)`,
        );
      }
      call.subrequests.used++;
      const response = await agent.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method,
        headers: sent.flat(),
        body: body && Buffer.from(body.buffer, body.byteOffset, body.byteLength),
        signal,
        responseHeaders: 'raw',
      });
      const status = response.statusCode;
      const responseHeaders = headerPairs(response.headers);
      if (REDIRECT_STATUSES.has(status) && request.redirect !== 'manual') {
        const location = headerValue(responseHeaders, 'location');
        if (request.redirect === 'error') {
          discard(response.body);
          throw new TypeError(`fetch failed: unexpected redirect (status ${status})`);
        }
        if (location !== undefined) {
          discard(response.body);
          if (redirects >= maxRedirects) {
            throw new OutboundLimitError(`fetch failed: more than ${maxRedirects} redirects`);
          }
          ({ url, method, body, headers } = followRedirect(
            { url, method, body, headers },
            status,
            location,
          ));
          continue;
        }
      }
      const noBody = method === 'HEAD' || NULL_BODY_STATUSES.has(status);
      if (noBody) discard(response.body);
      const bytes = noBody
        ? new Uint8Array(0)
        : await readBody(
            response.body,
            headerValue(responseHeaders, 'content-encoding'),
            maxResponseBytes,
            (n) => metrics?.received(call.fn.name, n),
          );
      return {
        status,
        statusText: response.statusText,
        headers: noBody ? responseHeaders : decodedHeaders(responseHeaders),
        body: bytes,
        url: withoutFragment(url),
        redirected: redirects > 0,
      };
    }
  }

  return {
    async fetch(call, request, signal) {
      const name = call.fn.name;
      try {
        const response = await send(call, request, signal);
        metrics?.request(name, 'ok');
        return response;
      } catch (error) {
        if (signal.aborted) {
          metrics?.request(name, 'aborted');
          throw signal.reason instanceof Error
            ? signal.reason
            : new DOMException('This operation was aborted', 'AbortError');
        }
        if (error instanceof EgressRefusedError) {
          metrics?.refused(name, error.reason);
          metrics?.request(name, 'refused');
          throw error;
        }
        metrics?.request(name, error instanceof OutboundLimitError ? 'limit' : 'error');
        if (error instanceof TypeError) throw error;
        const message = error instanceof Error ? error.message : String(error);
        throw new TypeError(`fetch failed: ${message}`, { cause: error });
      }
    },
    close: () => agent.close(),
  };
}

/** undici's raw headers (`[name, value, …]`, values read as latin1) as lower-case pairs. */
function headerPairs(raw: unknown): HeaderList {
  const flat = Array.isArray(raw) ? (raw as string[]) : [];
  const pairs: HeaderList = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    pairs.push([String(flat[i]).toLowerCase(), String(flat[i + 1])]);
  }
  return pairs;
}

/** A header's values joined as `Headers.get` joins them, or undefined when absent. */
function headerValue(headers: HeaderList, name: string): string | undefined {
  const values = headers.filter(([n]) => n === name).map(([, v]) => v);
  return values.length > 0 ? values.join(', ') : undefined;
}

/** Drops a body not to be read: destroying it ends its request, and its error is expected. */
function discard(body: Readable): void {
  body.on('error', () => {});
  body.destroy();
}

function withoutFragment(url: URL): string {
  const copy = new URL(url.href);
  copy.hash = '';
  return copy.href;
}

/**
 * The headers of a body we decoded: `content-encoding` and `content-length` described the
 * bytes on the wire, not the ones the function gets. Node's fetch keeps them; we drop
 * them, so a function that returns a fetched response as its own (a proxy) does not send
 * decoded bytes labelled as gzip.
 */
function decodedHeaders(headers: HeaderList): HeaderList {
  const encoding = headerValue(headers, 'content-encoding');
  if (encoding === undefined || !isDecoded(encoding)) return headers;
  return headers.filter(([name]) => name !== 'content-encoding' && name !== 'content-length');
}

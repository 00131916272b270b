/**
 * Loopback servers and small helpers for the outbound client's tests. Servers listen on
 * loopback only and record what reached them, so a test can say "nothing was sent".
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EgressConfig, HeaderList, OutboundRequest } from '@mini-lambda/core';
import type { OutboundCall, OutboundClient } from '../src/outbound/index.ts';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
}

export interface TestServer {
  /** `http://127.0.0.1:PORT` (or `http://[::1]:PORT`), no trailing slash. */
  origin: string;
  host: string;
  port: number;
  requests: RecordedRequest[];
  /** TCP connections accepted, whether or not a request followed. */
  connections: number;
  /** Resolves once every accepted connection has closed. */
  allClosed(): Promise<void>;
  close(): Promise<void>;
}

export type Handler = (
  req: http.IncomingMessage,
  res: http.ServerResponse,
  recorded: RecordedRequest,
) => void;

/** An HTTP server on a loopback address that records every request (body read first). */
export async function startServer(handler: Handler, host = '127.0.0.1'): Promise<TestServer> {
  const sockets = new Set<import('node:net').Socket>();
  let closedWaiters: (() => void)[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        body: Buffer.concat(chunks),
      };
      state.requests.push(recorded);
      handler(req, res, recorded);
    });
  });
  server.on('connection', (socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      if (sockets.size === 0) {
        for (const w of closedWaiters) w();
        closedWaiters = [];
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  const state: TestServer = {
    origin: host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`,
    host,
    port,
    requests: [],
    connections: 0,
    allClosed: () =>
      sockets.size === 0 ? Promise.resolve() : new Promise((r) => closedWaiters.push(r)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return state;
}

/** A handler answering 200 with a fixed text. */
export const ok =
  (text = 'ok'): Handler =>
  (_req, res) => {
    res.setHeader('content-type', 'text/plain');
    res.end(text);
  };

/** One invocation's call object, with the function config the test wants. */
export function callOf(
  config: { egress?: EgressConfig; max_subrequests?: number } = {},
  name = 'fn',
): OutboundCall {
  return {
    fn: {
      name,
      config: { egress: config.egress ?? 'public', max_subrequests: config.max_subrequests ?? 50 },
    },
    subrequests: { used: 0 },
  };
}

/** A request as a function's fetch would hand it over. */
export function requestOf(
  url: string,
  init: {
    method?: string;
    headers?: HeaderList;
    body?: Uint8Array | string | null;
    redirect?: OutboundRequest['redirect'];
  } = {},
): OutboundRequest {
  const body = typeof init.body === 'string' ? new TextEncoder().encode(init.body) : init.body;
  return {
    method: init.method ?? 'GET',
    url,
    headers: init.headers ?? [],
    body: body ?? null,
    redirect: init.redirect ?? 'follow',
  };
}

/** `client.fetch` with a fresh call and a signal that never aborts, unless given. */
export function fetchWith(
  client: OutboundClient,
  url: string,
  init: Parameters<typeof requestOf>[1] & { call?: OutboundCall; signal?: AbortSignal } = {},
) {
  return client.fetch(
    init.call ?? callOf(),
    requestOf(url, init),
    init.signal ?? new AbortController().signal,
  );
}

/** The rejection of a promise that must reject (fails the test if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection, got a response');
}

export const text = (body: Uint8Array) => Buffer.from(body).toString('utf8');

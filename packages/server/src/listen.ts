import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { MiniLambdaError } from '@mini-lambda/core';
import { errorHttpText, errorResponse, renderError } from './errors/respond.ts';

/** Node's reasons for refusing a request before the app sees it, as HTTP statuses. */
const CLIENT_ERROR_STATUS: Record<string, number> = {
  ERR_HTTP_REQUEST_TIMEOUT: 408,
  HPE_HEADER_OVERFLOW: 431,
};

export interface ListenOptions {
  port: number;
  host: string;
  instanceId: string;
}

/**
 * An HTTP server for the app, with Node's guards against slow clients set to bounds
 * that suit uploads, and every answer in docs/api.md's shape: requests the app never sees
 * (a malformed target or Host, headers too large or too slow) still get a JSON error
 * with X-Instance-Id, not an empty status line.
 */
export function listen(
  fetch: (request: Request, env: unknown) => Response | Promise<Response>,
  options: ListenOptions,
): Promise<Server> {
  const instanceHeader = { 'X-Instance-Id': options.instanceId };
  const listener = getRequestListener(fetch, {
    errorHandler: () =>
      errorResponse(
        new MiniLambdaError('InvalidRequest', 'The request target or Host header is malformed'),
        { headers: instanceHeader },
      ),
  });
  const server = createServer(
    {
      headersTimeout: 10_000, // all headers within 10 s
      requestTimeout: 120_000, // a whole request (a 50 MB upload) within 2 min
      keepAliveTimeout: 65_000, // longer than a proxy's idle keep-alive (nginx.conf: 4 s)
    },
    listener,
  );
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable) return socket.destroy();
    const rendered = renderError(
      new MiniLambdaError(
        'InvalidRequest',
        `The request could not be read (${err.code ?? 'malformed'})`,
      ),
    );
    // The body says InvalidRequest; the status says which limit (431, 408) Node applied.
    const status = CLIENT_ERROR_STATUS[err.code ?? ''] ?? rendered.status;
    socket.end(errorHttpText({ ...rendered, status }, instanceHeader));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

import { serve } from '@hono/node-server';
import type { ReadyMessage } from '@mini-lambda/core';
import type { Hono } from 'hono';

/**
 * Serves a baseline app on a free loopback port, tells the parent where with the server's
 * ready message (over the IPC channel bare-hono-process.ts opens), and stops on SIGTERM.
 */
export function serveBaseline(app: Hono): void {
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
    const ready: ReadyMessage = {
      type: 'ready',
      url: `http://127.0.0.1:${info.port}`,
      port: info.port,
      instanceId: 'bare-hono',
    };
    process.send?.(ready);
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

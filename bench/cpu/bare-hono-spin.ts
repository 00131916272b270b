// The bare Hono baseline of bench/cpu: the same route and the same `spin` work as the
// function mini-lambda runs, done in the host on @hono/node-server. Prints `listening <port>`.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { spin } from './spin.ts';

const app = new Hono().post('/functions/spin/invoke', async (c) => {
  const event = JSON.parse(await c.req.text()) as { n: number };
  return c.body(JSON.stringify({ hash: spin(event.n) }), 200, {
    'Content-Type': 'application/json',
  });
});
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
  process.stdout.write(`listening ${info.port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));

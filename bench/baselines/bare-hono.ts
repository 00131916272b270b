// The front end's limit: the same route and the same work as the hello function, done in
// the host by a bare Hono app on @hono/node-server. Prints `listening <port>`.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const app = new Hono().post('/functions/hello/invoke', async (c) => {
  const text = await c.req.text();
  const event = (text === '' ? null : JSON.parse(text)) as { name?: string } | null;
  return c.body(JSON.stringify({ hello: event?.name ?? 'world' }), 200, {
    'Content-Type': 'application/json',
  });
});
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
  process.stdout.write(`listening ${info.port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));

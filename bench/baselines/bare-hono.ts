// The front end's limit: the same route and the same work as the hello function, done in
// the host by a bare Hono app on @hono/node-server. Started by
// bare-hono-process.ts, which it tells where it listens (serve-baseline.ts).
import { Hono } from 'hono';
import { serveBaseline } from './serve-baseline.ts';

const app = new Hono().post('/functions/hello/invoke', async (c) => {
  const text = await c.req.text();
  const event = (text === '' ? null : JSON.parse(text)) as { name?: string } | null;
  return c.body(JSON.stringify({ hello: event?.name ?? 'world' }), 200, {
    'Content-Type': 'application/json',
  });
});
serveBaseline(app);

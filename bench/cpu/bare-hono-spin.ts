// The bare Hono baseline of bench/cpu: the same route and the same `spin` work as the
// function mini-lambda runs, done in the host on @hono/node-server. Started by
// bare-hono-process.ts, which it tells where it listens (serve-baseline.ts).
import { Hono } from 'hono';
import { serveBaseline } from '../baselines/serve-baseline.ts';
import { spin } from './spin.ts';

const app = new Hono().post('/functions/spin/invoke', async (c) => {
  const event = JSON.parse(await c.req.text()) as { n: number };
  return c.body(JSON.stringify({ hash: spin(event.n) }), 200, {
    'Content-Type': 'application/json',
  });
});
serveBaseline(app);

// The plain-Node baseline of bench/node: the same handler module called in the host by a
// bare Hono route, in its own process (bare-hono-process.ts starts it).
import { Hono } from 'hono';
import { serveBaseline } from '../baselines/serve-baseline.ts';
import { handler } from './hash-handler.js';

const app = new Hono().post('/functions/node-hash/invoke', async (c) => {
  const text = await c.req.text();
  const result = await handler(text === '' ? null : JSON.parse(text));
  return c.body(JSON.stringify(result), 200, { 'Content-Type': 'application/json' });
});
serveBaseline(app);

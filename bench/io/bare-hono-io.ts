// The I/O-bound scenario's host floor: a bare Hono app on @hono/node-server doing what the
// function does (fetch the upstream, answer its JSON) with Node's own fetch, no isolate, no
// egress policy. argv[2] is the upstream's URL. Started by startBareHono.
import { Hono } from 'hono';
import { serveBaseline } from '../baselines/serve-baseline.ts';

const upstream = process.argv[2];
if (!upstream?.startsWith('http://127.0.0.1:')) throw new Error(`bare io: upstream ${upstream}`);

const app = new Hono().get('/fn/io', async (c) => {
  const answer = await fetch(upstream);
  const data: unknown = await answer.json();
  return c.body(JSON.stringify(data), 200, { 'Content-Type': 'application/json' });
});
serveBaseline(app);

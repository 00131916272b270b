// The I/O-bound scenario's upstream: a loopback HTTP server answering GET /data with a small
// JSON document after a fixed delay (argv[2], ms). Its own process, so the load generator's
// event loop cannot stretch the delay. Started by startBareHono, which it tells where it
// listens with the server's ready message.
import { Hono } from 'hono';
import { serveBaseline } from '../baselines/serve-baseline.ts';
import { UPSTREAM_BODY, UPSTREAM_PATH } from './worker.ts';

const delayMs = Number(process.argv[2]);
if (!Number.isFinite(delayMs) || delayMs < 0) throw new Error(`upstream: delay ${process.argv[2]}`);

const app = new Hono().get(UPSTREAM_PATH, async (c) => {
  await new Promise((r) => setTimeout(r, delayMs));
  return c.body(UPSTREAM_BODY, 200, { 'Content-Type': 'application/json' });
});
serveBaseline(app);

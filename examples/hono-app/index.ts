// A Hono app as a fetch-style function: deploy with
//   npm ci --prefix examples/hono-app && pnpm mini-lambda deploy hono-app examples/hono-app
// and call it at /fn/hono-app/… (the router sees the path below /fn/hono-app).
import { Hono } from 'hono';

const app = new Hono();

app.get('/', (c) => c.text('Hello from Hono on mini-lambda'));

app.get('/users/:id', (c) => c.json({ id: c.req.param('id'), tab: c.req.query('tab') ?? null }));

app.post('/echo', async (c) => c.json({ received: await c.req.json() }, 201));

app.notFound((c) => c.json({ error: 'not found', path: c.req.path }, 404));

export default app;

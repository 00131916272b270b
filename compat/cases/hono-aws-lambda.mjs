// hono/aws-lambda: a Hono app exported as a Lambda handler, given a Function URL (payload 2.0) event.
import { Hono } from 'hono';
import { handle } from 'hono/aws-lambda';

const app = new Hono();
app.get('/users/:id', (c) => c.json({ id: c.req.param('id'), tab: c.req.query('tab') ?? null }));
app.post('/echo', async (c) =>
  c.json({ received: await c.req.json(), ua: c.req.header('user-agent') }, 201),
);
app.get('/cookie', (c) => {
  c.header('set-cookie', 'a=1; Path=/');
  return c.text('with cookie');
});

export const handler = handle(app);

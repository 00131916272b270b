import { createHmac } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { makeZip } from '@mini-lambda/testkit/zip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, type TestInstance, testInstance } from './instance.ts';

const EXAMPLES = new URL('../../../examples/', import.meta.url).pathname;

/** Every file of a directory, as deploy's archive of it (node_modules included). */
function filesOf(dir: string): Record<string, Buffer> {
  const files: Record<string, Buffer> = {};
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) files[relative(dir, path)] = readFileSync(path);
    }
  };
  walk(dir);
  return files;
}

let t: TestInstance;
beforeAll(async () => {
  t = await testInstance();
});
afterAll(() => t.close());

describe('examples/hono-app: a Hono app from npm, deployed as a zip', () => {
  beforeAll(async () => {
    const res = await t.request('/functions/hono-app', {
      method: 'PUT',
      headers: { ...auth, 'Content-Type': 'application/zip' },
      body: await makeZip(filesOf(join(EXAMPLES, 'hono-app'))),
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ handler: 'fetch' });
  });

  it('serves its routes below /fn/hono-app', async () => {
    const root = await t.request('/fn/hono-app');
    expect([root.status, await root.text()]).toEqual([200, 'Hello from Hono on mini-lambda']);
    const user = await t.request('/fn/hono-app/users/42?tab=posts');
    expect(user.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await user.json()).toEqual({ id: '42', tab: 'posts' });
    const echo = await t.request('/fn/hono-app/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ a: [1, 2] }),
    });
    expect([echo.status, await echo.json()]).toEqual([201, { received: { a: [1, 2] } }]);
    const missing = await t.request('/fn/hono-app/nope');
    expect([missing.status, await missing.json()]).toEqual([
      404,
      { error: 'not found', path: '/nope' },
    ]);
  });

  it('answers invoke as POST / with the event', async () => {
    const res = await t.invoke('hono-app', '{"x":1}');
    // Its POST / is not a route: Hono's notFound answers, and that body is the result.
    expect(await res.json()).toEqual({ error: 'not found', path: '/' });
  });
});

describe('examples/webhook.ts: an HMAC-signed webhook checked with crypto.subtle', () => {
  const secret = 'It is a secret to everybody';
  const sign = (body: string, key = secret) =>
    `sha256=${createHmac('sha256', key).update(body).digest('hex')}`;
  const post = (body: string, signature: string) =>
    t.request('/fn/webhook', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
      body,
    });

  beforeAll(async () => {
    const source = readFileSync(join(EXAMPLES, 'webhook.ts'), 'utf8');
    expect((await t.deploy('webhook', source, '?public=true')).status).toBe(201);
    const patched = await t.request('/functions/webhook', {
      method: 'PATCH',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ env: { WEBHOOK_SECRET: secret } }),
    });
    expect(patched.status).toBe(200);
  });

  it('accepts a body signed with the secret (the signature computed by node:crypto)', async () => {
    const body = JSON.stringify({ action: 'opened', n: 1 });
    const res = await post(body, sign(body));
    expect([res.status, await res.json()]).toEqual([200, { accepted: true, action: 'opened' }]);
  });

  it('refuses a wrong, missing or malformed signature, and a body changed after signing', async () => {
    const body = JSON.stringify({ action: 'opened' });
    for (const signature of [sign(body, 'another secret'), '', 'sha256=zz', sign(`${body} `)]) {
      const res = await post(body, signature);
      expect([res.status, await res.text()]).toEqual([401, 'bad signature']);
    }
  });
});

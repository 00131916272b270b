import { fileURLToPath } from 'node:url';
import { until } from '@mini-lambda/testkit/wait';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployed, type TestInstance, testInstance } from './instance.ts';
import { parsePrometheusText } from './prometheus.ts';

// The whole instance against a sandbox that breaks the protocol: a real child process
// (fixtures/fake-sandbox.ts) that sends what our sandbox never would when the function
// invoked is named for it. The runtime's own tests (packages/runtime/test/protocol.test.ts)
// cover every fault; these check what an HTTP caller and the rest of the server see.
const FAKE = fileURLToPath(new URL('./fixtures/fake-sandbox.ts', import.meta.url));
const ECHO = 'export const handler = (event: unknown) => event';
const BROKEN = ['unknown-reason', 'malformed-frame', 'garbage-json'];

let t: TestInstance;
beforeAll(async () => {
  t = await testInstance({ SANDBOXES: '1' }, { sandboxEntry: FAKE });
  for (const name of ['echo', ...BROKEN]) await deployed(t, name, ECHO);
});
afterAll(() => t.close());

/** `/health` answers JSON (200, or 503 while degraded) with the one sandbox slot. */
async function sandboxSlot() {
  const res = await t.request('/health');
  expect([200, 503]).toContain(res.status);
  const body = (await res.json()) as { sandboxes?: { state: string; restarts: number }[] };
  return body.sandboxes?.[0];
}

/** `mini_lambda_sandbox_restarts_total` by reason. */
async function restartsByReason() {
  const res = await t.request('/metrics');
  expect(res.status).toBe(200);
  // Only this metric's lines: prom-client's default metrics may print `Nan`, which the
  // strict reader refuses.
  const lines = (await res.text())
    .split('\n')
    .filter((line) => line.startsWith('mini_lambda_sandbox_restarts_total'));
  return Object.fromEntries(
    parsePrometheusText(lines.join('\n')).map((s) => [s.labels.reason, s.value]),
  );
}

describe('a sandbox that breaks the protocol, over HTTP', () => {
  it.each(BROKEN)(
    '%s: the call is a 503 SandboxRestarted JSON error; the sandbox is replaced and counted; the server serves on',
    async (name) => {
      const echo = await t.invoke('echo', '{"n":1}');
      expect([echo.status, await echo.text()]).toEqual([200, '{"n":1}']);
      const restarts = (await sandboxSlot())?.restarts ?? 0;
      const protocol = (await restartsByReason()).protocol ?? 0;

      const res = await t.invoke(name, '{"n":2}');
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toContain('application/json');
      expect(res.headers.get('retry-after')).toBe('1');
      expect(res.headers.get('x-instance-id')).toBe('test-1');
      expect(await res.json()).toEqual({
        error: expect.objectContaining({ code: 'SandboxRestarted', message: expect.any(String) }),
      });

      // Calls in the moment between the two processes are 503s too: wait for the new one.
      await until(async () => {
        const slot = await sandboxSlot();
        return slot?.restarts === restarts + 1 && slot.state === 'ready';
      });
      const again = await t.invoke('echo', '{"n":3}');
      expect([again.status, await again.text()]).toEqual([200, '{"n":3}']);
      // Replaced for the protocol fault, and for nothing else.
      expect(await restartsByReason()).toEqual({ protocol: protocol + 1 });
    },
  );
});

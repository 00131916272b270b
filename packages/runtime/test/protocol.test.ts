import { fileURLToPath } from 'node:url';
import { ERROR_STATUS, FAILURE_ERROR_CODE, MiniLambdaError } from '@mini-lambda/core';
import { until } from '@mini-lambda/testkit/wait';
import { afterEach, describe, expect, it } from 'vitest';
import { disposeSandboxed, startSandboxed } from './sandboxed-harness.ts';

// The host against a sandbox that breaks the protocol: a real child process
// (fixtures/fake-sandbox.ts) that misbehaves when told by the name of the function invoked.
const FAKE = fileURLToPath(new URL('./fixtures/fake-sandbox.ts', import.meta.url));

afterEach(disposeSandboxed);

function fake() {
  return startSandboxed({ sandboxes: 1, entry: FAKE });
}

/** Each misbehaviour of the fake, with what the host's fault says. */
const MISBEHAVIOURS: [string, RegExp][] = [
  ['malformed-frame', /a-length/],
  ['garbage-json', /outcome: not JSON/],
  ['unknown-reason', /outcome: bad reason/],
  ['oversized-frame', /Oversized frame/],
  ['unknown-id', /not in flight/],
  ['other-invocation-id', /another invocation id/],
  ['unknown-type', /unknown message type 99/],
  ['unregistered-code', /code request for ref 9999/],
  ['idle-code', /not registered with a call in flight/],
  ['unsolicited-pong', /a pong to no ping/],
  ['unsolicited-stats', /a stats reply to no request/],
  ['ready-twice', /ready twice/],
  ['fetch-for-another-call', /a fetch for call \d+, which is not running/],
  ['fetch-bad-method', /fetch: Invalid request method/],
  ['unsolicited-inspection', /an inspection answer to no request/],
  ['response-bad-head', /outcome: bad response/],
];

describe('a sandbox that breaks the protocol', () => {
  it.each(MISBEHAVIOURS)(
    '%s: is replaced; its call ends as SandboxRestarted; the next call works',
    async (command, fault) => {
      const t = fake();
      const echo = t.deploy('echo', 'unused');
      expect(await t.runtime.invoke(echo, '1')).toMatchObject({ ok: true, result: '1' });

      const out = await t.runtime.invoke(t.deploy(command, 'unused'), '2');
      expect(out).toMatchObject({ ok: false, reason: 'crashed', retryAfterMs: 1000 });
      const code = out.ok ? undefined : FAILURE_ERROR_CODE[out.reason];
      expect(code).toBe('SandboxRestarted');
      expect(code && ERROR_STATUS[code]).toBe(503);

      await until(() => t.exits.length === 1);
      expect(t.exits).toEqual(['protocol']);
      expect(t.faults).toEqual([expect.stringMatching(fault)]);
      await until(async () => (await t.runtime.health()).sandboxes?.[0]?.state === 'ready');
      expect((await t.runtime.health()).sandboxes?.[0]).toMatchObject({ restarts: 1 });
      expect(await t.runtime.invoke(echo, '3')).toMatchObject({ ok: true, result: '3' });
    },
  );

  it('serves code for the version of a call in flight, asked for by its ref', async () => {
    const t = fake();
    const fn = t.deploy('needs-code', 'export const handler = () => 1');
    const out = await t.runtime.invoke(fn, '');
    expect(out).toMatchObject({
      ok: true,
      result: JSON.stringify('export const handler = () => 1'),
    });
    expect(t.loads.get(fn.sha256)).toBe(1);
    expect(t.exits).toEqual([]);
  });

  it('kills a sandbox that asks for code and does not read it, before it costs us memory', async () => {
    const t = startSandboxed({ sandboxes: 1, entry: FAKE, maxUnreadCodeBytes: 4 * 1024 * 1024 });
    const flood = t.deploy('code-flood', `// ${'x'.repeat(1024 * 1024)}`);
    const out = await t.runtime.invoke(flood, '');
    expect(out).toMatchObject({ ok: false, reason: 'crashed' });
    await until(() => t.exits.length === 1);
    expect(t.exits).toEqual(['protocol']);
    expect(t.faults).toEqual([
      expect.stringMatching(/asks for code with \d+ bytes of code unread/),
    ]);
    // What it left unread stayed within the bound: the copies it asked for were not written.
    const unread = Number(/(\d+) bytes of code unread/.exec(t.faults[0] ?? '')?.[1]);
    expect(unread).toBeLessThanOrEqual(4 * 1024 * 1024);
  });

  it('refuses more open code requests than the sandbox could have pools being created', async () => {
    const t = startSandboxed({ sandboxes: 1, entry: FAKE, limits: { maxIsolates: 8 } });
    const out = await t.runtime.invoke(t.deploy('code-flood', 'unused'), '');
    expect(out).toMatchObject({ ok: false, reason: 'crashed' });
    await until(() => t.exits.length === 1);
    expect(t.exits).toEqual(['protocol']);
    expect(t.faults).toEqual([expect.stringMatching(/more than 8 code requests at once/)]);
  });

  it('does not let a sandbox lift its own memory ceiling by the reservation it reports', async () => {
    // Ceiling: 160 MB + 2 × its reservation, which cannot pass its share (16 MB) whatever
    // it says. It claims 1e9 MB, then grows by 300 MB: killed for memory, as it should be.
    const t = startSandboxed({
      sandboxes: 1,
      entry: FAKE,
      rssBaseMb: 160,
      limits: { maxTotalMemoryMb: 16 },
    });
    const out = await t.runtime.invoke(t.deploy('huge-reserved', 'unused'), '1');
    expect(out).toMatchObject({ ok: true });
    await until(() => t.exits.length === 1);
    expect(t.exits).toEqual(['memory']);
  });

  it("cuts console output past the functions' log limit, keeping the newest", async () => {
    const t = fake();
    const out = await t.runtime.invoke(t.deploy('long-logs', 'unused'), '');
    expect(out).toMatchObject({ ok: true, result: '1' });
    expect(out.logs.text).toHaveLength(4096); // logLimit's default
    expect(out.logs.text.endsWith('END')).toBe(true);
    expect(t.exits).toEqual([]);
  });

  it('keeps a platform error with a code outside the table from passing as one of ours', async () => {
    const t = fake();
    const call = t.runtime.invoke(t.deploy('failed-tostring', 'unused'), '');
    await expect(call).rejects.toMatchObject({ code: 'toString', message: 'not ours' });
    await expect(call).rejects.not.toBeInstanceOf(MiniLambdaError);
    expect(t.exits).toEqual([]);
  });

  it('leaves the calls of other sandboxes alone', async () => {
    const t = startSandboxed({ sandboxes: 2, entry: FAKE });
    const echo = t.deploy('echo', 'unused');
    const bad = t.deploy('garbage-json', 'unused');
    expect(await t.runtime.invoke(echo, '1')).toMatchObject({ ok: true });
    expect(await t.runtime.invoke(bad, '1')).toMatchObject({ ok: false, reason: 'crashed' });
    await until(() => t.exits.length === 1);
    const sandboxes = (await t.runtime.health()).sandboxes ?? [];
    expect(sandboxes.map((s) => s.restarts).sort()).toEqual([0, 1]);
    expect(await t.runtime.invoke(echo, '2')).toMatchObject({ ok: true, result: '2' });
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  PROCESS_KEY,
  type ServerProcess,
  startServerProcess,
} from '@mini-lambda/testkit/server-process';
import { until } from '@mini-lambda/testkit/wait';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The embedded default's promise: an event acknowledged with 202 survives a SIGKILL of the
// server and runs after the restart. The function reports each run to a recorder here, so
// repeats (a delivery cut off by the kill and run again) are counted, not guessed.

const EVENTS = 200;
const KILL_AFTER = 100;
/** The function's own limit: at most this many deliveries can be cut off by the kill. */
const MAX_CONCURRENCY = 8;

const dataDir = mkdtempSync(join(tmpdir(), 'ml-embedded-kill-'));
/** Runs seen per event number, with the request ids the function saw. */
const runs = new Map<number, string[]>();
let recorder: Server;
let recorderPort: number;
let server: ServerProcess | undefined;

beforeAll(async () => {
  recorder = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const { n, id } = JSON.parse(body) as { n: number; id: string };
      runs.set(n, [...(runs.get(n) ?? []), id]);
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => recorder.listen(0, '127.0.0.1', resolve));
  recorderPort = (recorder.address() as AddressInfo).port;
});

afterAll(async () => {
  if (server) await server.stop();
  await new Promise((resolve) => recorder.close(resolve));
  rmSync(dataDir, { recursive: true, force: true });
});

const start = () =>
  startServerProcess(
    // Leases a cut-off delivery held expire 1 s after its 2 s timeout, not 30 s.
    { EGRESS_ALLOW: `127.0.0.1:${recorderPort}`, ASYNC_LEASE_GRACE_MS: '1000' },
    { dataDir },
  );

const auth = { Authorization: `Bearer ${PROCESS_KEY}` };

/** Accepts event `n`: its invocation id once the server answered 202. */
async function accept(s: ServerProcess, n: number): Promise<string> {
  const res = await fetch(`${s.url}/functions/rec/invoke`, {
    method: 'POST',
    headers: { 'X-Invocation-Type': 'Event', 'Content-Type': 'application/json' },
    body: JSON.stringify({ n }),
  });
  if (res.status !== 202) throw new Error(`accept ${n}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { invocation_id: string }).invocation_id;
}

describe('asynchronous invocations on the embedded default', () => {
  it('keeps every acknowledged event across a SIGKILL and runs it', async () => {
    const first = await start();
    server = first;
    const health = (await (await fetch(`${first.url}/health`)).json()) as { durability?: string };
    expect.soft(health.durability).toBe('embedded-wal-fsync');
    await first.deploy(
      'rec',
      `export const handler = async (event, context) => {
        await new Promise((r) => setTimeout(r, 20));
        await fetch('http://127.0.0.1:${recorderPort}/run', {
          method: 'POST',
          body: JSON.stringify({ n: event.n, id: context.awsRequestId }),
        });
        return event;
      };`,
    );
    const patched = await fetch(`${first.url}/functions/rec`, {
      method: 'PATCH',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ timeout_ms: 2000, max_concurrency: MAX_CONCURRENCY }),
    });
    expect(patched.status).toBe(200);

    // Eight clients accept events; the server dies once KILL_AFTER are acknowledged,
    // with requests and deliveries in flight.
    const acked = new Map<number, string>();
    let next = 0;
    let killed = false;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (!killed && next < EVENTS) {
          const n = next++;
          try {
            acked.set(n, await accept(first, n));
          } catch {
            if (!killed) throw new Error(`accept ${n} failed before the kill`);
            return;
          }
          if (acked.size >= KILL_AFTER && !killed) {
            killed = true;
            first.child.kill('SIGKILL');
          }
        }
      }),
    );
    expect(await first.exited).toBeNull();
    expect(acked.size).toBeGreaterThanOrEqual(KILL_AFTER);
    const ranBeforeKill = runs.size;

    server = await start();
    const second = server;
    const statuses = new Map<number, { status: string; attempts: number }>();
    await until(
      async () => {
        for (const [n, id] of acked) {
          if (statuses.get(n)?.status === 'succeeded') continue;
          const res = await fetch(`${second.url}/functions/rec/invocations/${id}`, {
            headers: auth,
          });
          // Acknowledged means stored: never a 404, not even before it ran.
          expect(res.status, `event ${n} (${id})`).toBe(200);
          statuses.set(n, (await res.json()) as { status: string; attempts: number });
        }
        return [...statuses.values()].every((s) => s.status === 'succeeded');
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );

    const repeats = [...acked.keys()].filter((n) => (runs.get(n)?.length ?? 0) > 1);
    const retried = [...statuses.values()].filter((s) => s.attempts > 1).length;
    console.log(
      `embedded kill: ${acked.size} acknowledged, ${ranBeforeKill} ran before the kill, ` +
        `${repeats.length} ran twice (cut off by the kill), ${retried} with attempts > 1`,
    );
    for (const [n, id] of acked) {
      const seen = runs.get(n) ?? [];
      expect(seen.length, `event ${n} ran`).toBeGreaterThanOrEqual(1);
      expect(new Set(seen), `event ${n}'s request id`).toEqual(new Set([id]));
    }
    // Only a delivery under way at the kill can run again.
    expect(repeats.length).toBeLessThanOrEqual(MAX_CONCURRENCY);
  }, 120_000);
});

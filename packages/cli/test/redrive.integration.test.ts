// `dead-letters redrive` without ids, run as a user would against a real instance (embedded
// PGlite, real isolates, delivery running) on loopback. The instance is built in this process
// so the test can write thousands of dead letters straight into its store: failing that many
// events one by one would take minutes.
import { execFile } from 'node:child_process';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from '../../server/src/listen.ts';
import {
  API_KEY,
  auth,
  deployed,
  type TestInstance,
  testInstance,
} from '../../server/test/instance.ts';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
/** What the server redrives at most per call (docs/api.md). */
const PER_CALL = 1000;

let t: TestInstance;
let http: Server;
let url: string;

beforeAll(async () => {
  t = await testInstance();
  http = await listen(t.instance.app.fetch, { port: 0, host: '127.0.0.1', instanceId: 'test-1' });
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  t.instance.startAsync();
}, 120_000);

afterAll(async () => {
  http?.closeAllConnections();
  await new Promise((resolve) => http?.close(resolve));
  await t?.close();
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[]): Promise<Run> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('MINI_LAMBDA_')),
  );
  const env = { ...inherited, MINI_LAMBDA_URL: url, MINI_LAMBDA_API_KEY: API_KEY };
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { env, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * Writes `count` dead letters of `name` as delivery would have, failed `offsetS` seconds
 * from now plus a millisecond more each (so their redrive order is the insertion order);
 * answers their ids in that order.
 */
async function seedDeadLetters(name: string, count: number, offsetS: number): Promise<string[]> {
  const rows = await t.instance.store.sql<{ id: string }[]>`
    INSERT INTO dead_letters (invocation_id, function_name, payload, error, attempts, failed_at)
    SELECT gen_random_uuid(), ${name}, '{"n":' || n || '}',
      '{"code":"FunctionError","message":"seeded"}'::jsonb, 1,
      now() + make_interval(secs => ${offsetS} + n / 1000.0)
    FROM generate_series(1, ${count}) AS n
    RETURNING invocation_id AS id`;
  return rows.map((r) => r.id);
}

async function deadLetterIds(name: string): Promise<string[]> {
  const rows = await t.instance.store.sql<{ id: string }[]>`
    SELECT invocation_id AS id FROM dead_letters WHERE function_name = ${name}`;
  return rows.map((r) => r.id);
}

const lines = (text: string) => text.split('\n').filter((line) => line !== '');

describe('dead-letters redrive without ids', () => {
  it('calls again while the server says more are left', async () => {
    await deployed(t, 'fine', 'export const handler = async (e) => e');
    const seeded = await seedDeadLetters('fine', PER_CALL + 500, -3600);

    const run = await cli(['dead-letters', 'redrive', 'fine']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe(`Queued ${seeded.length} dead letters again.\n`);
    // More ids than one call may redrive: the CLI made at least two.
    expect(lines(run.stdout).sort()).toEqual([...seeded].sort());
    expect(await deadLetterIds('fine')).toEqual([]);
  });

  it('stops when letters it queued come back instead of redriving them again', async () => {
    await deployed(t, 'doomed', 'export const handler = async () => { throw new Error("again") }');
    const config = await cli(['config', 'doomed', '--max-retries', '0']);
    expect(config.code, config.stderr).toBe(0);
    // A first batch, and many more behind it that all failed later. A redriven event that
    // fails again is a letter failed now, older than all of those: the next call brings it
    // back first. Delivery fails the first batch's events within a few calls, well before
    // the CLI could get through the rest.
    const first = await seedDeadLetters('doomed', PER_CALL, 86_400);
    const rest = await seedDeadLetters('doomed', 9 * PER_CALL, 2 * 86_400);

    const run = await cli(['dead-letters', 'redrive', 'doomed']);
    expect(run.code, run.stderr).toBe(0);
    const queued = lines(run.stdout);
    // Each letter queued once, the first batch among them. How far into the rest it got
    // depends on how fast delivery fails the first batch again (the machine's load), so
    // only what holds either way is asserted: it ended, and never queued a letter twice.
    expect(new Set(queued).size).toBe(queued.length);
    expect(queued).toEqual(expect.arrayContaining(first));
    expect(run.stderr).toBe(`Queued ${queued.length} dead letters again.\n`);
    // Those it did not queue are still letters.
    const left = new Set(await deadLetterIds('doomed'));
    expect(rest.filter((id) => !queued.includes(id)).every((id) => left.has(id))).toBe(true);

    // Its queued events go with it, so closing the instance does not wait on them.
    const removed = await t.request('/functions/doomed', { method: 'DELETE', headers: auth });
    expect(removed.status).toBe(204);
  });
});

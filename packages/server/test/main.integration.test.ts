import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { environmentWithoutOurs, startServerProcess } from '@mini-lambda/testkit/server-process';
import { alive } from '@mini-lambda/testkit/wait';
import { afterAll, describe, expect, it } from 'vitest';
import { API_KEY } from './instance.ts';

// The real server process (`node --no-node-snapshot packages/server/src/main.ts`), as
// make dev and the Dockerfile start it: configuration errors, signals, restarts.
const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'ml-main-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function run(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--no-node-snapshot', MAIN],
      { env: { ...environmentWithoutOurs(), ...env }, timeout: 20_000 },
      (err, _stdout, stderr) => resolve({ code: err ? (err.code as number) : 0, stderr }),
    );
  });
}

async function sandboxPids(url: string): Promise<number[]> {
  const health = (await (await fetch(`${url}/health`)).json()) as { sandboxes?: { pid: number }[] };
  return (health.sandboxes ?? []).map((s) => s.pid);
}

describe('configuration errors stop the process with the variable named', () => {
  it.each([
    [{ PORT: 'eighty', MINI_LAMBDA_API_KEY: API_KEY }, 'PORT'],
    [{ POOL_MAX_ISOLATES: '0', MINI_LAMBDA_API_KEY: API_KEY }, 'POOL_MAX_ISOLATES'],
    [{ S3_ENDPOINT: 'http://127.0.0.1:9000', MINI_LAMBDA_API_KEY: API_KEY }, 'S3_ACCESS_KEY'],
    [{}, 'MINI_LAMBDA_API_KEY'],
    [{ MINI_LAMBDA_API_KEY: 'short' }, 'MINI_LAMBDA_API_KEY'],
  ])('%o → %s', async (env, variable) => {
    const { code, stderr } = await run({ DATA_DIR: dataDir, ...env });
    expect(code).toBe(1);
    expect(stderr).toContain(variable);
    expect(stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
  });
});

describe('signals and restarts', () => {
  it('finishes in-flight invocations on SIGTERM, exits 0, and keeps functions for the next start', async () => {
    const first = await startServerProcess({}, { dataDir });
    await first.deploy(
      'slow',
      'export function handler() { const end = Date.now() + 1500; while (Date.now() < end) {} return "finished" }',
    );
    const inFlight = fetch(`${first.url}/functions/slow/invoke`, { method: 'POST' });
    await new Promise((r) => setTimeout(r, 400));
    const sandboxes = await sandboxPids(first.url);
    expect(sandboxes.length).toBeGreaterThan(0);
    first.child.kill('SIGTERM');
    const res = await inFlight;
    expect([res.status, await res.text()]).toEqual([200, '"finished"']);
    expect(await first.exited).toBe(0);
    await expect(fetch(`${first.url}/health`)).rejects.toThrow();
    expect(sandboxes.filter(alive)).toEqual([]); // drained with the server

    const second = await startServerProcess({}, { dataDir });
    try {
      const again = await fetch(`${second.url}/functions/slow/invoke`, { method: 'POST' });
      expect(await again.text()).toBe('"finished"');
    } finally {
      second.child.kill('SIGINT');
      expect(await second.exited).toBe(0);
    }
  });
});

import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../src/index.ts';

// `invocation --wait` against a stand-in for the server on loopback that answers the status
// route with whatever the test scripts: the CLI and its HTTP client run for real.

const ID = '0b7c5a84-3f0e-4a55-9b3e-6f1d2c4e8a10';
let server: Server;
let url: string;
/** The statuses to answer, in order; the last one repeats. */
let script: string[];
let asked: number;

beforeAll(async () => {
  server = createServer((req, res) => {
    const status = script[Math.min(asked, script.length - 1)];
    asked++;
    const ok = req.url === `/functions/f/invocations/${ID}` && req.method === 'GET';
    res.writeHead(ok ? 200 : 404, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify(
        ok
          ? {
              invocation_id: ID,
              status,
              attempts: 1,
              created_at: '2026-01-01T00:00:00.000Z',
            }
          : { error: { code: 'InvocationNotFound', message: 'no' } },
      ),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  url = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  asked = 0;
});

async function run(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const started = performance.now();
  const code = await runCli(argv, {
    env: { MINI_LAMBDA_URL: url, MINI_LAMBDA_API_KEY: 'k' },
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr, ms: performance.now() - started };
}

describe('invocation --wait', () => {
  it('gives up after --timeout seconds with exit 1 and the latest status', async () => {
    script = ['queued', 'running'];
    const r = await run(['invocation', 'f', ID, '--wait', '--timeout', '1']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ invocation_id: ID, status: 'running' });
    expect(r.stderr).toBe('Gave up after 1 s: the invocation is still running.\n');
    expect(r.ms).toBeGreaterThanOrEqual(990);
    expect(r.ms).toBeLessThan(5000);
    // Polled every 500 ms: at 0, 500 and 1000 ms.
    expect(asked).toBeGreaterThanOrEqual(2);
    expect(asked).toBeLessThanOrEqual(4);
  });

  it.each([
    ['succeeded', 0],
    ['failed', 1],
    ['dead', 1],
  ])('stops at %s before the timeout (exit %i)', async (final, exit) => {
    script = ['queued', final];
    const r = await run(['invocation', 'f', ID, '-w', '--timeout', '30']);
    expect(r.code).toBe(exit);
    expect(JSON.parse(r.stdout).status).toBe(final);
    expect(r.stderr).toBe('');
    expect(asked).toBe(2);
    expect(r.ms).toBeLessThan(5000);
  });

  it('asks once without --wait, whatever the status', async () => {
    script = ['queued'];
    const r = await run(['invocation', 'f', ID]);
    expect({ code: r.code, asked }).toEqual({ code: 0, asked: 1 });
    expect(JSON.parse(r.stdout).status).toBe('queued');
  });

  it.each([
    [['--timeout', '5'], '--timeout only applies with --wait'],
    [['--wait', '--timeout', '0'], '--timeout must be a whole number from 1 to 86400'],
    [['--wait', '--timeout', '1.5'], '--timeout must be a whole number'],
  ])('%j is a usage error', async (flags, message) => {
    script = ['queued'];
    const r = await run(['invocation', 'f', ID, ...flags]);
    expect({ code: r.code, stdout: r.stdout, asked }).toEqual({ code: 2, stdout: '', asked: 0 });
    expect(r.stderr).toContain(message);
  });
});

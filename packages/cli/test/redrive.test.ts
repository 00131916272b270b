import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../src/index.ts';

// `dead-letters redrive` against a stand-in for the server on loopback that answers each
// redrive call from a script and records the bodies: the CLI and its client run for real.

let server: Server;
let url: string;
/** What each redrive call answers, in order; past the end: nothing left. */
let script: { redriven: string[]; more: boolean }[];
let bodies: string[];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const ok = req.url === '/functions/f/dead-letters/redrive' && req.method === 'POST';
      const answer = script[bodies.length] ?? { redriven: [], more: false };
      bodies.push(body);
      res.writeHead(ok ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(ok ? answer : { error: { code: 'NotFound', message: 'no' } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  url = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  bodies = [];
});

async function run(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    env: { MINI_LAMBDA_URL: url, MINI_LAMBDA_API_KEY: 'k' },
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr };
}

/** A UUID-shaped id from a number, so thousands of them stay distinct. */
const id = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

describe('dead-letters redrive', () => {
  it('without ids calls again while the server says more are left', async () => {
    script = [
      { redriven: [id(1), id(2)], more: true },
      { redriven: [id(3)], more: false },
    ];
    const r = await run(['dead-letters', 'redrive', 'f']);
    expect(r.code).toBe(0);
    expect(bodies).toEqual(['', '']);
    expect(r.stdout).toBe(`${id(1)}\n${id(2)}\n${id(3)}\n`);
    expect(r.stderr).toBe('Queued 3 dead letters again.\n');
  });

  it('stops when an event it queued is a dead letter again', async () => {
    // The second call brings back id(1): it failed again; a third call would loop.
    script = [
      { redriven: [id(1)], more: true },
      { redriven: [id(1), id(2)], more: true },
      { redriven: [id(9)], more: false },
    ];
    const r = await run(['dead-letters', 'redrive', 'f']);
    expect(bodies).toHaveLength(2);
    expect(r.stdout).toBe(`${id(1)}\n${id(2)}\n`);
  });

  it('sends given ids in calls of at most 1000', async () => {
    const ids = Array.from({ length: 2500 }, (_, i) => id(i));
    script = [
      { redriven: ids.slice(0, 1000), more: false },
      { redriven: ids.slice(1000, 2000), more: false },
      { redriven: ids.slice(2000), more: false },
    ];
    const r = await run(['dead-letters', 'redrive', 'f', ...ids]);
    expect(r.code).toBe(0);
    expect(bodies.map((b) => JSON.parse(b).ids.length)).toEqual([1000, 1000, 500]);
    expect(JSON.parse(bodies[2] ?? '{}').ids[0]).toBe(id(2000));
    expect(r.stderr).toBe('Queued 2500 dead letters again.\n');
  });
});

import { createHash, pbkdf2 } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  PROCESS_KEY,
  type ServerProcess,
  startServerProcess,
} from '@mini-lambda/testkit/server-process';
import { makeZip } from '@mini-lambda/testkit/zip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The Node compatibility layer end to end, on one real server process with its sandboxes:
// what docs/node.md promises for bad input (each ends only that invocation, clearly, within
// its limits) and for Lambda code written for Node (examples/lambda-cjs, unmodified).

const EXAMPLES = new URL('../../../examples/', import.meta.url).pathname;
/** In the server's environment only: no function may see it. */
const SENTINEL = 'server-secret-4f1c9e';

interface Failure {
  error: {
    code: string;
    name?: string;
    message: string;
    errors?: { text: string; file: string | null }[];
  };
}
interface Answer {
  status: number;
  body: unknown;
  /** Wall time of the request as the client saw it. */
  ms: number;
}

let server: ServerProcess;
let upstream: Server;
let upstreamUrl: string;
/** The `id`s the loopback upstream was asked for, in order of arrival. */
const upstreamSeen: string[] = [];
/** The sandbox processes as the server started them. */
let sandboxesAtStart: Sandbox[];

interface Sandbox {
  pid: number;
  state: string;
  restarts: number;
}
const sandboxes = async () =>
  ((await (await fetch(`${server.url}/health`)).json()) as { sandboxes: Sandbox[] }).sandboxes;

beforeAll(async () => {
  // A loopback HTTP server that echoes `id` after `ms` milliseconds, so fetches interleave.
  upstream = createServer((req, res) => {
    const query = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams;
    upstreamSeen.push(query.get('id') ?? '');
    setTimeout(() => res.end(query.get('id') ?? ''), Number(query.get('ms') ?? 0));
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const { port } = upstream.address() as AddressInfo;
  upstreamUrl = `http://127.0.0.1:${port}/echo`;
  server = await startServerProcess({
    EGRESS_ALLOW: `127.0.0.1:${port}`,
    SECRET_SENTINEL: SENTINEL,
  });
  await server.deploy('hello', 'export const handler = (event) => ({ hello: event })');
  sandboxesAtStart = await sandboxes();
});
afterAll(async () => {
  await server?.stop();
  upstream?.closeAllConnections();
  upstream?.close();
});

const auth = { Authorization: `Bearer ${PROCESS_KEY}` };

/** PUT a module (a string) or an archive (a Buffer); the answer whatever its status. */
async function put(name: string, upload: string | Buffer, query = ''): Promise<Answer> {
  const started = performance.now();
  const res = await fetch(`${server.url}/functions/${name}${query}`, {
    method: 'PUT',
    headers: {
      ...auth,
      'Content-Type': typeof upload === 'string' ? 'application/javascript' : 'application/zip',
    },
    body: upload,
  });
  return { status: res.status, body: await res.json(), ms: performance.now() - started };
}

async function invoke(name: string, event?: unknown): Promise<Answer> {
  const started = performance.now();
  const res = await fetch(`${server.url}/functions/${name}/invoke`, {
    method: 'POST',
    body: event === undefined ? '' : JSON.stringify(event),
  });
  return { status: res.status, body: await res.json(), ms: performance.now() - started };
}

const failure = (answer: Answer) => (answer.body as Failure).error;

/** 422 BuildFailed whose first error's text matches `text`; nothing was recorded. */
async function expectBuildFailed(name: string, answer: Answer, text: RegExp) {
  expect(answer.status).toBe(422);
  const error = failure(answer);
  expect(error.code).toBe('BuildFailed');
  const first = error.errors?.[0]?.text ?? '';
  expect(first).toMatch(text);
  expect(error.message).toContain(first);
  const after = await invoke(name, 'ok');
  expect([after.status, failure(after).code]).toEqual([404, 'FunctionNotFound']);
}

/** 500 FunctionError with what was thrown. */
function expectFunctionError(answer: Answer, name: string, message: string | RegExp) {
  expect(answer.status).toBe(500);
  const error = failure(answer);
  expect(error.code).toBe('FunctionError');
  expect(error.name).toBe(name);
  if (typeof message === 'string') expect(error.message).toBe(message);
  else expect(error.message).toMatch(message);
}

/** The plain function and each named one (given "ok") answer as before: nothing was hurt. */
async function stillServes(...names: string[]) {
  const n = Math.random();
  const [hello, ...others] = await Promise.all([
    invoke('hello', n),
    ...names.map((name) => invoke(name, 'ok')),
  ]);
  expect([hello?.status, hello?.body]).toEqual([200, { hello: n }]);
  for (const other of others) expect([other.status, other.body]).toEqual([200, 'ok']);
}

/** An event handler answering "ok" to "ok", else running `body` with `event` in scope. */
const adversary = (body: string, imports = '') =>
  `${imports}\nexport async function handler(event) { if (event === "ok") return "ok"; ${body} }`;

describe('what cannot work fails the deploy, naming the module and its importer', () => {
  it('refuses fs imported by the entry module', async () => {
    const answer = await put(
      'uses-fs',
      adversary('return fs.readFileSync("/etc/passwd", "utf8")', 'import fs from "fs";'),
    );
    await expectBuildFailed(
      'uses-fs',
      answer,
      /^Node built-in "fs" is not available in functions: functions have no file system \(imported by index\.js\)/,
    );
    expect(failure(answer).errors?.[0]?.file).toBe('index.js');
    await stillServes();
  });

  it('refuses node:child_process imported deep inside a package, naming that file', async () => {
    const zip = await makeZip({
      'index.js': 'const run = require("runner"); exports.handler = (e) => run(e)',
      'node_modules/runner/package.json': '{"name":"runner","main":"lib/run.js"}',
      'node_modules/runner/lib/run.js':
        'const { execSync } = require("node:child_process"); module.exports = (c) => String(execSync(c))',
    });
    const answer = await put('runs-commands', zip);
    await expectBuildFailed(
      'runs-commands',
      answer,
      /^Node built-in "child_process" is not available in functions: .*\(imported by node_modules\/runner\/lib\/run\.js\)/,
    );
    expect(failure(answer).errors?.[0]?.file).toBe('node_modules/runner/lib/run.js');
    await stillServes();
  });

  it('refuses a package whose top-level code throws, then takes a fixed version', async () => {
    const files = {
      'index.js': 'const evil = require("evil"); exports.handler = (e) => evil(e)',
      'node_modules/evil/package.json': '{"name":"evil","main":"index.js"}',
      'node_modules/evil/index.js': 'throw new Error("evil refuses to load")',
    };
    const answer = await put('evil', await makeZip(files));
    await expectBuildFailed(
      'evil',
      answer,
      /^The module's top-level code failed: .*evil refuses to load/,
    );
    await stillServes();

    files['node_modules/evil/index.js'] = 'module.exports = (e) => e === "ok" ? "ok" : "fixed"';
    expect((await put('evil', await makeZip(files))).status).toBe(201);
    await stillServes('evil');
  });

  it('refuses process.exit() in top-level code', async () => {
    const answer = await put('exits-early', 'process.exit(3); export const handler = () => 1');
    await expectBuildFailed('exits-early', answer, /^The module's top-level code failed: /);
    expect(failure(answer).message).toContain('process.exit(3)');
    await stillServes();
  });

  it('refuses a package that is not in the upload, even required inside try', async () => {
    const answer = await put(
      'needs-left-pad',
      'exports.handler = () => { try { return require("left-pad") } catch { return null } }',
    );
    await expectBuildFailed('needs-left-pad', answer, /^Could not resolve "left-pad"/);
    await stillServes();
  });
});

describe('what is resolved at run time fails that invocation, clearly', () => {
  it('require(variable) is a FunctionError saying dynamic require is not supported', async () => {
    await server.deploy('requires-late', adversary('return require(event.name)'));
    expectFunctionError(
      await invoke('requires-late', { name: 'node:crypto' }),
      'Error',
      'Dynamic require of "node:crypto" is not supported',
    );
    await stillServes('requires-late');
  });

  it('a built-in required inside try deploys with a warning and throws where it is caught', async () => {
    const answer = await put(
      'optional-net',
      adversary('try { return require("net").connect } catch (err) { return err.message }'),
    );
    expect(answer.status).toBe(201);
    const warnings = (answer.body as { warnings: { text: string }[] }).warnings;
    expect(warnings.map((w) => w.text)).toEqual([
      expect.stringMatching(/^Node built-in "net" is not available in functions: .*run time/),
    ]);
    const run = await invoke('optional-net', 1);
    expect([run.status, run.body]).toEqual([200, 'Dynamic require of "net" is not supported']);
    await stillServes('optional-net');
  });

  // A literal import() is bundled; a computed one cannot be, and must say so.
  it('import(variable) of a built-in is a FunctionError that says what is not supported', async () => {
    await server.deploy(
      'imports-late',
      adversary(`
        if (event.literal) return (await import('node:crypto')).createHash('sha256').update('x').digest('hex');
        return typeof (await import(event.name));`),
    );
    const literal = await invoke('imports-late', { literal: true });
    expect(literal.body).toBe(createHash('sha256').update('x').digest('hex'));
    const computed = await invoke('imports-late', { name: 'node:crypto' });
    expect([computed.status, failure(computed).code]).toEqual([500, 'FunctionError']);
    await stillServes('imports-late');
    // Not V8's bare "Not supported": the message must name what could not be loaded.
    expect(failure(computed).message).toMatch(/"node:crypto" is not supported/);
  });
});

describe('process.exit and oversized allocations end only that invocation', () => {
  it('process.exit(1), even caught, is a FunctionError; the next call works', async () => {
    await server.deploy(
      'exits',
      adversary('try { process.exit(1) } catch {} return "went on after exit"'),
    );
    expectFunctionError(await invoke('exits', 1), 'Error', 'process.exit(1) called');
    await stillServes('exits');
  });

  it('Buffer.allocUnsafe(2 ** 31) is a RangeError; the next call works', async () => {
    await server.deploy('allocates', adversary('return Buffer.allocUnsafe(2 ** 31).length'));
    expectFunctionError(await invoke('allocates', 1), 'RangeError', /Buffer larger than/);
    await stillServes('allocates');
  });
});

describe("host work on a function's behalf is bounded by its memory and deadline", () => {
  // Node's zlib decodes concatenated gzip members as one stream: 64 members of 16 MB of zeros
  // are about 1 MB that inflate to 1 GB (made in ~0.2 s; 1 GB in one member takes seconds).
  const MEMORY_MB = 128;
  const TIMEOUT_MS = 5000;
  const member = gzipSync(Buffer.alloc(16 * 2 ** 20), { level: 9 });
  const bomb = Buffer.concat(Array.from({ length: 64 }, () => member));
  const gunzipper = adversary(
    `try { return gunzipSync(Buffer.from(event.gz, "base64")).length }
     catch (err) { if (event.report) return { name: err.name, code: err.code, message: err.message }; throw err }`,
    'import { gunzipSync } from "node:zlib";',
  );

  it('a zlib bomb ends as Node ends it with maxOutputLength = memory_mb, within the timeout', async () => {
    expect(bomb.length).toBeLessThan(1.5 * 2 ** 20);
    let expected: { name: string; code: string; message: string } | undefined;
    try {
      gunzipSync(bomb, { maxOutputLength: MEMORY_MB * 2 ** 20 });
    } catch (err) {
      const { name, code, message } = err as NodeJS.ErrnoException;
      expected = { name, code: code ?? '', message };
    }
    expect(expected?.code).toBe('ERR_BUFFER_TOO_LARGE');

    await server.deploy('gunzips', gunzipper, `?memory_mb=${MEMORY_MB}&timeout_ms=${TIMEOUT_MS}`);
    const small = gzipSync('inflated as it should be '.repeat(1000));
    expect((await invoke('gunzips', { gz: small.toString('base64') })).body).toBe(25_000);

    const reported = await invoke('gunzips', { gz: bomb.toString('base64'), report: true });
    expect([reported.status, reported.body]).toEqual([200, expected]);
    const thrown = await invoke('gunzips', { gz: bomb.toString('base64') });
    expectFunctionError(thrown, 'RangeError', expected?.message ?? '');
    expect(thrown.ms).toBeLessThan(TIMEOUT_MS);
    await stillServes('gunzips');
  });

  it('pbkdf2Sync with 10^9 iterations is refused at once while other functions answer', async () => {
    const timeoutMs = 10_000;
    await server.deploy(
      'derives',
      adversary(
        `try { return pbkdf2Sync("pw", "salt", event.iterations, 32, "sha256").toString("hex") }
         catch (err) { if (event.report) return { name: err.name, code: err.code, message: err.message }; throw err }`,
        'import { pbkdf2Sync } from "node:crypto";',
      ),
      `?timeout_ms=${timeoutMs}`,
    );
    const [refused, hello] = await Promise.all([
      invoke('derives', { iterations: 1e9, report: true }),
      invoke('hello', 'meanwhile'),
    ]);
    expect(refused.status).toBe(200);
    expect(refused.body).toEqual({
      name: 'RangeError',
      code: 'ERR_WORK_EXCEEDS_DEADLINE',
      message: expect.stringMatching(
        /^pbkdf2 with 1000000000 iterations would take about \d+ ms, more than the \d+ ms the invocation has left$/,
      ),
    });
    expect(refused.ms).toBeLessThan(timeoutMs);
    expect([hello.status, hello.body]).toEqual([200, { hello: 'meanwhile' }]);
    expect(hello.ms).toBeLessThan(timeoutMs);

    const thrown = await invoke('derives', { iterations: 1e9 });
    expectFunctionError(thrown, 'RangeError', /^pbkdf2 with 1000000000 iterations would take/);
    await stillServes('derives');
  });

  it('a pbkdf2Sync that fits returns the bytes Node derives while a hello answers', async () => {
    const iterations = 1_000_000; // ~0.4 s here: well inside the 10 s timeout
    const expected = (await promisify(pbkdf2)('pw', 'salt', iterations, 32, 'sha256')).toString(
      'hex',
    );
    const derived = invoke('derives', { iterations });
    const hello = await invoke('hello', 'during');
    expect([hello.status, hello.body]).toEqual([200, { hello: 'during' }]);
    expect(hello.ms).toBeLessThan(10_000);
    expect((await derived).body).toBe(expected);
  });
});

describe('examples/lambda-cjs runs unmodified', () => {
  const dir = join(EXAMPLES, 'lambda-cjs');
  const archive = () => {
    const files: Record<string, Buffer> = {};
    for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true }))
      if (entry.isFile())
        files[relative(dir, join(entry.parentPath, entry.name))] = readFileSync(
          join(entry.parentPath, entry.name),
        );
    return makeZip(files);
  };
  const patchEnv = async (name: string, env: Record<string, string>) => {
    const res = await fetch(`${server.url}/functions/${name}`, {
      method: 'PATCH',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ env }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { env: unknown }).env).toEqual(env);
  };
  const idOf = (event: unknown) =>
    createHash('sha256').update(JSON.stringify(event)).digest('hex').slice(0, 12);

  it('reads process.env at top level: unset at first, the table after PATCH env', async () => {
    const deployed = await put('orders', await archive());
    expect(deployed.status).toBe(201);
    expect(deployed.body).toMatchObject({ handler: 'event' });
    const event = { order: 42 };
    const before = await invoke('orders', event);
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ table: 'unset', region: 'us-east-1', id: idOf(event) });

    await patchEnv('orders', { TABLE_NAME: 'orders-table' });
    const after = await invoke('orders', event);
    expect(after.body).toEqual({
      table: 'orders-table',
      region: 'us-east-1',
      id: idOf(event),
      by: 'orders',
      leftMs: expect.any(Number),
    });
    const { leftMs } = after.body as { leftMs: number };
    expect(leftMs).toBeGreaterThan(0);
    expect(leftMs).toBeLessThanOrEqual(3000); // the default timeout_ms
  });

  it('runs the callback-style handler: its result and its error', async () => {
    expect((await put('greet', await archive(), '?entry=callback.js')).status).toBe(201);
    const ok = await invoke('greet', { name: 'Ada' });
    expect([ok.status, ok.body]).toEqual([200, { greeting: 'Hello, Ada' }]);
    expectFunctionError(await invoke('greet', {}), 'Error', 'event.name is required');
  });

  it("process.env is the function's env and the Lambda variables, nothing of the server's", async () => {
    await server.deploy(
      'env-probe',
      'const atLoad = { ...process.env }; exports.handler = () => ({ atLoad, now: { ...process.env } })',
      '?memory_mb=256',
    );
    await patchEnv('env-probe', { TABLE_NAME: 'orders-table', AWS_REGION: 'eu-west-1' });
    const expected = {
      TABLE_NAME: 'orders-table',
      AWS_LAMBDA_FUNCTION_NAME: 'env-probe',
      AWS_LAMBDA_FUNCTION_VERSION: '1',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      AWS_REGION: 'us-east-1', // reserved: the Lambda variable wins over the function's
      TZ: 'UTC',
    };
    const answer = await invoke('env-probe');
    expect(answer.body).toEqual({ atLoad: expected, now: expected });
    expect(JSON.stringify(answer.body)).not.toContain(SENTINEL);
  });
});

describe('AsyncLocalStorage through the real bundler', () => {
  const source = `
    import { AsyncLocalStorage } from 'node:async_hooks';
    const als = new AsyncLocalStorage();
    const look = () => als.getStore() ?? null;
    async function trace(url, id, ms) {
      const seen = [look()];
      await null;
      seen.push(look());
      await new Promise((resolve) => setTimeout(resolve, ms));
      seen.push(look());
      const res = await fetch(url + '?id=' + id + '&ms=' + ms);
      seen.push(look());
      const echoed = await res.text();
      seen.push(look());
      await new Promise((resolve) => setImmediate(resolve));
      seen.push(look());
      return { seen, echoed };
    }
    export async function handler(event) {
      if (event === 'ok') return 'ok';
      const before = look();
      const main = await als.run(event.id, () => trace(event.url, event.id, event.ms));
      const branches = await Promise.all([
        als.run(event.id + '-a', () => trace(event.url, event.id + '-a', 30)),
        als.run(event.id + '-b', () => trace(event.url, event.id + '-b', 5)),
      ]);
      return { before, main, branches, after: look() };
    }`;
  const traced = (id: string) => ({ seen: Array(6).fill(id), echoed: id });

  it('keeps each store across await, timers and fetch, in concurrent calls and branches', async () => {
    await server.deploy('als', source);
    upstreamSeen.length = 0;
    const [one, two] = await Promise.all([
      invoke('als', { id: 'one', ms: 60, url: upstreamUrl }),
      invoke('als', { id: 'two', ms: 10, url: upstreamUrl }),
    ]);
    for (const [answer, id] of [
      [one, 'one'],
      [two, 'two'],
    ] as const) {
      expect([answer?.status, answer?.body]).toEqual([
        200,
        {
          before: null,
          main: traced(id),
          branches: [traced(`${id}-a`), traced(`${id}-b`)],
          after: null,
        },
      ]);
    }
    expect(upstreamSeen.toSorted()).toEqual(['one', 'one-a', 'one-b', 'two', 'two-a', 'two-b']);
    await stillServes('als');
  });
});

describe('after all of it', () => {
  it('runs on the same sandbox processes, none restarted', async () => {
    expect(sandboxesAtStart.length).toBeGreaterThan(0);
    const now = await sandboxes();
    expect(now.map(({ pid, restarts }) => ({ pid, restarts }))).toEqual(
      sandboxesAtStart.map(({ pid }) => ({ pid, restarts: 0 })),
    );
  });
});

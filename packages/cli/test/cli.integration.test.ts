// The real binary against a real server: `node packages/cli/src/main.ts …` as a child
// process, configured only through its environment, as a user would run it.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseServerConfig, type RunningServer, startServer } from '@mini-lambda/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZipFile } from 'yazl';

const API_KEY = 'test-key-0123456789abcdef';
const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

let server: RunningServer;
let dataDir: string;
let work: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'mini-lambda-cli-server-'));
  work = await mkdtemp(join(tmpdir(), 'mini-lambda-cli-work-'));
  server = await startServer(
    parseServerConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      MINI_LAMBDA_API_KEY: API_KEY,
      LOG_LEVEL: 'silent',
    }),
  );
});

afterAll(async () => {
  await server?.close();
  await rm(dataDir, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with a clean environment: our URL and key, nothing inherited of ours. */
function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('MINI_LAMBDA_')),
  );
  const childEnv: Record<string, string | undefined> = {
    ...inherited,
    MINI_LAMBDA_URL: server.url,
    MINI_LAMBDA_API_KEY: API_KEY,
    ...env,
  };
  for (const [k, v] of Object.entries(childEnv)) if (v === undefined) delete childEnv[k];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [MAIN, ...args],
      { env: childEnv, timeout: 30_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Writes files (paths with `/`) under `root`. */
async function write(root: string, files: Record<string, string>): Promise<string> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return root;
}

async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('deploy and invoke', () => {
  it('deploys a .ts file and invokes it, printing the result as JSON', async () => {
    const file = join(work, 'hello.ts');
    await writeFile(
      file,
      'export async function handler(e: { name: string }) { return { hello: e.name } }',
    );
    const deploy = await cli(['deploy', 'hello', file, '--timeout-ms', '2000']);
    expect(deploy.stderr).toMatch(
      /^Uploading [\d.]+ (B|KB) to http:\/\/127\.0\.0\.1:\d+\nBuilding…\n$/,
    );
    const [summary, trigger, ...rest] = deploy.stdout.split('\n');
    expect(summary).toMatch(
      /^Deployed hello version 1 \(sha256 [0-9a-f]{12}…, [\d.]+ (B|KB), handler event\)$/,
    );
    const url = new URL('/fn/hello', server.url).href;
    expect(trigger).toBe(
      `HTTP trigger: ${url} (event-style: receives a Lambda Function URL event)`,
    );
    expect(rest).toEqual(['']);
    expect(deploy.code).toBe(0);
    const invoke = await cli(['invoke', 'hello', '--data', '{"name":"cli"}', '--verbose']);
    expect(invoke).toEqual({
      code: 0,
      stdout: '{\n  "hello": "cli"\n}\n',
      stderr: expect.stringMatching(/^version 1, cold start, [\d.]+ ms, invocation \S+\n$/),
    });

    // After the invoke, which must be the cold start. The printed URL is the function:
    // the Function URL event of a bare GET has no `name`, so `{}` comes back.
    const response = await fetch(url);
    expect({ status: response.status, body: await response.json() }).toEqual({
      status: 200,
      body: {},
    });
  });

  it('deploys a directory with a node_modules dependency and a symlink', async () => {
    const shared = await write(join(work, 'shared'), {
      'greeting.js': 'export const greeting = "hi"',
    });
    const project = await write(join(work, 'padded'), {
      'package.json': JSON.stringify({ name: 'padded', type: 'module', main: 'src/index.ts' }),
      'src/index.ts': [
        'import { pad } from "left-pad-lite";',
        'import { greeting } from "../lib/greeting.js";',
        'export async function handler(e: { width: number }) {',
        '  return pad(greeting, e.width);',
        '}',
      ].join('\n'),
      'node_modules/left-pad-lite/package.json': JSON.stringify({
        name: 'left-pad-lite',
        version: '1.0.0',
        type: 'module',
        main: 'index.js',
      }),
      'node_modules/left-pad-lite/index.js':
        'export function pad(s, n) { return " ".repeat(Math.max(0, n - s.length)) + s }',
      '.git/HEAD': 'ref: refs/heads/main',
    });
    await symlink(shared, join(project, 'lib'));
    const deploy = await cli(['deploy', 'padded', project]);
    expect(deploy.stderr).toMatch(/^Packed 5 files \([\d.]+ (B|KB)\)\nUploading/);
    expect(deploy.stdout).toMatch(/^Deployed padded version 1 /);
    expect(deploy.code).toBe(0);
    expect(await cli(['invoke', 'padded', '--data', '{"width":5}'])).toEqual({
      code: 0,
      stdout: '"   hi"\n',
      stderr: '',
    });
  });

  it('deploys a .zip as is, with the entry point from --entry', async () => {
    const zip = new ZipFile();
    zip.addBuffer(Buffer.from('export const handler = () => "from the zip"'), 'app/main.js');
    zip.end();
    const chunks: Buffer[] = [];
    for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) chunks.push(chunk);
    const file = join(work, 'app.zip');
    await writeFile(file, Buffer.concat(chunks));
    const deploy = await cli(['deploy', 'zipped', file, '--entry', 'app/main.js']);
    expect(deploy.stdout).toMatch(/^Deployed zipped version 1 /);
    expect((await cli(['invoke', 'zipped'])).stdout).toBe('"from the zip"\n');
  });

  it('invokes with the event from a file, and no event as null', async () => {
    const file = join(work, 'echo.js');
    await writeFile(file, 'export const handler = (e) => ({ got: e })');
    expect((await cli(['deploy', 'echo', file])).code).toBe(0);
    const event = join(work, 'event.json');
    await writeFile(event, '[1, 2]');
    expect((await cli(['invoke', 'echo', '--file', event])).stdout).toBe(
      '{\n  "got": [\n    1,\n    2\n  ]\n}\n',
    );
    expect((await cli(['invoke', 'echo'])).stdout).toBe('{\n  "got": null\n}\n');
  });

  it('shows a function error with its stack on stderr and exits 1', async () => {
    const file = join(work, 'boom.ts');
    await writeFile(
      file,
      'export function handler() {\n  throw new TypeError("the answer is not 42");\n}\n',
    );
    expect((await cli(['deploy', 'boom', file])).code).toBe(0);
    const run = await cli(['invoke', 'boom']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^FunctionError: .*the answer is not 42\n/);
    expect(run.stderr).toMatch(/TypeError: the answer is not 42\n\s+at handler/);
  });

  it('prints build errors as file:line:column message and exits 1', async () => {
    const file = join(work, 'broken.ts');
    await writeFile(file, 'export function handler() {\n  return (\n}\n');
    const run = await cli(['deploy', 'broken', file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^BuildFailed: .+\n\S+\.ts:3:\d+ .+\n$/m);
  });

  it('names a function that does not exist', async () => {
    const run = await cli(['invoke', 'nobody-here']);
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).toMatch(/^FunctionNotFound: .*nobody-here/);
  });
});

describe('managing functions', () => {
  it('lists, shows, configures and removes a function', async () => {
    const file = join(work, 'managed.ts');
    await writeFile(file, 'export const handler = () => 1');
    expect((await cli(['deploy', 'managed', file])).code).toBe(0);
    expect((await cli(['deploy', 'managed', file, '--memory-mb', '64'])).stdout).toMatch(
      /^Deployed managed version 2 /,
    );

    const ls = await cli(['ls']);
    expect(ls.code).toBe(0);
    expect(ls.stdout).toMatch(/^NAME +VERSION +UPDATED\n/);
    expect(ls.stdout).toMatch(/^managed +2 +\d{4}-\d\d-\d\dT/m);

    const info = await cli(['info', 'managed']);
    expect(info.code).toBe(0);
    expect(info.stdout).toMatch(/^managed \(latest version 2\)\n/);
    expect(info.stdout).toMatch(/^memory_mb +64$/m);
    expect(info.stdout).toMatch(/^env +\(none\)$/m);
    // A function deployed without them shows the new settings at their defaults.
    expect(info.stdout).toMatch(/^public +false\negress +public\nmax_subrequests +50$/m);
    expect(info.stdout).toMatch(
      /^VERSION +SHA256 +SIZE +HANDLER +CREATED\n1 .+\n2 +[0-9a-f]{12} +\d+ B +event +\d{4}-/m,
    );

    const changed = await cli([
      'config',
      'managed',
      '--timeout-ms',
      '500',
      '--env',
      'GREETING=hello world',
      '--env',
      'EMPTY=',
    ]);
    expect(changed.code).toBe(0);
    expect(changed.stdout).toMatch(/^timeout_ms +500$/m);
    expect(changed.stdout).toMatch(/^env +EMPTY=$/m);
    expect(changed.stdout).toMatch(/^ +GREETING=hello world$/m);

    const shown = await cli(['config', 'managed', '--json']);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      timeout_ms: 500,
      memory_mb: 64,
      env: { GREETING: 'hello world', EMPTY: '' },
    });
    expect(
      JSON.parse((await cli(['config', 'managed', '--clear-env', '--json'])).stdout).env,
    ).toEqual({});

    expect(await cli(['rm', 'managed'])).toEqual({
      code: 0,
      stdout: 'Deleted managed\n',
      stderr: '',
    });
    const gone = await cli(['info', 'managed']);
    expect(gone).toMatchObject({ code: 1, stdout: '' });
    expect(gone.stderr).toMatch(/^FunctionNotFound: /);
  });
});

describe('HTTP trigger and egress settings', () => {
  it('deploys a public fetch-style function, then changes public and egress', async () => {
    const file = join(work, 'router.ts');
    await writeFile(
      file,
      'export default { fetch: (req: Request) => { const u = new URL(req.url); return new Response(u.pathname + u.search) } }',
    );
    const deploy = await cli(['deploy', 'router', file, '--public', '--max-subrequests', '0']);
    expect(deploy.code).toBe(0);
    const url = new URL('/fn/router', server.url).href;
    expect(deploy.stdout).toMatch(/^Deployed router version 1 .*, handler fetch\)\n/);
    expect(deploy.stdout.split('\n')[1]).toBe(
      `HTTP trigger: ${url} (fetch-style: receives a Request for the path below it)`,
    );
    const response = await fetch(`${url}/users/42?x=1`);
    expect(await response.text()).toBe('/users/42?x=1');

    const shown = JSON.parse((await cli(['config', 'router', '--json'])).stdout);
    expect(shown).toMatchObject({ public: true, max_subrequests: 0, egress: 'public' });

    const hosts = await cli([
      'config',
      'router',
      '--egress',
      'Api.Stripe.com,*.example.com',
      '--json',
    ]);
    expect(hosts.code).toBe(0);
    expect(JSON.parse(hosts.stdout)).toMatchObject({
      public: true,
      egress: ['api.stripe.com', '*.example.com'],
    });

    const closed = await cli([
      'config',
      'router',
      '--no-public',
      '--egress',
      'none',
      '--max-subrequests',
      '7',
    ]);
    expect(closed.code).toBe(0);
    expect(closed.stdout).toMatch(/^public +false\negress +none\nmax_subrequests +7$/m);

    // Refused before anything is sent: still one version, the config untouched.
    const refused = await cli(['deploy', 'router', file, '--egress', 'public']);
    expect(refused).toMatchObject({ code: 2, stdout: '' });
    expect(refused.stderr).toContain('run: mini-lambda config router --egress public');
    const info = await cli(['info', 'router']);
    expect(info.stdout).toMatch(/^router \(latest version 1\)\n/);
    expect(info.stdout).toMatch(/^egress +none$/m);
    expect(info.stdout).toMatch(/^1 +[0-9a-f]{12} +\d+ B +fetch +\d{4}-/m);
  });
});

describe('connection and keys', () => {
  it('says the key is wrong on 403', async () => {
    const run = await cli(['ls'], { MINI_LAMBDA_API_KEY: 'not-the-key-0123456789' });
    expect(run).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'Forbidden: the server refused the API key; it is wrong. Set MINI_LAMBDA_API_KEY or pass --api-key.\n',
    });
  });

  it('says the key is missing on 401, and --api-key supplies it', async () => {
    const run = await cli(['ls'], { MINI_LAMBDA_API_KEY: undefined });
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).toMatch(
      /^Unauthorized: the API key is missing\. Set MINI_LAMBDA_API_KEY or pass --api-key/,
    );
    expect((await cli(['ls', '--api-key', API_KEY], { MINI_LAMBDA_API_KEY: undefined })).code).toBe(
      0,
    );
  });

  it('says when nothing listens at the URL', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    expect(await cli(['ls'], { MINI_LAMBDA_URL: url })).toEqual({
      code: 1,
      stdout: '',
      stderr: `Cannot reach mini-lambda at ${url}: connect ECONNREFUSED ${url.slice('http://'.length)}. Is the server running (make dev)?\n`,
    });
  });
});

describe('the examples that make dev points at', () => {
  const examples = fileURLToPath(new URL('../../../examples/', import.meta.url));

  it('deploys and invokes examples/hello.ts', async () => {
    expect((await cli(['deploy', 'hello-example', join(examples, 'hello.ts')])).code).toBe(0);
    const run = await cli(['invoke', 'hello-example', '--data', '{"name":"Ada"}']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ message: 'Hello, Ada!', version: '1' });
  });

  it('deploys examples/slugify with its npm dependency (make examples installs it)', async () => {
    const deploy = await cli(['deploy', 'slugify-example', join(examples, 'slugify')]);
    expect(deploy.stderr + deploy.stdout).toContain('Deployed slugify-example version 1');
    const run = await cli(['invoke', 'slugify-example', '--data', '{"title":"Hello, Wörld & Co"}']);
    expect(JSON.parse(run.stdout)).toEqual({
      title: 'Hello, Wörld & Co',
      slug: 'hello-world-and-co',
    });
  });
});

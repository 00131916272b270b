import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/index.ts';

// Everything here ends before a request is answered: nothing needs to be running.

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mini-lambda-cli-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(argv: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    env,
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr };
}

/** A port that was free a moment ago and has nothing listening now. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('help', () => {
  it.each([['--help'], ['-h'], ['help']])('%s prints every command on stdout', async (flag) => {
    const { code, stdout, stderr } = await run([flag]);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    for (const command of ['deploy', 'invoke', 'ls', 'info', 'config', 'rm'])
      expect(stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    expect(stdout).toContain('MINI_LAMBDA_URL');
  });

  it.each([
    [['help', 'config']],
    [['config', '--help']],
    [['--url', 'http://h:1', 'config', '-h']],
  ])('%j prints the command usage', async (argv) => {
    const { code, stdout } = await run(argv);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: mini-lambda config <name>/);
    expect(stdout).toContain('REPLACE the whole environment');
  });

  it.each([
    [
      'deploy',
      [
        /^ {2}--public {2,}Open the HTTP trigger/m,
        /^ {2}--no-public /m,
        /Deploy does not take --egress/,
      ],
    ],
    ['config', [/^ {2}--public /m, /^ {2}--no-public /m, /^ {2}--egress POLICY /m]],
    ['info', [/public,\s+egress, max_subrequests/, /handler style/]],
  ])('%s --help documents the HTTP trigger and egress settings', async (command, patterns) => {
    const { stdout } = await run([command, '--help']);
    for (const pattern of patterns) expect(stdout).toMatch(pattern);
    if (command !== 'info')
      expect(stdout).toMatch(
        /^ {2}--max-subrequests N {4}Outbound fetches per invocation \(0-1000, default 50\)$/m,
      );
  });
});

describe('usage errors exit 2 with usage on stderr', () => {
  it.each([
    [[], 'No command given', 'Usage: mini-lambda <command>'],
    [['frobnicate'], 'Unknown command "frobnicate"', 'Commands:'],
    [['help', 'frobnicate'], 'Unknown command "frobnicate"', 'Commands:'],
    [['--bogus'], "Unknown option '--bogus'", 'Commands:'],
    [['ls', '--bogus'], "Unknown option '--bogus'", 'Usage: mini-lambda ls'],
    [['deploy', 'hello'], 'Missing <path>', 'Usage: mini-lambda deploy'],
    [['deploy', 'Hello', 'x.ts'], 'Function name "Hello" is invalid', 'deploy --help'],
    [['deploy', 'hello', 'x.ts', '--memory-mb', '8'], '--memory-mb must be', 'deploy'],
    [['invoke', 'hello', '--data', '{'], '--data is not valid JSON', 'invoke'],
    [['invoke', 'hello', '--data', '1', '--file', 'f'], 'either --data or --file', 'invoke'],
    [['config', 'hello', '--env', 'A'], '--env expects KEY=VALUE', 'config'],
    [['config', 'hello', '--env', 'A=1', '--clear-env'], 'either --env or --clear-env', 'config'],
    [
      ['deploy', 'hello', 'x.ts', '--public', '--no-public'],
      'either --public or --no-public',
      'deploy',
    ],
    [['config', 'hello', '--no-public', '--public'], 'either --public or --no-public', 'config'],
    [
      ['config', 'hello', '--public=false'],
      "Option '--public' does not take an argument",
      'config',
    ],
    [
      ['deploy', 'hello', 'x.ts', '--max-subrequests', '1001'],
      '--max-subrequests must be',
      'deploy',
    ],
    [['config', 'hello', '--max-subrequests=-1'], '--max-subrequests must be', 'config'],
    [
      ['config', 'hello', '--egress', 'https://a.com'],
      '--egress "https://a.com": a host',
      'config',
    ],
    [
      ['config', 'hello', '--egress', ''],
      '--egress expects public, none or a comma list',
      'config',
    ],
    [['config', 'hello', '--egress'], "Option '--egress <value>' argument missing", 'config'],
    [
      ['deploy', 'hello', 'x.ts', '--egress', '*.example.com'],
      "--egress is not a deploy option (the server sets egress only by PATCH, so it cannot come with the new version); run: mini-lambda config hello --egress '*.example.com'",
      'deploy',
    ],
    [['ls', '--url', 'nope'], '--url must be an http:// or https:// URL', 'ls'],
  ])('%j', async (argv, message, usage) => {
    const { code, stdout, stderr } = await run(argv);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toContain(message);
    expect(stderr).toContain(usage);
  });

  it('refuses a file it cannot tell the kind of, and --entry for a single module', async () => {
    const text = join(dir, 'notes.txt');
    const module = join(dir, 'fn.ts');
    await writeFile(text, 'hi');
    await writeFile(module, 'export const handler = () => 1');
    expect(await run(['deploy', 'hello', text])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('give a .ts, .mts, .js or .mjs module, a .zip archive'),
    });
    expect(await run(['deploy', 'hello', module, '--entry', 'x.ts'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--entry applies only to a directory or a .zip'),
    });
  });
});

describe('failures exit 1 with a message, never a stack', () => {
  it('says when the server cannot be reached', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const { code, stdout, stderr } = await run(['ls'], { MINI_LAMBDA_URL: url });
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr).toBe(
      `Cannot reach mini-lambda at ${url}: connect ECONNREFUSED ${url.slice(7)}. Is the server running (make dev)?\n`,
    );
  });

  it('says a file is missing', async () => {
    expect(await run(['deploy', 'hello', join(dir, 'missing.ts')])).toEqual({
      code: 1,
      stdout: '',
      stderr: `Cannot read ${join(dir, 'missing.ts')}: no such file or directory\n`,
    });
  });

  it('refuses a file over 50 MB before uploading it', async () => {
    const big = join(dir, 'big.zip');
    await writeFile(big, '');
    await truncate(big, 51 * 1024 * 1024); // sparse: no 51 MB written
    const url = `http://127.0.0.1:${await closedPort()}`;
    expect(await run(['deploy', 'hello', big], { MINI_LAMBDA_URL: url })).toEqual({
      code: 1,
      stdout: '',
      stderr: `${big} is 51.0 MB; the server accepts at most 50.0 MB\n`,
    });
  });
});

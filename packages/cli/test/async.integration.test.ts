// The async commands of the real binary against a real server (embedded PostgreSQL, delivery
// and schedules running), as a user would run them.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseServerConfig, type RunningServer, startServer } from '@mini-lambda/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const API_KEY = 'test-key-0123456789abcdef';
const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let server: RunningServer;
let dataDir: string;
let work: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'mini-lambda-cli-async-'));
  work = await mkdtemp(join(tmpdir(), 'mini-lambda-cli-async-work-'));
  server = await startServer(
    parseServerConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      MINI_LAMBDA_API_KEY: API_KEY,
      LOG_LEVEL: 'silent',
    }),
  );
  await deploy('echo', 'export const handler = async (e) => ({ got: e })');
  await deploy('boom', 'export const handler = async () => { throw new TypeError("no luck") }');
}, 120_000);

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

function cli(args: string[]): Promise<Run> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('MINI_LAMBDA_')),
  );
  const env = { ...inherited, MINI_LAMBDA_URL: server.url, MINI_LAMBDA_API_KEY: API_KEY };
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { env, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

async function deploy(name: string, source: string, flags: string[] = []) {
  const file = join(work, `${name}.js`);
  await writeFile(file, source);
  const run = await cli(['deploy', name, file, ...flags]);
  expect(run.code, run.stderr).toBe(0);
}

describe('invoke --async and invocation', () => {
  it('queues an event, prints its id, and waits for its result', async () => {
    const queued = await cli(['invoke', 'echo', '--async', '--data', '{"n":1}', '-v']);
    expect(queued.code, queued.stderr).toBe(0);
    const id = queued.stdout.trim();
    expect(id).toMatch(UUID);
    expect(queued.stderr).toBe(`Queued. Follow it with: mini-lambda invocation echo ${id}\n`);

    const done = await cli(['invocation', 'echo', id, '--wait']);
    expect(done.code, done.stderr).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({
      invocation_id: id,
      status: 'succeeded',
      attempts: 1,
      result: { got: { n: 1 } },
    });
  });

  it('says when there is no such invocation', async () => {
    const run = await cli(['invocation', 'echo', '00000000-0000-4000-8000-000000000000']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^InvocationNotFound: /);
  });
});

describe('invocation --wait', () => {
  it('gives up after --timeout with the latest status, then waits one out', async () => {
    await deploy(
      'sleepy',
      'export const handler = async () => { await new Promise((r) => setTimeout(r, 4000)); return "late" }',
      ['--timeout-ms', '6000'],
    );
    const id = (await cli(['invoke', 'sleepy', '--async'])).stdout.trim();
    expect(id).toMatch(UUID);

    const started = performance.now();
    const early = await cli(['invocation', 'sleepy', id, '--wait', '--timeout', '1']);
    const ms = performance.now() - started;
    expect(early.code).toBe(1);
    const status = JSON.parse(early.stdout);
    // Still under way: the run takes 4 s, so it cannot have finished when the CLI gave up.
    expect(status).toMatchObject({ invocation_id: id });
    expect(['queued', 'running']).toContain(status.status);
    expect(early.stderr).toBe(`Gave up after 1 s: the invocation is still ${status.status}.\n`);
    expect(ms).toBeGreaterThanOrEqual(1000);
    expect(ms).toBeLessThan(15_000);

    const done = await cli(['invocation', 'sleepy', id, '--wait', '--timeout', '30']);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stderr).toBe('');
    expect(JSON.parse(done.stdout)).toMatchObject({
      invocation_id: id,
      status: 'succeeded',
      attempts: 1,
      result: 'late',
    });
  });

  it.each([
    [['--timeout', '5'], '--timeout only applies with --wait'],
    [['--wait', '--timeout', '0'], '--timeout must be a whole number from 1 to 86400'],
  ])('%j is a usage error', async (flags, message) => {
    const run = await cli(['invocation', 'echo', '00000000-0000-4000-8000-000000000000', ...flags]);
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 2, stdout: '' });
    expect(run.stderr).toContain(message);
  });
});

describe('config --max-retries … and dead letters', () => {
  it('changes one async setting and keeps the others', async () => {
    const first = await cli(['config', 'boom', '--max-retries', '0', '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout).async).toEqual({
      max_retries: 0,
      retry_delay_ms: 60_000,
      max_event_age_s: 21_600,
    });
    const second = await cli(['config', 'boom', '--retry-delay-ms', '100']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/^async\.max_retries {2,}0$/m);
    expect(second.stdout).toMatch(/^async\.retry_delay_ms {2,}100$/m);
  });

  it('lists a failed event as a dead letter, redrives it and drops it', async () => {
    await cli(['config', 'boom', '--max-retries', '0', '--retry-delay-ms', '100']);
    const id = (await cli(['invoke', 'boom', '--async', '--data', '{"k":"v"}'])).stdout.trim();
    const failed = await cli(['invocation', 'boom', id, '--wait']);
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout)).toMatchObject({ status: 'dead', attempts: 1 });

    const table = await cli(['dead-letters', 'ls', 'boom']);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`^${id} +\\S+ +1 +FunctionError: no luck$`, 'm'));
    const json = JSON.parse((await cli(['dead-letters', 'ls', 'boom', '--json'])).stdout);
    expect(json.dead_letters).toContainEqual(
      expect.objectContaining({ invocation_id: id, event: { k: 'v' }, attempts: 1 }),
    );

    const redrive = await cli(['dead-letters', 'redrive', 'boom', id]);
    expect(redrive).toMatchObject({
      code: 0,
      stdout: `${id}\n`,
      stderr: 'Queued 1 dead letter again.\n',
    });
    const again = await cli(['invocation', 'boom', id, '--wait']);
    expect(JSON.parse(again.stdout)).toMatchObject({ status: 'dead', attempts: 1 });
    // It ran again: a later end than the first time.
    const ends = [failed, again].map((r) => Date.parse(JSON.parse(r.stdout).finished_at));
    expect(ends[1]).toBeGreaterThan(ends[0] as number);

    const dropped = await cli(['dead-letters', 'rm', 'boom', id]);
    expect(dropped).toMatchObject({ code: 0, stderr: `Dropped dead letter ${id} of boom.\n` });
    const gone = await cli(['dead-letters', 'rm', 'boom', id]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^DeadLetterNotFound: /);
    expect((await cli(['dead-letters', 'ls', 'boom'])).stderr).toBe('boom has no dead letters.\n');
  });
});

describe('schedule', () => {
  it('adds, lists, shows, replaces and removes a schedule that fires', async () => {
    const add = await cli([
      'schedule',
      'add',
      'echo',
      'every-second',
      'rate(1 second)',
      '--event',
      '{"from":"cli"}',
    ]);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toMatch(
      /^Created schedule every-second of echo: rate\(1 second\), next run \d{4}-\S+Z\n$/,
    );

    const ls = await cli(['schedule', 'ls', 'echo']);
    expect(ls.stdout).toMatch(/^NAME +EXPRESSION +TIMEZONE +ENABLED +NEXT RUN$/m);
    expect(ls.stdout).toMatch(/^every-second +rate\(1 second\) +- +yes +\d{4}-/m);

    // Wait for a tick to have run, through `schedule show`'s last runs.
    let shown: { last_runs: { invocation_id: string; status: string | null }[] } | undefined;
    for (let i = 0; i < 40; i++) {
      shown = JSON.parse(
        (await cli(['schedule', 'show', 'echo', 'every-second', '--json'])).stdout,
      );
      if (shown?.last_runs.some((r) => r.status === 'succeeded')) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const run = shown?.last_runs.find((r) => r.status === 'succeeded');
    expect(run).toBeDefined();
    const status = JSON.parse((await cli(['invocation', 'echo', run?.invocation_id ?? ''])).stdout);
    expect(status.result.got).toMatchObject({
      source: 'mini-lambda.schedule',
      schedule: 'every-second',
      detail: { from: 'cli' },
    });
    const text = await cli(['schedule', 'show', 'echo', 'every-second']);
    expect(text.stdout).toMatch(/^event: \{"from":"cli"\}$/m);
    expect(text.stdout).toMatch(/^TICK +FIRED +INVOCATION +STATUS$/m);

    const replace = await cli([
      'schedule',
      'add',
      'echo',
      'every-second',
      'cron(0 9 * * 1-5)',
      '--timezone',
      'europe/berlin',
      '--disabled',
    ]);
    expect(replace.stdout).toBe(
      'Replaced schedule every-second of echo: cron(0 9 * * 1-5) in Europe/Berlin, disabled\n',
    );

    const bad = await cli(['schedule', 'add', 'echo', 'x', 'cron(61 * * * *)']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^InvalidConfig: .*minute: 61/);

    expect(await cli(['schedule', 'rm', 'echo', 'every-second'])).toMatchObject({
      code: 0,
      stderr: 'Deleted schedule every-second of echo.\n',
    });
    const missing = await cli(['schedule', 'rm', 'echo', 'every-second']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^ScheduleNotFound: /);
    expect((await cli(['schedule', 'ls', 'echo'])).stderr).toBe('echo has no schedules.\n');
  });
});

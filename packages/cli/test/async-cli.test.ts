import { describe, expect, it } from 'vitest';
import { applyAsyncFlags, hasAsyncFlags } from '../src/async-flags.ts';
import { formatConfig } from '../src/commands/config.ts';
import { describeSchedule } from '../src/commands/schedule.ts';
import { runCli } from '../src/index.ts';

// Everything here ends before a request is sent: nothing needs to be running.

async function run(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    // A port nothing listens on: a request reaching it would fail with exit 1, not 2.
    env: { MINI_LAMBDA_URL: 'http://127.0.0.1:9' },
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr };
}

describe('help of the async commands', () => {
  it('lists them in the main help', async () => {
    const { stdout } = await run(['--help']);
    expect(stdout).toMatch(/^ {2}invocation <name> <id> +Show an asynchronous invocation/m);
    expect(stdout).toMatch(/^ {2}schedule <add\|ls\|show\|rm> +Invoke a function on a rate/m);
    expect(stdout).toMatch(/^ {2}dead-letters <ls\|redrive\|rm> +List, redrive or drop/m);
  });

  it.each([
    [['schedule'], /^Usage: mini-lambda schedule <add\|ls\|show\|rm> …$/m],
    [['schedule', '--help'], /^ {2}schedule add <name> <schedule> <expression>/m],
    [['help', 'schedule'], /^ {2}schedule rm <name> <schedule> +Delete a schedule$/m],
    [['schedule', 'add', '--help'], /^Usage: mini-lambda schedule add <name> <schedule> <expr/],
    [['help', 'schedule', 'add'], /rate\(N unit\) +Every N seconds, minutes, hours or days/],
    [['dead-letters', 'redrive', '-h'], /^Usage: mini-lambda dead-letters redrive <name> \[id…\]/],
    [['invoke', '--help'], /^ {2}--async +Queue the event instead of waiting/m],
    [['config', '--help'], /^ {2}--retry-delay-ms N +Wait before the first retry/m],
    [
      ['config', '--help'],
      /^ {2}--max-retries N +Retries after a failed attempt \(0-2, default 2\)$/m,
    ],
    [['invocation', '--help'], /^ {2}-w, --wait +Ask again every 500 ms/m],
    [
      ['invocation', '--help'],
      /^ {2}--timeout S +With --wait: give up after S seconds \(1-86400, default 60\)/m,
    ],
    [['dead-letters', 'ls', '--help'], /^ {2}--limit N +At most N, newest first/m],
  ])('%j', async (argv, pattern) => {
    const { code, stdout, stderr } = await run(argv);
    // `schedule` alone is a usage error: its usage goes to stderr.
    const text = argv.length === 1 ? stderr : stdout;
    expect(code).toBe(argv.length === 1 ? 2 : 0);
    expect(text).toMatch(pattern);
  });
});

describe('usage errors of the async commands exit 2', () => {
  it.each([
    [['schedule', 'frob', 'f'], 'Unknown command "schedule frob"', 'mini-lambda schedule <add'],
    [['schedule', 'add', 'f', 'nightly'], 'Missing <expression>', 'schedule add --help'],
    [['schedule', 'add', 'f', 'bad name', 'rate(1 minute)'], 'Schedule name "bad name"', 'add'],
    [['schedule', 'add', 'F', 'n', 'rate(1 minute)'], 'Function name "F" is invalid', 'add'],
    [['schedule', 'add', 'f', 'n', 'rate(1 minute)', '--event', '{'], '--event is not valid', ''],
    [['schedule', 'rm', 'f'], 'Missing <schedule>', 'schedule rm --help'],
    [['schedule', 'ls', 'f', 'x'], 'Unexpected argument "x"', 'schedule ls'],
    [['dead-letters', 'ls', 'f', '--limit', '0'], '--limit must be a whole number', ''],
    [['dead-letters', 'rm', 'f'], 'Missing <id>', 'dead-letters rm'],
    [['dead-letters'], 'Missing <ls|redrive|rm>', ''],
    [['invocation', 'f'], 'Missing <id>', 'invocation --help'],
    [['config', 'f', '--max-retries', '3'], '--max-retries must be a whole number from 0 to 2', ''],
    [['config', 'f', '--retry-delay-ms', '99'], '--retry-delay-ms must be', ''],
    [['config', 'f', '--max-event-age-s', '0'], '--max-event-age-s must be', ''],
    [['config', 'f', '--on-failure', 'Bad'], 'Function name "Bad" is invalid', ''],
    [['config', 'f', '--on-success', 'a', '--no-on-success'], 'either --on-success or', ''],
  ])('%j', async (argv, message, usage) => {
    const { code, stdout, stderr } = await run(argv);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toContain(message);
    expect(stderr).toContain(usage);
  });
});

describe('async config flags', () => {
  const current = { max_retries: 2, retry_delay_ms: 60_000, max_event_age_s: 21_600 };

  it('change only the settings they name', () => {
    expect(hasAsyncFlags({})).toBe(false);
    expect(hasAsyncFlags({ 'no-on-failure': true })).toBe(true);
    expect(applyAsyncFlags(current, { 'max-retries': '0', 'on-failure': 'dlq' }, 'config')).toEqual(
      { ...current, max_retries: 0, on_failure: 'dlq' },
    );
  });

  it('remove a destination', () => {
    const withBoth = { ...current, on_success: 'a', on_failure: 'b' };
    expect(applyAsyncFlags(withBoth, { 'no-on-success': true }, 'config')).toEqual({
      ...current,
      on_failure: 'b',
    });
  });
});

describe('formatting', () => {
  it('shows the async config one field a line', () => {
    const text = formatConfig({
      timeout_ms: 3000,
      memory_mb: 128,
      max_concurrency: 8,
      env: {},
      egress: ['a.com'],
      async: { max_retries: 1, retry_delay_ms: 500, max_event_age_s: 60, on_failure: 'dlq' },
    });
    expect(text.split('\n')).toEqual([
      'timeout_ms             3000',
      'memory_mb              128',
      'max_concurrency        8',
      'egress                 ["a.com"]',
      'async.max_retries      1',
      'async.retry_delay_ms   500',
      'async.max_event_age_s  60',
      'async.on_failure       dlq',
      'env                    (none)',
    ]);
  });

  it('describes a schedule in one line', () => {
    const base = {
      name: 'nightly',
      function: 'report',
      event: null,
      timezone: null,
      enabled: true,
      next_run: '2026-01-02T09:00:00.000Z',
    };
    expect(describeSchedule({ ...base, expression: 'cron(0 9 * * *)' })).toBe(
      'nightly of report: cron(0 9 * * *) in UTC, next run 2026-01-02T09:00:00.000Z',
    );
    expect(
      describeSchedule({ ...base, expression: 'rate(5 minutes)', enabled: false, next_run: null }),
    ).toBe('nightly of report: rate(5 minutes), disabled');
  });
});

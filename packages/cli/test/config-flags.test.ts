import { CONFIG_LIMITS } from '@mini-lambda/core';
import { describe, expect, it } from 'vitest';
import { formatConfig } from '../src/commands/config.ts';
import { describeDeploy } from '../src/commands/deploy.ts';
import { configFlags } from '../src/config-flags.ts';
import { parseEgressFlag } from '../src/egress-flag.ts';

const usage = (message: string) =>
  expect.objectContaining({ kind: 'usage', message: expect.stringContaining(message) });

describe('configFlags', () => {
  it('leaves every setting undefined when no flag is given', () => {
    expect(configFlags({}, 'deploy')).toEqual({
      timeout_ms: undefined,
      memory_mb: undefined,
      max_concurrency: undefined,
      max_subrequests: undefined,
      public: undefined,
    });
  });

  it('reads --public, --no-public and --max-subrequests at both bounds', () => {
    expect(configFlags({ public: true, 'max-subrequests': '0' }, 'config')).toMatchObject({
      public: true,
      max_subrequests: 0,
    });
    expect(configFlags({ 'no-public': true, 'max-subrequests': '1000' }, 'config')).toMatchObject({
      public: false,
      max_subrequests: CONFIG_LIMITS.maxSubrequests.max,
    });
  });

  it('refuses --public with --no-public', () => {
    expect(() => configFlags({ public: true, 'no-public': true }, 'deploy')).toThrow(
      expect.objectContaining({
        kind: 'usage',
        command: 'deploy',
        message: 'Give either --public or --no-public, not both',
      }),
    );
  });

  it.each(['1001', '-1', '1.5', 'many', ''])('refuses --max-subrequests %j', (value) => {
    expect(() => configFlags({ 'max-subrequests': value }, 'config')).toThrow(
      expect.objectContaining({
        kind: 'usage',
        message: `--max-subrequests must be a whole number from 0 to 1000 (got ${JSON.stringify(value)})`,
      }),
    );
  });
});

describe('parseEgressFlag', () => {
  it('keeps the keywords and turns anything else into a list of lower-case hosts', () => {
    expect(parseEgressFlag('public')).toBe('public');
    expect(parseEgressFlag(' none ')).toBe('none');
    expect(parseEgressFlag('api.stripe.com')).toEqual(['api.stripe.com']);
    expect(parseEgressFlag('Api.Stripe.com, *.example.com')).toEqual([
      'api.stripe.com',
      '*.example.com',
    ]);
    const hosts = Array.from({ length: CONFIG_LIMITS.egressHosts }, (_, i) => `h${i}.example`);
    expect(parseEgressFlag(hosts.join(','))).toEqual(hosts);
  });

  it.each([
    ['', '--egress expects public, none or a comma list of host patterns (got "")'],
    ['a.com,,b.com', '--egress expects public, none or a comma list of host patterns'],
    ['a.com,', '--egress expects public, none'],
    ['https://a.com', '--egress "https://a.com": a host pattern is a DNS name'],
    ['a.com,b.com:443', '--egress "b.com:443": a host pattern is a DNS name'],
    ['*', '--egress "*": a host pattern is a DNS name'],
    ['a.*.com', '--egress "a.*.com": a host pattern is a DNS name'],
    ['under_score.com', '--egress "under_score.com": a host pattern is a DNS name'],
    [
      Array.from({ length: 101 }, (_, i) => `h${i}.example`).join(','),
      '--egress lists at most 100 host patterns (got 101)',
    ],
  ])('refuses %j as a usage error', (value, message) => {
    expect(() => parseEgressFlag(value, 'config')).toThrow(usage(message));
  });
});

describe('describeDeploy', () => {
  const result = {
    name: 'hello',
    version: 3,
    sha256: 'ab'.repeat(32),
    size: 2048,
    handler: 'event',
    warnings: [],
  };

  it('names the version, then the HTTP trigger with what the handler style receives', () => {
    expect(describeDeploy(result, 'https://lambda.example/base')).toBe(
      'Deployed hello version 3 (sha256 abababababab…, 2.0 KB, handler event)\n' +
        'HTTP trigger: https://lambda.example/base/fn/hello (event-style: receives a Lambda Function URL event)',
    );
    expect(describeDeploy({ ...result, handler: 'fetch' }, 'http://h:1')).toMatch(
      /\nHTTP trigger: http:\/\/h:1\/fn\/hello \(fetch-style: receives a Request for the path below it\)$/,
    );
    expect(describeDeploy({ ...result, handler: 'stream' }, 'http://h:1')).toMatch(
      /\nHTTP trigger: http:\/\/h:1\/fn\/hello \(handler stream\)$/,
    );
  });
});

describe('formatConfig', () => {
  it('shows public, egress and max_subrequests as the server sends them', () => {
    const config = {
      timeout_ms: 3000,
      memory_mb: 128,
      max_concurrency: 8,
      env: {},
      public: true,
      egress: ['api.stripe.com', '*.example.com'],
      max_subrequests: 0,
    };
    expect(formatConfig(config)).toBe(
      [
        'timeout_ms       3000',
        'memory_mb        128',
        'max_concurrency  8',
        'public           true',
        'egress           ["api.stripe.com","*.example.com"]',
        'max_subrequests  0',
        'env              (none)',
      ].join('\n'),
    );
    expect(formatConfig({ ...config, egress: 'none' })).toMatch(/^egress +none$/m);
  });
});

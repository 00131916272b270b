import { defaultRuntimeLimits } from '@mini-lambda/core';
import { machineResources } from '@mini-lambda/runtime';
import { describe, expect, it } from 'vitest';
import { parseServerConfig } from './config.ts';

const KEY = 'k'.repeat(16);

describe('parseServerConfig', () => {
  it('fills defaults and treats empty values as unset', () => {
    const config = parseServerConfig({ MINI_LAMBDA_API_KEY: KEY, PORT: '', INSTANCE_ID: '2' });
    expect(config).toMatchObject({ port: 8080, host: '0.0.0.0', instanceId: '2', dev: false });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.s3).toBeUndefined();
    expect(config.migrationsDir).toMatch(/migrations\/?$/);
  });

  it('maps pool variables onto the runtime limits', () => {
    const config = parseServerConfig({
      MINI_LAMBDA_API_KEY: KEY,
      POOL_MAX_ISOLATES: '12',
      POOL_EXECUTION: 'sync',
    });
    expect(config.runtime).toEqual({
      ...defaultRuntimeLimits(machineResources(), 'sync'),
      maxIsolates: 12,
      execution: 'sync',
    });
  });

  it('runs warm calls sync in sandboxes and async in this process unless POOL_EXECUTION says', () => {
    const execution = (env: Record<string, string>) =>
      parseServerConfig({ MINI_LAMBDA_API_KEY: KEY, ...env }).runtime.execution;
    expect(execution({ SANDBOXES: '2' })).toBe('sync');
    expect(execution({ SANDBOXES: '0' })).toBe('async');
    expect(execution({ SANDBOXES: '2', POOL_EXECUTION: 'async' })).toBe('async');
    expect(execution({ SANDBOXES: '0', POOL_EXECUTION: 'sync' })).toBe('sync');
  });

  it('gives the runtime complete limits: unset pool variables take the defaults', () => {
    const config = parseServerConfig({ MINI_LAMBDA_API_KEY: KEY, SANDBOXES: '0' });
    expect(config.runtime).toEqual(defaultRuntimeLimits(machineResources(), 'async'));
  });

  it.each([
    [{ PORT: '70000' }, 'PORT'],
    [{ INSTANCE_ID: 'a b' }, 'INSTANCE_ID'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ S3_ENDPOINT: 'http://127.0.0.1:9000', S3_ACCESS_KEY: 'a' }, 'S3_SECRET_KEY'],
    [{ POOL_QUEUE_LIMIT: 'lots' }, 'POOL_QUEUE_LIMIT'],
    [{ MINI_LAMBDA_DEV: 'maybe' }, 'MINI_LAMBDA_DEV'],
    [{ SANDBOXES: '-1' }, 'SANDBOXES'],
    [{ ASYNC_CONCURRENCY: '0' }, 'ASYNC_CONCURRENCY'],
    [{ ASYNC_LEASE_GRACE_MS: '999' }, 'ASYNC_LEASE_GRACE_MS'],
    [{ ASYNC_LEASE_GRACE_MS: '600001' }, 'ASYNC_LEASE_GRACE_MS'],
    [{ ASYNC_RETENTION_S: '59' }, 'ASYNC_RETENTION_S'],
    [{ EMBEDDED_SYNC: 'never' }, 'EMBEDDED_SYNC'],
  ])('names the bad variable: %o', (env, variable) => {
    expect(() => parseServerConfig({ MINI_LAMBDA_API_KEY: KEY, ...env })).toThrow(
      expect.objectContaining({
        code: 'InvalidConfig',
        message: expect.stringContaining(variable),
      }),
    );
  });

  it('reads the async settings, with their defaults', () => {
    expect(parseServerConfig({ MINI_LAMBDA_API_KEY: KEY }).async).toEqual({
      concurrency: 64,
      leaseGraceMs: 30_000,
      retentionS: 86_400,
    });
    const set = parseServerConfig({
      MINI_LAMBDA_API_KEY: KEY,
      ASYNC_CONCURRENCY: '10000',
      ASYNC_LEASE_GRACE_MS: '1000',
      ASYNC_RETENTION_S: '2592000',
    });
    expect(set.async).toEqual({ concurrency: 10_000, leaseGraceMs: 1000, retentionS: 2_592_000 });
  });

  it('syncs accepted events on the embedded default unless told to sync every commit', () => {
    expect(parseServerConfig({ MINI_LAMBDA_API_KEY: KEY }).embeddedSync).toBe('accepts');
    const every = parseServerConfig({ MINI_LAMBDA_API_KEY: KEY, EMBEDDED_SYNC: 'commits' });
    expect(every.embeddedSync).toBe('commits');
  });

  it('requires an API key outside dev mode only', () => {
    expect(() => parseServerConfig({})).toThrow(/MINI_LAMBDA_API_KEY/);
    expect(parseServerConfig({ MINI_LAMBDA_DEV: '1' }).apiKey).toBeUndefined();
  });
});

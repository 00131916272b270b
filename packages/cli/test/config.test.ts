import { describe, expect, it } from 'vitest';
import { DEFAULT_URL, resolveCliConfig } from '../src/config.ts';

describe('resolveCliConfig', () => {
  it('defaults to make dev with no key', () => {
    expect(resolveCliConfig({}, {})).toEqual({
      url: DEFAULT_URL,
      apiKey: undefined,
      invokeKey: undefined,
    });
  });

  it('reads the environment, flags winning, empty values unset', () => {
    const env = { MINI_LAMBDA_URL: 'https://lambda.example/base/', MINI_LAMBDA_API_KEY: 'env-key' };
    expect(resolveCliConfig({}, env)).toEqual({
      url: 'https://lambda.example/base',
      apiKey: 'env-key',
      invokeKey: 'env-key',
    });
    expect(resolveCliConfig({ url: 'http://h:1', apiKey: 'flag-key' }, env)).toMatchObject({
      url: 'http://h:1',
      apiKey: 'flag-key',
    });
    expect(resolveCliConfig({}, { MINI_LAMBDA_URL: '', MINI_LAMBDA_API_KEY: ' ' })).toEqual({
      url: DEFAULT_URL,
      apiKey: undefined,
      invokeKey: undefined,
    });
  });

  it('uses the invoke key for invocations when there is one', () => {
    expect(
      resolveCliConfig({}, { MINI_LAMBDA_API_KEY: 'api', MINI_LAMBDA_INVOKE_KEY: 'invoke' }),
    ).toMatchObject({ apiKey: 'api', invokeKey: 'invoke' });
  });

  it.each([
    [{ url: 'ftp://h' }, {}, '--url must be an http:// or https:// URL (got "ftp://h")'],
    [{}, { MINI_LAMBDA_URL: 'localhost:8080' }, 'MINI_LAMBDA_URL must be an http:// or https://'],
  ])('refuses a URL that is not http(s): %j %j', (flags, env, message) => {
    expect(() => resolveCliConfig(flags, env)).toThrow(
      expect.objectContaining({ kind: 'usage', message: expect.stringContaining(message) }),
    );
  });
});

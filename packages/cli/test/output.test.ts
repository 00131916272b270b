import { describe, expect, it } from 'vitest';
import { ApiError, describeApiError } from '../src/api-error.ts';
import { formatBuildMessage, formatBytes, formatTable, prettyJson } from '../src/output.ts';

describe('formatting', () => {
  it.each([
    [
      { text: 'Unexpected "}"', file: 'index.ts', line: 3, column: 0 },
      'index.ts:3:0 Unexpected "}"',
    ],
    [{ text: 'oops', file: 'index.ts', line: 3, column: null }, 'index.ts:3 oops'],
    [{ text: 'oops', file: 'index.ts' }, 'index.ts oops'],
    [{ text: 'oops', file: null, line: 3, column: 1 }, 'oops'],
    [{ text: 'oops' }, 'oops'],
  ])('formats build message %j', (message, line) => {
    expect(formatBuildMessage(message)).toBe(line);
  });

  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.0 KB'],
    [35_328, '34.5 KB'],
    [50 * 1024 * 1024, '50.0 MB'],
  ])('formats %d bytes as %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it('aligns table columns without trailing spaces', () => {
    expect(
      formatTable([
        ['NAME', 'VERSION'],
        ['hello-world', '12'],
      ]),
    ).toBe('NAME         VERSION\nhello-world  12');
  });

  it('indents JSON and leaves other text alone', () => {
    expect(prettyJson('{"a":[1,2]}')).toBe('{\n  "a": [\n    1,\n    2\n  ]\n}');
    expect(prettyJson('null')).toBe('null');
    expect(prettyJson('not json')).toBe('not json');
  });
});

describe('describeApiError', () => {
  const error = (
    status: number,
    code: string,
    details: Record<string, unknown> = {},
    init: { headers?: Record<string, string>; auth?: ApiError['auth'] } = {},
  ) =>
    new ApiError({
      status,
      code,
      message: `${code} happened`,
      details,
      headers: new Headers(init.headers),
      auth: init.auth ?? { kind: 'api', sent: false },
    });

  it('says a missing key is missing and how to set it', () => {
    expect(describeApiError(error(401, 'Unauthorized'))).toEqual([
      'Unauthorized: the API key is missing. Set MINI_LAMBDA_API_KEY or pass --api-key (make dev prints the key it generated).',
    ]);
  });

  it('says a refused key is wrong, naming the invoke key on invoke', () => {
    expect(
      describeApiError(error(403, 'Forbidden', {}, { auth: { kind: 'api', sent: true } })),
    ).toEqual([
      'Forbidden: the server refused the API key; it is wrong. Set MINI_LAMBDA_API_KEY or pass --api-key.',
    ]);
    expect(
      describeApiError(error(403, 'Forbidden', {}, { auth: { kind: 'invoke', sent: true } }))[0],
    ).toContain('MINI_LAMBDA_INVOKE_KEY');
  });

  it('lists build errors one per line, file:line:column first', () => {
    const errors = [
      { text: 'Expected ")" but found "}"', file: 'index.ts', line: 3, column: 0 },
      { text: 'Could not resolve "fs"', file: null, line: null, column: null },
    ];
    expect(describeApiError(error(422, 'BuildFailed', { errors }))).toEqual([
      'BuildFailed: BuildFailed happened',
      'index.ts:3:0 Expected ")" but found "}"',
      'Could not resolve "fs"',
    ]);
  });

  it("shows a function's stack and a Retry-After", () => {
    const stack = 'Error: boom\n    at handler (index.js:1:30)';
    expect(describeApiError(error(500, 'FunctionError', { name: 'Error', stack }))).toEqual([
      'FunctionError: FunctionError happened',
      stack,
    ]);
    expect(
      describeApiError(error(429, 'TooManyRequests', {}, { headers: { 'retry-after': '2' } })),
    ).toEqual(['TooManyRequests: TooManyRequests happened', 'Retry after 2 s.']);
  });
});

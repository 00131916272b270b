import { describe, expect, it } from 'vitest';
import { MiniLambdaError } from './errors.ts';
import { isValidFunctionName, parseFunctionName } from './names.ts';

describe('function names', () => {
  it.each(['a', 'hello', 'hello-world-2', `a${'b'.repeat(62)}`])('accepts %s', (name) => {
    expect(parseFunctionName(name)).toBe(name);
  });

  it.each([
    '',
    '../etc',
    '%2e%2e',
    'Hello',
    '1abc',
    '-abc',
    'a_b',
    'a.b',
    'a/b',
    'café',
    "a'b",
    'a"b',
    ' a',
    `a${'b'.repeat(63)}`,
  ])('rejects %j as InvalidName', (name) => {
    expect(isValidFunctionName(name)).toBe(false);
    expect(() => parseFunctionName(name)).toThrow(MiniLambdaError);
    try {
      parseFunctionName(name);
    } catch (err) {
      expect(err).toMatchObject({ code: 'InvalidName', status: 400 });
    }
  });

  it('rejects non-strings', () => {
    expect(() => parseFunctionName(42)).toThrow(/is invalid/);
  });
});

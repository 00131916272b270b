import { describe, expect, it } from 'vitest';
import { pathBelowFunction } from './trigger-request.ts';

describe('pathBelowFunction', () => {
  it.each([
    ['/fn/app', '/'],
    ['/fn/app/', '/'],
    ['/fn/app/users/42', '/users/42'],
    ['/fn/app/users/42/', '/users/42/'],
    ['/fn/app//double', '//double'],
    ['/fn/app/a%2Fb%20c', '/a%2Fb%20c'],
    ['/fn/%61pp/x', '/x'],
  ])('%s → %s', (path, below) => {
    expect(pathBelowFunction(path)).toBe(below);
  });
});

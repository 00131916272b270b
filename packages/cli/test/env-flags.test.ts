import { describe, expect, it } from 'vitest';
import { parseEnvFlags } from '../src/env-flags.ts';

describe('parseEnvFlags', () => {
  it('reads KEY=VALUE, KEY= as an empty string, and values containing =', () => {
    expect(parseEnvFlags(['A=1', 'EMPTY=', 'URL=postgres://u:p@h/db?x=y', '_k9=v'])).toEqual({
      A: '1',
      EMPTY: '',
      URL: 'postgres://u:p@h/db?x=y',
      _k9: 'v',
    });
    expect(parseEnvFlags([])).toEqual({});
  });

  it.each([
    ['A', '--env expects KEY=VALUE (got "A")'],
    ['=value', '--env expects KEY=VALUE (got "=value")'],
    ['BAD-KEY=1', '--env "BAD-KEY": keys are up to 128 letters'],
    ['1A=1', '--env "1A": keys are up to 128 letters'],
    ['É=1', '--env "É": keys are up to 128 letters'],
    [`${'K'.repeat(129)}=1`, 'keys are up to 128 letters'],
    ['__proto__=x', '--env: the environment key __proto__ is not allowed'],
    [`BIG=${'x'.repeat(5000)}`, '--env: environment variables may total at most 4096 bytes'],
  ])('refuses %j as a usage error', (flag, message) => {
    expect(() => parseEnvFlags([flag])).toThrow(
      expect.objectContaining({ kind: 'usage', message: expect.stringContaining(message) }),
    );
  });

  it('refuses a key given twice instead of silently keeping one', () => {
    expect(() => parseEnvFlags(['A=1', 'A=2'])).toThrow('--env A is given more than once');
  });
});

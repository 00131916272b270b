import { describe, expect, it } from 'vitest';
import { functionNameArg, intFlag, parseCommandArgs, splitCommand } from '../src/args.ts';

const deployOptions = { entry: { type: 'string' }, json: { type: 'boolean' } } as const;
const parseDeploy = (argv: string[]) =>
  parseCommandArgs('deploy', argv, deployOptions, ['name', 'path'] as const);

describe('splitCommand', () => {
  it.each([
    [['deploy', 'hello', 'x.ts'], 'deploy', ['hello', 'x.ts']],
    [['--url', 'http://h:1', 'ls'], 'ls', ['--url', 'http://h:1']],
    [['--api-key', 'k', 'info', 'a'], 'info', ['--api-key', 'k', 'a']],
    [['--url=http://h:1', 'ls'], 'ls', ['--url=http://h:1']],
    [['--help'], undefined, ['--help']],
    [[], undefined, []],
  ])('%j → command %s', (argv, command, rest) => {
    expect(splitCommand(argv)).toEqual({ ...(command ? { command } : {}), rest });
  });
});

describe('parseCommandArgs', () => {
  it('names positionals and types flags, global ones anywhere', () => {
    expect(parseDeploy(['hello', 'src', '--entry', 'main.ts', '--url', 'http://h:1'])).toEqual({
      values: { entry: 'main.ts', url: 'http://h:1' },
      args: { name: 'hello', path: 'src' },
      rest: [],
    });
  });

  it('hands the arguments after the named ones to a command that takes a list', () => {
    const parse = (argv: string[]) =>
      parseCommandArgs('dead-letters redrive', argv, {}, ['name'] as const, true);
    expect(parse(['fn', 'a', 'b'])).toMatchObject({ args: { name: 'fn' }, rest: ['a', 'b'] });
    expect(parse(['fn']).rest).toEqual([]);
    expect(() => parse([])).toThrow(expect.objectContaining({ message: 'Missing <name>' }));
  });

  it.each([
    [['hello'], 'Missing <path>'],
    [['hello', 'a', 'b'], 'Unexpected argument "b"'],
    [['hello', 'a', '--nope'], "Unknown option '--nope'"],
    [['hello', 'a', '--entry'], "Option '--entry <value>' argument missing"],
    [['hello', 'a', '--json=yes'], "Option '--json' does not take an argument"],
  ])('%j is a usage error of the command: %s', (argv, message) => {
    expect(() => parseDeploy(argv)).toThrow(
      expect.objectContaining({ kind: 'usage', command: 'deploy', message }),
    );
  });

  it('lets --help through without the required arguments', () => {
    expect(parseDeploy(['--help']).values).toEqual({ help: true });
    expect(parseDeploy(['-h']).values).toEqual({ help: true });
  });
});

describe('intFlag', () => {
  const bounds = { min: 16, max: 1024 };

  it('is undefined when absent and a number when in bounds', () => {
    expect(intFlag('memory-mb', undefined, bounds, 'deploy')).toBeUndefined();
    expect(intFlag('memory-mb', '256', bounds, 'deploy')).toBe(256);
  });

  it.each(['15', '1025', '1.5', '-1', 'abc', '', '1e3', '0x20'])('refuses %j', (value) => {
    expect(() => intFlag('memory-mb', value, bounds, 'deploy')).toThrow(
      expect.objectContaining({
        kind: 'usage',
        message: `--memory-mb must be a whole number from 16 to 1024 (got ${JSON.stringify(value)})`,
      }),
    );
  });
});

describe('functionNameArg', () => {
  it('accepts a valid name and refuses others as usage errors', () => {
    expect(functionNameArg('hello-2', 'rm')).toBe('hello-2');
    for (const bad of ['Hello', '../x', '', 'a_b'])
      expect(() => functionNameArg(bad, 'rm')).toThrow(
        expect.objectContaining({ kind: 'usage', message: expect.stringMatching(/is invalid/) }),
      );
  });
});

import { describe, expect, it } from 'vitest';
import { changePayload, parseChange } from '../src/changes.ts';

describe('change payloads', () => {
  it('round-trip what a registry write announces', () => {
    for (const change of [
      { name: 'hello', op: 'deploy', version: 3 },
      { name: 'hello', op: 'patch' },
      { name: 'hello', op: 'delete' },
    ] as const) {
      expect(parseChange(changePayload(change))).toEqual(change);
    }
  });

  it('read a bare name (an older writer) as a change of unknown kind to that function', () => {
    expect(parseChange('hello-2')).toEqual({ name: 'hello-2', op: 'unknown' });
  });

  it.each([
    '{"name":"hello","op":"rename"}',
    '{"name":"hello","op":"deploy"}',
    '{"name":"hello","op":"deploy","version":0}',
    '{"name":"hello","op":"deploy","version":1.5}',
    '{"name":"hello","op":"deploy","version":"2"}',
    '{"name":"hello","op":"delete","version":2}',
    '{"name":"hello"}',
  ])('read %s, which names a function but no known change, as unknown', (payload) => {
    expect(parseChange(payload)).toEqual({ name: 'hello', op: 'unknown' });
  });

  it.each([
    '',
    'Not A Name',
    '{"name":"../etc","op":"delete"}',
    '{"name":42,"op":"patch"}',
    '{"op":"delete"}',
    '["hello"]',
    '123',
    '"hello"',
    '{"name":"hello"',
  ])('read %j, which names no function, as nothing', (payload) => {
    expect(parseChange(payload)).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { jsonDepth, jsonSplicer, memberText } from './json-text.ts';

describe('jsonSplicer', () => {
  it('puts stored texts in as they are, and equals JSON.stringify of the parsed values', () => {
    const texts = ['{"a" : [1, 2.50]}', 'null', '"x\\"y"', '12345678901234567890'];
    const s = jsonSplicer();
    const text = s.stringify({ list: texts.map((t) => ({ v: s.raw(t) })), tail: 'ok' });
    expect(text).toBe(`{"list":[${texts.map((t) => `{"v":${t}}`).join(',')}],"tail":"ok"}`);
    const parsed = JSON.stringify({ list: texts.map((t) => ({ v: JSON.parse(t) })), tail: 'ok' });
    expect(JSON.stringify(JSON.parse(text))).toBe(parsed);
  });

  it('leaves a user string that looks like a placeholder alone', () => {
    const s = jsonSplicer();
    const value = { user: '\u0000raw-json-00000000-0000-0000-0000-000000000000-0', v: s.raw('1') };
    expect(JSON.parse(s.stringify(value))).toEqual({ user: value.user, v: 1 });
  });
});

describe('jsonDepth', () => {
  it('counts nesting, skipping brackets inside strings', () => {
    for (const text of ['1', '[]', '{"a":[{"b":"[[[["}]}', '[[],[[]]]', '"\\"[{"']) {
      const depthOf = (v: unknown): number =>
        typeof v === 'object' && v !== null ? 1 + Math.max(0, ...Object.values(v).map(depthOf)) : 0;
      expect(jsonDepth(text)).toBe(depthOf(JSON.parse(text)));
    }
    expect(jsonDepth(`${'['.repeat(10_000)}${']'.repeat(10_000)}`, 512)).toBe(513);
  });
});

describe('memberText', () => {
  it('finds a top-level member’s exact text, the last one when repeated', () => {
    const body = '{"x": {"event": 1}, "event" : {"n": 12345678901234567890} , "e\\u0076ent2": 3}';
    expect(memberText(body, 'event')).toBe('{"n": 12345678901234567890}');
    expect(memberText(body, 'event2')).toBe('3');
    expect(memberText('{"event":"a,}","event":[1,{"b":2}]}', 'event')).toBe('[1,{"b":2}]');
    expect(memberText('{"event":"s"}', 'event')).toBe('"s"');
    expect(memberText('{"other":1}', 'event')).toBeUndefined();
  });
});

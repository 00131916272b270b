import { validateHeaderName, validateHeaderValue } from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  httpStatus,
  isHeaderName,
  isHeaderValue,
  requestHeaders,
  responseHeaders,
} from './headers.ts';

/** Node's own checks are the oracle: what it would refuse to send, we must drop. */
const nodeAcceptsName = (name: string) => {
  try {
    validateHeaderName(name);
    return true;
  } catch {
    return false;
  }
};
const nodeAcceptsValue = (value: string) => {
  try {
    validateHeaderValue('x', value);
    return true;
  } catch {
    return false;
  }
};

const HOSTILE_NAMES = [
  '',
  'x y',
  'x:y',
  'x\r\ny',
  'x\ny',
  'ünïcode',
  '(paren)',
  'a"b',
  'a/b',
  'x\0',
  'x-ok',
  "!#$%&'*+-.^_`|~",
  'Content-Type',
  '__proto__',
];
const HOSTILE_VALUES = [
  '',
  'plain',
  ' spaced ',
  'tab\there',
  'a\r\nInjected: 1',
  'a\nb',
  'a\rb',
  'nul\0',
  'latin1 é ÿ',
  'beyond latin1 € 😀',
  '\x7f del',
  '\x01 control',
];

describe('isHeaderName and isHeaderValue', () => {
  it.each(HOSTILE_NAMES)('judge the name %j as Node does', (name) => {
    expect(isHeaderName(name)).toBe(nodeAcceptsName(name));
  });

  it.each(HOSTILE_VALUES)('judge the value %j no more leniently than Node', (value) => {
    // Node lets DEL and other controls through; we follow RFC 9110 and refuse those too.
    if (isHeaderValue(value)) expect(nodeAcceptsValue(value)).toBe(true);
  });

  it('accept what HTTP allows and refuse CR, LF and NUL', () => {
    expect(['plain', ' spaced ', 'tab\there', 'latin1 é ÿ'].every(isHeaderValue)).toBe(true);
    expect(['a\r\nInjected: 1', 'a\nb', 'a\rb', 'nul\0', '€'].some(isHeaderValue)).toBe(false);
  });
});

describe('responseHeaders', () => {
  it('drops hop-by-hop headers, content-length and anything HTTP cannot carry', () => {
    const { headers, dropped } = responseHeaders([
      ['X-Good', 'fine'],
      ['Connection', 'close'],
      ['Keep-Alive', 'timeout=5'],
      ['Transfer-Encoding', 'chunked'],
      ['Upgrade', 'websocket'],
      ['Proxy-Connection', 'keep-alive'],
      ['TE', 'trailers'],
      ['Trailer', 'x'],
      ['Content-Length', '999'],
      ['bad name', 'x'],
      ['x-split', 'a\r\nInjected: 1'],
      ['x-euro', '€'],
      ['x-number', 5],
      ['x-null', null],
      'not a pair',
      [7, 'x'],
      ['set-cookie', 'a=1'],
      ['Set-Cookie', 'b=2'],
    ]);
    expect([...headers]).toEqual([
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
      ['x-good', 'fine'],
    ]);
    expect(dropped).toEqual([
      'Connection',
      'Keep-Alive',
      'Transfer-Encoding',
      'Upgrade',
      'Proxy-Connection',
      'TE',
      'Trailer',
      'Content-Length',
      'bad name',
      'x-split',
      'x-euro',
      'x-number',
      'x-null',
      '(not a name)',
      '(not a name)',
    ]);
  });

  it('never throws, whatever the names and values', () => {
    const lines = HOSTILE_NAMES.flatMap((n) => HOSTILE_VALUES.map((v) => [n, v]));
    const { headers, dropped } = responseHeaders(lines);
    expect(dropped.length + [...headers].length).toBeGreaterThan(0);
    for (const [name, value] of headers) {
      expect(nodeAcceptsName(name) && nodeAcceptsValue(value)).toBe(true);
    }
  });
});

describe('requestHeaders', () => {
  it('lower-cases names, keeps repeats and drops hop-by-hop and Connection-named headers', () => {
    expect(
      requestHeaders(
        [
          ['Host', 'example.com'],
          ['Connection', 'keep-alive, X-Private'],
          ['X-Private', 'secret'],
          ['Keep-Alive', 'timeout=5'],
          ['Transfer-Encoding', 'chunked'],
          ['Accept', 'a'],
          ['accept', 'b'],
          ['Authorization', 'Bearer mine'],
        ],
        false,
      ),
    ).toEqual([
      ['host', 'example.com'],
      ['accept', 'a'],
      ['accept', 'b'],
      ['authorization', 'Bearer mine'],
    ]);
  });

  it('drops Authorization when it carried our invoke key', () => {
    expect(requestHeaders([['Authorization', 'Bearer key']], true)).toEqual([]);
  });
});

describe('httpStatus', () => {
  it.each([
    [200, 200],
    [201, 201],
    [599, 599],
    ['418', 418],
    [0, undefined],
    [99, undefined],
    [100, undefined],
    [101, undefined],
    [199, undefined],
    [600, undefined],
    [200.5, undefined],
    [-200, undefined],
    ['abc', undefined],
    ['2000', undefined],
    [' 200', undefined],
    ['0x0c8', undefined],
    [null, undefined],
    [true, undefined],
    [Number.NaN, undefined],
    [Number.POSITIVE_INFINITY, undefined],
  ])('reads %j as %j', (value, expected) => {
    expect(httpStatus(value)).toBe(expected);
  });
});

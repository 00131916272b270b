import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eventBody, isTextual, jsonStringBytes } from './event-body.ts';

const bytes = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));

describe('isTextual', () => {
  it.each([
    ['text/plain', true],
    ['text/html; charset=utf-8', true],
    ['TEXT/CSV', true],
    ['application/json', true],
    ['application/json; charset=utf-8', true],
    ['application/ld+json', true],
    ['application/x-ndjson', true],
    ['application/xml', true],
    ['application/soap+xml', true],
    ['image/svg+xml', true],
    // What AWS base64-encodes:
    ['application/x-www-form-urlencoded', false],
    ['multipart/form-data; boundary=x', false],
    ['application/octet-stream', false],
    ['image/png', false],
    ['application/javascript', false],
    ['', false],
    ['text', false],
    ['/json', false],
  ])('%j → %j', (type, expected) => {
    expect(isTextual(type)).toBe(expected);
  });
});

describe('eventBody', () => {
  it('omits an empty body and says it is not base64, as AWS does for a GET', () => {
    expect(eventBody('application/json', new Uint8Array(0))).toEqual({ isBase64Encoded: false });
    expect(eventBody('', new Uint8Array(0))).toEqual({ isBase64Encoded: false });
  });

  it('passes a textual body as text', () => {
    expect(eventBody('application/json', bytes('{"key":"välue"}'))).toEqual({
      body: '{"key":"välue"}',
      isBase64Encoded: false,
    });
    expect(eventBody('text/plain', bytes('Hello from client!'))).toEqual({
      body: 'Hello from client!',
      isBase64Encoded: false,
    });
  });

  it('base64-encodes binary, form and untyped bodies, as Function URLs do', () => {
    const raw = new Uint8Array(randomBytes(300));
    for (const type of ['application/octet-stream', 'multipart/form-data; boundary=b', '']) {
      const { body, isBase64Encoded } = eventBody(type, raw);
      expect(isBase64Encoded).toBe(true);
      expect(Buffer.from(body as string, 'base64').equals(Buffer.from(raw))).toBe(true);
    }
    expect(eventBody('application/x-www-form-urlencoded', bytes('a=1&b=2'))).toEqual({
      body: Buffer.from('a=1&b=2').toString('base64'),
      isBase64Encoded: true,
    });
  });

  it('base64-encodes a "text" body that is not UTF-8, so no byte is lost', () => {
    const latin1 = new Uint8Array([0x63, 0x61, 0x66, 0xe9]); // "café" in ISO-8859-1
    expect(eventBody('text/plain; charset=iso-8859-1', latin1)).toEqual({
      body: Buffer.from(latin1).toString('base64'),
      isBase64Encoded: true,
    });
  });

  it('base64-encodes text whose JSON escapes would outgrow base64 (the event stays bounded)', () => {
    const controls = new Uint8Array(1000).fill(0x01); // each escapes to \u0001
    expect(eventBody('text/plain', controls).isBase64Encoded).toBe(true);
    const someNewlines = bytes('line\n'.repeat(200));
    expect(eventBody('text/plain', someNewlines)).toEqual({
      body: 'line\n'.repeat(200),
      isBase64Encoded: false,
    });
  });
});

describe('jsonStringBytes', () => {
  it("counts JSON.stringify's UTF-8 bytes without the quotes", () => {
    const samples = [
      '',
      'plain',
      '"quoted" and \\back\\slashed',
      '\b\f\n\r\t',
      String.fromCharCode(...Array.from({ length: 32 }, (_, i) => i)),
      'ünïcödé 😀 \u2028\u2029 \x7f',
      Buffer.from(randomBytes(2000)).toString('latin1'),
    ];
    for (const text of samples) {
      expect(jsonStringBytes(bytes(text))).toBe(Buffer.byteLength(JSON.stringify(text)) - 2);
    }
  });
});

import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeBase64, type ResultRead, readFunctionUrlResult } from './result.ts';

/** What the client sees: status, header lines and the body as text. */
function seen(read: ResultRead) {
  if (!read.ok) throw new Error(`not a response: ${read.reason}`);
  const { status, headers, body } = read.response;
  return { status, headers, body: Buffer.from(body).toString('utf8') };
}
const read = (result: unknown) => readFunctionUrlResult(JSON.stringify(result));
const reason = (result: unknown) => {
  const r = read(result);
  return r.ok ? 'ok' : r.reason;
};

describe('readFunctionUrlResult: AWS examples', () => {
  it("maps the developer guide's custom response", () => {
    expect(
      seen(
        read({
          statusCode: 201,
          headers: { 'Content-Type': 'application/json', 'My-Custom-Header': 'Custom Value' },
          body: JSON.stringify({ message: 'Hello, world!' }),
          isBase64Encoded: false,
        }),
      ),
    ).toEqual({
      status: 201,
      headers: [
        ['Content-Type', 'application/json'],
        ['My-Custom-Header', 'Custom Value'],
      ],
      body: '{"message":"Hello, world!"}',
    });
  });

  it("turns the guide's cookies into one Set-Cookie each", () => {
    const response = seen(
      read({
        statusCode: 201,
        headers: { 'Content-Type': 'application/json' },
        body: '{}',
        cookies: [
          'Cookie_1=Value1; Expires=21 Oct 2021 07:48 GMT',
          'Cookie_2=Value2; Max-Age=78000',
        ],
        isBase64Encoded: false,
      }),
    );
    expect(response.headers).toEqual([
      ['Content-Type', 'application/json'],
      ['set-cookie', 'Cookie_1=Value1; Expires=21 Oct 2021 07:48 GMT'],
      ['set-cookie', 'Cookie_2=Value2; Max-Age=78000'],
    ]);
  });

  // AWS's answers recorded by LocalStack's AWS-validated test_lambda_url_invocation
  // (tests/aws/services/lambda_/test_lambda.snapshot.json): body and Content-Type.
  it.each([
    ['dict', { hello: 'world' }, '{"hello":"world"}'],
    ['http-response', { statusCode: 200, body: 'body123' }, 'body123'],
    ['http-response-json', { statusCode: 200, body: '{"hello": "world"}' }, '{"hello": "world"}'],
    ['list-mixed', ['hello', 3, true], '["hello",3,true]'],
    ['string', 'hello', 'hello'],
    ['integer', 3, '3'],
    ['float', 3.1, '3.1'],
    ['boolean', true, 'true'],
  ])('answers a %s result as AWS does', (_id, result, body) => {
    expect(seen(read(result))).toEqual({
      status: 200,
      headers: [['content-type', 'application/json']],
      body,
    });
  });

  it('accepts a numeric string statusCode, as AWS does ("418")', () => {
    expect(seen(read({ statusCode: '418', body: "i'm a teapot" })).status).toBe(418);
  });
});

describe('readFunctionUrlResult', () => {
  it('answers null (a handler that returned nothing) and objects without statusCode as JSON', () => {
    expect(seen(readFunctionUrlResult('null')).body).toBe('null');
    expect(seen(read({ status: 404, body: 'x' })).body).toBe('{"status":404,"body":"x"}');
    expect(seen(read({ nested: { statusCode: 404 } })).status).toBe(200);
    expect(seen(read('{"statusCode":404}')).body).toBe('{"statusCode":404}'); // a string stays text
  });

  it('has an empty body without one, and the JSON of a body that is no string', () => {
    expect(seen(read({ statusCode: 204 }))).toEqual({
      status: 204,
      headers: [['content-type', 'application/json']],
      body: '',
    });
    expect(seen(read({ statusCode: 200, body: null })).body).toBe('');
    expect(seen(read({ statusCode: 200, body: { a: [1] } })).body).toBe('{"a":[1]}');
    expect(seen(read({ statusCode: 200, body: 7 })).body).toBe('7');
  });

  it('keeps a Content-Type the function set, in any case', () => {
    expect(
      seen(read({ statusCode: 200, headers: { 'CONTENT-TYPE': 'text/html' } })).headers,
    ).toEqual([['CONTENT-TYPE', 'text/html']]);
  });

  it('writes numbers and booleans as header text and leaves other values for the rules', () => {
    expect(
      seen(
        read({
          statusCode: 200,
          headers: { 'x-n': 60, 'x-b': false, 'x-o': { a: 1 }, 'x-z': null },
        }),
      ).headers,
    ).toEqual([
      ['x-n', '60'],
      ['x-b', 'false'],
      ['x-o', { a: 1 }],
      ['x-z', null],
      ['content-type', 'application/json'],
    ]);
  });

  it('takes multiValueHeaders, whose values win over headers of the same name', () => {
    expect(
      seen(
        read({
          statusCode: 200,
          headers: { 'X-A': 'single', 'x-b': 'b' },
          multiValueHeaders: { 'x-a': ['one', 'two'], 'x-c': 'not a list' },
        }),
      ).headers,
    ).toEqual([
      ['x-b', 'b'],
      ['x-a', 'one'],
      ['x-a', 'two'],
      ['x-c', 'not a list'],
      ['content-type', 'application/json'],
    ]);
  });

  it('decodes a base64 body', () => {
    const bytes = randomBytes(1000);
    const r = read({ statusCode: 200, body: bytes.toString('base64'), isBase64Encoded: true });
    expect(r.ok && Buffer.from(r.response.body).equals(bytes)).toBe(true);
  });

  it.each([
    [{ statusCode: 0 }, 'statusCode 0 is not an HTTP status of 200-599'],
    [{ statusCode: 99 }, 'statusCode 99 is not an HTTP status of 200-599'],
    [{ statusCode: 100 }, 'statusCode 100 is not an HTTP status of 200-599'],
    [{ statusCode: 600 }, 'statusCode 600 is not an HTTP status of 200-599'],
    [{ statusCode: 'abc' }, 'statusCode "abc" is not an HTTP status of 200-599'],
    [{ statusCode: null }, 'statusCode null is not an HTTP status of 200-599'],
    [{ statusCode: 200.5 }, 'statusCode 200.5 is not an HTTP status of 200-599'],
    [{ statusCode: 200, headers: 'x' }, 'headers is not an object'],
    [{ statusCode: 200, headers: ['x'] }, 'headers is not an object'],
    [{ statusCode: 200, multiValueHeaders: 1 }, 'multiValueHeaders is not an object'],
    [{ statusCode: 200, cookies: 'a=1' }, 'cookies is not an array'],
    [{ statusCode: 200, isBase64Encoded: 'yes' }, 'isBase64Encoded is not a boolean'],
    [
      { statusCode: 200, body: 'not base64!', isBase64Encoded: true },
      'isBase64Encoded is true but body is not base64',
    ],
    [
      { statusCode: 200, body: { a: 1 }, isBase64Encoded: true },
      'isBase64Encoded is true but body is not base64',
    ],
  ])('refuses %j', (result, why) => {
    expect(reason(result)).toBe(why);
  });

  it('cuts a long statusCode short in its reason', () => {
    expect(reason({ statusCode: 'x'.repeat(1000) }).length).toBeLessThan(100);
  });
});

describe('decodeBase64', () => {
  it('decodes what Node encodes, with or without padding and line breaks', () => {
    for (let n = 0; n < 64; n++) {
      const bytes = randomBytes(n);
      const b64 = bytes.toString('base64');
      for (const text of [b64, b64.replace(/=+$/, ''), b64.replace(/(.{4})/g, '$1\r\n')]) {
        expect(Buffer.from(decodeBase64(text) as Uint8Array).equals(bytes)).toBe(true);
      }
    }
  });

  it.each(['abc!', 'a', 'abcde', 'ab=c', 'ab==c', 'a===', 'abc-', 'abc_', 'ab=', '====', 'é'])(
    'refuses %j',
    (text) => {
      expect(decodeBase64(text)).toBeUndefined();
    },
  );
});

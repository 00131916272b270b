import type { HeaderList } from '@mini-lambda/core';
import { describe, expect, it } from 'vitest';
import { clfTime, functionUrlEvent } from './event.ts';
import type { TriggerRequest } from './trigger-request.ts';

const request = (over: Partial<TriggerRequest>): TriggerRequest => ({
  method: 'GET',
  path: '/',
  query: '',
  headers: [],
  body: new Uint8Array(0),
  host: 'localhost:3000',
  sourceIp: '127.0.0.1',
  protocol: 'HTTP/1.1',
  ...over,
});
const context = { requestId: 'inv-1', apiId: 'app', now: new Date(0) };

/**
 * An event AWS delivered to a function URL with auth type NONE (a GET of `/` from
 * Chrome), as the AWS Lambda Powertools test suite keeps it
 * (tests/events/lambdaFunctionUrlEvent.json). Its `http.userAgent` was redacted to
 * "agent" there; AWS fills it from the User-Agent header, so the header's value is used.
 */
const CAPTURED_HEADERS: HeaderList = [
  ['sec-fetch-mode', 'navigate'],
  ['x-amzn-tls-version', 'TLSv1.2'],
  ['sec-fetch-site', 'cross-site'],
  ['accept-language', 'pt-BR,pt;q=0.9'],
  ['x-forwarded-proto', 'https'],
  ['x-forwarded-port', '443'],
  ['x-forwarded-for', '123.123.123.123'],
  ['sec-fetch-user', '?1'],
  [
    'accept',
    'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.9',
  ],
  ['x-amzn-tls-cipher-suite', 'ECDHE-RSA-AES128-GCM-SHA256'],
  ['sec-ch-ua', '" Not A;Brand";v="99", "Chromium";v="102", "Google Chrome";v="102"'],
  ['sec-ch-ua-mobile', '?0'],
  ['x-amzn-trace-id', 'Root=1-62ecd163-5f302e550dcde3b12402207d'],
  ['sec-ch-ua-platform', '"Linux"'],
  ['host', '<url-id>.lambda-url.us-east-1.on.aws'],
  ['upgrade-insecure-requests', '1'],
  ['cache-control', 'max-age=0'],
  ['accept-encoding', 'gzip, deflate, br'],
  ['sec-fetch-dest', 'document'],
  [
    'user-agent',
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/102.0.0.0 Safari/537.36',
  ],
];
const CAPTURED = {
  version: '2.0',
  routeKey: '$default',
  rawPath: '/',
  rawQueryString: '',
  headers: Object.fromEntries(CAPTURED_HEADERS),
  requestContext: {
    accountId: 'anonymous',
    apiId: '<url-id>',
    domainName: '<url-id>.lambda-url.us-east-1.on.aws',
    domainPrefix: '<url-id>',
    http: {
      method: 'GET',
      path: '/',
      protocol: 'HTTP/1.1',
      sourceIp: '123.123.123.123',
      userAgent:
        'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/102.0.0.0 Safari/537.36',
    },
    requestId: 'id',
    routeKey: '$default',
    stage: '$default',
    time: '05/Aug/2022:08:14:39 +0000',
    timeEpoch: 1659687279885,
  },
  isBase64Encoded: false,
};

describe('functionUrlEvent', () => {
  it('reproduces an event AWS delivered, key for key and in its order', () => {
    const event = functionUrlEvent(
      request({
        headers: CAPTURED_HEADERS,
        host: '<url-id>.lambda-url.us-east-1.on.aws',
        sourceIp: '123.123.123.123',
      }),
      { requestId: 'id', apiId: '<url-id>', now: new Date(1659687279885) },
    );
    expect(JSON.stringify(event)).toBe(JSON.stringify(CAPTURED));
  });

  it("builds the developer guide's request payload example", () => {
    // The guide's example ("Invoking Lambda function URLs", request payload format), less
    // what only IAM auth fills (accountId, authorizer) and the keys Function URLs set to
    // null. Two changes: its body is text, which AWS sends as text only with a textual
    // Content-Type, so the request has one; and its `time` (12 Mar) disagrees with its own
    // `timeEpoch` (4 Mar 2020 19:03:58.390 UTC), which is what the time is built from.
    const event = functionUrlEvent(
      request({
        method: 'POST',
        path: '/my/path',
        query: 'parameter1=value1&parameter1=value2&parameter2=value',
        headers: [
          ['header1', 'value1'],
          ['header2', 'value1'],
          ['header2', 'value2'],
          ['cookie', 'cookie1; cookie2'],
          ['content-type', 'text/plain'],
          ['user-agent', 'agent'],
        ],
        body: new Uint8Array(Buffer.from('Hello from client!')),
        host: '<url-id>.lambda-url.us-west-2.on.aws',
        sourceIp: '123.123.123.123',
      }),
      { requestId: 'id', apiId: '<urlid>', now: new Date(1583348638390) },
    );
    expect(event).toEqual({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/my/path',
      rawQueryString: 'parameter1=value1&parameter1=value2&parameter2=value',
      cookies: ['cookie1', 'cookie2'],
      headers: {
        header1: 'value1',
        header2: 'value1,value2',
        'content-type': 'text/plain',
        'user-agent': 'agent',
      },
      queryStringParameters: { parameter1: 'value1,value2', parameter2: 'value' },
      requestContext: {
        accountId: 'anonymous',
        apiId: '<urlid>',
        domainName: '<url-id>.lambda-url.us-west-2.on.aws',
        domainPrefix: '<url-id>',
        http: {
          method: 'POST',
          path: '/my/path',
          protocol: 'HTTP/1.1',
          sourceIp: '123.123.123.123',
          userAgent: 'agent',
        },
        requestId: 'id',
        routeKey: '$default',
        stage: '$default',
        time: '04/Mar/2020:19:03:58 +0000',
        timeEpoch: 1583348638390,
      },
      body: 'Hello from client!',
      isBase64Encoded: false,
    });
  });

  it('gathers cookies from every Cookie header and leaves them out of the headers', () => {
    const event = functionUrlEvent(
      request({
        headers: [
          ['cookie', 'a=1;b=2;  c=3; '],
          ['cookie', 'd=4'],
        ],
      }),
      context,
    );
    expect(event.cookies).toEqual(['a=1', 'b=2', 'c=3', 'd=4']);
    expect(event.headers).toEqual({});
    expect('cookies' in functionUrlEvent(request({}), context)).toBe(false);
  });

  it('decodes query parameters as URLSearchParams does, joining repeated keys', () => {
    const query = 'a=1&a=2&b=%20x+y&c&=empty&%C3%A9=%E2%82%AC&__proto__=p&constructor=c';
    const event = functionUrlEvent(request({ query }), context);
    const expected = new Map<string, string>();
    for (const [k, v] of new URLSearchParams(query)) {
      expected.set(k, expected.has(k) ? `${expected.get(k)},${v}` : v);
    }
    expect(event.rawQueryString).toBe(query);
    expect(Object.entries(event.queryStringParameters ?? {})).toEqual([...expected]);
    expect(event.queryStringParameters?.a).toBe('1,2');
    expect(Object.getOwnPropertyDescriptor(event.queryStringParameters, '__proto__')?.value).toBe(
      'p',
    );
    expect(Object.getPrototypeOf(event.queryStringParameters)).toBeNull();
    expect('queryStringParameters' in functionUrlEvent(request({}), context)).toBe(false);
  });

  it('keeps a header named __proto__ as a header', () => {
    const event = functionUrlEvent(request({ headers: [['__proto__', 'x']] }), context);
    expect(JSON.stringify(event.headers)).toBe('{"__proto__":"x"}');
  });

  it('takes the domain prefix from the Host, without its port', () => {
    const prefix = (host: string) =>
      functionUrlEvent(request({ host }), context).requestContext.domainPrefix;
    expect(prefix('localhost:3000')).toBe('localhost');
    expect(prefix('api.example.com')).toBe('api');
    expect(prefix('[::1]:8080')).toBe('[::1]');
    expect(prefix('')).toBe('');
  });

  it('base64-encodes a binary body', () => {
    const body = new Uint8Array([0, 255, 1, 254]);
    const event = functionUrlEvent(request({ method: 'PUT', body }), context);
    expect([event.body, event.isBase64Encoded]).toEqual(['AP8B/g==', true]);
  });
});

describe('clfTime', () => {
  it('formats as Node formats the same instant in UTC', () => {
    for (let i = 0; i < 200; i++) {
      const date = new Date(Math.floor(Math.random() * 4_102_444_800_000)); // up to 2100
      // toUTCString: "Wed, 04 Mar 2020 19:03:58 GMT"
      const [, day, month, year, time] = date.toUTCString().split(' ');
      expect(clfTime(date)).toBe(`${day}/${month}/${year}:${time} +0000`);
    }
    expect(clfTime(new Date('2020-03-12T19:03:58Z'))).toBe('12/Mar/2020:19:03:58 +0000');
  });
});

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawExchange } from '../test/http.ts';
import { listen } from './listen.ts';

let server: Server;
let url: string;
beforeAll(async () => {
  server = await listen(() => new Response('ok'), {
    port: 0,
    host: '127.0.0.1',
    instanceId: 'i-1',
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const body = (code: string) =>
  `{"error":{"code":"InvalidRequest","message":"The request could not be read (${code})"}}`;

describe('listen', () => {
  it('answers headers too large with 431 in the API shape, then closes', async () => {
    const answer = await rawExchange(
      url,
      `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    const json = body('HPE_HEADER_OVERFLOW');
    expect(answer).toBe(
      'HTTP/1.1 431 Request Header Fields Too Large\r\n' +
        'Content-Type: application/json\r\nX-Instance-Id: i-1\r\nConnection: close\r\n' +
        `Content-Length: ${json.length}\r\n\r\n${json}`,
    );
  });

  it('answers a request Node cannot parse with 400', async () => {
    const answer = await rawExchange(url, 'NOT HTTP AT ALL\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1.1 400 Bad Request\r\n/);
    expect(answer).toContain('\r\nX-Instance-Id: i-1\r\n');
    expect(answer).toMatch(
      /\r\n\r\n\{"error":\{"code":"InvalidRequest","message":"The request could not be read \(HPE_\w+\)"\}\}$/,
    );
  });

  it('answers a Host the app cannot make a URL of with 400 and the instance header', async () => {
    const answer = await rawExchange(
      url,
      'GET / HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n',
    );
    expect(answer).toMatch(/^HTTP\/1.1 400 Bad Request\r\n/);
    expect(answer.toLowerCase()).toContain('\r\ncontent-type: application/json\r\n');
    expect(answer.toLowerCase()).toContain('\r\nx-instance-id: i-1\r\n');
    expect(answer).toContain(
      '{"error":{"code":"InvalidRequest","message":"The request target or Host header is malformed"}}',
    );
  });
});

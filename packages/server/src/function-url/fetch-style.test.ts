import { describe, expect, it } from 'vitest';
import { httpRequestData } from './fetch-style.ts';
import type { TriggerRequest } from './trigger-request.ts';

const request = (over: Partial<TriggerRequest>): TriggerRequest => ({
  method: 'GET',
  path: '/',
  query: '',
  headers: [['host', 'example.com:8080']],
  body: new Uint8Array(0),
  host: 'example.com:8080',
  sourceIp: '127.0.0.1',
  protocol: 'HTTP/1.1',
  ...over,
});

describe('httpRequestData', () => {
  it('puts the path below /fn/:name and the query on the Host', () => {
    expect(httpRequestData(request({ path: '/users/42', query: 'x=1' })).url).toBe(
      'http://example.com:8080/users/42?x=1',
    );
    expect(httpRequestData(request({})).url).toBe('http://example.com:8080/');
  });

  it('has no body for GET and HEAD, and a body of its own bytes otherwise', () => {
    const pool = Buffer.from('....payload....');
    const view = pool.subarray(4, 11); // "payload", a view into a larger buffer
    expect(httpRequestData(request({ method: 'GET', body: view })).body).toBeNull();
    expect(httpRequestData(request({ method: 'HEAD', body: view })).body).toBeNull();
    const body = httpRequestData(request({ method: 'DELETE', body: view })).body as Uint8Array;
    expect(Buffer.from(body).toString()).toBe('payload');
    expect(body.buffer.byteLength).toBe(7);
    expect(httpRequestData(request({ method: 'POST' })).body).toEqual(new Uint8Array(0));
  });

  it('refuses a Host that is not a host name and port, so it cannot move the path', () => {
    for (const host of ['bad host', 'x/admin?', 'u:p@h', 'h:1/..', '']) {
      expect(() => httpRequestData(request({ host })), host).toThrow(
        'The Host header is not a host name and port',
      );
    }
    for (const host of ['example.com', 'a-b.example:8080', '127.0.0.1:3000', '[::1]:8080']) {
      expect(new URL(httpRequestData(request({ host })).url).host).toBe(host);
    }
  });
});

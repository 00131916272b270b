import { MiniLambdaError } from '@mini-lambda/core';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { httpTrigger } from './http-trigger.ts';
import { errorHttpText, errorResponse, renderError, sendError } from './respond.ts';

const throttled = new MiniLambdaError('TooManyRequests', 'Too many builds', {
  retryAfterSeconds: 5,
});

describe('sendError', () => {
  it('keeps the headers middleware set and adds the rendered ones', async () => {
    const app = new Hono();
    app.use(async function instanceHeader(c, next) {
      c.header('X-Instance-Id', 'i-1');
      await next();
    });
    app.get('/busy', (c) => sendError(c, throttled));
    app.get('/hidden', (c) =>
      sendError(c, { error: new MiniLambdaError('FunctionError', 'secret') }, httpTrigger),
    );
    const res = await app.request('/busy');
    expect(res.status).toBe(429);
    expect(Object.fromEntries(res.headers)).toEqual({
      'content-type': 'application/json',
      'retry-after': '5',
      'x-instance-id': 'i-1',
    });
    expect(await res.text()).toBe(
      '{"error":{"retryAfterSeconds":5,"code":"TooManyRequests","message":"Too many builds"}}',
    );
    const hidden = await app.request('/hidden');
    expect([hidden.status, await hidden.text()]).toEqual([
      502,
      '{"error":{"code":"FunctionError","message":"The function failed"}}',
    ]);
  });
});

describe('errorResponse', () => {
  it("adds the transport's headers; the error's own win", async () => {
    const res = errorResponse(throttled, {
      headers: { 'X-Instance-Id': 'i-1', 'content-type': 'text/plain', 'Retry-After': '99' },
    });
    expect(res.status).toBe(429);
    expect(Object.fromEntries(res.headers)).toEqual({
      'content-type': 'application/json',
      'retry-after': '5',
      'x-instance-id': 'i-1',
    });
    expect(await res.text()).toBe(renderError(throttled).body);
  });
});

describe('errorHttpText', () => {
  it('writes the rendered error as a whole HTTP/1.1 answer that closes the connection', () => {
    const error = new MiniLambdaError('InvalidRequest', 'The request could not be read (X)');
    const body =
      '{"error":{"code":"InvalidRequest","message":"The request could not be read (X)"}}';
    expect(errorHttpText({ ...renderError(error), status: 431 }, { 'X-Instance-Id': 'i-1' })).toBe(
      'HTTP/1.1 431 Request Header Fields Too Large\r\n' +
        'Content-Type: application/json\r\nX-Instance-Id: i-1\r\nConnection: close\r\n' +
        `Content-Length: ${body.length}\r\n\r\n${body}`,
    );
  });

  it('counts the body in bytes, not characters', () => {
    const text = errorHttpText({ status: 400, headers: {}, body: '"é"' }, {});
    expect(text).toContain('Content-Length: 4\r\n');
  });
});

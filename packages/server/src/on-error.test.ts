import { MiniLambdaError } from '@mini-lambda/core';
import { Hono } from 'hono';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { httpTrigger } from './errors/http-trigger.ts';
import { createErrorHandler } from './on-error.ts';

/** A real pino logger whose lines land in `lines`. */
function capturedLog() {
  const lines: { level: number; msg: string }[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { log, lines };
}

function appThrowing(err: Error) {
  const { log, lines } = capturedLog();
  const app = new Hono();
  app.use(async function instanceHeader(c, next) {
    c.header('X-Instance-Id', 'i-1');
    await next();
  });
  app.get('/', () => {
    throw err;
  });
  app.onError(createErrorHandler(log));
  return { app, lines };
}

describe('createErrorHandler', () => {
  it('renders our errors with their status, keeping the headers middleware set', async () => {
    const { app, lines } = appThrowing(new MiniLambdaError('InvalidName', 'Bad name'));
    const res = await app.request('/');
    expect([res.status, res.headers.get('x-instance-id'), res.headers.get('content-type')]).toEqual(
      [400, 'i-1', 'application/json'],
    );
    expect(await res.text()).toBe('{"error":{"code":"InvalidName","message":"Bad name"}}');
    expect(lines).toEqual([]);
  });

  it('answers an unreachable dependency with 503 and Retry-After: 1', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
      code: 'ECONNREFUSED',
    });
    const { app, lines } = appThrowing(refused);
    const res = await app.request('/');
    expect([res.status, res.headers.get('retry-after')]).toEqual([503, '1']);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
      'ServiceUnavailable',
    );
    expect(lines.map((l) => l.msg)).toEqual(['dependency unavailable']);
  });

  it('logs anything else and shows only a 500 InternalError', async () => {
    const { app, lines } = appThrowing(new Error('at /work/secret.ts:1:1'));
    const res = await app.request('/');
    expect(res.status).toBe(500);
    expect(await res.text()).toBe('{"error":{"code":"InternalError","message":"Internal error"}}');
    expect(lines.map((l) => l.msg)).toEqual(['unexpected error']);
  });

  it("renders for another surface when given one (a sub-app's own handler)", async () => {
    const { log } = capturedLog();
    const trigger = new Hono();
    trigger.get('/fn/x', () => {
      throw new MiniLambdaError('FunctionError', 'secret');
    });
    trigger.onError(createErrorHandler(log, httpTrigger));
    const app = new Hono().route('/', trigger);
    app.onError(createErrorHandler(log));
    const res = await app.request('/fn/x');
    expect([res.status, await res.text()]).toEqual([
      502,
      '{"error":{"code":"FunctionError","message":"The function failed"}}',
    ]);
  });
});

import type { IncomingMessage } from 'node:http';
import { MiniLambdaError } from '@mini-lambda/core';
import type { Runtime } from '@mini-lambda/runtime';
import type { AsyncQueue, Registry, Schedules } from '@mini-lambda/store';
import { Hono } from 'hono';
import type { Logger } from 'pino';
import { bearerAuth } from './auth.ts';
import type { BodyBudget } from './body.ts';
import type { Deployer } from './deployer.ts';
import { sendError } from './errors/respond.ts';
import type { FunctionDirectory } from './function-directory.ts';
import type { HealthMonitor } from './health.ts';
import type { Metrics } from './metrics.ts';
import { createErrorHandler } from './on-error.ts';
import { deadLetterRoutes } from './routes/dead-letters.ts';
import { functionRoutes } from './routes/functions.ts';
import { httpTriggerRoutes } from './routes/http-trigger.ts';
import { introspectionRoutes } from './routes/introspection.ts';
import { invocationRoutes } from './routes/invocations.ts';
import { invokeRoutes } from './routes/invoke.ts';
import { scheduleRoutes } from './routes/schedules.ts';
import type { Traffic } from './traffic.ts';

export interface AppDeps {
  instanceId: string;
  version: string;
  startedAt: number;
  apiKey: string;
  invokeKey?: string;
  registry: Registry;
  directory: FunctionDirectory;
  deployer: Deployer;
  runtime: Runtime;
  health: HealthMonitor;
  metrics: Metrics;
  traffic: Traffic;
  log: Logger;
  bodies: BodyBudget;
  /** Asynchronous invocations: status and dead letters. */
  queue: AsyncQueue;
  schedules: Schedules;
  /** Stores an event for later delivery (JSON and function checked); the invocation id. */
  acceptAsync(name: string, version: number | undefined, body: Buffer): Promise<string>;
  /** Delivery on this instance looks at the function's queue now. */
  wakeAsync?(name: string): void;
}

/** Management routes under a function besides its own record. */
const MANAGED_UNDER_FUNCTION = [
  '/functions/:name/invocations/*',
  '/functions/:name/dead-letters',
  '/functions/:name/dead-letters/*',
  '/functions/:name/schedules',
  '/functions/:name/schedules/*',
];

/** A `.` or `..` path segment, plain or percent-encoded, before the query. */
const DOT_SEGMENT = /^[^?#]*\/(\.|%2e){1,2}(\/|\?|#|$)/i;

/** The HTTP API of docs/api.md as a Hono app; `server.ts` puts it on a port. */
export function createApp(deps: AppDeps) {
  const app = new Hono();
  app.use(async function instanceHeader(c, next) {
    c.header('X-Instance-Id', deps.instanceId);
    await next();
    if (deps.traffic.draining) c.header('Connection', 'close'); // graceful shutdown
  });
  app.use(async function refuseDotSegments(c, next) {
    // URL parsing resolves dot segments before routing; a name must never come from one.
    const raw = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.url;
    if (raw !== undefined && DOT_SEGMENT.test(raw)) {
      throw new MiniLambdaError('InvalidName', 'Path segments "." and ".." are not allowed');
    }
    await next();
  });

  const manage = bearerAuth([deps.apiKey]);
  const invoke = bearerAuth(deps.invokeKey ? [deps.invokeKey, deps.apiKey] : []);
  app.use('/functions/:name/invoke', async function invokeAuth(c, next) {
    // A function's console output is for its owner: `?log=tail` needs the management key.
    return c.req.query('log') === 'tail' ? manage(c, next) : invoke(c, next);
  });
  app.on(['PUT', 'GET', 'PATCH', 'DELETE'], ['/functions', '/functions/:name'], manage);
  for (const path of MANAGED_UNDER_FUNCTION) app.use(path, manage);

  app.route('/', introspectionRoutes(deps));
  app.route('/', invokeRoutes(deps));
  // A trigger checks the invoke key itself, once it knows whether the function is public.
  app.route('/', httpTriggerRoutes({ ...deps, ...(deps.invokeKey ? { invokeAuth: invoke } : {}) }));
  app.route('/', functionRoutes(deps));
  app.route('/', invocationRoutes(deps));
  app.route('/', deadLetterRoutes(deps));
  app.route('/', scheduleRoutes(deps));
  app.notFound((c) => {
    const error = new MiniLambdaError(
      'NotFound',
      `No route for ${c.req.method} ${new URL(c.req.url).pathname}`,
    );
    return sendError(c, error);
  });
  app.onError(createErrorHandler(deps.log));
  return app;
}

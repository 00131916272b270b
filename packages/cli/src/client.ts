import type { FunctionConfigPatch } from '@mini-lambda/core';
import type { z } from 'zod';
import { apiErrorFrom, type RequestAuth } from './api-error.ts';
import {
  asyncAcceptedSchema,
  configUpdateSchema,
  type DeadLetter,
  type DeployResult,
  deadLetterListSchema,
  deployResultSchema,
  type FunctionInfo,
  type FunctionSummary,
  functionInfoSchema,
  functionListSchema,
  type InvocationStatus,
  invocationStatusSchema,
  type RemoteFunctionConfig,
  redriveResultSchema,
  type Schedule,
  scheduleListSchema,
  scheduleSchema,
} from './api-schemas.ts';
import { failure } from './cli-error.ts';
import type { CliConfig } from './config.ts';

/** Config sent as query parameters on deploy (docs/api.md). */
export interface DeployQuery {
  timeout_ms?: number | undefined;
  memory_mb?: number | undefined;
  max_concurrency?: number | undefined;
  max_subrequests?: number | undefined;
  /** Sent as `public=true|false`. */
  public?: boolean | undefined;
  entry?: string | undefined;
}

/** What the invoke headers say about one invocation. */
export interface InvocationMeta {
  invocationId: string | null;
  version: string | null;
  coldStart: string | null;
  durationMs: string | null;
}

/** The mini-lambda HTTP API as the CLI uses it; error answers throw ApiError. */
export interface Client {
  readonly url: string;
  deploy(
    name: string,
    body: Uint8Array,
    contentType: string,
    query: DeployQuery,
  ): Promise<DeployResult>;
  list(): Promise<FunctionSummary[]>;
  info(name: string): Promise<FunctionInfo>;
  updateConfig(name: string, patch: FunctionConfigPatch): Promise<RemoteFunctionConfig>;
  remove(name: string): Promise<void>;
  /** Answers the raw result body on 200; other statuses throw ApiError carrying the headers. */
  invoke(
    name: string,
    event: string | Uint8Array,
    version?: number,
  ): Promise<{ body: string; meta: InvocationMeta }>;
  /** Queues the event (`X-Invocation-Type: Event`) and answers its invocation id. */
  invokeAsync(name: string, event: string | Uint8Array, version?: number): Promise<string>;
  invocation(name: string, id: string): Promise<InvocationStatus>;
  /** PUT: `created` is true when the schedule is new (201), false when it was replaced. */
  putSchedule(
    name: string,
    schedule: string,
    body: ScheduleBody,
  ): Promise<{ schedule: Schedule; created: boolean }>;
  schedules(name: string): Promise<Schedule[]>;
  schedule(name: string, schedule: string): Promise<Schedule>;
  removeSchedule(name: string, schedule: string): Promise<void>;
  deadLetters(name: string, limit?: number): Promise<DeadLetter[]>;
  /** Queues dead letters again (all of them without ids); answers the ids queued. */
  /** One call: the ids queued, and whether dead letters were left for another call. */
  redrive(name: string, ids?: readonly string[]): Promise<{ ids: string[]; more: boolean }>;
  removeDeadLetter(name: string, id: string): Promise<void>;
}

/** The body of `PUT /functions/:name/schedules/:schedule`. */
export interface ScheduleBody {
  expression: string;
  event?: unknown;
  timezone?: string;
  enabled?: boolean;
}

interface RequestOptions {
  method: string;
  path: string;
  auth: RequestAuth['kind'];
  query?: Record<string, string | number | boolean | undefined>;
  body?: string | Uint8Array;
  contentType?: string;
  headers?: Record<string, string>;
}

export function createClient(config: CliConfig): Client {
  /** Sends one request and hands the successful response to `read`; errors become ours. */
  async function call<T>(options: RequestOptions, read: (response: Response) => Promise<T>) {
    const key = options.auth === 'api' ? config.apiKey : config.invokeKey;
    const headers: Record<string, string> = { ...options.headers };
    if (key !== undefined) headers.authorization = `Bearer ${key}`;
    if (options.contentType) headers['content-type'] = options.contentType;
    const url = new URL(`${config.url}${options.path}`);
    for (const [k, v] of Object.entries(options.query ?? {}))
      if (v !== undefined) url.searchParams.set(k, String(v));
    let response: Response;
    try {
      response = await fetch(url, { method: options.method, headers, body: options.body ?? null });
    } catch (err) {
      throw failure(
        `Cannot reach mini-lambda at ${config.url}: ${reasonOf(err)}. Is the server running (make dev)?`,
      );
    }
    try {
      if (!response.ok)
        throw await apiErrorFrom(response, { kind: options.auth, sent: key !== undefined });
      return await read(response);
    } catch (err) {
      if (isBodyReadError(err))
        throw failure(`The connection to ${config.url} broke during the answer: ${reasonOf(err)}`);
      throw err;
    }
  }

  /** Parses a JSON body with its schema: a body of another shape is a clear failure, not a crash. */
  function json<S extends z.ZodType>(schema: S, what: string) {
    return async (response: Response): Promise<z.output<S>> => {
      const text = await response.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw unexpected(what, 'it is not JSON');
      }
      const parsed = schema.safeParse(body);
      if (parsed.success) return parsed.data;
      const issue = parsed.error.issues[0];
      throw unexpected(what, issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : '');
    };
  }

  function unexpected(what: string, why: string) {
    return failure(
      `The server at ${config.url} answered ${what} with an unexpected body (${why}). ` +
        'Are the CLI and the server from the same version?',
    );
  }

  const fn = (name: string) => `/functions/${encodeURIComponent(name)}`;
  const sub = (name: string, kind: string, id?: string) =>
    `${fn(name)}/${kind}${id === undefined ? '' : `/${encodeURIComponent(id)}`}`;
  const discard = async (response: Response) => {
    await response.body?.cancel();
  };
  const jsonBody = (body: unknown) => ({
    body: JSON.stringify(body),
    contentType: 'application/json',
  });

  return {
    url: config.url,
    deploy: (name, body, contentType, query) =>
      call(
        { method: 'PUT', path: fn(name), auth: 'api', body, contentType, query: { ...query } },
        json(deployResultSchema, `PUT ${fn(name)}`),
      ),
    list: () =>
      call(
        { method: 'GET', path: '/functions', auth: 'api' },
        json(functionListSchema, 'GET /functions'),
      ).then((body) => body.functions),
    info: (name) =>
      call(
        { method: 'GET', path: fn(name), auth: 'api' },
        json(functionInfoSchema, `GET ${fn(name)}`),
      ),
    updateConfig: (name, patch) =>
      call(
        {
          method: 'PATCH',
          path: fn(name),
          auth: 'api',
          body: JSON.stringify(patch),
          contentType: 'application/json',
        },
        json(configUpdateSchema, `PATCH ${fn(name)}`),
      ),
    remove: (name) => call({ method: 'DELETE', path: fn(name), auth: 'api' }, discard),
    invoke: (name, event, version) =>
      call(
        {
          method: 'POST',
          path: `${fn(name)}/invoke`,
          auth: 'invoke',
          body: event,
          contentType: 'application/json',
          query: { version },
        },
        async (response) => ({
          body: await response.text(),
          meta: invocationMeta(response.headers),
        }),
      ),
    invokeAsync: (name, event, version) =>
      call(
        {
          method: 'POST',
          path: `${fn(name)}/invoke`,
          auth: 'invoke',
          body: event,
          contentType: 'application/json',
          headers: { 'x-invocation-type': 'Event' },
          query: { version },
        },
        json(asyncAcceptedSchema, `POST ${fn(name)}/invoke (async)`),
      ).then((body) => body.invocation_id),
    invocation: (name, id) =>
      call(
        { method: 'GET', path: sub(name, 'invocations', id), auth: 'api' },
        json(invocationStatusSchema, `GET ${sub(name, 'invocations', id)}`),
      ),
    putSchedule: (name, schedule, body) => {
      const path = sub(name, 'schedules', schedule);
      return call({ method: 'PUT', path, auth: 'api', ...jsonBody(body) }, async (response) => ({
        schedule: await json(scheduleSchema, `PUT ${path}`)(response),
        created: response.status === 201,
      }));
    },
    schedules: (name) =>
      call(
        { method: 'GET', path: sub(name, 'schedules'), auth: 'api' },
        json(scheduleListSchema, `GET ${sub(name, 'schedules')}`),
      ).then((body) => body.schedules),
    schedule: (name, schedule) =>
      call(
        { method: 'GET', path: sub(name, 'schedules', schedule), auth: 'api' },
        json(scheduleSchema, `GET ${sub(name, 'schedules', schedule)}`),
      ),
    removeSchedule: (name, schedule) =>
      call({ method: 'DELETE', path: sub(name, 'schedules', schedule), auth: 'api' }, discard),
    deadLetters: (name, limit) =>
      call(
        { method: 'GET', path: sub(name, 'dead-letters'), auth: 'api', query: { limit } },
        json(deadLetterListSchema, `GET ${sub(name, 'dead-letters')}`),
      ).then((body) => body.dead_letters),
    redrive: (name, ids) => {
      const path = `${sub(name, 'dead-letters')}/redrive`;
      return call(
        { method: 'POST', path, auth: 'api', ...(ids ? jsonBody({ ids }) : {}) },
        json(redriveResultSchema, `POST ${path}`),
      ).then((body) => ({ ids: body.redriven, more: body.more ?? false }));
    },
    removeDeadLetter: (name, id) =>
      call({ method: 'DELETE', path: sub(name, 'dead-letters', id), auth: 'api' }, discard),
  };
}

/** The headers docs/api.md puts on an invocation's answer, success or not. */
export function invocationMeta(headers: Headers): InvocationMeta {
  return {
    invocationId: headers.get('x-invocation-id'),
    version: headers.get('x-function-version'),
    coldStart: headers.get('x-cold-start'),
    durationMs: headers.get('x-duration-ms'),
  };
}

/** undici wraps the socket error (ECONNREFUSED, ENOTFOUND…) as `cause` of "fetch failed". */
function reasonOf(err: unknown): string {
  const cause = (err as { cause?: unknown }).cause ?? err;
  if (cause instanceof AggregateError) {
    // Several addresses tried (localhost: ::1 and 127.0.0.1): the first says enough.
    const first = cause.errors[0];
    if (first instanceof Error && first.message) return first.message;
  }
  if (cause instanceof Error)
    return cause.message || String((cause as { code?: unknown }).code ?? cause.name);
  return String(cause);
}

/** A failure of the socket while the body streams in (not an answer of ours). */
function isBodyReadError(err: unknown): boolean {
  return err instanceof TypeError && (err as { cause?: unknown }).cause !== undefined;
}

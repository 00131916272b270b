// Shared by the asynchronous-invocation and schedule API tests.
import { startPostgres } from '@mini-lambda/testkit/postgres';
import { until } from '@mini-lambda/testkit/wait';
import { auth, type TestInstance, testInstance } from './instance.ts';

export type Json = Record<string, unknown>;

/** An instance on embedded PGlite, and one on a real PostgreSQL. */
export const BACKENDS = ['embedded', 'postgresql'] as const;

/**
 * A test instance on `backend` with async delivery and schedules running; `close` also
 * stops the PostgreSQL it started.
 */
export async function instanceOn(
  backend: (typeof BACKENDS)[number],
  env: Record<string, string> = {},
): Promise<TestInstance> {
  if (backend === 'embedded') {
    const t = await testInstance(env);
    t.instance.startAsync();
    return t;
  }
  const pg = await startPostgres();
  const t = await testInstance({ ...env, DATABASE_URL: pg.url });
  t.instance.startAsync();
  return {
    ...t,
    async close() {
      await t.close();
      await pg.stop();
    },
  };
}

export const json = async (res: Response) => (await res.json()) as Json;
export const errorCode = async (res: Response) =>
  ((await json(res)).error as { code: string }).code;

/** A management request (the API key, JSON body when given). */
export function manage(t: TestInstance, method: string, path: string, body?: unknown) {
  return t.request(path, {
    method,
    headers: { ...auth, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
}

/** `X-Invocation-Type: Event`; the 202's invocation id (throws on anything else). */
export async function invokeAsync(
  t: TestInstance,
  name: string,
  event: unknown,
  query = '',
  headers: Record<string, string> = {},
) {
  const res = await t.request(`/functions/${name}/invoke${query}`, {
    method: 'POST',
    headers: { ...headers, 'X-Invocation-Type': 'Event' },
    body: JSON.stringify(event),
  });
  if (res.status !== 202)
    throw new Error(`async invoke ${name}: ${res.status} ${await res.text()}`);
  return (await json(res)).invocation_id as string;
}

/** The status JSON once its status is one of `states`. */
export async function statusOnce(
  t: TestInstance,
  name: string,
  id: string,
  states: string[],
  timeoutMs = 20_000,
): Promise<Json> {
  let last: Json = {};
  try {
    await until(
      async () => {
        const res = await manage(t, 'GET', `/functions/${name}/invocations/${id}`);
        last = await json(res);
        return res.status === 200 && states.includes(last.status as string);
      },
      { timeoutMs, intervalMs: 50 },
    );
  } catch (err) {
    throw new Error(`${name}/${id} never reached ${states.join('|')}: ${JSON.stringify(last)}`, {
      cause: err,
    });
  }
  return last;
}

export async function patchConfig(t: TestInstance, name: string, config: Json) {
  const res = await manage(t, 'PATCH', `/functions/${name}`, config);
  if (res.status !== 200) throw new Error(`patch ${name}: ${res.status} ${await res.text()}`);
}

export async function deadLetters(t: TestInstance, name: string, query = '') {
  const res = await manage(t, 'GET', `/functions/${name}/dead-letters${query}`);
  if (res.status !== 200)
    throw new Error(`dead letters ${name}: ${res.status} ${await res.text()}`);
  return (await json(res)).dead_letters as Json[];
}

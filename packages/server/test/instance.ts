import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInstance, type Instance, parseServerConfig } from '../src/index.ts';
import type { InstanceOverrides } from '../src/server.ts';

export const API_KEY = 'test-api-key-0123456789';
export const auth = { Authorization: `Bearer ${API_KEY}` };

export interface TestInstance {
  instance: Instance;
  request: (path: string, init?: RequestInit) => Promise<Response>;
  /** PUT a TypeScript module; returns the response. */
  deploy: (name: string, source: string, query?: string) => Promise<Response>;
  invoke: (name: string, body?: string, query?: string) => Promise<Response>;
  close: () => Promise<void>;
}

/**
 * A whole instance (embedded PGlite + files in a temp dir, real isolates and bundler),
 * spoken to through `app.request`: no port, nothing to install. `overrides`: what only
 * code may set, such as a fake sandbox's entry.
 */
export async function testInstance(
  env: Record<string, string> = {},
  overrides: InstanceOverrides = {},
): Promise<TestInstance> {
  const dataDir = await mkdtemp(join(tmpdir(), 'ml-server-'));
  const instance = await createInstance(
    parseServerConfig({
      DATA_DIR: dataDir,
      MINI_LAMBDA_API_KEY: API_KEY,
      INSTANCE_ID: 'test-1',
      LOG_LEVEL: 'silent',
      ...env,
    }),
    overrides,
  );
  const request = async (path: string, init?: RequestInit) =>
    instance.app.request(`http://localhost${path}`, init);
  return {
    instance,
    request,
    deploy: (name, source, query = '') =>
      request(`/functions/${name}${query}`, {
        method: 'PUT',
        headers: { ...auth, 'Content-Type': 'application/typescript' },
        body: source,
      }),
    invoke: (name, body, query = '') =>
      request(`/functions/${name}/invoke${query}`, {
        method: 'POST',
        ...(body === undefined ? {} : { body }),
      }),
    async close() {
      await instance.dispose();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Deploys and checks it worked (tests about other things). */
export async function deployed(t: TestInstance, name: string, source: string, query = '') {
  const res = await t.deploy(name, source, query);
  if (res.status !== 201) throw new Error(`deploy ${name}: ${res.status} ${await res.text()}`);
  return (await res.json()) as { version: number; sha256: string };
}

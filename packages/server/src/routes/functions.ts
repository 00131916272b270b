import type { BundleInput } from '@mini-lambda/bundler';
import {
  type FunctionConfigPatch,
  type FunctionVersion,
  functionNotFound,
  MiniLambdaError,
  parseFunctionConfigPatch,
  parseFunctionName,
} from '@mini-lambda/core';
import type { Registry } from '@mini-lambda/store';
import { Hono } from 'hono';
import { type BodyBudget, readBody } from '../body.ts';
import type { Deployer } from '../deployer.ts';
import type { FunctionDirectory } from '../function-directory.ts';
import { parseJsonBody } from '../json-body.ts';

/** docs/api.md: an archive may be up to 50 MB; a config patch is small. */
const DEPLOY_BODY_LIMIT = 50 * 1024 * 1024;
const PATCH_BODY_LIMIT = 64 * 1024;

const MEDIA_TYPES: Record<string, (body: Buffer, entry?: string) => BundleInput> = {
  'application/javascript': (body) => module(body, false),
  'text/javascript': (body) => module(body, false),
  'application/typescript': (body) => module(body, true),
  'text/typescript': (body) => module(body, true),
  'application/zip': (zip, entry) => ({ kind: 'archive', zip, ...(entry ? { entry } : {}) }),
  'application/x-zip-compressed': (zip, entry) => ({
    kind: 'archive',
    zip,
    ...(entry ? { entry } : {}),
  }),
};

function module(body: Buffer, typescript: boolean): BundleInput {
  return { kind: 'module', source: body.toString('utf8'), typescript };
}

export interface FunctionRouteDeps {
  registry: Registry;
  deployer: Deployer;
  bodies: BodyBudget;
  /** Told of patches and deletes made through this instance (deploys go through the deployer). */
  directory: Pick<FunctionDirectory, 'changed'>;
}

/** The management API: deploy, list, describe, configure, delete (auth is the caller's). */
export function functionRoutes(deps: FunctionRouteDeps) {
  return new Hono()
    .put('/functions/:name', async (c) => {
      const name = parseFunctionName(c.req.param('name'));
      const { entry, config } = parseDeployQuery(c.req.query());
      const mediaType =
        (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      const toInput = MEDIA_TYPES[mediaType];
      if (!toInput) {
        throw new MiniLambdaError(
          'UnsupportedMediaType',
          `Content-Type ${JSON.stringify(mediaType)} is not supported: send application/javascript, application/typescript or application/zip`,
        );
      }
      if (entry !== undefined && !mediaType.includes('zip')) {
        throw new MiniLambdaError('InvalidConfig', 'entry applies to zip uploads only');
      }
      const input = toInput(await readBody(c, DEPLOY_BODY_LIMIT, deps.bodies), entry);
      if (config) await checkDestinations(deps.registry, name, config);
      const { version, warnings } = await deps.deployer.deploy(name, input, config);
      return c.json({ ...versionJson(version), warnings }, 201);
    })
    .get('/functions', async (c) => {
      const functions = await deps.registry.list();
      return c.json({
        functions: functions.map((f) => ({
          name: f.name,
          latest_version: f.latestVersion,
          updated_at: f.updatedAt.toISOString(),
        })),
      });
    })
    .get('/functions/:name', async (c) => {
      const name = parseFunctionName(c.req.param('name'));
      const details = await deps.registry.details(name);
      if (!details) throw functionNotFound(name);
      return c.json({
        name: details.name,
        latest_version: details.latestVersion,
        updated_at: details.updatedAt.toISOString(),
        config: details.config,
        versions: details.versions.map((v) => ({
          version: v.version,
          sha256: v.sha256,
          size: v.size,
          handler: v.handler,
          created_at: v.createdAt.toISOString(),
        })),
      });
    })
    .patch('/functions/:name', async (c) => {
      const name = parseFunctionName(c.req.param('name'));
      const patch = parseFunctionConfigPatch(parseJsonBody(await readBody(c, PATCH_BODY_LIMIT)));
      await checkDestinations(deps.registry, name, patch);
      const config = await deps.registry.patch(name, patch);
      if (!config) throw functionNotFound(name);
      deps.directory.changed({ name, op: 'patch' });
      return c.json(config);
    })
    .delete('/functions/:name', async (c) => {
      const name = parseFunctionName(c.req.param('name'));
      if (!(await deps.registry.remove(name))) throw functionNotFound(name);
      deps.directory.changed({ name, op: 'delete' });
      return c.body(null, 204);
    });
}

/**
 * `async.on_success` and `on_failure` must name functions that exist now (a function may
 * name itself; a loop is bounded at delivery). One deleted later drops its records then.
 */
async function checkDestinations(
  registry: Pick<Registry, 'version'>,
  name: string,
  config: FunctionConfigPatch,
): Promise<void> {
  for (const key of ['on_success', 'on_failure'] as const) {
    const destination = config.async?.[key];
    if (destination === undefined || destination === name) continue;
    if (!(await registry.version(destination))) {
      throw new MiniLambdaError(
        'InvalidConfig',
        `async.${key} names function ${destination}, which does not exist`,
        { destination },
      );
    }
  }
}

function versionJson(v: FunctionVersion) {
  return {
    name: v.name,
    version: v.version,
    sha256: v.sha256,
    size: v.size,
    handler: v.handler,
    created_at: v.createdAt.toISOString(),
  };
}

const NUMBER_QUERY = ['timeout_ms', 'memory_mb', 'max_concurrency', 'max_subrequests'] as const;
const BOOLEAN_QUERY = ['public'] as const;

/** `?entry=` and scalar config as query parameters; anything else is refused, not ignored. */
function parseDeployQuery(query: Record<string, string>): {
  entry?: string;
  config?: FunctionConfigPatch;
} {
  const raw: Record<string, number | boolean> = {};
  for (const [key, value] of Object.entries(query)) {
    if (key === 'entry') continue;
    if ((BOOLEAN_QUERY as readonly string[]).includes(key)) {
      if (value !== 'true' && value !== 'false') {
        throw new MiniLambdaError('InvalidConfig', `${key} must be true or false`);
      }
      raw[key] = value === 'true';
      continue;
    }
    if (!(NUMBER_QUERY as readonly string[]).includes(key)) {
      throw new MiniLambdaError('InvalidConfig', `Unknown query parameter ${JSON.stringify(key)}`);
    }
    if (!/^\d{1,9}$/.test(value)) {
      throw new MiniLambdaError('InvalidConfig', `${key} must be a whole number`);
    }
    raw[key] = Number(value);
  }
  const config = Object.keys(raw).length > 0 ? parseFunctionConfigPatch(raw) : undefined;
  return {
    ...(query.entry !== undefined ? { entry: query.entry } : {}),
    ...(config ? { config } : {}),
  };
}

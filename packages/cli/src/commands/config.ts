import type { AsyncConfig, FunctionConfigPatch } from '@mini-lambda/core';
import type { RemoteFunctionConfig } from '../api-schemas.ts';
import { functionNameArg } from '../args.ts';
import {
  ASYNC_OPTIONS,
  ASYNC_OPTIONS_HELP,
  applyAsyncFlags,
  hasAsyncFlags,
} from '../async-flags.ts';
import { EXIT, usageError } from '../cli-error.ts';
import { defineCommand } from '../command.ts';
import { CONFIG_OPTIONS, CONFIG_OPTIONS_HELP, configFlags } from '../config-flags.ts';
import { parseEgressFlag } from '../egress-flag.ts';
import { parseEnvFlags } from '../env-flags.ts';
import { formatTable } from '../output.ts';

export const configCommand = defineCommand({
  name: 'config',
  summary: "Show or change a function's config",
  synopsis: '<name> [options]',
  args: ['name'],
  options: {
    ...CONFIG_OPTIONS,
    ...ASYNC_OPTIONS,
    egress: { type: 'string' },
    env: { type: 'string', multiple: true },
    'clear-env': { type: 'boolean' },
    json: { type: 'boolean' },
  },
  details: `Without options, shows the config. With options, changes it (PATCH) and shows
the new config.

Options:
${CONFIG_OPTIONS_HELP}
  --egress POLICY        Where the function's fetch may go: public (the default: any
                         public address), none (no outbound requests), or a comma list
                         of host patterns such as api.stripe.com,*.example.com (only
                         those; *.example.com matches subdomains, not example.com).
                         Private addresses stay refused unless the server's
                         EGRESS_ALLOW lists them. Deploy does not take --egress.
  --env KEY=VALUE        Set an environment variable; repeat for several. KEY= sets an
                         empty string. The variables given REPLACE the whole environment:
                         any variable not given is removed, so pass all of them.
  --clear-env            Remove every environment variable
  --json                 Print the server's answer as JSON

${ASYNC_OPTIONS_HELP}`,
  async run({ values, args }, { out, client }) {
    const name = functionNameArg(args.name, 'config');
    const patch: FunctionConfigPatch = { ...definedOnly(configFlags(values, 'config')) };
    if (values.egress !== undefined) patch.egress = parseEgressFlag(values.egress, 'config');
    if (values.env !== undefined && values['clear-env'])
      throw usageError('Give either --env or --clear-env, not both', 'config');
    if (values.env !== undefined) patch.env = parseEnvFlags(values.env, 'config');
    if (values['clear-env']) patch.env = {};
    if (hasAsyncFlags(values)) {
      applyAsyncFlags({}, values, 'config'); // usage errors before any request
      // Read, change, write: a PATCH replaces the whole async object.
      const current = (await client.info(name)).config.async as Partial<AsyncConfig> | undefined;
      patch.async = applyAsyncFlags(current ?? {}, values, 'config') as AsyncConfig;
    }
    const config =
      Object.keys(patch).length === 0
        ? (await client.info(name)).config
        : await client.updateConfig(name, patch);
    out.result(values.json ? JSON.stringify(config, null, 2) : formatConfig(config));
    return EXIT.ok;
  },
});

/**
 * One `key  value` line per setting (an object's fields as `key.field`, e.g.
 * `async.max_retries`); env variables one per line as KEY=value.
 */
export function formatConfig(config: RemoteFunctionConfig): string {
  const { env, ...settings } = config;
  const show = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));
  const rows = Object.entries(settings).flatMap(([key, value]) =>
    isPlainObject(value) && Object.keys(value).length > 0
      ? Object.entries(value).map(([field, v]) => [`${key}.${field}`, show(v)])
      : [[key, show(value)]],
  );
  const vars = Object.entries(env).map(([key, value]) => `${key}=${value}`);
  if (vars.length === 0) rows.push(['env', '(none)']);
  vars.forEach((line, i) => {
    rows.push([i === 0 ? 'env' : '', line]);
  });
  return formatTable(rows);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

import type { FunctionConfigPatch } from '@mini-lambda/core';
import type { RemoteFunctionConfig } from '../api-schemas.ts';
import { functionNameArg } from '../args.ts';
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
  --json                 Print the server's answer as JSON`,
  async run({ values, args }, { out, client }) {
    const name = functionNameArg(args.name, 'config');
    const patch: FunctionConfigPatch = { ...definedOnly(configFlags(values, 'config')) };
    if (values.egress !== undefined) patch.egress = parseEgressFlag(values.egress, 'config');
    if (values.env !== undefined && values['clear-env'])
      throw usageError('Give either --env or --clear-env, not both', 'config');
    if (values.env !== undefined) patch.env = parseEnvFlags(values.env, 'config');
    if (values['clear-env']) patch.env = {};
    const config =
      Object.keys(patch).length === 0
        ? (await client.info(name)).config
        : await client.updateConfig(name, patch);
    out.result(values.json ? JSON.stringify(config, null, 2) : formatConfig(config));
    return EXIT.ok;
  },
});

/** One `key  value` line per setting; env variables one per line as KEY=value. */
export function formatConfig(config: RemoteFunctionConfig): string {
  const { env, ...settings } = config;
  const rows = Object.entries(settings).map(([key, value]) => [
    key,
    typeof value === 'string' ? value : JSON.stringify(value),
  ]);
  const vars = Object.entries(env).map(([key, value]) => `${key}=${value}`);
  if (vars.length === 0) rows.push(['env', '(none)']);
  vars.forEach((line, i) => {
    rows.push([i === 0 ? 'env' : '', line]);
  });
  return formatTable(rows);
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

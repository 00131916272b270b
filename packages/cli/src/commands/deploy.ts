import type { DeployResult } from '../api-schemas.ts';
import { functionNameArg } from '../args.ts';
import { EXIT, usageError } from '../cli-error.ts';
import { defineCommand } from '../command.ts';
import { CONFIG_OPTIONS, CONFIG_OPTIONS_HELP, configFlags } from '../config-flags.ts';
import { formatBuildMessage, formatBytes } from '../output.ts';
import { contentTypeFor, readUpload } from '../upload.ts';

export const deployCommand = defineCommand({
  name: 'deploy',
  summary: 'Deploy a module, a .zip or a project directory as a new version',
  synopsis: '<name> <path> [options]',
  args: ['name', 'path'],
  options: {
    ...CONFIG_OPTIONS,
    entry: { type: 'string' },
    json: { type: 'boolean' },
    // Accepted only to be refused with advice; see the help below.
    egress: { type: 'string' },
  },
  details: `<path> is one of:
  a .ts/.mts or .js/.mjs file   sent as one ES module
  a .zip file                   sent as is
  a directory                   zipped in memory, node_modules included, .git left out;
                                symlinks are stored as the files they point to

Options:
${CONFIG_OPTIONS_HELP}
  --entry PATH           Entry point inside a directory or .zip (default: package.json
                         "main", else index.ts or index.js)
  --json                 Print the server's answer as JSON

Config flags change the function's config together with the new version; config not
given stays as it was. Deploy does not take --egress (the server sets egress only by
PATCH, so it cannot come with the new version): use 'mini-lambda config <name>
--egress …', before the deploy when the function exists already.

Prints the new version, its handler style (event or fetch) and the function's HTTP
trigger, <server>/fn/<name>. Uploads are limited to 50 MB (and a directory to 10000
files, 200 MB unpacked). A build error prints one line per problem,
file:line:column message, and exits 1.`,
  async run({ values, args }, { out, client }) {
    const name = functionNameArg(args.name, 'deploy');
    if (values.egress !== undefined)
      throw usageError(
        '--egress is not a deploy option (the server sets egress only by PATCH, so it cannot ' +
          `come with the new version); run: mini-lambda config ${name} --egress ${shellWord(values.egress)}`,
        'deploy',
      );
    const config = configFlags(values, 'deploy');
    const type = contentTypeFor(args.path);
    if (values.entry !== undefined && type !== undefined && type !== 'application/zip')
      throw usageError('--entry applies only to a directory or a .zip', 'deploy');
    const upload = await readUpload(args.path, out);
    out.status(`Uploading ${formatBytes(upload.body.length)} to ${client.url}`);
    out.status('Building…');
    const result = await client.deploy(name, upload.body, upload.contentType, {
      ...config,
      entry: values.entry,
    });
    out.result(values.json ? JSON.stringify(result, null, 2) : describeDeploy(result, client.url));
    for (const warning of result.warnings) out.status(`warning: ${formatBuildMessage(warning)}`);
    return EXIT.ok;
  },
});

/** What was deployed, and where and how the function answers HTTP. */
export function describeDeploy(result: DeployResult, serverUrl: string): string {
  const summary =
    `Deployed ${result.name} version ${result.version} (sha256 ${result.sha256.slice(0, 12)}…, ` +
    `${formatBytes(result.size)}, handler ${result.handler})`;
  const trigger = `${serverUrl}/fn/${encodeURIComponent(result.name)}`;
  return `${summary}\nHTTP trigger: ${trigger} (${handlerStyle(result.handler)})`;
}

/** docs/api.md "HTTP triggers": what each handler style is called with. */
function handlerStyle(handler: string): string {
  if (handler === 'event') return 'event-style: receives a Lambda Function URL event';
  if (handler === 'fetch') return 'fetch-style: receives a Request for the path below it';
  return `handler ${handler}`;
}

/** A value as it can be pasted into a shell: bare when safe, else single-quoted. */
function shellWord(value: string): string {
  return /^[\w.,-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

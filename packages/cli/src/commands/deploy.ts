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
  options: { ...CONFIG_OPTIONS, entry: { type: 'string' }, json: { type: 'boolean' } },
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

Uploads are limited to 50 MB (and a directory to 10000 files, 200 MB unpacked).
A build error prints one line per problem, file:line:column message, and exits 1.`,
  async run({ values, args }, { out, client }) {
    const name = functionNameArg(args.name, 'deploy');
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
    if (values.json) out.result(JSON.stringify(result, null, 2));
    else
      out.result(
        `Deployed ${result.name} version ${result.version} (sha256 ${result.sha256.slice(0, 12)}…, ` +
          `${formatBytes(result.size)}, handler ${result.handler})`,
      );
    for (const warning of result.warnings) out.status(`warning: ${formatBuildMessage(warning)}`);
    return EXIT.ok;
  },
});

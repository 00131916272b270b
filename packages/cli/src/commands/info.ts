import { functionNameArg } from '../args.ts';
import { EXIT } from '../cli-error.ts';
import { defineCommand } from '../command.ts';
import { formatBytes, formatTable } from '../output.ts';
import { formatConfig } from './config.ts';

export const infoCommand = defineCommand({
  name: 'info',
  summary: "Show a function's config and versions",
  synopsis: '<name> [--json]',
  args: ['name'],
  options: { json: { type: 'boolean' } },
  details: `Shows every config setting (timeout_ms, memory_mb, max_concurrency, public,
egress, max_subrequests, env, and any the server adds) and each version with its
handler style: event (a Lambda handler) or fetch (a default export with fetch).

Options:
  --json    Print the server's answer as JSON`,
  async run({ values, args }, { out, client }) {
    const info = await client.info(functionNameArg(args.name, 'info'));
    if (values.json) {
      out.result(JSON.stringify(info, null, 2));
      return EXIT.ok;
    }
    const versions = formatTable([
      ['VERSION', 'SHA256', 'SIZE', 'HANDLER', 'CREATED'],
      ...info.versions.map((v) => [
        String(v.version),
        v.sha256.slice(0, 12),
        formatBytes(v.size),
        v.handler ?? '-',
        v.created_at,
      ]),
    ]);
    out.result(
      `${info.name} (latest version ${info.latest_version})\n\n${formatConfig(info.config)}\n\n${versions}`,
    );
    return EXIT.ok;
  },
});

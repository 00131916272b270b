import { EXIT } from '../cli-error.ts';
import { defineCommand } from '../command.ts';
import { formatTable } from '../output.ts';

export const lsCommand = defineCommand({
  name: 'ls',
  summary: 'List the deployed functions',
  synopsis: '[--json]',
  args: [],
  options: { json: { type: 'boolean' } },
  details: `Options:
  --json    Print the server's answer as JSON`,
  async run({ values }, { out, client }) {
    const functions = await client.list();
    if (values.json) out.result(JSON.stringify({ functions }, null, 2));
    else if (functions.length === 0) out.status('No functions deployed yet.');
    else
      out.result(
        formatTable([
          ['NAME', 'VERSION', 'UPDATED'],
          ...functions.map((f) => [f.name, String(f.latest_version), f.updated_at]),
        ]),
      );
    return EXIT.ok;
  },
});

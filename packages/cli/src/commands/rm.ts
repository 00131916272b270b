import { functionNameArg } from '../args.ts';
import { EXIT } from '../cli-error.ts';
import { defineCommand } from '../command.ts';

export const rmCommand = defineCommand({
  name: 'rm',
  summary: 'Delete a function with all its versions',
  synopsis: '<name>',
  args: ['name'],
  options: {},
  details: `Every version goes, and the function's warm isolates on every instance are
drained and disposed. There is no undo.`,
  async run({ args }, { out, client }) {
    const name = functionNameArg(args.name, 'rm');
    await client.remove(name);
    out.result(`Deleted ${name}`);
    return EXIT.ok;
  },
});

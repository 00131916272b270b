// Imported before isolated-vm: on Node >= 20 isolated-vm needs the startup snapshot off,
// and without it isolates crash in ways that look unrelated. Refuse to start instead.
if (!process.execArgv.includes('--no-node-snapshot')) {
  throw new Error(
    'mini-lambda runtime: start node with --no-node-snapshot (isolated-vm requires it), ' +
      'e.g. `node --no-node-snapshot main.ts`',
  );
}

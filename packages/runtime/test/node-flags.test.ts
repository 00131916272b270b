import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('../src/index.ts', import.meta.url));

describe('--no-node-snapshot guard', () => {
  it('refuses to load the runtime without the flag', () => {
    const run = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', `await import(${JSON.stringify(entry)})`],
      {
        encoding: 'utf8',
      },
    );
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/start node with --no-node-snapshot/);
  });

  it('loads with it', () => {
    const run = spawnSync(
      process.execPath,
      [
        '--no-node-snapshot',
        '--input-type=module',
        '-e',
        `await import(${JSON.stringify(entry)}); console.log('loaded')`,
      ],
      { encoding: 'utf8' },
    );
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('loaded');
  });
});

import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { alive, stopChild, until } from '../src/wait.ts';

describe('until', () => {
  it('resolves once the check holds, sync or async', async () => {
    let calls = 0;
    await until(() => ++calls === 3, { intervalMs: 1 });
    expect(calls).toBe(3);
    await until(async () => true);
  });

  it('throws when the check does not hold in time', async () => {
    await expect(until(() => false, { timeoutMs: 30, intervalMs: 5 })).rejects.toThrow(
      'condition not met within 30 ms',
    );
  });
});

describe('alive and stopChild', () => {
  it('sees a child until it is stopped', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
      stdio: 'ignore',
    });
    const pid = child.pid as number;
    expect(alive(pid)).toBe(true);
    await stopChild(child);
    expect(alive(pid)).toBe(false);
    await stopChild(child); // already gone: resolves at once
  });
});

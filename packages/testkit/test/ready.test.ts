import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { waitForReady } from '../src/server-process.ts';

/** A child running `script` with an IPC channel, as the server process is started. */
const child = (script: string) =>
  spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });

describe('waitForReady', () => {
  it('resolves with the ready message and closes the channel', async () => {
    const c = child(
      'process.send({ type: "ready", url: "http://127.0.0.1:1234", port: 1234, instanceId: "x" }); process.on("disconnect", () => process.exit(0))',
    );
    expect(await waitForReady(c)).toEqual({
      type: 'ready',
      url: 'http://127.0.0.1:1234',
      port: 1234,
      instanceId: 'x',
    });
    expect(c.connected).toBe(false);
    await new Promise((r) => c.once('exit', r));
  });

  it('rejects when the child exits first', async () => {
    await expect(waitForReady(child('process.exit(3)'), 'probe')).rejects.toThrow(
      'probe exited with 3 before it was ready',
    );
  });

  it('rejects a message that is not a ready message', async () => {
    const c = child('process.send({ type: "ready", port: "eighty" })');
    await expect(waitForReady(c)).rejects.toThrow('instead of its ready message');
  });
});

import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ServerProcess, startServerProcess } from '../src/server-process.ts';
import { alive } from '../src/wait.ts';

// The real server process says where it listens over its IPC channel.
let server: ServerProcess;
beforeAll(async () => {
  server = await startServerProcess({ INSTANCE_ID: 'kit-1' });
});
afterAll(() => server?.stop());

it('reports its address and instance in a ready message', async () => {
  expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
  expect(server.instanceId).toBe('kit-1');
  const res = await fetch(`${server.url}/health`);
  expect(res.headers.get('x-instance-id')).toBe('kit-1');
});

it('deploys, and stops on SIGTERM with exit code 0', async () => {
  await server.deploy('echo', 'export const handler = (e) => e');
  const res = await fetch(`${server.url}/functions/echo/invoke`, { method: 'POST', body: '7' });
  expect(await res.text()).toBe('7');
  const pid = server.child.pid as number;
  expect(await server.stop()).toBe(0);
  expect(alive(pid)).toBe(false);
});

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('./fixtures/catastrophe.ts', import.meta.url));

describe('catastrophic isolate errors', () => {
  it('fails the call by its deadline, reports unhealthy and kills the process instead of hanging', async () => {
    const child = spawn(process.execPath, ['--no-node-snapshot', fixture], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const spawnedAt = performance.now();
    let guardFired = false;
    const exit = await new Promise<{ code: number | null; signal: string | null }>((resolve) => {
      // Ours, not the runtime's: only so a broken runtime fails this test instead of hanging it.
      const guard = setTimeout(() => {
        guardFired = true;
        child.kill('SIGKILL');
      }, 45_000);
      child.on('exit', (code, signal) => {
        clearTimeout(guard);
        resolve({ code, signal });
      });
    });
    const lifetimeMs = performance.now() - spawnedAt;
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const byName = Object.fromEntries(lines.map((l) => [l.what, l.value]).reverse());
    expect(byName.healthy).toMatchObject({ ok: true, result: '"fine"' });
    expect(byName.bomb).toMatchObject({ ok: false });
    expect(['timeout', 'oom', 'crashed']).toContain(byName.bomb.reason);
    expect(byName.bomb.elapsedMs).toBeLessThan(500 + 1000);
    expect(byName.health).toMatchObject({ ok: false, catastrophicError: expect.any(String) });
    expect(stderr).toMatch(/catastrophic isolate error/);
    expect(exit).toEqual({ code: null, signal: 'SIGKILL' });
    expect(guardFired).toBe(false); // the runtime killed itself, ≈ 1 s after the catastrophe
    expect(lifetimeMs).toBeLessThan(30_000);
  }, 60_000);
});

import { afterAll, describe, expect, it } from 'vitest';
import { createTestRuntime } from './harness.ts';

const t = createTestRuntime();
afterAll(() => t.runtime.dispose());

describe('host operations of one isolate', () => {
  it('run at most 16 at once: work on the thread pool cannot be stopped once started', async () => {
    const fn = t.deploy(
      'many-pbkdf2',
      `export async function handler() {
        const key = await crypto.subtle.importKey('raw', new Uint8Array(16), 'PBKDF2', false, ['deriveBits']);
        const runs = Array.from({ length: 24 }, () =>
          crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: new Uint8Array(8), iterations: 300000 }, key, 256));
        const results = await Promise.allSettled(runs);
        return {
          ok: results.filter((r) => r.status === 'fulfilled').length,
          refused: [...new Set(results.filter((r) => r.status === 'rejected').map((r) => r.reason.name))],
        };
      }`,
      { timeout_ms: 20000 },
    );
    const out = await t.runtime.invoke(fn, '');
    expect(out.ok).toBe(true);
    const { ok, refused } = JSON.parse(out.ok ? out.result : '{}');
    expect(ok).toBeGreaterThanOrEqual(16);
    expect(ok).toBeLessThan(24);
    expect(refused).toEqual(['QuotaExceededError']);
  });
});

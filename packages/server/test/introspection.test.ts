import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployed, type TestInstance, testInstance } from './instance.ts';
import { parsePrometheusText } from './prometheus.ts';

let t: TestInstance;
beforeAll(async () => {
  t = await testInstance();
  await deployed(
    t,
    'probe',
    'export const handler = (e) => { if (e === "boom") throw new Error("x"); return e }',
  );
  await t.invoke('probe', '1');
  await t.invoke('probe', '2');
  await t.invoke('probe', '"boom"');
});
afterAll(() => t.close());

describe('/health', () => {
  it('reports ok with the instance, version, uptime and checks', async () => {
    const res = await t.request('/health');
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      status: 'ok',
      instance_id: 'test-1',
      checks: { database: 'ok', storage: 'ok', runtime: 'ok' },
    });
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(body.uptime_s).toBeGreaterThanOrEqual(0);
  });
});

describe('/stats/pools', () => {
  it('shows each pool with its counters and the totals', async () => {
    const body = (await (await t.request('/stats/pools')).json()) as Record<string, unknown>;
    expect(body.instance_id).toBe('test-1');
    expect(body.totals).toMatchObject({ isolates: 1, busy: 0, idle: 1, waiting: 0 });
    expect(body.pools).toEqual([
      expect.objectContaining({
        function: 'probe',
        version: 1,
        size: 1,
        busy: 0,
        idle: 1,
        waiting: 0,
        max: 8,
        invocations: 3,
        cold_starts: 1,
        errors: 1,
        timeouts: 0,
        evictions: 0,
      }),
    ]);
  });
});

describe('/metrics', () => {
  it('is Prometheus text with the docs/api.md metrics, all labelled with the instance', async () => {
    const res = await t.request('/metrics');
    expect(res.headers.get('content-type')).toContain('text/plain');
    const samples = parsePrometheusText(await res.text());
    const value = (name: string, labels: Record<string, string> = {}) =>
      samples.find(
        (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
      )?.value;
    expect(samples.every((s) => s.labels.instance === 'test-1')).toBe(true);
    expect(value('mini_lambda_invocations_total', { function: 'probe', outcome: 'success' })).toBe(
      2,
    );
    expect(value('mini_lambda_invocations_total', { function: 'probe', outcome: 'error' })).toBe(1);
    expect(value('mini_lambda_cold_starts_total', { function: 'probe' })).toBe(1);
    expect(value('mini_lambda_deployments_total')).toBe(1);
    expect(value('mini_lambda_pool_size', { function: 'probe' })).toBe(1);
    expect(value('mini_lambda_pool_busy', { function: 'probe' })).toBe(0);
    expect(value('mini_lambda_pool_waiting', { function: 'probe' })).toBe(0);
    expect(value('mini_lambda_invocation_duration_seconds_count', { function: 'probe' })).toBe(3);
    expect(value('mini_lambda_cold_start_duration_seconds_count')).toBe(1);
    expect(value('mini_lambda_platform_overhead_seconds_count')).toBe(3);
    expect(value('process_resident_memory_bytes')).toBeGreaterThan(0);
  });
});

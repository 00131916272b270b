import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ServerProcess, startServerProcess } from '@mini-lambda/testkit/server-process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The deployment files as text, and the dashboard's PromQL against a live /metrics: Node
// alone. What needs docker-compose or nginx is in infra.integration.test.ts.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

describe('nginx.conf', () => {
  it('balances least_conn over the three instances with the seed failure settings', () => {
    const conf = read('nginx.conf');
    expect(conf).toMatch(/upstream mini_lambda_backend \{\s+least_conn;/);
    for (const n of [1, 2, 3]) {
      expect(conf).toContain(`server mini-lambda-${n}:8080 max_fails=3 fail_timeout=30s;`);
    }
    expect(conf).toContain('proxy_next_upstream error timeout;');
    expect(conf).toContain('client_max_body_size 50m;');
  });
});

describe('Grafana dashboard', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess();
    await server.deploy('probe', 'export const handler = (e) => e');
    await (
      await fetch(`${server.url}/functions/probe/invoke`, { method: 'POST', body: '1' })
    ).text();
  });
  afterAll(() => server?.stop());

  it('is provisioned with a Prometheus data source', () => {
    expect(read('infra/grafana/provisioning/datasources/prometheus.yml')).toMatch(
      /url: http:\/\/prometheus:9090/,
    );
    expect(read('infra/grafana/provisioning/dashboards/mini-lambda.yml')).toContain(
      '/var/lib/grafana/dashboards',
    );
  });

  it('queries only metrics a live instance exports', async () => {
    const dashboard = JSON.parse(read('infra/grafana/dashboards/mini-lambda.json')) as {
      panels: { type: string; title: string; targets?: { expr: string }[] }[];
    };
    const exported = new Set(
      [...(await (await fetch(`${server.url}/metrics`)).text()).matchAll(/^# TYPE (\S+) /gm)].map(
        (m) => m[1],
      ),
    );
    const used = new Set<string>();
    for (const panel of dashboard.panels) {
      for (const { expr } of panel.targets ?? []) {
        for (const [name] of expr.matchAll(/\b(mini_lambda|process)_[a-z_]+/g)) {
          used.add(name.replace(/_(bucket|count|sum)$/, ''));
        }
      }
    }
    expect(used.size).toBeGreaterThan(8);
    expect([...used].filter((name) => !exported.has(name))).toEqual([]);
    // The async row shows the queue, deliveries, dead letters and schedules.
    expect(dashboard.panels.some((p) => p.type === 'row' && p.title === 'Async & schedules')).toBe(
      true,
    );
    for (const name of [
      'mini_lambda_async_queue_depth',
      'mini_lambda_async_oldest_event_age_seconds',
      'mini_lambda_async_deliveries_total',
      'mini_lambda_async_retries_total',
      'mini_lambda_async_dead_letters_total',
      'mini_lambda_async_destinations_dropped_total',
      'mini_lambda_schedule_ticks_total',
      'mini_lambda_schedule_lag_seconds',
    ]) {
      expect(used).toContain(name);
    }
  });
});

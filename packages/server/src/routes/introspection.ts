import type { Runtime } from '@mini-lambda/runtime';
import { Hono } from 'hono';
import type { HealthMonitor } from '../health.ts';
import type { Metrics } from '../metrics.ts';

export interface IntrospectionDeps {
  instanceId: string;
  version: string;
  startedAt: number;
  health: HealthMonitor;
  runtime: Runtime;
  metrics: Metrics;
}

/** `/health`, `/stats/pools` and `/metrics`: no auth, answered from memory. */
export function introspectionRoutes(deps: IntrospectionDeps) {
  return new Hono()
    .get('/health', async (c) => {
      const report = await deps.health.report();
      const body = {
        status: report.ok ? 'ok' : 'degraded',
        instance_id: deps.instanceId,
        version: deps.version,
        uptime_s: Math.round((performance.now() - deps.startedAt) / 100) / 10,
        checks: report.checks,
        ...(report.runtimeError ? { runtime_error: report.runtimeError } : {}),
        ...(report.sandboxes ? { sandboxes: report.sandboxes } : {}),
        ...(report.durability !== undefined ? { durability: report.durability } : {}),
      };
      return c.json(body, report.ok ? 200 : 503);
    })
    .get('/stats/pools', async (c) => {
      const stats = await deps.runtime.stats();
      return c.json({ instance_id: deps.instanceId, ...stats });
    })
    .get('/metrics', async (c) => {
      const text = await deps.metrics.registry.metrics();
      return c.body(text, 200, { 'Content-Type': deps.metrics.registry.contentType });
    });
}

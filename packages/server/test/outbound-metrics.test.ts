import zlib from 'node:zlib';
import type { RuntimeStats } from '@mini-lambda/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics } from '../src/metrics.ts';
import { createOutboundClient, parseEgressAllow } from '../src/outbound/index.ts';
import { callOf, fetchWith, rejection, startServer } from './outbound-kit.ts';
import { parsePrometheusText } from './prometheus.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

const idle: RuntimeStats = {
  totals: {
    isolates: 0,
    busy: 0,
    idle: 0,
    waiting: 0,
    executing: 0,
    waiting_for_cpu: 0,
    spares: 0,
    spares_taken: 0,
    reserved_memory_mb: 0,
  },
  pools: [],
};

describe('outbound metrics', () => {
  it('count requests by outcome, bytes received and refusals by reason, per function', async () => {
    const gzipped = zlib.gzipSync(Buffer.alloc(10_000, 7));
    const target = await startServer((req, res) => {
      if (req.url === '/big') res.end(Buffer.alloc(2000));
      else {
        res.setHeader('content-encoding', 'gzip');
        res.end(gzipped);
      }
    });
    cleanup.push(() => target.close());
    const metrics = createMetrics('test-instance', async () => idle);
    const client = createOutboundClient({
      allow: parseEgressAllow(`127.0.0.1:${target.port}`),
      maxResponseBytes: 20_000,
      metrics: metrics.outbound,
    });
    cleanup.push(() => client.close());

    await fetchWith(client, `${target.origin}/`, { call: callOf({}, 'alpha') });
    await fetchWith(client, `${target.origin}/big`, { call: callOf({}, 'alpha') });
    await rejection(fetchWith(client, 'http://127.0.0.2:8080/', { call: callOf({}, 'alpha') }));
    await rejection(
      fetchWith(client, `${target.origin}/`, { call: callOf({ egress: 'none' }, 'beta') }),
    );
    await rejection(fetchWith(client, 'ftp://x/', { call: callOf({}, 'beta') }));
    await rejection(
      fetchWith(client, `${target.origin}/`, { call: callOf({ max_subrequests: 0 }, 'beta') }),
    );
    await rejection(
      fetchWith(client, `${target.origin}/`, {
        call: callOf({}, 'beta'),
        signal: AbortSignal.abort(),
      }),
    );
    const closed = target.port; // a server that is gone: a network error
    await target.close();
    await rejection(fetchWith(client, `http://127.0.0.1:${closed}/`, { call: callOf({}, 'beta') }));

    const samples = parsePrometheusText(await metrics.registry.metrics());
    const value = (name: string, labels: Record<string, string>) =>
      samples.find(
        (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
      )?.value;
    const requests = (fn: string, outcome: string) =>
      value('mini_lambda_outbound_requests_total', { function: fn, outcome });
    expect(requests('alpha', 'ok')).toBe(2);
    expect(requests('alpha', 'refused')).toBe(1);
    expect(requests('beta', 'refused')).toBe(2);
    expect(requests('beta', 'limit')).toBe(1);
    expect(requests('beta', 'aborted')).toBe(1);
    expect(requests('beta', 'error')).toBe(1);
    // Bytes as received: the gzip body as sent, not the 10,000 it decodes to.
    expect(value('mini_lambda_outbound_response_bytes_total', { function: 'alpha' })).toBe(
      gzipped.length + 2000,
    );
    const refusals = (fn: string, reason: string) =>
      value('mini_lambda_egress_refusals_total', { function: fn, reason });
    expect(refusals('alpha', 'non_public_address')).toBe(1);
    expect(refusals('beta', 'egress_none')).toBe(1);
    expect(refusals('beta', 'scheme')).toBe(1);
    // Never a URL in a label.
    for (const s of samples.filter(
      (x) => x.name.includes('outbound') || x.name.includes('egress'),
    )) {
      expect(Object.keys(s.labels).sort()).toEqual(
        s.name === 'mini_lambda_outbound_response_bytes_total'
          ? ['function', 'instance']
          : ['function', 'instance', s.name.includes('egress') ? 'reason' : 'outcome'].sort(),
      );
    }

    metrics.forget('alpha');
    const after = parsePrometheusText(await metrics.registry.metrics());
    expect(after.some((s) => s.labels.function === 'alpha')).toBe(false);
    expect(after.some((s) => s.labels.function === 'beta')).toBe(true);
  });
});

// The cluster as the benchmark speaks to it over HTTP: warm every instance through nginx,
// and count each instance's invocations of a function from its own /metrics.
import { connect } from '../server-api.ts';

/**
 * Invokes through `base` until every id in `ids` has answered (X-Instance-Id), so that no
 * instance pays its cold start inside the measurement; returns how many invokes it took.
 */
export async function warmEvery(
  base: string,
  name: string,
  event: string,
  ids: string[],
): Promise<number> {
  const missing = new Set(ids);
  for (let calls = 1; calls <= 300; calls++) {
    const res = await fetch(`${base}/functions/${name}/invoke`, { method: 'POST', body: event });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`warm-up invoke: ${res.status}`);
    missing.delete(res.headers.get('x-instance-id') ?? '');
    if (missing.size === 0) return calls;
  }
  throw new Error(`instances ${[...missing].join(', ')} never answered through nginx`);
}

/**
 * `mini_lambda_invocations_total` of one function on one instance, all outcomes summed, on
 * a connection closed afterwards: an instance stopping gracefully waits (up to 5 s) for
 * its peers to close idle connections, as fetch would leave them.
 */
export async function invocationsOf(instanceUrl: string, fn: string): Promise<number> {
  const client = connect(instanceUrl);
  try {
    return await client.metric('mini_lambda_invocations_total', `function="${fn}"`);
  } finally {
    client.close();
  }
}

/** Every instance's count, keyed by instance id. */
export async function invocationsByInstance(
  instances: { id: string; url: string }[],
  fn: string,
): Promise<Record<string, number>> {
  const counts = await Promise.all(instances.map((i) => invocationsOf(i.url, fn)));
  return Object.fromEntries(instances.map((i, n) => [i.id, counts[n] ?? 0]));
}

/** What each instance served between two counts, and its share of the total. */
export function spread(before: Record<string, number>, after: Record<string, number>) {
  const served = Object.fromEntries(
    Object.entries(after).map(([id, n]) => [id, n - (before[id] ?? 0)]),
  );
  const total = Object.values(served).reduce((a, b) => a + b, 0);
  const share = Object.fromEntries(
    Object.entries(served).map(([id, n]) => [id, total ? Number((n / total).toFixed(3)) : 0]),
  );
  return { served, share, total };
}

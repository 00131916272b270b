// The cluster as the benchmark speaks to it over HTTP: deploy through nginx, warm every
// instance, and count each instance's invocations of a function from its own /metrics.
import { get } from 'node:http';

/** Deploys a JavaScript module through `base` (nginx); throws unless the answer is 201. */
export async function deploy(
  base: string,
  apiKey: string,
  name: string,
  source: string,
  query = '',
): Promise<void> {
  const res = await fetch(`${base}/functions/${name}${query}`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/javascript' },
    body: source,
  });
  if (res.status !== 201) throw new Error(`deploy ${name}: ${res.status} ${await res.text()}`);
}

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

/** `mini_lambda_invocations_total` of one function on one instance, all outcomes summed. */
export async function invocationsOf(instanceUrl: string, fn: string): Promise<number> {
  const text = await getClosing(`${instanceUrl}/metrics`);
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('mini_lambda_invocations_total{')) continue;
    if (!line.includes(`function="${fn}"`)) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
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

/**
 * GET on a connection of its own that closes after the answer. fetch would keep it open
 * for reuse, and an instance stopping gracefully waits (up to 5 s) for its peers to close
 * idle connections: each stop at the end of the run would take that long.
 */
function getClosing(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () =>
        res.statusCode === 200 ? resolve(body) : reject(new Error(`${url}: ${res.statusCode}`)),
      );
      res.on('error', reject);
    }).on('error', reject);
  });
}

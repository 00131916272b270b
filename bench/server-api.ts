// A small HTTP client over one server for the benchmarks: deploy that
// returns the 201 answer (the shared helper drops it), timed invokes that keep the
// invocation headers, and histogram totals from /metrics. It uses node:http with its own
// keep-alive connections that close() ends: the server's graceful stop waits up to 5 s for
// idle keep-alive peers to go, and fetch's pooled connections cannot be closed on demand.
import { Agent, type IncomingHttpHeaders, request } from 'node:http';
import { PROCESS_KEY } from '@mini-lambda/testkit/server-process';

/** One answer, with the client-side time from sending to having read the whole body. */
export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  ms: number;
}

/** The 201 answer of a deploy, as far as the benchmarks read it. */
export interface Deployed {
  name: string;
  version: number;
  sha256: string;
  size: number;
}

/** One invoke as the client saw it, with the server's invocation headers. */
export interface TimedInvoke {
  status: number;
  clientMs: number;
  /** `X-Duration-Ms`: the runtime's own duration of the invocation. */
  durationMs: number;
  coldStart: boolean;
  version: number;
}

/** A Prometheus histogram's totals (all series matching `labels`, summed). */
export interface HistogramTotals {
  sum: number;
  count: number;
}

export type Client = ReturnType<typeof connect>;

/**
 * A client of the server (or nginx) at `url` (loopback), over `sockets` keep-alive
 * connections; deploys with `apiKey`.
 */
export function connect(url: string, sockets = 1, apiKey = PROCESS_KEY) {
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  const send = (method: string, path: string, body = '', headers: Record<string, string> = {}) =>
    new Promise<HttpAnswer>((resolve, reject) => {
      const started = performance.now();
      const req = request(`${url}${path}`, { method, agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            ms: performance.now() - started,
          }),
        );
      });
      req.on('error', reject);
      req.end(body);
    });
  const header = (a: HttpAnswer, name: string) => Number(a.headers[name] ?? Number.NaN);
  const metrics = async () => (await send('GET', '/metrics')).body;

  return {
    url,
    /** POSTs a JSON body to `path`. */
    post: (path: string, body: string) =>
      send('POST', path, body, { 'Content-Type': 'application/json' }),
    /** Deploys one module; throws unless the answer is 201. */
    async deploy(name: string, source: string, query = ''): Promise<Deployed> {
      const a = await send('PUT', `/functions/${name}${query}`, source, {
        Authorization: `Bearer ${apiKey}`,
        'Content-Type': 'application/javascript',
      });
      if (a.status !== 201) throw new Error(`deploy ${name}: ${a.status} ${a.body}`);
      return JSON.parse(a.body) as Deployed;
    },
    async invoke(name: string, event: string): Promise<TimedInvoke> {
      const a = await send('POST', `/functions/${name}/invoke`, event, {
        'Content-Type': 'application/json',
      });
      return {
        status: a.status,
        clientMs: a.ms,
        durationMs: header(a, 'x-duration-ms'),
        coldStart: a.headers['x-cold-start'] === 'true',
        version: header(a, 'x-function-version'),
      };
    },
    /** The sum of the series of metric `name` whose labels contain `labels`, from /metrics. */
    metric: async (name: string, labels = '') => seriesSum(await metrics(), name, labels),
    /** Reads the `_sum` and `_count` of histogram `name` from one `GET /metrics`. */
    async histogram(name: string, labels = ''): Promise<HistogramTotals> {
      const text = await metrics();
      return {
        sum: seriesSum(text, `${name}_sum`, labels),
        count: seriesSum(text, `${name}_count`, labels),
      };
    },
    close: () => agent.destroy(),
  };
}

/** The sum of the values of metric `name`'s series whose labels contain `labels`. */
function seriesSum(text: string, name: string, labels: string): number {
  let value = 0;
  for (const line of text.split('\n')) {
    const at = line.startsWith(`${name}{`) || line.startsWith(`${name} `);
    if (at && (labels === '' || line.includes(labels)))
      value += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return value;
}

/** Mean in ms of what a histogram (in seconds) recorded between two reads. */
export function meanMsBetween(before: HistogramTotals, after: HistogramTotals): number {
  const count = after.count - before.count;
  return count > 0 ? round(((after.sum - before.sum) / count) * 1000, 3) : Number.NaN;
}

/** The `p` quantile (0–1) of `xs`, nearest rank. */
export function percentile(xs: number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

export const round = (x: number, digits = 2) => Number(x.toFixed(digits));

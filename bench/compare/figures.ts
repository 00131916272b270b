// The figures the before → after comparison reads from each scenario's results file. A
// figure is either a ratio to a baseline measured in the same run (so the two trees'
// values are comparable even when the machine's load moved between them) or an absolute
// value, which only the alternation (A B A B) protects.

export interface Figure {
  what: string;
  /** `ratio`: to a baseline of the same run; `absolute`: a value of its own. */
  kind: 'ratio' | 'absolute';
  /** Which way is better, to read the after / before column. */
  better: 'higher' | 'lower';
  /** Dotted path into the results JSON. */
  path: string;
}

/** Scenarios the comparison knows, each with the figures it reads. */
export const FIGURES = {
  warm: [
    {
      what: 'warm hello, mini-lambda / bare Hono (req/s)',
      kind: 'ratio',
      better: 'higher',
      path: 'ratios.rps_vs_bare_hono',
    },
    {
      what: 'warm hello, mini-lambda / workerd (req/s)',
      kind: 'ratio',
      better: 'higher',
      path: 'ratios.rps_vs_workerd',
    },
    {
      what: 'warm hello, p99 mini-lambda / bare Hono',
      kind: 'ratio',
      better: 'lower',
      path: 'ratios.p99_vs_bare_hono',
    },
    {
      what: 'warm hello, mini-lambda req/s',
      kind: 'absolute',
      better: 'higher',
      path: 'summary.mini-lambda.rps_median',
    },
    {
      what: 'warm hello, sandboxes CPU µs/req',
      kind: 'absolute',
      better: 'lower',
      path: 'summary.mini-lambda.cpu_us_per_request.sandboxes',
    },
    {
      what: 'warm hello, server CPU µs/req',
      kind: 'absolute',
      better: 'lower',
      path: 'summary.mini-lambda.cpu_us_per_request.server',
    },
  ],
  cold: [
    {
      what: 'cold tiny, first invoke p50, X-Duration-Ms (in the runtime), ms',
      kind: 'absolute',
      better: 'lower',
      path: 'kinds.tiny.first_invoke_x_duration_ms.p50',
    },
    {
      what: 'cold tiny, first invoke p50, end to end, ms',
      kind: 'absolute',
      better: 'lower',
      path: 'kinds.tiny.first_invoke_client_ms.p50',
    },
    {
      what: 'cold tiny, server mean init, ms',
      kind: 'absolute',
      better: 'lower',
      path: 'kinds.tiny.breakdown_mean_ms.init',
    },
  ],
  runtime: [
    {
      what: 'runtime cold start tiny (median, spares on), ms',
      kind: 'absolute',
      better: 'lower',
      path: 'runtime.coldStartTinyMs',
    },
    {
      what: 'runtime cold start tiny / bare isolate + context',
      kind: 'ratio',
      better: 'lower',
      path: 'ratios.coldTinyVsBareIsolateAndContext',
    },
    {
      what: 'runtime cold start tiny, no spares, ms',
      kind: 'absolute',
      better: 'lower',
      path: 'runtime.coldStartTinyNoSparesMs',
    },
    {
      what: 'runtime RSS per idle isolate (in-process), MB',
      kind: 'absolute',
      better: 'lower',
      path: 'runtime.rssPerIdleIsolateMb',
    },
  ],
  density: [
    {
      what: 'RSS per idle warm isolate (sandboxes), MB',
      kind: 'absolute',
      better: 'lower',
      path: 'rss_per_idle_isolate_mb',
    },
    {
      what: 'RSS per function (server + sandboxes), MB',
      kind: 'absolute',
      better: 'lower',
      path: 'rss_per_function_mb',
    },
  ],
} as const satisfies Record<string, readonly Figure[]>;

export type ComparedScenario = keyof typeof FIGURES;

/** The number at `path` in `result` (keys may hold dashes, not dots), or NaN. */
export function pick(result: unknown, path: string): number {
  let at: unknown = result;
  for (const key of path.split('.')) {
    if (at === null || typeof at !== 'object') return Number.NaN;
    at = (at as Record<string, unknown>)[key];
  }
  return typeof at === 'number' ? at : Number.NaN;
}

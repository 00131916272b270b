// One kind of cold start (tiny, ~50 KB, after a redeploy): deploy every upload, time each
// one's first invoke, and split the mean with the server's histograms.
import { median } from '../load.ts';
import {
  type Client,
  type Deployed,
  meanMsBetween,
  percentile,
  round,
  type TimedInvoke,
} from '../server-api.ts';

const INIT = 'mini_lambda_cold_start_duration_seconds';
const OVERHEAD = 'mini_lambda_platform_overhead_seconds';
/** Deploys go in parallel lanes to save time (they are set-up); builds are CPU-bound. */
export const DEPLOY_LANES = 2;

/** One function to deploy as a JavaScript module. */
export interface Upload {
  name: string;
  source: string;
}

const stats = (xs: number[]) => ({
  p50: round(percentile(xs, 0.5), 3),
  p99: round(percentile(xs, 0.99), 3),
});
const mean = (xs: number[]) => round(xs.reduce((a, b) => a + b, 0) / xs.length, 3);

/**
 * Deploys every upload (through `deployer`), then invokes each once, one after another on
 * `client`'s one connection (its cold start), and once more (warm, for comparison). The
 * histograms are read around the first invokes only.
 */
export async function coldKind(client: Client, deployer: Client, uploads: Upload[], event: string) {
  const deployMs: number[] = [];
  const deployed: Deployed[] = [];
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < uploads.length; i = next++) {
      const u = uploads[i] as Upload;
      const started = performance.now();
      deployed[i] = await deployer.deploy(u.name, u.source);
      deployMs.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: DEPLOY_LANES }, lane));

  const before = await Promise.all([client.histogram(INIT), client.histogram(OVERHEAD)]);
  const first: TimedInvoke[] = [];
  for (const u of uploads) first.push(await client.invoke(u.name, event));
  const after = await Promise.all([client.histogram(INIT), client.histogram(OVERHEAD)]);
  const warm: TimedInvoke[] = [];
  for (const u of uploads) warm.push(await client.invoke(u.name, event));

  const e2eMean = mean(first.map((r) => r.clientMs));
  const xDurationMean = mean(first.map((r) => r.durationMs));
  const initMean = meanMsBetween(before[0], after[0]);
  const outsideRuntimeMean = meanMsBetween(before[1], after[1]);
  return {
    functions: uploads.length,
    bundle_bytes_median: median(deployed.map((d) => d.size)),
    deploy_ms_median: round(median(deployMs)),
    first_invoke_client_ms: stats(first.map((r) => r.clientMs)),
    first_invoke_x_duration_ms: stats(first.map((r) => r.durationMs)),
    second_invoke_client_ms: stats(warm.map((r) => r.clientMs)),
    first_invokes_not_cold: first.filter((r) => !r.coldStart).length,
    first_invokes_wrong_version: first.filter((r, i) => r.version !== deployed[i]?.version).length,
    non_2xx: [...first, ...warm].filter((r) => r.status !== 200).length,
    // Means over the first invokes; the four parts add up to the end-to-end mean.
    breakdown_mean_ms: {
      end_to_end: e2eMean,
      http_and_client: round(e2eMean - outsideRuntimeMean - xDurationMean, 3),
      server_outside_runtime: outsideRuntimeMean,
      x_duration_besides_init: round(xDurationMean - initMean, 3),
      init: initMean,
    },
  };
}

export type ColdKind = Awaited<ReturnType<typeof coldKind>>;

/** What each figure of a kind includes, for the results file. */
export const MEASURES = {
  first_invoke_client_ms:
    'request written to whole body read (node:http, one keep-alive connection)',
  first_invoke_x_duration_ms:
    'X-Duration-Ms, the runtime in the sandbox from getting a pool ticket to the outcome: on a cold start the bundle fetch over IPC, isolate set-up, module top level and the call',
  init: `${INIT}: isolate creation (or a spare taken) + compile + module top level; not the bundle fetch`,
  server_outside_runtime: `${OVERHEAD}: invoke route time minus X-Duration-Ms; on a first invoke it includes the registry read (SQL) that follows a deploy`,
  http_and_client: 'the rest: client, loopback TCP, HTTP parsing and writing, Hono middleware',
};

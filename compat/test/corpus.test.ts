// The compatibility corpus: real npm packages (compat/node_modules) deployed as users deploy them,
// a zip of the entry plus its packages, on a real server, invoked, and compared with the same
// handler run in Node. See cases.ts for the cases and EXPECTED_FAILURES below for what does not
// work yet.
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PROCESS_KEY,
  type ServerProcess,
  startServerProcess,
} from '../../packages/testkit/src/server-process.ts';
import { makeZip } from '../../packages/testkit/src/zip.ts';
import { CASES, type CorpusCase, type Fixtures, type Observed } from './cases.ts';
import { uploadFiles } from './closure.ts';
import { firstDifference, markdownTable, type Outcome } from './report.ts';
import { type StandIn, startStandIn } from './stand-in.ts';

/**
 * Cases that fail today: why, and the failure they must show (so they fail for that reason).
 * A listed case that passes fails the test (remove it here); an unlisted case that fails is a
 * regression.
 */
const EXPECTED_FAILURES: Record<string, { why: string; failure: RegExp }> = {
  'stripe-webhook-sync': {
    why: "Stripe's worker build (chosen by its worker/browser export condition) verifies webhooks with Web Crypto, async only: use constructEventAsync",
    failure: /SubtleCryptoProvider cannot be used in a synchronous context/,
  },
  pg: {
    why: 'database drivers need TCP sockets (net, tls), which functions do not have',
    failure: /^deploy 422 BuildFailed: .*"net"/,
  },
};

/** Where the table goes: COMPAT_TABLE, else the coordination directory when there is one. */
const TABLE_PATH =
  process.env.COMPAT_TABLE ?? (existsSync('/tmp/coord') ? '/tmp/coord/compat-table.md' : undefined);
/** Deploys are built two at a time by default; invokes are bounded to keep two cores usable. */
const DEPLOY_CONCURRENCY = 2;
const INVOKE_CONCURRENCY = 4;

type Run = { ok: true; result: Observed } | { ok: false; error: string };

interface Deployment {
  zipBytes: number;
  bundleBytes?: number;
  error?: string;
}

/** Runs `task` over `items`, at most `limit` at a time, keeping the order of the results. */
async function bounded<T, R>(
  items: T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

const functionName = (file: string) => basename(file, extname(file));

function fixtures(standIn: StandIn): Fixtures {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const ec = generateKeyPairSync('ec', {
    namedCurve: 'P-256',
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return {
    baseUrl: standIn.url,
    rsaPrivatePem: privateKey,
    rsaPublicPem: publicKey,
    ecPrivatePem: ec.privateKey,
    ecPublicPem: ec.publicKey,
  };
}

/** Every case in plain Node (reference-runner.ts in its own process), TZ as the functions'. */
async function reference(
  jobs: { name: string; file: string; event: unknown }[],
): Promise<Record<string, Run>> {
  const runner = new URL('./reference-runner.ts', import.meta.url).pathname;
  const child = spawn(process.execPath, [runner], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, TZ: 'UTC' },
  });
  child.stdin.end(JSON.stringify(jobs));
  let out = '';
  for await (const chunk of child.stdout) out += chunk;
  return JSON.parse(out) as Record<string, Run>;
}

async function deploy(server: ServerProcess, file: string): Promise<Deployment> {
  const { entry, files } = uploadFiles(file);
  const zip = await makeZip(files);
  const query = new URLSearchParams({ entry, timeout_ms: '15000', memory_mb: '256' });
  const res = await fetch(`${server.url}/functions/${functionName(file)}?${query}`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${PROCESS_KEY}`, 'Content-Type': 'application/zip' },
    body: zip,
  });
  const body = (await res.json()) as {
    size?: number;
    error?: {
      code: string;
      message: string;
      errors?: { text: string; file?: string; line?: number }[];
    };
  };
  if (res.status === 201) return { zipBytes: zip.length, bundleBytes: body.size as number };
  // Each of esbuild's errors once (the message repeats the first); where when the text lacks it.
  const details = (body.error?.errors ?? []).map((e) =>
    e.file && !e.text.includes(e.file) ? `${e.text} (${e.file}:${e.line})` : e.text,
  );
  const why = details.length > 0 ? details.join('; ') : body.error?.message;
  return { zipBytes: zip.length, error: `deploy ${res.status} ${body.error?.code}: ${why}` };
}

async function invoke(server: ServerProcess, file: string, event: unknown): Promise<Run> {
  const res = await fetch(`${server.url}/functions/${functionName(file)}/invoke`, {
    method: 'POST',
    body: JSON.stringify(event),
  });
  const body = (await res.json()) as Observed;
  if (res.status === 200) return { ok: true, result: body };
  const error = body?.error ?? {};
  const frame = typeof error.stack === 'string' ? error.stack.split('\n')[1]?.trim() : undefined;
  const where = frame ? ` (${frame})` : '';
  return {
    ok: false,
    error: `invoke ${res.status} ${error.code}: ${error.name ?? ''} ${error.message}${where}`,
  };
}

let server: ServerProcess | undefined;
let standIn: StandIn | undefined;
const references: Record<string, Run> = {};
const outcomes = new Map<string, Outcome>();

beforeAll(async () => {
  standIn = await startStandIn();
  const f = fixtures(standIn);
  const jobs = CASES.map((c) => ({ name: c.name, file: c.file, event: c.event(f) }));
  const t0 = performance.now();
  const [refs, started] = await Promise.all([
    reference(jobs),
    startServerProcess({ EGRESS_ALLOW: standIn.address, TZ: 'UTC', LOG_LEVEL: 'warn' }),
  ]);
  Object.assign(references, refs);
  server = started;
  const live = started;
  const files = [...new Set(CASES.map((c) => c.file))];
  const t1 = performance.now();
  const deployed = await bounded(files, DEPLOY_CONCURRENCY, (file) => deploy(live, file));
  const t2 = performance.now();
  const deployments = new Map(files.map((file, i) => [file, deployed[i] as Deployment]));
  const runs = await bounded(jobs, INVOKE_CONCURRENCY, (job) =>
    deployments.get(job.file)?.error
      ? Promise.resolve<Run>({ ok: false, error: deployments.get(job.file)?.error as string })
      : invoke(live, job.file, job.event),
  );
  CASES.forEach((c, i) => {
    const run = runs[i] as Run;
    const ref = references[c.name];
    const d = deployments.get(c.file);
    let failure: string | undefined;
    if (!run.ok) failure = run.error;
    else if (!ref?.ok) failure = `the reference failed in Node: ${ref?.error}`;
    else failure = firstDifference(run.result, ref.result);
    outcomes.set(c.name, {
      name: c.name,
      pkg: c.pkg,
      checks: c.checks,
      zipBytes: d?.zipBytes,
      bundleBytes: d?.bundleBytes,
      pass: failure === undefined,
      failure,
      expected: EXPECTED_FAILURES[c.name]?.why,
    });
  });
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const timing = `server start and Node reference ${seconds(t1 - t0)}, ${files.length} deploys ${seconds(t2 - t1)}, ${jobs.length} invokes ${seconds(performance.now() - t2)}`;
  const table = markdownTable([...outcomes.values()], timing);
  if (TABLE_PATH) writeFileSync(TABLE_PATH, table);
  else console.log(table);
});

afterAll(async () => {
  await server?.stop();
  await standIn?.close();
});

describe('compatibility corpus: npm packages in a function give what they give in Node', () => {
  it('lists only cases that exist in its expected failures', () => {
    const names = new Set(CASES.map((c) => c.name));
    expect(Object.keys(EXPECTED_FAILURES).filter((n) => !names.has(n))).toEqual([]);
  });

  it.each(CASES.map((c): [string, CorpusCase] => [c.name, c]))('%s', (name, c) => {
    const ref = references[name];
    // The reference must itself show the behaviour, or equality with it proves nothing.
    if (!ref?.ok) throw new Error(`${name} failed in Node itself: ${ref?.error}`);
    c.check(ref.result);
    const outcome = outcomes.get(name);
    if (!outcome) throw new Error(`${name} was not run`);
    const expected = EXPECTED_FAILURES[name];
    if (expected !== undefined) {
      if (outcome.pass)
        throw new Error(`${name} passes now: remove it from EXPECTED_FAILURES (${expected.why})`);
      expect(outcome.failure).toMatch(expected.failure);
      return;
    }
    if (!outcome.pass) throw new Error(`${name} regressed: ${outcome.failure}`);
  });
});

// make cluster-up / make cluster-down: the loopback cluster (cluster.ts) owned by one
// detached supervisor process, which tears everything down on SIGTERM.
//   node --no-node-snapshot infra/cluster/main.ts up|down
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { alive, until } from '@mini-lambda/testkit/wait';
import { type ClusterState, startCluster } from './cluster.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIR = join(ROOT, '.cluster');
const STATE = join(DIR, 'state.json');
const LOG = join(DIR, 'cluster.log');

type Saved = ClusterState & { apiKey: string; supervisor: number };

const command = process.argv[2];
if (command === 'up') await up();
else if (command === 'down') await down();
else if (command === 'serve') await serve();
else {
  process.stderr.write('usage: infra/cluster/main.ts up|down\n');
  process.exit(2);
}

async function up(): Promise<void> {
  if (existsSync(STATE)) fail(`a cluster is already up (${STATE}); make cluster-down first`);
  mkdirSync(DIR, { recursive: true });
  const log = openSync(LOG, 'w');
  const child = spawn(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), 'serve'],
    {
      detached: true,
      stdio: ['ignore', log, log],
    },
  );
  child.unref();
  const end = performance.now() + 180_000;
  while (!existsSync(STATE)) {
    if (child.exitCode !== null)
      fail(`the cluster did not start; see ${LOG}:\n${readFileSync(LOG, 'utf8').slice(-2000)}`);
    if (performance.now() > end) fail(`the cluster did not start within 3 minutes; see ${LOG}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const state = JSON.parse(readFileSync(STATE, 'utf8')) as Saved;
  process.stdout.write(
    [
      'mini-lambda cluster is up:',
      `  nginx       ${state.nginx.url}`,
      ...state.instances.map((i) => `  instance ${i.id}  ${i.url}  (pid ${i.pid})`),
      `  prometheus  ${state.prometheus.url}`,
      `  postgres    ${state.postgres.url}`,
      `  s3 (s3rver) ${state.s3.url}`,
      `API key: ${state.apiKey}`,
      `state: ${STATE}; logs: ${LOG}; stop: make cluster-down`,
      '',
    ].join('\n'),
  );
  process.exit(0);
}

async function serve(): Promise<void> {
  // The key from MINI_LAMBDA_API_KEY, or one made up for this cluster (and printed).
  const apiKey =
    process.env.MINI_LAMBDA_API_KEY || `cluster-${randomBytes(18).toString('base64url')}`;
  if (apiKey.length < 16) fail('MINI_LAMBDA_API_KEY must have 16+ characters');
  const cluster = await startCluster({
    nginxPort: Number(process.env.CLUSTER_PORT ?? 8080),
    prometheusPort: Number(process.env.CLUSTER_PROM_PORT ?? 9090),
    apiKey,
  });
  const saved: Saved = { ...cluster.state, apiKey, supervisor: process.pid };
  writeFileSync(STATE, `${JSON.stringify(saved, null, 2)}\n`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await cluster.stop();
    rmSync(STATE, { force: true });
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

async function down(): Promise<void> {
  if (!existsSync(STATE)) {
    process.stdout.write('no cluster is up\n');
    rmSync(DIR, { recursive: true, force: true });
    return;
  }
  const { supervisor } = JSON.parse(readFileSync(STATE, 'utf8')) as Saved;
  try {
    process.kill(supervisor, 'SIGTERM');
    await until(() => !alive(supervisor), { timeoutMs: 60_000, intervalMs: 200 }).catch(() =>
      process.kill(supervisor, 'SIGKILL'),
    );
  } catch {
    // already gone
  }
  rmSync(DIR, { recursive: true, force: true });
  process.stdout.write('mini-lambda cluster is down\n');
}

function fail(message: string): never {
  process.stderr.write(`cluster: ${message}\n`);
  process.exit(1);
}

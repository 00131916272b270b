import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@mini-lambda/testkit/free-port';
import { startPostgres, type TestPostgres } from '@mini-lambda/testkit/postgres';
import { startS3 } from '@mini-lambda/testkit/s3';
import { type ServerProcess, startServerProcess } from '@mini-lambda/testkit/server-process';
import { stopChild, waitForUrl } from '@mini-lambda/testkit/wait';
import { renderNginxConf } from './render-nginx.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** What `.cluster/state.json` holds (see docs/operations.md, the loopback cluster). */
export interface ClusterState {
  nginx: { url: string; pid: number };
  prometheus: { url: string; pid: number };
  postgres: { url: string };
  s3: { url: string };
  instances: { id: string; url: string; pid: number }[];
}

export interface ClusterOptions {
  nginxPort: number;
  prometheusPort: number;
  apiKey: string;
  instances?: number;
  /**
   * More environment for every instance (restarts included), over the cluster's own: a test
   * may shorten `ASYNC_LEASE_GRACE_MS`, or let functions reach a loopback port (`EGRESS_ALLOW`).
   */
  instanceEnv?: Record<string, string>;
}

/**
 * The production topology on 127.0.0.1 without Docker: a real PostgreSQL, s3rver for
 * MinIO, N instances as processes, real nginx with nginx.conf rendered for these ports,
 * and real Prometheus scraping them. Resolves once every part is healthy.
 */
export async function startCluster(options: ClusterOptions) {
  const dir = mkdtempSync(join(tmpdir(), 'ml-cluster-'));
  const parts: { stop(): Promise<unknown> }[] = [];
  const stopAll = async () => {
    for (const part of parts.reverse()) await part.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const pg: TestPostgres = await startPostgres();
    parts.push(pg);
    const s3 = await startS3();
    parts.push(s3);

    const env = (id: string, port: number): Record<string, string> => ({
      INSTANCE_ID: id,
      PORT: String(port),
      DATABASE_URL: pg.url,
      S3_ENDPOINT: s3.url,
      S3_ACCESS_KEY: s3.accessKey,
      S3_SECRET_KEY: s3.secretKey,
      S3_BUCKET: 'mini-lambda',
      MINI_LAMBDA_API_KEY: options.apiKey,
      ...options.instanceEnv,
    });
    const count = options.instances ?? 3;
    const ports = await Promise.all(Array.from({ length: count }, () => freePort()));
    const instances: ServerProcess[] = [];
    // One at a time: the first applies the migrations, the others find them done.
    for (const [i, port] of ports.entries()) {
      instances.push(
        await startServerProcess(env(String(i + 1), port), {
          dataDir: mkdtempSync(join(dir, `i${i + 1}-`)),
        }),
      );
    }
    parts.push({ stop: () => Promise.all(instances.map((s) => s.stop())) });

    const nginx = await startNginx(dir, ports, options.nginxPort);
    parts.push(nginx);
    const prometheus = await startPrometheus(dir, ports, options.prometheusPort);
    parts.push(prometheus);

    const state: ClusterState = {
      nginx: { url: `http://127.0.0.1:${options.nginxPort}`, pid: nginx.pid },
      prometheus: { url: `http://127.0.0.1:${options.prometheusPort}`, pid: prometheus.pid },
      postgres: { url: pg.url },
      s3: { url: s3.url },
      instances: instances.map((s, i) => ({
        id: String(i + 1),
        url: s.url,
        pid: s.child.pid ?? 0,
      })),
    };
    return {
      state,
      instances,
      pg,
      /** Restarts instance `index` (after a kill) on its port, and updates the state. */
      async restartInstance(index: number): Promise<ServerProcess> {
        const port = ports[index] as number;
        const server = await startServerProcess(env(String(index + 1), port), {
          dataDir: mkdtempSync(join(dir, `i${index + 1}-`)),
        });
        instances[index] = server;
        state.instances[index] = {
          id: String(index + 1),
          url: server.url,
          pid: server.child.pid ?? 0,
        };
        return server;
      },
      /** Stops the S3 endpoint, keeping its objects; `startS3` brings it back on its port. */
      stopS3: () => s3.pause(),
      startS3: () => s3.resume(),
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

export type Cluster = Awaited<ReturnType<typeof startCluster>>;

async function startNginx(dir: string, ports: number[], listen: number) {
  const conf = join(dir, 'nginx.conf');
  const rendered = renderNginxConf(readFileSync(join(ROOT, 'nginx.conf'), 'utf8'), {
    servers: ports.map((p) => `127.0.0.1:${p}`),
    listen: `127.0.0.1:${listen}`,
  }).replace('pid /tmp/mini-lambda-nginx.pid;', `pid ${join(dir, 'nginx.pid')};`);
  writeFileSync(conf, rendered);
  const child = foreground(
    '/usr/sbin/nginx',
    ['-c', conf, '-p', dir, '-g', 'daemon off;'],
    join(dir, 'nginx.log'),
  );
  await waitForUrl(`http://127.0.0.1:${listen}/health`, child);
  return { pid: child.pid ?? 0, stop: () => stopChild(child) };
}

async function startPrometheus(dir: string, ports: number[], listen: number) {
  const config = join(dir, 'prometheus.yml');
  const targets = ports.map((p) => `"127.0.0.1:${p}"`).join(', ');
  // infra/prometheus.yml with the instances' addresses.
  const source = readFileSync(join(ROOT, 'infra/prometheus.yml'), 'utf8');
  writeFileSync(config, source.replace(/targets: \[[^\]]*\]/, `targets: [${targets}]`));
  const child = foreground(
    'prometheus',
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'prometheus')}`,
      `--web.listen-address=127.0.0.1:${listen}`,
    ],
    join(dir, 'prometheus.log'),
  );
  await waitForUrl(`http://127.0.0.1:${listen}/-/ready`, child);
  return { pid: child.pid ?? 0, stop: () => stopChild(child) };
}

function foreground(command: string, args: string[], log: string): ChildProcess {
  const out = openLog(log);
  return spawn(command, args, { stdio: ['ignore', out, out] });
}

function openLog(path: string): number {
  writeFileSync(path, '');
  return openSync(path, 'a');
}

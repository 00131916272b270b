import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { Server, ServerResponse } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { createBundler } from '@mini-lambda/bundler';
import { CONFIG_LIMITS, type RunnableFunction } from '@mini-lambda/core';
import {
  createInProcessRuntime,
  createSandboxedRuntime,
  type OutboundFetch,
} from '@mini-lambda/runtime';
import { deployVersion, openStore, subscribeChanges } from '@mini-lambda/store';
import { resolveApiKey } from './api-key.ts';
import { createApp } from './app.ts';
import { createAsyncEngine } from './async/engine.ts';
import { createBodyBudget } from './body.ts';
import { BundleCache } from './bundle-cache.ts';
import type { ServerConfig } from './config.ts';
import { createDeployer } from './deployer.ts';
import { createFunctionDirectory } from './function-directory.ts';
import { createHealthMonitor } from './health.ts';
import { listen } from './listen.ts';
import { createLogger } from './logger.ts';
import { createMetrics } from './metrics.ts';
import { createOutboundClient, type ListenAddress } from './outbound/index.ts';
import { sandboxUser } from './sandbox-user.ts';
import { createTraffic } from './traffic.ts';
import { within } from './within.ts';

const VERSION: string = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
).version;

export interface RunningServer {
  url: string;
  port: number;
  instanceId: string;
  apiKey: string;
  /** True when the key was generated (dev mode). */
  apiKeyGenerated: boolean;
  embedded: boolean;
  /** Graceful: stop accepting, finish in-flight requests (bounded), dispose, close SQL. */
  close(): Promise<void>;
}

/**
 * What a caller in code may change beyond the config. Never read from the environment:
 * a sandbox entry is the program that runs hostile code, so only code picks another one.
 */
export interface InstanceOverrides {
  /** The sandbox's entry module (tests start a fake sandbox); default the real one. */
  sandboxEntry?: string;
}

/** Wires store, runtime, caches and routes together: the one place that does. */
export async function createInstance(config: ServerConfig, overrides: InstanceOverrides = {}) {
  const startedAt = performance.now();
  const log = createLogger(config);
  // The data directory is ours alone: sandboxes run as another user where we can arrange it.
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const apiKey = await resolveApiKey(config);
  const store = await openStore({
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
    ...(config.s3 ? { s3: config.s3 } : {}),
    dataDir: config.dataDir,
    migrationsDir: config.migrationsDir,
    embeddedSync: config.embeddedSync,
  });
  const bundles = new BundleCache((sha) => store.bundles.get(sha), config.bundleCacheBytes);
  const loadCode = (fn: RunnableFunction) => bundles.get(fn.sha256);
  const user =
    config.sandboxes > 0 ? sandboxUser(config.sandboxUser, (why) => log.warn(why)) : undefined;
  /** Where this instance listens, once it does: functions may not fetch from it. */
  const listening: ListenAddress[] = [];
  // Functions reach the network only through this client (sandboxes have none of their own).
  const outbound = createOutboundClient({
    allow: config.egressAllow,
    ownAddresses: () => listening,
    metrics: {
      request: (fn, outcome) => metrics.outbound.request(fn, outcome),
      received: (fn, bytes) => metrics.outbound.received(fn, bytes),
      refused: (fn, reason) => metrics.outbound.refused(fn, reason),
    },
    userAgent: `mini-lambda/${VERSION}`,
  });
  const fetch: OutboundFetch = (call, request, signal) => outbound.fetch(call, request, signal);
  const runtime =
    config.sandboxes > 0
      ? createSandboxedRuntime(
          {
            loadCode,
            fetch,
            onSandboxExit: (reason, info) => {
              metrics.sandboxRestarted(reason);
              log.warn({ reason, ...info }, 'sandbox replaced');
            },
            onSandboxOutput: (line, pid) => log.warn({ sandbox: pid, line }, 'sandbox output'),
          },
          config.runtime,
          {
            sandboxes: config.sandboxes,
            ...(user ? { user } : {}),
            ...(overrides.sandboxEntry ? { entry: overrides.sandboxEntry } : {}),
          },
        )
      : createInProcessRuntime({ loadCode, fetch }, config.runtime);
  const metrics = createMetrics(
    config.instanceId,
    () => runtime.stats(),
    () => store.queue.depth(),
  );
  const traffic = createTraffic();
  const directory = createFunctionDirectory({
    load: (name, version) => store.registry.version(name, version),
    existing: async () => (await store.registry.list()).map((f) => f.name),
    pooled: async () => (await runtime.stats()).pools.map((p) => p.function),
    retire: (name) => {
      void runtime.retire(name);
      metrics.forget(name);
    },
    onResyncFailed: (err) => log.warn({ err }, 'resync could not list functions'),
  });
  const changes = store.embedded
    ? undefined // the embedded instance is the only writer: its routes tell the directory
    : await subscribeChanges(store.sql, {
        onChange: (change) => directory.changed(change),
        onResync: () => void directory.resync(),
      });
  const health = createHealthMonitor({
    database: () => store.sql`SELECT 1`,
    storage: () => store.objects.check(),
    runtime: () => runtime.health(),
    durability: store.durability,
  });
  const asyncEngine = createAsyncEngine(
    { instanceId: config.instanceId, store, directory, runtime, metrics, log },
    config.async,
  );
  await health.refresh();

  // Build workers are kept between deploys, one per build that may run at once.
  const bundler = createBundler({ keepIdle: config.buildConcurrency });
  const deployer = createDeployer(
    {
      bundle: bundler.bundle,
      inspect: (code, options) => runtime.inspect(code, options),
      currentConfigOf: async (name) =>
        (await store.registry.version(name))?.config ?? {
          memory_mb: CONFIG_LIMITS.memoryMb.default,
          env: {},
        },
      record: (name, input) => deployVersion(store, name, input),
      bundles,
      directory,
      onDeployed: ({ version, warnings }, buildMs) => {
        metrics.deployed();
        const { name, sha256, size, handler } = version;
        log.info(
          {
            function: name,
            version: version.version,
            sha256,
            size,
            handler,
            warnings: warnings.length,
            buildMs: Math.round(buildMs),
          },
          'deployed',
        );
      },
    },
    config,
  );
  const app = createApp({
    instanceId: config.instanceId,
    version: VERSION,
    startedAt,
    apiKey: apiKey.key,
    ...(config.invokeKey ? { invokeKey: config.invokeKey } : {}),
    registry: store.registry,
    directory,
    deployer,
    runtime,
    health,
    metrics,
    traffic,
    log,
    bodies: createBodyBudget(config.bodyBudgetBytes),
    queue: store.queue,
    schedules: store.schedules,
    acceptAsync: asyncEngine.accept,
    wakeAsync: asyncEngine.wake,
  });

  return {
    app,
    log,
    store,
    runtime,
    listening,
    health,
    traffic,
    apiKey,
    directory,
    metrics,
    /** Delivery, schedules and retention of async invocations; `startAsync` runs them. */
    asyncEngine,
    /**
     * Starts delivering async invocations and firing schedules. `startServer` calls it once
     * listening; an instance in a test runs it when the test wants delivery.
     */
    startAsync(): void {
      asyncEngine.start();
    },
    /**
     * Ends what the instance holds: async delivery first (bounded; what still runs is left
     * to its lease), then probes, notifications, build workers, isolates, SQL.
     */
    async dispose(): Promise<void> {
      await asyncEngine.stop(config.shutdownTimeoutMs);
      health.stop();
      bundler.close();
      await changes?.close().catch(() => {});
      await runtime.dispose();
      await outbound.close();
      await store.close();
    },
  };
}

export type Instance = Awaited<ReturnType<typeof createInstance>>;

/** Creates the instance and listens on `config.port`. */
export async function startServer(config: ServerConfig): Promise<RunningServer> {
  const instance = await createInstance(config);
  const { log, traffic } = instance;
  let server: Server;
  try {
    server = await listen(instance.app.fetch, config);
  } catch (err) {
    await instance.dispose();
    throw err;
  }
  instance.startAsync();
  const { address, port } = server.address() as AddressInfo;
  instance.listening.push({ address, port });
  const connections = trackConnections(server);
  // Counted at the socket, not in the app: a response is done when Node has sent it.
  server.on('request', (_req, res: ServerResponse) => {
    traffic.begin();
    res.once('close', () => traffic.end());
  });
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  log.info({ port, embedded: instance.store.embedded, version: VERSION }, 'listening');

  let closing: Promise<void> | undefined;
  const close = async () => {
    log.info({ inFlight: traffic.inFlight }, 'shutting down');
    const deadline = performance.now() + config.shutdownTimeoutMs;
    // Stop accepting (a refused connection is one a balancer retries elsewhere), but do
    // not close idle keep-alive connections: nginx may be sending on one at that very
    // moment, and a POST lost that way is a 502 it will not retry. Requests still
    // arriving are answered, with `Connection: close`; idle ones are left to the peer.
    net.Server.prototype.close.call(server);
    // Async deliveries wind down meanwhile, within the same deadline.
    const asyncStopped = instance.asyncEngine.stop(Math.max(0, deadline - performance.now()));
    await within(traffic.drain(), deadline - performance.now());
    await asyncStopped;
    await within(connections.closed(), Math.min(IDLE_GRACE_MS, deadline - performance.now()));
    server.closeAllConnections();
    server.close(); // http's own close: its connection-checking timer goes too
    await instance.dispose();
    log.info('stopped');
  };

  return {
    url: `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`,
    port,
    instanceId: config.instanceId,
    apiKey: instance.apiKey.key,
    apiKeyGenerated: instance.apiKey.generated,
    embedded: instance.store.embedded,
    close: () => {
      closing ??= close();
      return closing;
    },
  };
}

/**
 * After the last response, how long idle keep-alive connections are left for their peer
 * to close (nginx's upstream keepalive_timeout in nginx.conf is 4 s) before we cut them.
 */
const IDLE_GRACE_MS = 5_000;

/** Open connections, so shutdown can wait for their peers to close them. */
function trackConnections(server: Server) {
  const open = new Set<net.Socket>();
  let onEmpty: (() => void) | undefined;
  server.on('connection', (socket: net.Socket) => {
    open.add(socket);
    socket.once('close', () => {
      open.delete(socket);
      if (open.size === 0) onEmpty?.();
    });
  });
  return {
    closed: () =>
      open.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => (onEmpty = resolve)),
  };
}

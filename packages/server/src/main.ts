import { MiniLambdaError, type ReadyMessage } from '@mini-lambda/core';
import { parseServerConfig, type ServerConfig } from './config.ts';
import { devBanner } from './dev-banner.ts';
import { type RunningServer, startServer } from './server.ts';

/**
 * The server process: configuration from the environment (read here and nowhere else),
 * then listen until SIGTERM/SIGINT, then a graceful stop and exit 0. Another signal
 * a second or more later exits at once.
 */
async function main(): Promise<void> {
  let config: ServerConfig;
  try {
    config = parseServerConfig(process.env);
  } catch (err) {
    if (!(err instanceof MiniLambdaError)) throw err;
    process.stderr.write(`mini-lambda: ${err.message}\n`);
    process.exit(1);
  }
  const server = await startServer(config);
  if (config.dev) process.stdout.write(devBanner(server, config));
  let stoppingSince: number | undefined;
  const stop = (signal: NodeJS.Signals) => {
    // A signal repeated within a second is one request (make, for one, passes on the
    // SIGTERM it got itself); a later one means "now".
    if (stoppingSince !== undefined) {
      if (performance.now() - stoppingSince > 1000) process.exit(1);
      return;
    }
    stoppingSince = performance.now();
    process.stderr.write(`mini-lambda: ${signal}, stopping (again to force)\n`);
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`mini-lambda: shutdown failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  announceReady(server); // last: a parent may signal us as soon as it hears
}

/**
 * When a parent started this process with an IPC channel (spawn's stdio `'ipc'`, as the
 * test kit, the benchmarks and the loopback cluster do), tell it once where we listen:
 * a `ReadyMessage`, so no tool has to find the port in a log line. Without a channel,
 * nothing. A parent that has gone away is not our failure: the send's error is ignored.
 */
function announceReady(server: RunningServer): void {
  if (!process.send) return;
  const ready: ReadyMessage = {
    type: 'ready',
    url: server.url,
    port: server.port,
    instanceId: server.instanceId,
  };
  process.send(ready, undefined, undefined, () => {});
}

main().catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`mini-lambda: could not start: ${message}\n`);
  process.exit(1);
});

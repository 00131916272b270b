import { MiniLambdaError } from '@mini-lambda/core';
import { parseServerConfig, type ServerConfig } from './config.ts';
import { devBanner } from './dev-banner.ts';
import { startServer } from './server.ts';

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
}

main().catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`mini-lambda: could not start: ${message}\n`);
  process.exit(1);
});

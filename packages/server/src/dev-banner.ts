import { relative } from 'node:path';
import type { ServerConfig } from './config.ts';
import type { RunningServer } from './server.ts';

/** What `make dev` shows once the server listens: where, the key, and what to try. */
export function devBanner(server: RunningServer, config: Pick<ServerConfig, 'dataDir'>): string {
  const near = relative(process.cwd(), config.dataDir);
  const data = near === '' ? '.' : near.startsWith('..') ? config.dataDir : near;
  const keyNote = server.apiKeyGenerated ? ` (generated, kept in ${data}/api-key)` : '';
  return `
mini-lambda dev: listening on ${server.url}  (instance ${server.instanceId}, data in ${data}${server.embedded ? ', embedded PGlite + files' : ''})
API key${keyNote}: ${server.apiKey}

In another shell:
  export MINI_LAMBDA_URL=${server.url} MINI_LAMBDA_API_KEY=${server.apiKey}
  pnpm mini-lambda deploy hello examples/hello.ts
  pnpm mini-lambda invoke hello --data '{"name":"Ada"}'
  pnpm mini-lambda deploy slugify examples/slugify
  pnpm mini-lambda invoke slugify --data '{"title":"Hello, Wörld & Co"}'
or with curl:
  curl -X PUT -H "Authorization: Bearer $MINI_LAMBDA_API_KEY" -H 'Content-Type: application/typescript' --data-binary @examples/hello.ts ${server.url}/functions/hello
  curl -X POST -d '{"name":"Ada"}' ${server.url}/functions/hello/invoke

Ctrl-C stops the server; deployed functions are kept for the next start.
`;
}

import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MiniLambdaError } from '@mini-lambda/core';
import type { ServerConfig } from './config.ts';

/**
 * The management key: the configured one, or in dev mode one generated once and kept in
 * the data directory (mode 0600), so a restart keeps the key the user exported.
 */
export async function resolveApiKey(
  config: Pick<ServerConfig, 'apiKey' | 'dev' | 'dataDir'>,
): Promise<{ key: string; generated: boolean }> {
  if (config.apiKey) return { key: config.apiKey, generated: false };
  if (!config.dev) {
    throw new MiniLambdaError('InvalidConfig', 'MINI_LAMBDA_API_KEY is required outside dev mode');
  }
  const file = join(config.dataDir, 'api-key');
  const kept = await readFile(file, 'utf8').then(
    (text) => text.trim(),
    () => '',
  );
  if (kept.length >= 16) return { key: kept, generated: true };
  const key = `dev-${randomBytes(24).toString('base64url')}`;
  await mkdir(config.dataDir, { recursive: true });
  await writeFile(file, `${key}\n`, { mode: 0o600 });
  return { key, generated: true };
}

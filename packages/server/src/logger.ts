import { pino } from 'pino';
import type { ServerConfig } from './config.ts';

/** JSON lines on stdout; each line names the instance. */
export function createLogger(config: Pick<ServerConfig, 'logLevel' | 'instanceId'>) {
  return pino({ level: config.logLevel, base: { instance: config.instanceId } });
}

export type { CliIo } from './command.ts';
export { type CliEnv, DEFAULT_URL } from './config.ts';
export type { Writer } from './output.ts';
export { runCli } from './run-cli.ts';

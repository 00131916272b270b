import type { FunctionConfig } from './config.ts';

/** How a bundle is called: `handler(event, context)` or `export default { fetch }`. */
export type HandlerKind = 'event' | 'fetch';

/** What the runtime needs to run one immutable version of a function. */
export interface RunnableFunction {
  name: string;
  version: number;
  /** Hex SHA-256 of the bundle; identifies the code. */
  sha256: string;
  config: FunctionConfig;
}

/** One immutable version as recorded in the registry. */
export interface FunctionVersion extends RunnableFunction {
  size: number;
  handler: HandlerKind;
  createdAt: Date;
}

/**
 * What evaluating a bundle at deploy found: its handler style, or why it has none
 * (`no_handler`: nothing callable exported; `init_failed`: top-level code threw, ran
 * past the init timeout or out of memory).
 */
export type ModuleInspection =
  | { ok: true; style: HandlerKind }
  | { ok: false; reason: 'no_handler' | 'init_failed'; message: string };

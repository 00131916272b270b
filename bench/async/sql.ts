// The SQL client of the async benchmark: postgres.js, the driver the server itself uses,
// resolved from packages/store (bench does not depend on it directly) so the floor
// INSERT goes through the same driver and pool size as an instance's enqueue.
import { createRequire } from 'node:module';

export interface Row {
  [column: string]: unknown;
}
/** The small part of postgres.js this benchmark uses. */
export interface Sql {
  unsafe(query: string, params?: unknown[]): Promise<Row[]>;
  end(options?: { timeout?: number }): Promise<void>;
}
type Postgres = (url: string, options: Record<string, unknown>) => Sql;

const fromStore = createRequire(new URL('../../packages/store/package.json', import.meta.url));
const postgres = fromStore('postgres') as Postgres;

/** A client of `url` with at most `max` connections (an instance uses 10). */
export function connectSql(url: string, max: number): Sql {
  return postgres(url, { max, onnotice: () => {} });
}

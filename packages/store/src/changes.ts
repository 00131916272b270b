import type { Sql } from 'postgres';
import { CHANGES_CHANNEL } from './registry.ts';

export interface ChangeHandlers {
  /** A function was deployed, patched or deleted (on any instance). */
  onChange: (name: string) => void;
  /**
   * The listening connection came back after a drop: notifications may have been missed,
   * so caches should be flushed whole.
   */
  onResync: () => void;
}

/**
 * Listens for registry changes. postgres.js re-establishes a dropped LISTEN connection by
 * itself and calls back on every (re)listen; every one after the first means a gap.
 */
export async function subscribeChanges(
  sql: Sql,
  handlers: ChangeHandlers,
): Promise<{ close(): Promise<void> }> {
  let listens = 0;
  const request = await sql.listen(CHANGES_CHANNEL, handlers.onChange, () => {
    listens++;
    if (listens > 1) handlers.onResync();
  });
  return { close: () => request.unlisten() };
}

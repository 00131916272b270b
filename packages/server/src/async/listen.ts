import { ASYNC_CHANNEL, type Store } from '@mini-lambda/store';

/**
 * Wakes the delivery loop when any instance queues an event (PostgreSQL's NOTIFY on
 * ASYNC_CHANNEL). postgres.js re-listens after a dropped connection by itself; every
 * (re)listen wakes too, since events may have been queued while nobody listened.
 */
export async function listenForEvents(
  sql: Store['sql'],
  wake: (functionName?: string) => void,
): Promise<{ close(): Promise<void> }> {
  const request = await sql.listen(
    ASYNC_CHANNEL,
    (payload: string) => wake(payload),
    () => wake(),
  );
  return { close: () => request.unlisten() };
}

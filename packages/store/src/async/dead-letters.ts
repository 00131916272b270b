import { isInvocationId } from '@mini-lambda/core';
import type { Sql } from 'postgres';
import type { AsyncError, DeadLetter, DeadLetters, RedriveResult } from './types.ts';

/** Letters one redrive without ids queues again at most: a bounded statement and response. */
export const REDRIVE_LIMIT = 1000;

interface DeadLetterRow {
  invocation_id: string;
  payload: string;
  error: AsyncError;
  attempts: number;
  failed_at: Date;
}

export function createDeadLetters(sql: Sql): DeadLetters {
  return {
    async list(functionName: string, limit: number): Promise<DeadLetter[]> {
      const rows = await sql<DeadLetterRow[]>`
        SELECT invocation_id, payload, error, attempts, failed_at FROM dead_letters
        WHERE function_name = ${functionName}
        ORDER BY failed_at DESC, invocation_id
        LIMIT ${limit}`;
      return rows.map((r) => ({
        invocationId: r.invocation_id,
        payload: r.payload,
        error: r.error,
        attempts: r.attempts,
        failedAt: r.failed_at,
      }));
    },

    async remove(functionName: string, id: string): Promise<boolean> {
      if (!isInvocationId(id)) return false;
      const done = await sql`
        DELETE FROM dead_letters WHERE function_name = ${functionName} AND invocation_id = ${id}`;
      return done.count === 1;
    },

    /**
     * One statement, so atomic: the letters go, and their events are queued again. The event
     * row is normally still there (state dead) and is reset; when retention purged it, the
     * letter's copy brings it back under the same id. The function row is locked first, as
     * a DELETE FROM functions does before it cascades to the events (no deadlock).
     */
    async redrive(functionName, ids, policy, limit = REDRIVE_LIMIT): Promise<RedriveResult> {
      const wanted = ids?.filter(isInvocationId);
      if (wanted?.length === 0) return { ids: [], more: false };
      return sql.begin(async (tx) => {
        const [fn] = await tx`SELECT 1 FROM functions WHERE name = ${functionName} FOR KEY SHARE`;
        if (!fn) return { ids: [], more: false };
        const rows = await tx<{ id: string }[]>`
          WITH picked AS MATERIALIZED (
            SELECT invocation_id FROM dead_letters
            WHERE function_name = ${functionName}
              ${wanted ? tx`AND invocation_id = ANY(${tx.array(wanted)}::uuid[])` : tx``}
            ORDER BY failed_at, invocation_id
            ${wanted ? tx`` : tx`LIMIT ${limit}`}
          ), letters AS (
            DELETE FROM dead_letters d USING picked
            WHERE d.invocation_id = picked.invocation_id
            RETURNING d.invocation_id, d.function_name, d.payload, d.depth
          )
          INSERT INTO async_events AS e
            (id, function_name, payload, max_retries, retry_delay_ms, max_event_age_s, depth)
          SELECT invocation_id, function_name, payload, ${policy.maxRetries}::integer,
            ${policy.retryDelayMs}::integer, ${policy.maxEventAgeS}::integer, depth
          FROM letters
          ON CONFLICT (id) DO UPDATE SET
            state = 'queued', attempts = 0, lost_deliveries = 0, version = NULL,
            payload = EXCLUDED.payload, max_retries = EXCLUDED.max_retries,
            retry_delay_ms = EXCLUDED.retry_delay_ms, max_event_age_s = EXCLUDED.max_event_age_s,
            depth = EXCLUDED.depth, accepted_at = now(), run_after = now(), started_at = NULL,
            lease_until = NULL, leased_by = NULL, lease = NULL, finished_at = NULL,
            result = NULL, error = NULL
          RETURNING e.id`;
        let more = false;
        if (!wanted && rows.length >= limit) {
          const [left] = await tx<{ more: boolean }[]>`
            SELECT EXISTS (SELECT 1 FROM dead_letters WHERE function_name = ${functionName}) AS more`;
          more = left?.more ?? false;
        }
        return { ids: rows.map((r) => r.id).sort(), more };
      });
    },
  };
}

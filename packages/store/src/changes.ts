import { isValidFunctionName } from '@mini-lambda/core';
import type { Sql } from 'postgres';

/** The channel every deploy, patch and delete is announced on (payload: `changePayload`). */
export const CHANGES_CHANNEL = 'mini_lambda_functions';

/** What a registry write did to a function. */
export type ChangeOp = 'deploy' | 'patch' | 'delete';

/** A change to a function, as the registry announces it. */
export interface FunctionChange {
  name: string;
  /**
   * `unknown`: something changed about `name`, but the payload did not say what (a bare
   * name, as instances before the JSON payload announce, or a payload that did not parse).
   */
  op: ChangeOp | 'unknown';
  /** The version a deploy recorded. */
  version?: number;
}

/** The NOTIFY payload for a write: JSON `{"name","op","version"?}`. */
export function changePayload(change: { name: string; op: ChangeOp; version?: number }): string {
  return JSON.stringify(change);
}

/**
 * Reads a payload, which comes from the database and is checked like any input. Anything
 * that names a function but not a known change is `unknown` for that name; undefined when
 * it does not even name a function (then nothing can be said about what changed).
 */
export function parseChange(payload: string): FunctionChange | undefined {
  if (isValidFunctionName(payload)) return { name: payload, op: 'unknown' };
  let raw: unknown;
  try {
    raw = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { name, op, version } = raw as Record<string, unknown>;
  if (!isValidFunctionName(name)) return undefined;
  if (op === 'deploy' && Number.isSafeInteger(version) && (version as number) > 0) {
    return { name, op, version: version as number };
  }
  if ((op === 'patch' || op === 'delete') && version === undefined) return { name, op };
  return { name, op: 'unknown' };
}

export interface ChangeHandlers {
  /** A function was deployed, patched or deleted (on any instance). */
  onChange: (change: FunctionChange) => void;
  /**
   * Notifications may have been missed (the listening connection came back after a drop,
   * or a payload named no function), so caches should be flushed whole.
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
  const onNotify = (payload: string) => {
    const change = parseChange(payload);
    if (change) handlers.onChange(change);
    else handlers.onResync();
  };
  const request = await sql.listen(CHANGES_CHANNEL, onNotify, () => {
    listens++;
    if (listens > 1) handlers.onResync();
  });
  return { close: () => request.unlisten() };
}

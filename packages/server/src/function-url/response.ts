import { responseHeaders } from './headers.ts';

/** Statuses whose responses have no body (the fetch standard's null body statuses). */
const NO_BODY = new Set([204, 205, 304]);

export interface TriggerResponse {
  response: Response;
  /** Header names the rules dropped, for the log. */
  dropped: string[];
}

/**
 * A function's HTTP answer as we send it: its headers after the rules (`responseHeaders`),
 * then ours, which the function cannot replace: `X-Instance-Id` and `X-Invocation-Id`.
 * `status` is checked already (200–599).
 */
export function triggerResponse(
  status: number,
  lines: Iterable<unknown>,
  body: Uint8Array,
  ours: Record<string, string>,
): TriggerResponse {
  const { headers, dropped } = responseHeaders(lines);
  for (const [name, value] of Object.entries(ours)) headers.set(name, value);
  const content = NO_BODY.has(status) || body.byteLength === 0 ? null : body;
  return { response: new Response(content, { status, headers }), dropped };
}

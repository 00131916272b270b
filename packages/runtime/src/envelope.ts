import type { CapturedLogs, FailureReason, FunctionErrorInfo } from '@mini-lambda/core';

/** What one call into an isolate produced, before the pool adds timing and cold-start. */
export type CallResult =
  | { ok: true; result: string; logs: CapturedLogs }
  | {
      ok: false;
      reason: FailureReason;
      message: string;
      error?: FunctionErrorInfo;
      logs: CapturedLogs;
    };

const NO_LOGS: CapturedLogs = { text: '', dropped: 0 };

/**
 * Reads the prelude's envelope `<tag><logs length>,<dropped>;<logs><payload>` with
 * string slicing only: the result JSON is never parsed here. Anything malformed is
 * reported as an error of the function, since only its own isolate could produce it.
 */
export function readEnvelope(raw: unknown, maxResultBytes: number): CallResult {
  if (typeof raw !== 'string') return malformed();
  const semi = raw.indexOf(';');
  const comma = raw.indexOf(',');
  if (semi < 0 || comma < 0 || comma > semi) return malformed();
  const logLength = Number(raw.slice(1, comma));
  const dropped = Number(raw.slice(comma + 1, semi));
  const payloadStart = semi + 1 + logLength;
  if (!Number.isSafeInteger(logLength) || !Number.isSafeInteger(dropped)) return malformed();
  if (payloadStart > raw.length) return malformed();
  const logs =
    logLength === 0 && dropped === 0
      ? NO_LOGS
      : { text: raw.slice(semi + 1, payloadStart), dropped };
  const payload = raw.slice(payloadStart);
  switch (raw[0]) {
    case 'R':
      return exceedsBytes(payload, maxResultBytes)
        ? {
            ok: false,
            reason: 'result_too_large',
            message: `The result is larger than ${maxResultBytes} bytes`,
            logs,
          }
        : { ok: true, result: payload, logs };
    case 'E': {
      const error = parseErrorInfo(payload);
      return { ok: false, reason: 'error', message: error.message, error, logs };
    }
    case 'I':
      return { ok: false, reason: 'invalid_result', message: payload, logs };
    case 'J':
      return {
        ok: false,
        reason: 'invalid_event',
        message: `The event is not valid JSON: ${payload}`,
        logs,
      };
    default:
      return malformed();
  }
}

function exceedsBytes(s: string, limit: number): boolean {
  // A UTF-16 unit is at most 3 UTF-8 bytes: most results never need the exact count.
  return s.length * 3 > limit && Buffer.byteLength(s) > limit;
}

/** The prelude built this JSON from bounded strings; still, check its shape. */
function parseErrorInfo(json: string): FunctionErrorInfo {
  try {
    const v: unknown = JSON.parse(json);
    if (v && typeof v === 'object') {
      const { name, message, stack } = v as Record<string, unknown>;
      if (typeof name === 'string' && typeof message === 'string' && typeof stack === 'string') {
        return { name, message, stack };
      }
    }
  } catch {
    // fall through to the generic description
  }
  return { name: 'Error', message: 'The function failed with an unreadable error', stack: '' };
}

function malformed(): CallResult {
  return {
    ok: false,
    reason: 'error',
    message: 'The function returned a malformed response (was the runtime tampered with?)',
    logs: NO_LOGS,
  };
}

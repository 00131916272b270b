import {
  type CapturedLogs,
  type FailureReason,
  type FunctionErrorInfo,
  type HttpResponseData,
  NO_LOGS,
} from '@mini-lambda/core';

/** What one call into an isolate produced, before the pool adds timing and cold-start. */
export type CallResult =
  | { ok: true; result: string; logs: CapturedLogs; response?: HttpResponseData }
  | {
      ok: false;
      reason: FailureReason;
      message: string;
      error?: FunctionErrorInfo;
      logs: CapturedLogs;
    };

/** Bounds the host applies to what comes out of an isolate, whatever the prelude did. */
export interface EnvelopeLimits {
  maxResultBytes: number;
  logLimit: number;
}

/** The same bounds the prelude applies; enforced again here since user code shares its isolate. */
export const ERROR_INFO_LIMITS = { name: 256, message: 4096, stack: 16384 } as const;

const HEADER = /^[REIJHL](\d{1,9}),(\d{1,9});/;
/** Bounds of a response head from a fetch-style function (its body is bounded apart). */
const HEAD_LIMITS = { chars: 256 * 1024, headers: 1000, statusText: 1024 } as const;

/**
 * Reads the prelude's envelope `<tag><logs length>,<dropped>;<logs><payload>` with
 * string slicing only: the result JSON is never parsed here. Anything malformed is
 * reported as an error of the function, since only its own isolate could produce it.
 */
export function readEnvelope(raw: unknown, limits: EnvelopeLimits): CallResult {
  if (typeof raw !== 'string') return malformed();
  const header = HEADER.exec(raw.length > 32 ? raw.slice(0, 32) : raw);
  if (!header) return malformed();
  const logLength = Number(header[1]);
  const dropped = Number(header[2]);
  const logStart = header[0].length;
  const payloadStart = logStart + logLength;
  if (logLength > limits.logLimit || payloadStart > raw.length) return malformed();
  const logs =
    logLength === 0 && dropped === 0
      ? NO_LOGS
      : { text: raw.slice(logStart, payloadStart), dropped };
  const payload = raw.slice(payloadStart);
  switch (raw[0]) {
    case 'R':
      return exceedsBytes(payload, limits.maxResultBytes)
        ? {
            ok: false,
            reason: 'result_too_large',
            message: `The result is larger than ${limits.maxResultBytes} bytes`,
            logs,
          }
        : { ok: true, result: payload, logs };
    case 'E': {
      const error = parseErrorInfo(payload);
      return { ok: false, reason: 'error', message: error.message, error, logs };
    }
    case 'H': {
      const response = parseResponseHead(payload);
      return response ? { ok: true, result: '', response, logs } : malformed();
    }
    case 'L':
      return { ok: false, reason: 'result_too_large', message: bound(payload, 256), logs };
    case 'I':
      return {
        ok: false,
        reason: 'invalid_result',
        message: bound(payload, ERROR_INFO_LIMITS.message),
        logs,
      };
    default:
      return {
        ok: false,
        reason: 'invalid_event',
        message: `The event is not valid JSON: ${bound(payload, ERROR_INFO_LIMITS.message)}`,
        logs,
      };
  }
}

/** Cuts a string to `limit` characters, marking the cut. */
function bound(s: string, limit: number): string {
  return s.length > limit ? `${s.slice(0, limit - 1)}\u2026` : s;
}

/** A function error with every field bounded, and only the function's own stack frames. */
export function boundedError(name: string, message: string, stack: string): FunctionErrorInfo {
  return {
    name: bound(name, ERROR_INFO_LIMITS.name),
    message: bound(message, ERROR_INFO_LIMITS.message),
    stack: bound(withoutOurFrames(stack), ERROR_INFO_LIMITS.stack),
  };
}

/**
 * Frames of our prelude (`mini-lambda:prelude`, its chunks) are ours, not the function's:
 * dropped. So is everything past isolated-vm's boundary marker: those are this process's
 * frames (paths of ours), appended to errors made while the host called into the isolate.
 */
function withoutOurFrames(stack: string): string {
  if (!stack.includes('mini-lambda:') && !stack.includes(BOUNDARY)) return stack;
  const lines = stack.split('\n');
  const boundary = lines.findIndex((line) => line.includes(BOUNDARY));
  return (boundary < 0 ? lines : lines.slice(0, boundary))
    .filter((line) => !/^\s+at .*mini-lambda:/.test(line))
    .join('\n');
}

const BOUNDARY = '<isolated-vm boundary>';

function exceedsBytes(s: string, limit: number): boolean {
  // A UTF-16 unit is at most 3 UTF-8 bytes: most results never need the exact count.
  return s.length * 3 > limit && Buffer.byteLength(s) > limit;
}

/** The prelude built this JSON from bounded strings; still, check its shape and bounds. */
function parseErrorInfo(json: string): FunctionErrorInfo {
  if (
    json.length <=
    ERROR_INFO_LIMITS.name + ERROR_INFO_LIMITS.message + ERROR_INFO_LIMITS.stack + 1024
  ) {
    try {
      const v: unknown = JSON.parse(json);
      if (v && typeof v === 'object') {
        const { name, message, stack } = v as Record<string, unknown>;
        if (typeof name === 'string' && typeof message === 'string' && typeof stack === 'string') {
          return boundedError(name, message, stack);
        }
      }
    } catch {
      // fall through to the generic description
    }
  }
  return { name: 'Error', message: 'The function failed with an unreadable error', stack: '' };
}

/**
 * The head of a fetch-style function's response: `{status, statusText, headers}` with
 * headers as [name, value] pairs; the body comes apart, as bytes. Which headers and
 * statuses HTTP allows is the trigger's to decide; this only checks the shape.
 */
export function parseResponseHead(head: unknown): HttpResponseData | undefined {
  let v = head;
  if (typeof head === 'string') {
    if (head.length > HEAD_LIMITS.chars) return undefined;
    try {
      v = JSON.parse(head);
    } catch {
      return undefined;
    }
  }
  if (!v || typeof v !== 'object') return undefined;
  const { status, statusText, headers } = v as Record<string, unknown>;
  if (typeof status !== 'number' || !Number.isInteger(status)) return undefined;
  if (typeof statusText !== 'string' || statusText.length > HEAD_LIMITS.statusText)
    return undefined;
  if (!Array.isArray(headers) || headers.length > HEAD_LIMITS.headers) return undefined;
  const list: HttpResponseData['headers'] = [];
  for (const pair of headers) {
    if (!Array.isArray(pair) || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') {
      return undefined;
    }
    list.push([pair[0], pair[1]]);
  }
  return { status, statusText, headers: list, body: new Uint8Array(0) };
}

function malformed(): CallResult {
  return {
    ok: false,
    reason: 'error',
    message: 'The function returned a malformed response (was the runtime tampered with?)',
    logs: NO_LOGS,
  };
}

import type {
  HttpRequestData,
  InvocationOutcome,
  ModuleInspection,
  OutboundRequest,
  OutboundResponse,
  RunnableFunction,
  RuntimeLimits,
} from '@mini-lambda/core';
import { OUTBOUND_LIMITS } from '../bridge/outbound-request.ts';
import type { RuntimeStats } from '../stats.ts';
import type { Codec } from './channel.ts';
import { encodeFrame, type Frame } from './frame.ts';
import {
  checkedJson,
  checkOutboundRequest,
  checkOutcome,
  inspectionSchema,
  inspectRequestSchema,
  MAX_LOG_CHARS,
  ProtocolError,
  parseJson,
  runtimeStatsSchema,
  type Vitals,
  vitalsSchema,
  type WireError,
  wireErrorSchema,
} from './sandbox-checks.ts';

export { ProtocolError, type Vitals, type WireError } from './sandbox-checks.ts';

/**
 * The protocol between the supervisor (host) and a sandbox process. A function version is
 * registered with a sandbox once, under a small `ref`; invokes and code requests name it
 * by that ref. Request ids (`id`) are the requester's own, echoed by the reply.
 */
export type HostMessage =
  | { type: 'register'; ref: number; fn: RunnableFunction }
  /** The sandbox forgets `ref`; the host sends it only when no call of `ref` is in flight. */
  | { type: 'unregister'; ref: number }
  /** `sentAt`: epoch ms, for the sandbox's queue bound. `event`: raw JSON ('' = null). */
  | { type: 'invoke'; id: number; ref: number; invocationId: string; sentAt: number; event: string }
  /** A fetch-style function's call from an HTTP trigger. */
  | {
      type: 'invokeHttp';
      id: number;
      ref: number;
      invocationId: string;
      sentAt: number;
      request: HttpRequestData;
    }
  /** The answer to a function's outbound request (`id` is the sandbox's fetch id). */
  | { type: 'fetchReply'; id: number; response: OutboundResponse }
  | { type: 'fetchError'; id: number; error: WireError }
  /** Evaluate a bundle and report its handler style (a deploy's question). */
  | {
      type: 'inspect';
      id: number;
      code: string;
      memoryMb: number;
      name?: string | undefined;
      env?: Record<string, string> | undefined;
    }
  | { type: 'code'; id: number; code: string }
  | { type: 'codeError'; id: number; error: WireError }
  /** Drains the pools of `name` (one version, or all). */
  | { type: 'retire'; name: string; version?: number }
  | { type: 'stats'; id: number }
  | { type: 'ping'; id: number }
  /** End every isolate, send the outcomes of the calls it ended, and exit. */
  | { type: 'dispose' };

/** What a sandbox sends; the host checks every one (see `decodeSandboxMessage`). */
export type SandboxMessage =
  | { type: 'ready' }
  /**
   * `lingering`: the function still runs ctx.waitUntil work; `ended` follows when it is
   * done, and until then the call may still fetch.
   */
  | { type: 'outcome'; id: number; outcome: InvocationOutcome; lingering?: boolean }
  | { type: 'ended'; id: number }
  /** A function's outbound request, for call `call` (an invoke id of the host's). */
  | { type: 'fetch'; id: number; call: number; request: OutboundRequest }
  /** The function gave up on fetch `id` (aborted, or its invocation ended). */
  | { type: 'fetchAbort'; id: number }
  | { type: 'inspected'; id: number; inspection: ModuleInspection }
  /** The sandbox's runtime threw instead of producing an outcome: a platform error. */
  | { type: 'failed'; id: number; error: WireError }
  /** Asks for the bundle of `ref`, for a cold start of a call of it in flight. */
  | { type: 'loadCode'; id: number; ref: number }
  | { type: 'statsReply'; id: number; stats: RuntimeStats }
  | { type: 'pong'; id: number; vitals: Vitals }
  /** V8 lost control of an isolate; `name` is the function's when known. */
  | { type: 'catastrophe'; message: string; name?: string };

/**
 * Frame types on the wire (see frame.ts for the frame). The hot pair keeps the event and
 * the result as the raw strings they are: invoke `a` = `<ref>\n<sentAt>\n<invocationId>`,
 * `b` = event; outcome `a` = the outcome JSON without its result, `b` = the result. The
 * two directions use separate ranges, so a frame sent back is an unknown type too.
 */
export const HOST_FRAME = {
  register: 1,
  unregister: 2,
  invoke: 3,
  code: 4,
  codeError: 5,
  retire: 6,
  stats: 7,
  ping: 8,
  dispose: 9,
  invokeHttp: 10,
  fetchReply: 11,
  fetchError: 12,
  inspect: 13,
} as const satisfies Record<HostMessage['type'], number>;
/** Frame types of a sandbox's messages (see HOST_FRAME). */
export const SANDBOX_FRAME = {
  ready: 32,
  outcome: 33,
  failed: 34,
  loadCode: 35,
  statsReply: 36,
  pong: 37,
  catastrophe: 38,
  ended: 39,
  fetch: 40,
  fetchAbort: 41,
  inspected: 42,
} as const satisfies Record<SandboxMessage['type'], number>;

/** Encodes a message of the host's. */
export function encodeHostMessage(m: HostMessage): Buffer {
  switch (m.type) {
    case 'register':
      return encodeFrame(HOST_FRAME.register, m.ref, JSON.stringify(m.fn));
    case 'unregister':
      return encodeFrame(HOST_FRAME.unregister, m.ref);
    case 'invoke':
      return encodeFrame(
        HOST_FRAME.invoke,
        m.id,
        `${m.ref}\n${m.sentAt}\n${m.invocationId}`,
        m.event,
      );
    case 'invokeHttp': {
      const { body, ...head } = m.request;
      return encodeFrame(
        HOST_FRAME.invokeHttp,
        m.id,
        `${m.ref}\n${m.sentAt}\n${m.invocationId}\n${JSON.stringify({ ...head, hasBody: body !== null })}`,
        toBase64(body),
      );
    }
    case 'fetchReply': {
      const { body, ...head } = m.response;
      return encodeFrame(HOST_FRAME.fetchReply, m.id, JSON.stringify(head), toBase64(body));
    }
    case 'fetchError':
      return encodeFrame(HOST_FRAME.fetchError, m.id, JSON.stringify(m.error));
    case 'inspect':
      return encodeFrame(
        HOST_FRAME.inspect,
        m.id,
        JSON.stringify({ memoryMb: m.memoryMb, name: m.name, env: m.env }),
        m.code,
      );
    case 'code':
      return encodeFrame(HOST_FRAME.code, m.id, '', m.code);
    case 'codeError':
      return encodeFrame(HOST_FRAME.codeError, m.id, JSON.stringify(m.error));
    case 'retire':
      return encodeFrame(
        HOST_FRAME.retire,
        0,
        m.name,
        m.version === undefined ? '' : String(m.version),
      );
    case 'stats':
      return encodeFrame(HOST_FRAME.stats, m.id);
    case 'ping':
      return encodeFrame(HOST_FRAME.ping, m.id);
    case 'dispose':
      return encodeFrame(HOST_FRAME.dispose, 0);
  }
}

/**
 * Decodes a message of the host's, in the sandbox. The host is trusted, so this only
 * reads; a frame it cannot read is a broken channel (thrown).
 */
export function decodeHostMessage(f: Frame): HostMessage {
  switch (f.type) {
    case HOST_FRAME.register:
      return { type: 'register', ref: f.id, fn: JSON.parse(f.a) as RunnableFunction };
    case HOST_FRAME.unregister:
      return { type: 'unregister', ref: f.id };
    case HOST_FRAME.invoke: {
      const first = f.a.indexOf('\n');
      const second = f.a.indexOf('\n', first + 1);
      if (first < 0 || second < 0) throw new Error('Malformed invoke frame');
      const ref = Number(f.a.slice(0, first));
      const sentAt = Number(f.a.slice(first + 1, second));
      const invocationId = f.a.slice(second + 1);
      return { type: 'invoke', id: f.id, ref, invocationId, sentAt, event: f.b };
    }
    case HOST_FRAME.invokeHttp: {
      const [ref = '', sentAt = '', invocationId = '', headJson = ''] = splitLines(f.a, 4);
      const head = JSON.parse(headJson) as Omit<HttpRequestData, 'body'> & { hasBody: boolean };
      const { hasBody, ...rest } = head;
      return {
        type: 'invokeHttp',
        id: f.id,
        ref: Number(ref),
        invocationId,
        sentAt: Number(sentAt),
        request: { ...rest, body: hasBody ? fromBase64(f.b) : null },
      };
    }
    case HOST_FRAME.fetchReply: {
      const head = JSON.parse(f.a) as Omit<OutboundResponse, 'body'>;
      return { type: 'fetchReply', id: f.id, response: { ...head, body: fromBase64(f.b) } };
    }
    case HOST_FRAME.fetchError:
      return { type: 'fetchError', id: f.id, error: JSON.parse(f.a) as WireError };
    case HOST_FRAME.inspect:
      return {
        type: 'inspect',
        id: f.id,
        ...checkedJson(inspectRequestSchema, f.a, 'inspect'),
        code: f.b,
      };
    case HOST_FRAME.code:
      return { type: 'code', id: f.id, code: f.b };
    case HOST_FRAME.codeError:
      return { type: 'codeError', id: f.id, error: JSON.parse(f.a) as WireError };
    case HOST_FRAME.retire:
      return f.b === ''
        ? { type: 'retire', name: f.a }
        : { type: 'retire', name: f.a, version: Number(f.b) };
    case HOST_FRAME.stats:
      return { type: 'stats', id: f.id };
    case HOST_FRAME.ping:
      return { type: 'ping', id: f.id };
    case HOST_FRAME.dispose:
      return { type: 'dispose' };
    default:
      throw new Error(`Unknown message type ${f.type} from the host`);
  }
}

/** Encodes a message of a sandbox's. */
export function encodeSandboxMessage(m: SandboxMessage): Buffer {
  switch (m.type) {
    case 'ready':
      return encodeFrame(SANDBOX_FRAME.ready, 0);
    case 'outcome': {
      const linger = m.lingering ? { lingering: true } : {};
      if (!m.outcome.ok) {
        return encodeFrame(
          SANDBOX_FRAME.outcome,
          m.id,
          JSON.stringify({ ...m.outcome, ...linger }),
        );
      }
      const { result, response, ...rest } = m.outcome;
      if (response) {
        const { body, ...head } = response;
        const a = JSON.stringify({ ...rest, ...linger, response: head });
        return encodeFrame(SANDBOX_FRAME.outcome, m.id, a, toBase64(body));
      }
      return encodeFrame(
        SANDBOX_FRAME.outcome,
        m.id,
        JSON.stringify({ ...rest, ...linger }),
        result,
      );
    }
    case 'ended':
      return encodeFrame(SANDBOX_FRAME.ended, m.id);
    case 'fetch': {
      const { body, ...head } = m.request;
      const a = JSON.stringify({ ...head, call: m.call, hasBody: body !== null });
      return encodeFrame(SANDBOX_FRAME.fetch, m.id, a, toBase64(body));
    }
    case 'fetchAbort':
      return encodeFrame(SANDBOX_FRAME.fetchAbort, m.id);
    case 'inspected':
      return encodeFrame(SANDBOX_FRAME.inspected, m.id, JSON.stringify(m.inspection));
    case 'failed':
      return encodeFrame(SANDBOX_FRAME.failed, m.id, JSON.stringify(m.error));
    case 'loadCode':
      return encodeFrame(SANDBOX_FRAME.loadCode, m.id, String(m.ref));
    case 'statsReply':
      return encodeFrame(SANDBOX_FRAME.statsReply, m.id, JSON.stringify(m.stats));
    case 'pong':
      return encodeFrame(SANDBOX_FRAME.pong, m.id, JSON.stringify(m.vitals));
    case 'catastrophe':
      return encodeFrame(SANDBOX_FRAME.catastrophe, 0, m.message, m.name ?? '');
  }
}

/**
 * Decodes and checks a message of a sandbox's, in the host: anything our sandbox would
 * not send (unknown type, bad JSON, a field of the wrong kind, an unknown failure reason,
 * a slot that should be empty) is a ProtocolError. Whether it fits the conversation (an
 * outcome for a call in flight, a code request for a registered ref) is the handle's check.
 */
export function decodeSandboxMessage(
  f: Frame,
  // An object, not a number: `frames.map(decodeSandboxMessage)` must not pass an index.
  { logChars }: { logChars: number } = { logChars: MAX_LOG_CHARS },
): SandboxMessage {
  switch (f.type) {
    case SANDBOX_FRAME.ready:
      unused(f, 'ready', 'id', 'a', 'b');
      return { type: 'ready' };
    case SANDBOX_FRAME.outcome: {
      const v = parseJson(f.a, 'outcome');
      const lingering = (v as { lingering?: unknown } | null)?.lingering === true;
      const outcome = checkOutcome(v, f.b, logChars);
      return lingering
        ? { type: 'outcome', id: f.id, outcome, lingering }
        : { type: 'outcome', id: f.id, outcome };
    }
    case SANDBOX_FRAME.ended:
      unused(f, 'ended', 'a', 'b');
      return { type: 'ended', id: f.id };
    case SANDBOX_FRAME.fetch: {
      const v = parseJson(f.a, 'fetch') as Record<string, unknown> | null;
      const call = v?.call;
      if (typeof call !== 'number' || !Number.isInteger(call))
        throw new ProtocolError('fetch: bad call');
      if (v?.hasBody !== true && f.b !== '')
        throw new ProtocolError('fetch: a body it did not announce');
      const body = v?.hasBody === true ? fromBase64(f.b) : null;
      return { type: 'fetch', id: f.id, call, request: checkOutboundRequest({ ...v, body }) };
    }
    case SANDBOX_FRAME.fetchAbort:
      unused(f, 'fetchAbort', 'a', 'b');
      return { type: 'fetchAbort', id: f.id };
    case SANDBOX_FRAME.inspected:
      unused(f, 'inspected', 'b');
      return {
        type: 'inspected',
        id: f.id,
        inspection: checkedJson(inspectionSchema, f.a, 'inspected'),
      };
    case SANDBOX_FRAME.failed:
      unused(f, 'failed', 'b');
      return { type: 'failed', id: f.id, error: checkedJson(wireErrorSchema, f.a, 'failed') };
    case SANDBOX_FRAME.loadCode: {
      unused(f, 'loadCode', 'b');
      if (!/^[1-9]\d{0,9}$/.test(f.a)) throw new ProtocolError('loadCode: bad ref');
      return { type: 'loadCode', id: f.id, ref: Number(f.a) };
    }
    case SANDBOX_FRAME.statsReply:
      unused(f, 'statsReply', 'b');
      return {
        type: 'statsReply',
        id: f.id,
        stats: checkedJson(runtimeStatsSchema, f.a, 'statsReply'),
      };
    case SANDBOX_FRAME.pong:
      unused(f, 'pong', 'b');
      return { type: 'pong', id: f.id, vitals: checkedJson(vitalsSchema, f.a, 'pong') };
    case SANDBOX_FRAME.catastrophe:
      unused(f, 'catastrophe', 'id');
      return f.b === ''
        ? { type: 'catastrophe', message: f.a }
        : { type: 'catastrophe', message: f.a, name: f.b };
    default:
      throw new ProtocolError(`unknown message type ${f.type}`);
  }
}

/**
 * The largest frame a sandbox may send under `limits`: a result, its logs (`logLimit`
 * characters, ≤ 6 bytes each as escaped JSON), and 8 MB for the rest (error info is
 * bounded to ≈ 20 kB; a stats reply takes ≈ 300 bytes per pool). A longer frame is a
 * ProtocolError before any of it is buffered.
 */
export function maxSandboxFrameBytes(limits: RuntimeLimits): number {
  // Response and request bodies travel as base64: 4 characters per 3 bytes.
  const body = Math.max(limits.maxResultBytes, OUTBOUND_LIMITS.bodyBytes);
  return Math.ceil((body * 4) / 3) + 6 * limits.logLimit + 8 * 1024 * 1024;
}

function toBase64(bytes: Uint8Array | null): string {
  if (bytes === null || bytes.byteLength === 0) return '';
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Bytes from base64 (Buffer ignores characters outside the alphabet). */
function fromBase64(text: string): Uint8Array {
  const buf = Buffer.from(text, 'base64');
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** The first `n - 1` lines of `text` and the rest as the last. */
function splitLines(text: string, n: number): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < n - 1; i++) {
    const end = text.indexOf('\n', start);
    if (end < 0) throw new Error('Malformed frame');
    parts.push(text.slice(start, end));
    start = end + 1;
  }
  parts.push(text.slice(start));
  return parts;
}

/** Slots a message does not use must be empty (id 0): our sandbox never fills them. */
function unused(f: Frame, what: string, ...slots: ('id' | 'a' | 'b')[]): void {
  for (const slot of slots) {
    if (slot === 'id' ? f.id !== 0 : f[slot] !== '') {
      throw new ProtocolError(`${what}: unexpected content in ${slot}`);
    }
  }
}

/**
 * The host's side: it sends HostMessages and checks what the sandbox sends, for a sandbox
 * whose functions keep at most `logChars` of console output.
 */
export function createHostCodec(logChars: number): Codec<SandboxMessage, HostMessage> {
  return { encode: encodeHostMessage, decode: (f) => decodeSandboxMessage(f, { logChars }) };
}

/** A sandbox's side. */
export const sandboxCodec: Codec<HostMessage, SandboxMessage> = {
  encode: encodeSandboxMessage,
  decode: decodeHostMessage,
};

/** What crosses the boundary of an error we threw: its code when a string, its message. */
export function toWireError(err: unknown): WireError {
  const e = (typeof err === 'object' && err !== null ? err : {}) as {
    code?: unknown;
    message?: unknown;
  };
  return {
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
    message: typeof e.message === 'string' ? e.message : String(err),
  };
}

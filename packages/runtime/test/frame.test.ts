import { NO_LOGS, parseFunctionConfig } from '@mini-lambda/core';
import { describe, expect, it } from 'vitest';
import { encodeFrame, type Frame, FrameDecoder } from '../src/ipc/frame.ts';
import {
  decodeHostMessage,
  decodeSandboxMessage,
  encodeHostMessage,
  encodeSandboxMessage,
  HOST_FRAME,
  type HostMessage,
  maxSandboxFrameBytes,
  ProtocolError,
  SANDBOX_FRAME as S,
  type SandboxMessage,
} from '../src/ipc/protocol.ts';
import { runtimeLimits } from '../src/limits.ts';

const frames: [number, number, string, string][] = [
  [1, 1, 'id\n{"name":"x"}', '{"event":"ünïcode ✓"}'],
  [2, 4294967295, '', ''],
  [3, 7, 'a'.repeat(70_000), ''],
  [4, 8, '', 'b'.repeat(3)],
];

describe('frames', () => {
  it('round-trips however the stream is cut', () => {
    const bytes = Buffer.concat(frames.map(([t, id, a, b]) => encodeFrame(t, id, a, b)));
    for (const size of [1, 2, 3, 7, 13, 4096, bytes.length]) {
      const decoder = new FrameDecoder();
      const got: Frame[] = [];
      for (let i = 0; i < bytes.length; i += size) {
        decoder.push(bytes.subarray(i, i + size), (f) => got.push(f));
      }
      expect(got.map((f) => [f.type, f.id, f.a, f.b])).toEqual(frames);
    }
  });

  it('refuses a frame whose lengths break the format', () => {
    const huge = Buffer.alloc(13);
    huge.writeUInt32LE(0xffffffff, 0);
    expect(() => new FrameDecoder().push(huge, () => {})).toThrow(/length/);
    const lying = encodeFrame(1, 1, 'abc', 'def');
    lying.writeUInt32LE(1000, 9); // a-length past the frame
    expect(() => new FrameDecoder().push(lying, () => {})).toThrow(/a-length/);
  });
});

const fn = { name: 'x', version: 3, sha256: 'ab'.repeat(32), config: parseFunctionConfig({}) };
const base = { invocationId: 'inv-1', coldStart: true, durationMs: 1.5, logs: NO_LOGS };
const stats = {
  totals: {
    isolates: 1,
    busy: 0,
    idle: 1,
    waiting: 0,
    executing: 0,
    waiting_for_cpu: 0,
    spares: 2,
    spares_taken: 3,
    reserved_memory_mb: 128,
  },
  pools: [
    {
      function: 'x',
      version: 3,
      size: 1,
      busy: 0,
      idle: 1,
      waiting: 0,
      max: 10,
      invocations: 4,
      cold_starts: 1,
      errors: 0,
      timeouts: 0,
      throttles: 0,
      evictions: 0,
    },
  ],
};

/** One of every message each side sends, with the awkward values each can carry. */
const hostMessages: HostMessage[] = [
  { type: 'register', ref: 1, fn },
  { type: 'unregister', ref: 4294967295 },
  { type: 'invoke', id: 7, ref: 1, invocationId: 'a\nb ✓', sentAt: 1700000000123, event: '' },
  { type: 'invoke', id: 8, ref: 2, invocationId: '', sentAt: 0, event: '{"e":"ünï\\n"}' },
  { type: 'code', id: 1, code: 'export const handler = () => "✓"' },
  { type: 'codeError', id: 2, error: { code: 'ServiceUnavailable', message: 'down' } },
  { type: 'codeError', id: 3, error: { message: 'no code' } },
  { type: 'retire', name: 'x' },
  { type: 'retire', name: 'x', version: 3 },
  { type: 'stats', id: 9 },
  { type: 'ping', id: 10 },
  { type: 'dispose' },
];
const sandboxMessages: SandboxMessage[] = [
  { type: 'ready' },
  { type: 'outcome', id: 7, outcome: { ok: true, result: '{"r":"ü"}', ...base } },
  { type: 'outcome', id: 8, outcome: { ok: true, result: '', ...base, initDurationMs: 3 } },
  {
    type: 'outcome',
    id: 9,
    outcome: {
      ok: false,
      reason: 'error',
      message: 'boom',
      error: { name: 'Error', message: 'boom', stack: 'Error: boom\n  at h' },
      ...base,
      logs: { text: 'INFO hi', dropped: 2 },
    },
  },
  {
    type: 'outcome',
    id: 10,
    outcome: { ok: false, reason: 'throttled', message: 'busy', retryAfterMs: 1000, ...base },
  },
  { type: 'failed', id: 11, error: { code: 'ServiceUnavailable', message: 'no bundle' } },
  { type: 'failed', id: 12, error: {} },
  { type: 'loadCode', id: 1, ref: 4294967295 },
  { type: 'statsReply', id: 1, stats },
  { type: 'pong', id: 3, vitals: { rss: 50_000_000, reservedMb: 128, isolates: 1 } },
  { type: 'catastrophe', message: 'Script failed to terminate', name: 'bomb' },
  { type: 'catastrophe', message: 'lost' },
];

/** Decodes a byte stream cut in two at `cut`. */
function decodeCut(bytes: Buffer, cut: number): Frame[] {
  const decoder = new FrameDecoder();
  const got: Frame[] = [];
  decoder.push(bytes.subarray(0, cut), (f) => got.push(f));
  decoder.push(bytes.subarray(cut), (f) => got.push(f));
  return got;
}

describe('the sandbox protocol', () => {
  it('round-trips every message of either side, wherever the stream is cut', () => {
    const host = Buffer.concat(hostMessages.map(encodeHostMessage));
    const sandbox = Buffer.concat(sandboxMessages.map(encodeSandboxMessage));
    for (let cut = 0; cut <= host.length; cut++) {
      expect(decodeCut(host, cut).map(decodeHostMessage)).toEqual(hostMessages);
    }
    for (let cut = 0; cut <= sandbox.length; cut++) {
      expect(decodeCut(sandbox, cut).map((f) => decodeSandboxMessage(f))).toEqual(sandboxMessages);
    }
  });

  it('keeps the event and the result as the raw strings they are', () => {
    const event = '{"a": [1, 2]}';
    const [invoke] = decodeCut(encodeHostMessage(hostMessages[2] as HostMessage), 0);
    expect(invoke?.a).toBe('1\n1700000000123\na\nb ✓');
    const [frame] = decodeCut(
      encodeHostMessage({ type: 'invoke', id: 1, ref: 1, invocationId: 'i', sentAt: 1, event }),
      0,
    );
    expect(frame?.b).toBe(event);
    const [outcome] = decodeCut(encodeSandboxMessage(sandboxMessages[1] as SandboxMessage), 0);
    expect(outcome?.b).toBe('{"r":"ü"}');
    expect(JSON.parse(outcome?.a ?? '')).not.toHaveProperty('result');
  });

  /** A frame as a sandbox would write it, of sandbox message type `type`. */
  const frame = (type: number, id: number, a = '', b = ''): Frame => ({ type, id, a, b });
  const outcomeJson = (fields: Record<string, unknown>) => JSON.stringify({ ...base, ...fields });

  it('refuses what our sandbox would never send, as a ProtocolError', () => {
    const refused: [string, Frame][] = [
      ['an unknown type', frame(99, 1)],
      ['a host message sent back', frame(HOST_FRAME.invoke, 1, '1\n0\nx', '')],
      ['garbage JSON', frame(S.outcome, 1, '{oops')],
      ['not an object', frame(S.outcome, 1, '"hi"')],
      [
        'an unknown reason',
        frame(S.outcome, 1, outcomeJson({ ok: false, reason: 'exploded', message: '' })),
      ],
      ['ok not a boolean', frame(S.outcome, 1, outcomeJson({ ok: 'yes' }), 'null')],
      [
        'a failure with a result',
        frame(S.outcome, 1, outcomeJson({ ok: false, reason: 'error', message: '' }), '1'),
      ],
      ['bad logs', frame(S.outcome, 1, outcomeJson({ ok: true, logs: { text: 1, dropped: 0 } }))],
      ['a negative duration', frame(S.outcome, 1, outcomeJson({ ok: true, durationMs: -1 }))],
      [
        'a bad error info',
        frame(S.outcome, 1, outcomeJson({ ok: false, reason: 'error', message: '', error: 'x' })),
      ],
      ['ready with content', frame(S.ready, 0, 'x')],
      ['ready with an id', frame(S.ready, 5)],
      ['a bad ref', frame(S.loadCode, 1, '01')],
      ['a ref that is no number', frame(S.loadCode, 1, 'x')],
      ['a zero ref', frame(S.loadCode, 1, '0')],
      [
        'stats of the wrong shape',
        frame(S.statsReply, 1, JSON.stringify({ totals: {}, pools: [] })),
      ],
      [
        'vitals of the wrong shape',
        frame(S.pong, 1, JSON.stringify({ rss: -1, reservedMb: 0, isolates: 0 })),
      ],
      [
        'a failure whose code is no string',
        frame(S.failed, 1, JSON.stringify({ code: 5, message: 'x' })),
      ],
      ['a catastrophe with an id', frame(S.catastrophe, 1, 'lost')],
    ];
    for (const [what, f] of refused) {
      expect(() => decodeSandboxMessage(f), what).toThrow(ProtocolError);
    }
  });

  it('copies only the known fields of an outcome', () => {
    const json = `{"__proto__":{"ok":false},${outcomeJson({ ok: true, extra: 'x' }).slice(1)}`;
    const m = decodeSandboxMessage(frame(S.outcome, 1, json, '1'));
    expect(m).toEqual({ type: 'outcome', id: 1, outcome: { ok: true, result: '1', ...base } });
  });

  it('bounds a frame from a sandbox by its limits, before reading it', () => {
    const limits = runtimeLimits({ maxResultBytes: 1024, logLimit: 64 });
    const bound = maxSandboxFrameBytes(limits);
    // Bodies travel as base64; the larger of a result and a request body (10 MB) counts.
    expect(bound).toBe(Math.ceil((10 * 1024 * 1024 * 4) / 3) + 6 * 64 + 8 * 1024 * 1024);
    const header = Buffer.alloc(13);
    header.writeUInt32LE(bound + 1, 0); // nothing of the body has arrived yet
    expect(() => new FrameDecoder(bound).push(header, () => {})).toThrow(/Oversized/);
    header.writeUInt32LE(bound, 0);
    expect(() => new FrameDecoder(bound).push(header, () => {})).not.toThrow();
  });

  it('refuses a frame shorter than its header or with a length of its own past the frame', () => {
    for (const length of [0, 1, 8]) {
      const short = Buffer.alloc(13);
      short.writeUInt32LE(length, 0);
      expect(() => new FrameDecoder().push(short, () => {}), `length ${length}`).toThrow(
        /Malformed frame: length/,
      );
    }
    const exact = encodeFrame(S.outcome, 1, 'abc', 'def');
    exact.writeUInt32LE(6, 9); // a-length to the very end: b is empty, still a frame
    const got: Frame[] = [];
    new FrameDecoder().push(exact, (f) => got.push(f));
    expect(got).toEqual([{ type: S.outcome, id: 1, a: 'abcdef', b: '' }]);
    exact.writeUInt32LE(7, 9);
    expect(() => new FrameDecoder().push(exact, () => {})).toThrow(/a-length/);
  });
});

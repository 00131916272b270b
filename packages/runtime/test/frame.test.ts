import { describe, expect, it } from 'vitest';
import { encodeFrame, type Frame, FrameDecoder } from '../src/ipc/frame.ts';

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

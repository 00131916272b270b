/**
 * The sandbox wire format: one frame per message,
 * `[u32 length][u8 type][u32 id][u32 a-length][a][b]`, where `a` and `b` are UTF-8
 * strings and `length` counts everything after itself. Two opaque string slots let the
 * hot path carry an event or a result as the string it already is, never re-encoded
 * as JSON inside JSON.
 */
export interface Frame {
  type: number;
  id: number;
  a: string;
  b: string;
}

const HEADER = 4 + 1 + 4 + 4;
/**
 * The default bound of one frame: bundles are at most 10 MB, events and results 6 MB. The
 * host reads a sandbox with a tighter bound derived from its limits (`maxSandboxFrameBytes`).
 */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;

export function encodeFrame(type: number, id: number, a = '', b = ''): Buffer {
  const aBytes = Buffer.byteLength(a);
  const bBytes = Buffer.byteLength(b);
  const buf = Buffer.allocUnsafe(HEADER + aBytes + bBytes);
  buf.writeUInt32LE(HEADER - 4 + aBytes + bBytes, 0);
  buf.writeUInt8(type, 4);
  buf.writeUInt32LE(id >>> 0, 5);
  buf.writeUInt32LE(aBytes, 9);
  if (aBytes > 0) buf.write(a, HEADER, aBytes, 'utf8');
  if (bBytes > 0) buf.write(b, HEADER + aBytes, bBytes, 'utf8');
  return buf;
}

/** Splits a byte stream into frames; throws on a frame that breaks the format or the bound. */
export class FrameDecoder {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes the pending frame needs before it can be read. */
  private awaitedBytes = 0;
  private readonly maxBytes: number;

  /** `maxBytes` bounds a frame's `length`: a peer cannot make us buffer more for one frame. */
  constructor(maxBytes = MAX_FRAME_BYTES) {
    this.maxBytes = maxBytes;
  }

  push(chunk: Buffer, onFrame: (frame: Frame) => void): void {
    // Chunks of a frame still arriving are kept apart and joined once it is whole: joining
    // on every read made a 43 MB frame cost 8 s (quadratic in its size).
    if (this.pendingBytes > 0) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      if (this.pendingBytes < this.awaitedBytes) return;
      chunk = Buffer.concat(this.pending, this.pendingBytes);
      this.pending = [];
      this.pendingBytes = 0;
    }
    const buf = chunk;
    let offset = 0;
    while (buf.length - offset >= 4) {
      const length = buf.readUInt32LE(offset);
      if (length < HEADER - 4) throw new Error(`Malformed frame: length ${length}`);
      if (length > this.maxBytes) {
        throw new Error(`Oversized frame: length ${length} over the bound of ${this.maxBytes}`);
      }
      if (buf.length - offset < 4 + length) break;
      const aBytes = buf.readUInt32LE(offset + 9);
      if (aBytes > length - (HEADER - 4)) throw new Error(`Malformed frame: a-length ${aBytes}`);
      const aStart = offset + HEADER;
      const end = offset + 4 + length;
      onFrame({
        type: buf.readUInt8(offset + 4),
        id: buf.readUInt32LE(offset + 5),
        a: aBytes > 0 ? buf.toString('utf8', aStart, aStart + aBytes) : '',
        b: end > aStart + aBytes ? buf.toString('utf8', aStart + aBytes, end) : '',
      });
      offset = end;
    }
    if (offset < buf.length) {
      const rest = buf.subarray(offset);
      this.pending.push(rest);
      this.pendingBytes = rest.length;
      // The whole frame when its length is known, else just enough to read the length.
      this.awaitedBytes = rest.length >= 4 ? 4 + rest.readUInt32LE(0) : 4;
    }
  }
}

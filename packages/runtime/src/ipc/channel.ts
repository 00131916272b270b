import type { Socket } from 'node:net';
import { type Frame, FrameDecoder, MAX_FRAME_BYTES } from './frame.ts';

/** How one side of the protocol turns its messages into frames and the peer's frames into messages. */
export interface Codec<In, Out> {
  encode(message: Out): Buffer;
  /** Throws on a frame that is not a message the peer may send. */
  decode(frame: Frame): In;
}

export interface ChannelOptions<In> {
  onMessage: (message: In) => void;
  /**
   * The channel ended: `malformed` when the peer broke the frame format, the bound or the
   * protocol (the decoder or `onMessage` threw).
   */
  onBroken: (reason: string, malformed: boolean) => void;
  /** When corked writes go out (see Channel). */
  flush?: 'tick' | 'turn';
  /** Bound of one frame from the peer. */
  maxFrameBytes?: number;
}

/**
 * Frames over a socket; writes are corked and flushed in batches. `tick` flushes when
 * the current callback's ticks are done: a sandbox runs every call of one read in one
 * callback, so their outcomes go out together, before any setImmediate work (such as
 * refilling spare isolates) can delay them. `turn` flushes once per turn of the event
 * loop (setImmediate), after every socket that was ready has been read: the server
 * handles each HTTP request in its own callback, so a flush per tick cost it one write
 * and one sandbox wake-up per request. Batched, a busy server sends ≈ 9 calls per write
 * (bench/warm: server CPU per request 80 → 64 µs, sandbox 32 → 21 µs).
 */
export interface Channel<Out> {
  /** `onFlushed`: the frame left our buffers for the kernel's (the peer is reading). */
  send(message: Out, onFlushed?: () => void): void;
  /** Flushes what was sent, then closes our end. */
  end(done: () => void): void;
  close(): void;
}

export function createChannel<In, Out>(
  socket: Socket,
  codec: Codec<In, Out>,
  options: ChannelOptions<In>,
): Channel<Out> {
  const { onMessage, onBroken, flush = 'tick', maxFrameBytes = MAX_FRAME_BYTES } = options;
  const onFrame = (frame: Frame) => onMessage(codec.decode(frame));
  const later = (fn: () => void) => {
    if (flush === 'tick') process.nextTick(fn);
    else setImmediate(fn);
  };
  const decoder = new FrameDecoder(maxFrameBytes);
  let corked = false;
  let open = true;
  const broken = (reason: string, malformed = false) => {
    if (!open) return;
    open = false;
    onBroken(reason, malformed);
  };
  socket.on('data', (chunk: Buffer) => {
    try {
      decoder.push(chunk, onFrame);
    } catch (err) {
      broken(err instanceof Error ? err.message : String(err), true);
      socket.destroy();
    }
  });
  socket.on('error', (err) => broken(err.message));
  socket.on('close', () => broken('closed'));
  return {
    send(message, onFlushed) {
      if (!open) return;
      if (!corked) {
        corked = true;
        socket.cork();
        later(() => {
          corked = false;
          socket.uncork();
        });
      }
      socket.write(codec.encode(message), onFlushed);
    },
    end(done) {
      open = false;
      socket.end(done);
    },
    close() {
      open = false;
      socket.destroy();
    },
  };
}

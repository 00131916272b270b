import type { Socket } from 'node:net';
import { encodeFrame, type Frame, FrameDecoder } from './frame.ts';

/** Frames over a socket: writes are corked and flushed once per tick, so bursts batch. */
export interface Channel {
  send(type: number, id: number, a?: string, b?: string): void;
  /** Flushes what was sent, then closes our end. */
  end(done: () => void): void;
  close(): void;
}

export function createChannel(
  socket: Socket,
  onFrame: (frame: Frame) => void,
  /** The channel ended: `malformed` when the peer broke the frame format. */
  onBroken: (reason: string, malformed: boolean) => void,
): Channel {
  const decoder = new FrameDecoder();
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
    send(type, id, a, b) {
      if (!open) return;
      if (!corked) {
        corked = true;
        socket.cork();
        process.nextTick(() => {
          corked = false;
          socket.uncork();
        });
      }
      socket.write(encodeFrame(type, id, a, b));
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

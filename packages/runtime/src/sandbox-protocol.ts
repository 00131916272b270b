/**
 * `@mini-lambda/runtime/protocol`: what a sandbox program needs to speak to the
 * supervisor over its fd 3 (see SandboxOptions.entry). Tests of the runtime and the
 * server start fake sandboxes with it; the supervisor checks every message such a
 * process sends, exactly as it checks the real one's.
 */
export { type Channel, type Codec, createChannel } from './ipc/channel.ts';
export { encodeFrame, type Frame } from './ipc/frame.ts';
export {
  HOST_FRAME,
  type HostMessage,
  SANDBOX_FRAME,
  type SandboxMessage,
  sandboxCodec,
  type Vitals,
  type WireError,
} from './ipc/protocol.ts';
export { runtimeStatsSchema } from './ipc/sandbox-checks.ts';
export type { RuntimeStats } from './stats.ts';

import { z } from 'zod';

/**
 * What a server process sends its parent over an IPC channel once it listens (when it was
 * started with one), so tools learn its address from a message, never from a log line.
 */
export const readyMessageSchema = z.object({
  type: z.literal('ready'),
  url: z.string(),
  port: z.number().int().min(1).max(65_535),
  instanceId: z.string(),
});

/** The readiness message of a server process (see `readyMessageSchema`). */
export type ReadyMessage = z.infer<typeof readyMessageSchema>;

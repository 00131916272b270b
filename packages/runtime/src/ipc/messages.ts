/** Frame types between the supervisor (host) and a sandbox process. */
export const MSG = {
  /** host → sandbox: id, a = `<invocationId>\n<sent at, epoch ms>\n<function JSON>`, b = event. */
  invoke: 1,
  /** sandbox → host: id, a = outcome JSON without `result`, b = result. */
  outcome: 2,
  /** sandbox → host: id, a = function JSON. */
  loadCode: 3,
  /** host → sandbox: id, a = error message or '', b = code. */
  code: 4,
  /** host → sandbox: a = `{"name","version"?}`. */
  retire: 5,
  /** host → sandbox: id. */
  stats: 6,
  /** sandbox → host: id, a = RuntimeStats JSON. */
  statsReply: 7,
  /** host → sandbox: id. */
  ping: 8,
  /** sandbox → host: id, a = `{"rss"}`. */
  pong: 9,
  /** sandbox → host: a = message, b = the function's name if known. V8 lost an isolate. */
  catastrophe: 10,
  /** host → sandbox: end every isolate and exit. */
  dispose: 11,
  /** sandbox → host: up and listening. */
  ready: 12,
} as const;

// node:timers: the platform's timers (they belong to the invocation, see platform/timers.js),
// setImmediate from node-globals.js, and timers/promises as `promises`.
import promises from 'node:timers/promises';

export default {
  setTimeout: globalThis.setTimeout,
  clearTimeout: globalThis.clearTimeout,
  setInterval: globalThis.setInterval,
  clearInterval: globalThis.clearInterval,
  setImmediate: globalThis.setImmediate,
  clearImmediate: globalThis.clearImmediate,
  promises,
};

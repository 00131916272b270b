import { describeSafely } from './describe.js';
import { apply, defineProperty, g, join, push, stringify, toStr, truncate } from './intrinsics.js';

/**
 * Console capture: the newest lines up to `logLimit` characters, and a count of the lines
 * dropped or cut short. Only between an invocation's start and its envelope: output of
 * work left running afterwards belongs to no caller and is discarded, so it can never
 * show up in the next caller's logs.
 */
export function createConsoleCapture(logLimit) {
  let capturing = false;
  // A ring of lines allocated now, before user code: every line is at least 2 characters
  // with its newline, so logLimit slots always suffice, the ring never grows however much
  // is logged, and writes go to existing elements (no inherited setter can run).
  const ring = new Array(logLimit);
  for (let i = 0; i < logLimit; i++) ring[i] = '';
  let first = 0;
  let count = 0;
  let size = 0;
  let dropped = 0;

  function reset() {
    first = 0;
    count = 0;
    size = 0;
    dropped = 0;
  }

  function formatArg(value) {
    if (typeof value === 'string') return value;
    if (value === null || (typeof value !== 'object' && typeof value !== 'function')) {
      return toStr(value);
    }
    if (typeof value === 'function') return '[Function]';
    const d = describeSafely(value);
    if (d.stack !== '') return d.stack;
    try {
      const json = stringify(value);
      return typeof json === 'string' ? json : '[object]';
    } catch {
      return '[object]';
    }
  }

  function dropOldest() {
    size -= ring[first].length + 1;
    ring[first] = '';
    first = (first + 1) % logLimit;
    count--;
    dropped++;
  }

  function record(level, args) {
    if (!capturing) return;
    const parts = [];
    for (let i = 0; i < args.length; i++) apply(push, parts, [formatArg(args[i])]);
    let line = `${level} ${apply(join, parts, [' '])}`;
    if (line.length > logLimit) {
      line = truncate(line, logLimit);
      dropped++;
    }
    if (count === logLimit) dropOldest();
    ring[(first + count) % logLimit] = line;
    count++;
    size += line.length + 1;
    while (size > logLimit + 1 && count > 0) dropOldest();
  }

  const consoleObject = {};
  for (const [method, level] of [
    ['log', 'INFO'],
    ['info', 'INFO'],
    ['debug', 'DEBUG'],
    ['warn', 'WARN'],
    ['error', 'ERROR'],
    ['trace', 'TRACE'],
  ]) {
    consoleObject[method] = (...args) => record(level, args);
  }
  defineProperty(g, 'console', { value: consoleObject, writable: true, configurable: true });

  return {
    /** Starts capturing for a new invocation, with an empty ring. */
    start() {
      reset();
      capturing = true;
    },
    /** Stops capturing and hands over what was captured. */
    take() {
      let text = '';
      for (let i = 0; i < count; i++) {
        const line = ring[(first + i) % logLimit];
        text += i === 0 ? line : `\n${line}`;
      }
      const result = { text, dropped };
      reset();
      capturing = false;
      return result;
    },
    /** An error that belongs to no caller's result (a waitUntil task) still reaches the log. */
    error: (...args) => record('ERROR', args),
  };
}

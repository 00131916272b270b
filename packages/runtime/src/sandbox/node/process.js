// node:process and the `process` global: a shim of Node 24's process for a function in
// an isolate. Built once per isolate, when code first reads `process` (or imports it):
// by then the host has told the isolate which function it runs (prelude/function-info.js),
// so top-level `process.env.TABLE_NAME` works. Nothing of the sandbox process or the
// server shows through: `env` is the function's own environment plus the variables Lambda
// sets, the numbers (pid, memory) are fixed or the isolate's own.

import { utf8Decode } from '../platform/encoding.js';
import { invalidArgType, outOfRange, plainError, sinceOrigin } from '../platform/idl.js';
import { wrapCallback } from '../prelude/async-context.js';
import { functionMeta, processIo } from '../prelude/function-info.js';
import { host } from '../prelude/host-access.js';
import {
  apply,
  defineProperty,
  ErrorCtor,
  freeze,
  PromiseCtor,
  thenSafely,
  toStr,
} from '../prelude/intrinsics.js';
import { loadBuiltin } from '../prelude/node-loader.js';
import { createEnv } from './internal/process-env.js';
import { addEmitter } from './internal/process-events.js';

const BigIntCtor = BigInt;
const { floor, round } = Math;
const isArray = Array.isArray;
const isInteger = Number.isInteger;
const resolved = new PromiseCtor((resolve) => resolve());

const meta = functionMeta() ?? {};
const node = meta.node ?? {};
/** Fixed: a function has no process of its own, and the sandbox's pid is not its business. */
const PID = 8;
const PPID = 1;
// Lambda's layout: the runtime's Node at /var/lang/bin/node, the function's code in /var/task.
const EXEC_PATH = '/var/lang/bin/node';
const MiB = 1024 * 1024;

const io = () => processIo();

// --- nextTick: FIFO among themselves, each in the async context it was scheduled in; run
// in one microtask (not before every other microtask, as Node does: harmless for code that
// only needs "later, before timers").
const ticks = [];
let draining = false;

function runTicks() {
  for (let i = 0; i < ticks.length; i++) {
    const tick = ticks[i];
    ticks[i] = undefined;
    try {
      apply(tick.callback, undefined, tick.args);
    } catch (e) {
      // As an uncaught exception in Node: it fails the invocation.
      host().reportError(e);
    }
  }
  ticks.length = 0;
  draining = false;
}

function nextTick(callback, ...args) {
  if (typeof callback !== 'function')
    throw invalidArgType('callback', 'of type function', callback);
  ticks[ticks.length] = { callback: wrapCallback(callback), args };
  if (!draining) {
    draining = true;
    thenSafely(resolved, runTicks);
  }
}

// --- clocks: performance.now() of the platform (whole ms, Date based), made monotonic.
let last = 0;
function nowMs() {
  const t = sinceOrigin();
  if (t > last) last = t;
  return last;
}

function hrtime(time) {
  const ns = round(nowMs() * 1e6);
  const s = floor(ns / 1e9);
  const rest = ns - s * 1e9;
  if (time === undefined) return [s, rest];
  if (!isArray(time)) throw invalidArgType('time', 'an instance of Array', time);
  if (time.length !== 2) throw outOfRange('time', 2, time.length);
  let ds = s - time[0];
  let dn = rest - time[1];
  if (dn < 0) {
    ds -= 1;
    dn += 1e9;
  }
  return [ds, dn];
}
hrtime.bigint = function bigint() {
  return BigIntCtor(round(nowMs() * 1e6));
};

// --- output: process.stdout/stderr write to the invocation's log (a line per write).
function stream(fd, level) {
  const out = {
    fd,
    isTTY: false,
    writable: true,
    write(chunk, encoding, callback) {
      const done = typeof encoding === 'function' ? encoding : callback;
      let text =
        typeof chunk === 'string'
          ? chunk
          : chunk instanceof Uint8Array
            ? utf8Decode(chunk)
            : undefined;
      if (text === undefined) {
        throw invalidArgType(
          'chunk',
          'of type string or an instance of Buffer or Uint8Array',
          chunk,
        );
      }
      if (text.endsWith('\n')) text = text.slice(0, -1);
      io()?.[level](text);
      if (typeof done === 'function') nextTick(done);
      return true;
    },
    end(chunk, encoding, callback) {
      if (chunk !== undefined && chunk !== null && typeof chunk !== 'function') {
        out.write(chunk, encoding, callback);
      }
      return out;
    },
  };
  return addEmitter(out);
}

// --- warnings, as Node prints them: `(node:PID) [code] Type: message` and the detail.
function emitWarning(warning, type, code, _ctor) {
  let options = {};
  if (type !== null && typeof type === 'object') options = type;
  else options = { type, code };
  let error;
  if (warning instanceof ErrorCtor) {
    error = warning;
  } else if (typeof warning === 'string') {
    error = new ErrorCtor(warning);
    error.name = typeof options.type === 'string' ? options.type : 'Warning';
    if (typeof options.code === 'string') error.code = options.code;
    if (typeof options.detail === 'string') error.detail = options.detail;
  } else {
    throw invalidArgType('warning', 'of type string or an instance of Error', warning);
  }
  if (error.name === 'DeprecationWarning') {
    if (process.noDeprecation) return;
    if (process.throwDeprecation) throw error;
  }
  // Written now (Node writes it a tick later): a sync handler's result, and its log, go
  // out before a tick runs.
  const prefix = typeof error.code === 'string' ? `[${error.code}] ` : '';
  let text = `(node:${PID}) ${prefix}${error.name}: ${error.message}`;
  if (typeof error.detail === 'string') text += `\n${error.detail}`;
  io()?.warn(text);
  nextTick(() => process.emit('warning', error));
}

// --- ending: process.exit() ends the invocation with an error (Lambda's runtime process
// would exit and report "Runtime exited"); the code after it does not run.
function exit(code) {
  const value = code === undefined || code === null ? (process.exitCode ?? 0) : code;
  if (!isInteger(+value)) throw invalidArgType('code', 'of type number', code);
  process.exitCode = +value;
  try {
    process.emit('exit', +value);
  } catch {
    // an 'exit' listener that throws does not keep the process alive in Node either
  }
  const e = new ErrorCtor(`process.exit(${+value}) called`);
  e.code = 'ERR_PROCESS_EXIT';
  io()?.exit(e);
  throw e;
}

function abort() {
  const e = new ErrorCtor('process.abort() called');
  e.code = 'ERR_PROCESS_ABORT';
  io()?.exit(e);
  throw e;
}

const noSuchModule = (name) => () => {
  throw plainError('ERR_INVALID_MODULE', `No such module: ${toStr(name)}`);
};

function getBuiltinModule(id) {
  if (typeof id !== 'string') throw invalidArgType('id', 'of type string', id);
  try {
    return loadBuiltin(id);
  } catch {
    return undefined; // Node: undefined for an id that is no built-in (here: or not available)
  }
}

function memoryUsage() {
  // The isolate's heap figures live in the sandbox process; these are plausible constants
  // within the function's memory, not measurements.
  const limit = (meta.memoryMb ?? 128) * MiB;
  return {
    rss: floor(limit / 4),
    heapTotal: floor(limit / 8),
    heapUsed: floor(limit / 16),
    external: MiB,
    arrayBuffers: 64 * 1024,
  };
}
memoryUsage.rss = () => memoryUsage().rss;

function cpuUsage(previous) {
  // Wall time since the isolate started, an upper bound of its CPU time: what callers
  // need (a difference that grows) without a host call.
  const user = round(nowMs() * 1000);
  if (previous === undefined) return { user, system: 0 };
  if (previous === null || typeof previous !== 'object') {
    throw invalidArgType('prevValue', 'of type object', previous);
  }
  return { user: user - (previous.user ?? 0), system: 0 - (previous.system ?? 0) };
}

const process = addEmitter({
  title: 'node',
  version: node.version ?? 'v24.0.0',
  versions: freeze({ ...(node.versions ?? {}) }),
  arch: node.arch ?? 'x64',
  platform: 'linux',
  release: freeze({ name: 'node' }),
  argv: [EXEC_PATH, '/var/task/index.js'],
  argv0: 'node',
  execArgv: [],
  execPath: EXEC_PATH,
  pid: PID,
  ppid: PPID,
  exitCode: undefined,
  env: createEnv(meta),
  features: freeze({}),
  config: freeze({ target_defaults: {}, variables: {} }),
  noDeprecation: false,
  throwDeprecation: false,
  traceDeprecation: false,
  stdout: stream(1, 'log'),
  stderr: stream(2, 'error'),
  nextTick,
  hrtime,
  uptime: () => nowMs() / 1000,
  cwd: () => '/var/task',
  chdir(_dir) {
    throw plainError(
      'ERR_WORKER_UNSUPPORTED_OPERATION',
      'process.chdir() is not supported in functions',
    );
  },
  umask: () => 0o22,
  memoryUsage,
  cpuUsage,
  resourceUsage: () => ({
    userCPUTime: cpuUsage().user,
    systemCPUTime: 0,
    maxRSS: memoryUsage().rss / 1024,
  }),
  emitWarning,
  exit,
  abort,
  kill() {
    throw plainError('ERR_UNSUPPORTED', 'process.kill() is not supported in functions');
  },
  binding: (name) => noSuchModule(name)(),
  _linkedBinding: (name) => noSuchModule(name)(),
  dlopen() {
    throw plainError('ERR_DLOPEN_FAILED', 'Native addons cannot be loaded in functions');
  },
  getBuiltinModule,
});
defineProperty(process, Symbol.toStringTag, { value: 'process', configurable: true });

export default process;

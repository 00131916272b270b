// What this isolate knows of the function it runs, for node:process (its `env`, the
// Lambda variables) and the handler's context. The host hands it over before the
// function's module is evaluated (attach with no namespace, see handler.js): top-level
// `const TABLE = process.env.TABLE_NAME` is common Lambda code. A spare isolate, made
// before any function is known, has none until then.
import { ErrorCtor } from './intrinsics.js';

let meta;
let io;
let exitedInInit;

/** The function's metadata (see module.ts `functionMeta`), once the host has said. */
export function functionMeta() {
  return meta;
}

/** Called once per isolate, before its module runs; the metadata never changes after. */
export function configureFunction(value) {
  if (meta !== undefined) throw new ErrorCtor('This isolate already runs a function');
  meta = value;
}

/**
 * The prelude's outlets for node:process, connected at install (before user code):
 * `log(line)` / `error(line)` write to the invocation's log, `exit(error)` ends it.
 */
export function connectProcessIo(outlets) {
  io = outlets;
}

export function processIo() {
  return io;
}

/** process.exit() in top-level code: recorded, so a module that catches it still fails. */
export function exitDuringInit(error) {
  if (exitedInInit === undefined) exitedInInit = error;
}

/** The error of a process.exit() made while the module was evaluated, if any. */
export function initExit() {
  return exitedInInit;
}

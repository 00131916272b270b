// Small helpers shared by the platform classes: errors shaped as Node's (same class, `code`
// and message, since Node is what functions are tested against) and the WebIDL property
// shapes (enumerable members, Symbol.toStringTag).

const { defineProperty, getOwnPropertyDescriptor, getPrototypeOf } = Object;
const TypeErrorCtor = TypeError;
const RangeErrorCtor = RangeError;
const ErrorCtor = Error;
const toStr = String;
const jsonStringify = JSON.stringify;
const isInteger = Number.isInteger;
const dateNow = Date.now;

/** An error of class `Ctor` carrying Node's `code`, as Node's own errors do. */
export function codedError(Ctor, code, message) {
  const e = new Ctor(message);
  e.code = code;
  return e;
}

/** How Node's ERR_INVALID_ARG_TYPE describes what it received (determineSpecificType). */
export function received(value) {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  switch (typeof value) {
    case 'bigint':
      return `type bigint (${value}n)`;
    case 'number':
      if (value === 0) return 1 / value === -Infinity ? 'type number (-0)' : 'type number (0)';
      return `type number (${value})`;
    case 'boolean':
      return `type boolean (${value})`;
    case 'symbol':
      return `type symbol (${toStr(value)})`;
    case 'function':
      return `function ${value.name}`;
    case 'string': {
      const s = value.length > 28 ? `${value.slice(0, 25)}...` : value;
      return s.indexOf("'") === -1 ? `type string ('${s}')` : `type string (${jsonStringify(s)})`;
    }
    default: {
      const ctor = value.constructor;
      if (ctor && 'name' in ctor) return `an instance of ${ctor.name}`;
      return '[Object: null prototype] {}';
    }
  }
}

/** ERR_INVALID_ARG_TYPE; `expected` as Node words it: 'of type object', 'an instance of Event'. */
export function invalidArgType(name, expected, value) {
  const kind = name.includes('.') ? 'property' : 'argument';
  return codedError(
    TypeErrorCtor,
    'ERR_INVALID_ARG_TYPE',
    `The "${name}" ${kind} must be ${expected}. Received ${received(value)}`,
  );
}

/** ERR_MISSING_ARGS for one or two argument names. */
export function missingArgs(a, b) {
  const what = b === undefined ? `"${a}" argument` : `"${a}" and "${b}" arguments`;
  return codedError(TypeErrorCtor, 'ERR_MISSING_ARGS', `The ${what} must be specified`);
}

/** ERR_INVALID_THIS: a method called on an object that is not of its class. */
export function invalidThis(type) {
  return codedError(TypeErrorCtor, 'ERR_INVALID_THIS', `Value of "this" must be of type ${type}`);
}

/** ERR_ILLEGAL_CONSTRUCTOR: classes that only the platform may construct. */
export function illegalConstructor() {
  return codedError(TypeErrorCtor, 'ERR_ILLEGAL_CONSTRUCTOR', 'Illegal constructor');
}

/** ERR_OUT_OF_RANGE for a number, with Node's digit grouping of large integers. */
export function outOfRange(name, range, value) {
  let shown = toStr(value);
  if (isInteger(value) && Math.abs(value) > 2 ** 32) {
    let grouped = '';
    let i = shown.length;
    const start = shown[0] === '-' ? 1 : 0;
    for (; i >= start + 4; i -= 3) grouped = `_${shown.slice(i - 3, i)}${grouped}`;
    shown = `${shown.slice(0, i)}${grouped}`;
  }
  return codedError(
    RangeErrorCtor,
    'ERR_OUT_OF_RANGE',
    `The value of "${name}" is out of range. It must be ${range}. Received ${shown}`,
  );
}

/** A plain Error with Node's code (ERR_EVENT_RECURSION and the like). */
export function plainError(code, message) {
  return codedError(ErrorCtor, code, message);
}

/** Node's validateObject: objects only (arrays and functions too when `loose`). */
export function isObjectArg(value, loose) {
  if (value === null) return false;
  if (typeof value === 'function') return loose;
  if (typeof value !== 'object') return false;
  return loose || !Array.isArray(value);
}

/**
 * Gives a function or class back the name user code expects: the bundler renames a
 * module's top-level declaration when another module uses a global of the same name
 * (`TextEncoder2`), and names a class that refers to itself `_EventTarget`.
 */
export function named(fn, name) {
  const current = fn.name;
  if (
    current === `_${name}` ||
    (current !== name && current.startsWith(name) && /^\d+$/.test(current.slice(name.length)))
  ) {
    defineProperty(fn, 'name', { value: name, configurable: true });
  }
  return fn;
}

/**
 * WebIDL members are enumerable; class syntax makes them not. Marks `names` of `proto`
 * enumerable and adds Symbol.toStringTag, as Node's classes have them.
 */
export function webIDL(proto, tag, names) {
  for (let i = 0; i < names.length; i++) {
    const d = getOwnPropertyDescriptor(proto, names[i]);
    d.enumerable = true;
    defineProperty(proto, names[i], d);
  }
  if (tag !== undefined) {
    defineProperty(proto, Symbol.toStringTag, { value: tag, configurable: true });
    named(proto.constructor, tag);
  }
}

// Classes whose webIDL() shaping waits for their first use (see webIDLOnUse).
const shapeLater = new Map();

/**
 * webIDL() for class `C`, done when the class is first used rather than now: redefining
 * properties is the costliest part of installing the platform (≈ 0.4 ms for the core
 * classes), and most isolates never touch most classes. `more` runs then too (constants,
 * event handlers). Every way user code reaches the class must pass through ready(): its
 * global's accessor (defineLazy) and its constructor.
 */
export function webIDLOnUse(C, tag, names, more) {
  shapeLater.set(C, [tag, names, more]);
}

/** Shapes `C` and the classes it extends, if not done yet; returns `C`. */
export function ready(C) {
  if (shapeLater.size === 0) return C;
  for (let k = C; typeof k === 'function'; k = getPrototypeOf(k)) {
    const todo = shapeLater.get(k);
    if (todo === undefined) continue;
    shapeLater.delete(k);
    webIDL(k.prototype, todo[0], todo[1]);
    if (todo[2] !== undefined) todo[2]();
  }
  return C;
}

/** The platform's clock: Date.now() based (the isolate has no finer one), ms since install. */
export const timeOrigin = dateNow();
export const sinceOrigin = () => dateNow() - timeOrigin;

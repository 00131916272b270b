// biome-ignore-all lint/complexity/noArguments: WebIDL checks how many arguments were given, and the functions keep Node's `length`
// The few WebIDL conversions the fetch classes need, with undici's error messages.
const TypeErrorCtor = TypeError;
const { defineProperties, defineProperty, getPrototypeOf } = Object;

export const exception = (header, message) => new TypeErrorCtor(`${header}: ${message}`);

export const illegalInvocation = () => new TypeErrorCtor('Illegal invocation');

export function argumentLengthCheck(length, min, ctx) {
  if (length < min) {
    const plural = min !== 1 ? 's' : '';
    throw exception(
      ctx,
      `${min} argument${plural} required, but${length ? ' only' : ''} ${length} found.`,
    );
  }
}

export const isObject = (v) => (typeof v === 'object' && v !== null) || typeof v === 'function';

export function domString(value, prefix, argument) {
  if (typeof value === 'symbol') {
    throw exception(prefix, `${argument} is a symbol, which cannot be converted to a DOMString.`);
  }
  return String(value);
}

export function byteString(value, prefix, argument) {
  if (typeof value === 'symbol') {
    throw exception(prefix, `${argument} is a symbol, which cannot be converted to a ByteString.`);
  }
  const x = String(value);
  for (let i = 0; i < x.length; i++) {
    const c = x.charCodeAt(i);
    if (c > 255) {
      throw new TypeErrorCtor(
        `Cannot convert argument to a ByteString because the character at index ${i} has a value of ${c} which is greater than 255.`,
      );
    }
  }
  return x;
}

export const usvString = (value) => `${value}`.toWellFormed();

/** WebIDL `unsigned short`: ToNumber, truncate, modulo 2^16. */
export function unsignedShort(value) {
  const x = Number(value);
  if (!Number.isFinite(x) || x === 0) return 0;
  const r = Math.trunc(x) % 65536;
  return r < 0 ? r + 65536 : r;
}

/** A WebIDL enumeration member of a dictionary. */
export function enumValue(value, allowed, prefix) {
  const s = domString(value, prefix, 'value');
  if (!allowed.includes(s)) {
    throw exception(prefix, `${s} is not an accepted type. Expected one of ${allowed.join(', ')}.`);
  }
  return s;
}

/** Requires an object, null or undefined, as WebIDL does for a dictionary argument. */
export function checkDictionary(value, prefix) {
  if (value != null && !isObject(value)) {
    throw exception(prefix, `Expected ${String(value)} to be one of: Null, Undefined, Object.`);
  }
}

const iteratorPrototype = getPrototypeOf(getPrototypeOf([][Symbol.iterator]()));

/**
 * Adds keys/values/entries/forEach/@@iterator to `Class.prototype`, iterating the pairs
 * `pairsOf(target)` returns (read again on every step: iterators are live, as WebIDL's).
 * `pairsOf` throws for an object that is not a `Class`.
 */
export function iteratorMixin(name, Class, pairsOf, keyIndex, valueIndex) {
  let check;
  class Iterator {
    #target;
    #kind;
    #index = 0;
    static {
      check = (it) => isObject(it) && #target in it;
    }
    constructor(target, kind) {
      this.#target = target;
      this.#kind = kind;
    }
    next() {
      if (!check(this)) {
        throw new TypeErrorCtor(
          `'next' called on an object that does not implement interface ${name} Iterator.`,
        );
      }
      const values = pairsOf(this.#target);
      const index = this.#index;
      if (index >= values.length) return { value: undefined, done: true };
      const pair = values[index];
      this.#index = index + 1;
      const key = pair[keyIndex];
      const value = pair[valueIndex];
      const kind = this.#kind;
      return { value: kind === 'key' ? key : kind === 'value' ? value : [key, value], done: false };
    }
  }
  // the WebIDL iterator prototype has no constructor
  Reflect.deleteProperty(Iterator.prototype, 'constructor');
  Object.setPrototypeOf(Iterator.prototype, iteratorPrototype);
  defineProperties(Iterator.prototype, {
    [Symbol.toStringTag]: { value: `${name} Iterator`, configurable: true },
    next: { enumerable: true },
  });
  const make = (target, kind) => {
    pairsOf(target);
    return new Iterator(target, kind);
  };
  const methods = {
    keys() {
      return make(this, 'key');
    },
    values() {
      return make(this, 'value');
    },
    entries() {
      return make(this, 'key+value');
    },
    forEach(callback, thisArg = globalThis) {
      pairsOf(this);
      argumentLengthCheck(arguments.length, 1, `${name}.forEach`);
      if (typeof callback !== 'function') {
        throw new TypeErrorCtor(
          `Failed to execute 'forEach' on '${name}': parameter 1 is not of type 'Function'.`,
        );
      }
      for (const { 0: key, 1: value } of make(this, 'key+value')) {
        callback.call(thisArg, value, key, this);
      }
    },
  };
  for (const key of ['keys', 'values', 'entries', 'forEach']) {
    defineProperty(Class.prototype, key, {
      value: methods[key],
      writable: true,
      enumerable: true,
      configurable: true,
    });
  }
  defineProperty(Class.prototype, Symbol.iterator, {
    value: methods.entries,
    writable: true,
    configurable: true,
  });
}

/** Makes the listed members enumerable (WebIDL's), names the class and tags its prototype. */
export function webidlClass(Class, name, members) {
  const props = { [Symbol.toStringTag]: { value: name, configurable: true } };
  for (const key of members) props[key] = { enumerable: true };
  defineProperties(Class.prototype, props);
  defineProperty(Class, 'name', { value: name });
}

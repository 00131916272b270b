// structuredClone as V8's serializer does it in Node 24: primitives, plain objects and
// arrays (holes and extra properties kept), Date, RegExp, Map, Set, ArrayBuffer (resizable
// too), typed arrays and DataView (sharing buffers as the original did), Boolean/Number/
// String/BigInt objects, errors of the standard classes, DOMException; cycles and shared
// references kept; a transfer list of ArrayBuffers detaches them. Everything else with an
// internal slot JS can see is refused with Node's DataCloneError; class instances become
// plain objects, as in Node. A Proxy cannot be told apart in JS: it is cloned through its
// traps (V8 refuses it).
import { DOMException, isDOMException } from './dom-exception.js';
import { codedError, missingArgs } from './idl.js';

const g = globalThis;
const {
  getPrototypeOf,
  keys: objectKeys,
  defineProperty,
  getOwnPropertyDescriptor,
  hasOwn,
} = Object;
const apply = Reflect.apply;
const isArray = Array.isArray;
const ObjectProto = Object.prototype;
const objectToString = Object.prototype.toString;
const functionToString = Function.prototype.toString;
const symbolToString = Symbol.prototype.toString;
const isError = Error.isError ?? ((v) => apply(objectToString, v, []) === '[object Error]');
const isView = ArrayBuffer.isView;
const iteratorSymbol = Symbol.iterator;
const TypeErrorCtor = TypeError;
const MapCtor = Map;
const SetCtor = Set;
const DateCtor = Date;
const RegExpCtor = RegExp;
const ArrayBufferCtor = ArrayBuffer;
const Uint8ArrayCtor = Uint8Array;
const DataViewCtor = DataView;
const ObjectCtor = Object;
const floor = Math.floor;

const getter = (proto, key) => getOwnPropertyDescriptor(proto, key).get;
const TypedArrayProto = getPrototypeOf(Uint8Array.prototype);
const typedArrayTag = getter(TypedArrayProto, Symbol.toStringTag);
const typedArrayBuffer = getter(TypedArrayProto, 'buffer');
const typedArrayOffset = getter(TypedArrayProto, 'byteOffset');
const typedArrayByteLength = getter(TypedArrayProto, 'byteLength');
const typedArrayLength = getter(TypedArrayProto, 'length');
const typedArraySet = TypedArrayProto.set;
const dataViewBuffer = getter(DataView.prototype, 'buffer');
const dataViewOffset = getter(DataView.prototype, 'byteOffset');
const dataViewByteLength = getter(DataView.prototype, 'byteLength');
const bufferByteLength = getter(ArrayBuffer.prototype, 'byteLength');
const bufferResizable = getter(ArrayBuffer.prototype, 'resizable');
const bufferMaxByteLength = getter(ArrayBuffer.prototype, 'maxByteLength');
const bufferDetached = getter(ArrayBuffer.prototype, 'detached');
const bufferSlice = ArrayBuffer.prototype.slice;
const bufferResize = ArrayBuffer.prototype.resize;
const bufferTransfer = ArrayBuffer.prototype.transfer;
const mapSize = getter(Map.prototype, 'size');
const mapForEach = Map.prototype.forEach;
const mapSet = Map.prototype.set;
const setSize = getter(Set.prototype, 'size');
const setForEach = Set.prototype.forEach;
const setAdd = Set.prototype.add;
const dateTime = Date.prototype.getTime;
const regExpSource = getter(RegExp.prototype, 'source');
const REGEXP_FLAGS = [
  ['d', 'hasIndices'],
  ['g', 'global'],
  ['i', 'ignoreCase'],
  ['m', 'multiline'],
  ['s', 'dotAll'],
  ['u', 'unicode'],
  ['v', 'unicodeSets'],
  ['y', 'sticky'],
]
  .filter(([, name]) => getOwnPropertyDescriptor(RegExp.prototype, name) !== undefined)
  .map(([flag, name]) => [flag, getter(RegExp.prototype, name)]);
const VALUE_OF = {
  __proto__: null,
  Boolean: Boolean.prototype.valueOf,
  Number: Number.prototype.valueOf,
  String: String.prototype.valueOf,
  BigInt: BigInt.prototype.valueOf,
};
const ERRORS = {
  __proto__: null,
  Error,
  EvalError,
  RangeError,
  ReferenceError,
  SyntaxError,
  TypeError,
  URIError,
};
const TYPED_ARRAYS = { __proto__: null };
for (const name of [
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float16Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
]) {
  if (typeof g[name] === 'function') TYPED_ARRAYS[name] = g[name];
}
// Objects with slots V8 refuses, by the tag their prototype gives them.
const REFUSED_BY_NAME = {
  __proto__: null,
  Promise: 1,
  WeakMap: 1,
  WeakSet: 1,
  WeakRef: 1,
  FinalizationRegistry: 1,
};

const dataCloneError = (message) => new DOMException(message, 'DataCloneError');

/** Whether `fn` accepts `value` as its receiver: a brand check through an internal slot. */
function has(fn, value) {
  try {
    apply(fn, value, []);
    return true;
  } catch {
    return false;
  }
}

/** V8's `#<Name>`: the name of the nearest constructor on the prototype chain. */
function constructorName(value) {
  for (let o = getPrototypeOf(value), depth = 0; o !== null && depth < 64; depth++) {
    const d = getOwnPropertyDescriptor(o, 'constructor');
    if (d !== undefined && typeof d.value === 'function' && typeof d.value.name === 'string') {
      return d.value.name;
    }
    o = getPrototypeOf(o);
  }
  return 'Object';
}

function cloneBuffer(buffer) {
  if (apply(bufferDetached, buffer, [])) {
    throw dataCloneError('An ArrayBuffer is detached and could not be cloned.');
  }
  if (!apply(bufferResizable, buffer, [])) return apply(bufferSlice, buffer, [0]);
  const length = apply(bufferByteLength, buffer, []);
  const copy = new ArrayBufferCtor(length, {
    maxByteLength: apply(bufferMaxByteLength, buffer, []),
  });
  apply(typedArraySet, new Uint8ArrayCtor(copy), [new Uint8ArrayCtor(buffer)]);
  return copy;
}

/**
 * Whether a view on a resizable buffer tracks its length (made without one). No getter
 * says so: change the buffer's size by one element, look, and change it back.
 */
function tracksLength(buffer, offset, byteLength, size, elementSize) {
  const length = apply(bufferByteLength, buffer, []);
  if (byteLength !== floor((length - offset) / elementSize) * elementSize) return false;
  const max = apply(bufferMaxByteLength, buffer, []);
  if (length + elementSize <= max) {
    apply(bufferResize, buffer, [length + elementSize]);
    const grown = size();
    apply(bufferResize, buffer, [length]);
    return grown !== byteLength;
  }
  if (length < elementSize) return true;
  const tail = new Uint8ArrayCtor(apply(bufferSlice, buffer, [length - elementSize]));
  apply(bufferResize, buffer, [length - elementSize]);
  const shrunk = size();
  apply(bufferResize, buffer, [length]);
  apply(typedArraySet, new Uint8ArrayCtor(buffer), [tail, length - elementSize]);
  // A fixed view that reached the end is now out of bounds (0); a tracking one is shorter.
  return shrunk === byteLength - elementSize;
}

function cloneView(view, memory) {
  const name = apply(typedArrayTag, view, []);
  if (name !== undefined) {
    const buffer = apply(typedArrayBuffer, view, []);
    const offset = apply(typedArrayOffset, view, []);
    const byteLength = apply(typedArrayByteLength, view, []);
    const Ctor = TYPED_ARRAYS[name];
    const tracking =
      apply(bufferResizable, buffer, []) &&
      tracksLength(
        buffer,
        offset,
        byteLength,
        () => apply(typedArrayByteLength, view, []),
        Ctor.BYTES_PER_ELEMENT,
      );
    const copy = clone(buffer, memory);
    const out = tracking
      ? new Ctor(copy, offset)
      : new Ctor(copy, offset, apply(typedArrayLength, view, []));
    memory.set(view, out);
    return out;
  }
  const buffer = apply(dataViewBuffer, view, []);
  const offset = apply(dataViewOffset, view, []);
  const byteLength = apply(dataViewByteLength, view, []);
  const tracking =
    apply(bufferResizable, buffer, []) &&
    tracksLength(buffer, offset, byteLength, () => apply(dataViewByteLength, view, []), 1);
  const copy = clone(buffer, memory);
  const out = tracking
    ? new DataViewCtor(copy, offset)
    : new DataViewCtor(copy, offset, byteLength);
  memory.set(view, out);
  return out;
}

function cloneError(error, memory) {
  const name = error.name;
  const Ctor = (typeof name === 'string' && ERRORS[name]) || ERRORS.Error;
  const out = new Ctor();
  memory.set(error, out);
  const message = getOwnPropertyDescriptor(error, 'message');
  if (message !== undefined && hasOwn(message, 'value')) {
    defineProperty(out, 'message', {
      value: `${message.value}`,
      writable: true,
      enumerable: false,
      configurable: true,
    });
  }
  const stack = error.stack;
  out.stack = typeof stack === 'string' ? stack : undefined;
  const cause = getOwnPropertyDescriptor(error, 'cause');
  if (cause !== undefined && hasOwn(cause, 'value')) {
    defineProperty(out, 'cause', {
      value: clone(cause.value, memory),
      writable: true,
      enumerable: false,
      configurable: true,
    });
  }
  return out;
}

/** Own enumerable string-keyed properties, as data properties of `out`. */
function copyProperties(value, out, memory) {
  const keys = objectKeys(value);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const item = value[key];
    // A getter may have deleted a later property: V8 skips what is gone.
    if (item === undefined && !hasOwn(value, key)) continue;
    const copy = clone(item, memory);
    if (key === '__proto__') {
      defineProperty(out, key, {
        value: copy,
        writable: true,
        enumerable: true,
        configurable: true,
      });
    } else {
      out[key] = copy;
    }
  }
  return out;
}

/**
 * An array: elements by number (a string key per element costs 5x), holes kept, then any
 * other own enumerable properties, which Object.keys lists after the indices.
 */
function cloneArray(value, memory) {
  const length = value.length;
  const out = new Array(length);
  memory.set(value, out);
  if (length > DENSE_LIMIT) return copyProperties(value, out, memory);
  let present = 0;
  for (let i = 0; i < length; i++) {
    if (!hasOwn(value, i)) continue;
    out[i] = clone(value[i], memory);
    present++;
  }
  const keys = objectKeys(value);
  for (let i = present; i < keys.length; i++) {
    const key = keys[i];
    const item = value[key];
    if (item === undefined && !hasOwn(value, key)) continue;
    const copy = clone(item, memory);
    if (key === '__proto__') {
      defineProperty(out, key, {
        value: copy,
        writable: true,
        enumerable: true,
        configurable: true,
      });
    } else {
      out[key] = copy;
    }
  }
  return out;
}
/** Longer arrays are walked by their keys: a sparse one may be 2^32 - 1 long. */
const DENSE_LIMIT = 1 << 24;

/** Values whose class JS can recognise by an internal slot; undefined when none fits. */
function cloneExotic(value, memory, tag) {
  switch (tag) {
    case 'Date':
      if (has(dateTime, value)) {
        const out = new DateCtor(apply(dateTime, value, []));
        memory.set(value, out);
        return out;
      }
      break;
    case 'RegExp':
      if (has(regExpSource, value)) {
        let flags = '';
        for (let i = 0; i < REGEXP_FLAGS.length; i++) {
          if (apply(REGEXP_FLAGS[i][1], value, [])) flags += REGEXP_FLAGS[i][0];
        }
        const out = new RegExpCtor(apply(regExpSource, value, []), flags);
        memory.set(value, out);
        return out;
      }
      break;
    case 'Map':
      if (has(mapSize, value)) {
        const out = new MapCtor();
        memory.set(value, out);
        const entries = [];
        apply(mapForEach, value, [(v, k) => (entries[entries.length] = [k, v])]);
        for (let i = 0; i < entries.length; i++) {
          const key = clone(entries[i][0], memory);
          apply(mapSet, out, [key, clone(entries[i][1], memory)]);
        }
        return out;
      }
      break;
    case 'Set':
      if (has(setSize, value)) {
        const out = new SetCtor();
        memory.set(value, out);
        const items = [];
        apply(setForEach, value, [(v) => (items[items.length] = v)]);
        for (let i = 0; i < items.length; i++) apply(setAdd, out, [clone(items[i], memory)]);
        return out;
      }
      break;
    case 'ArrayBuffer':
      if (has(bufferByteLength, value)) {
        const out = cloneBuffer(value);
        memory.set(value, out);
        return out;
      }
      break;
    case 'Symbol':
      throw dataCloneError('[object Symbol] could not be cloned.');
    default:
      if (tag in VALUE_OF && has(VALUE_OF[tag], value)) {
        const out = ObjectCtor(apply(VALUE_OF[tag], value, []));
        memory.set(value, out);
        return out;
      }
      if (tag in REFUSED_BY_NAME) {
        throw dataCloneError(`#<${constructorName(value)}> could not be cloned.`);
      }
      if (
        tag === 'Module' ||
        tag === 'Generator' ||
        tag === 'AsyncGenerator' ||
        tag.endsWith(' Iterator')
      ) {
        throw dataCloneError(`[object ${tag}] could not be cloned.`);
      }
  }
  return undefined;
}

function clone(value, memory) {
  if (typeof value !== 'object' || value === null) {
    if (typeof value === 'function') {
      throw dataCloneError(`${apply(functionToString, value, [])} could not be cloned.`);
    }
    if (typeof value === 'symbol') {
      throw dataCloneError(`${apply(symbolToString, value, [])} could not be cloned.`);
    }
    return value;
  }
  const seen = memory.get(value);
  if (seen !== undefined) return seen;
  if (isArray(value)) return cloneArray(value, memory);
  if (getPrototypeOf(value) === ObjectProto && !isError(value)) {
    const out = {};
    memory.set(value, out);
    return copyProperties(value, out, memory);
  }
  if (isView(value)) return cloneView(value, memory);
  if (isDOMException(value)) {
    const out = new DOMException(value.message, value.name);
    out.stack = value.stack;
    memory.set(value, out);
    return out;
  }
  if (isError(value)) return cloneError(value, memory);
  if (value === g) throw dataCloneError('#<Object> could not be cloned.');
  const tag = apply(objectToString, value, []).slice(8, -1);
  const exotic = cloneExotic(value, memory, tag);
  if (exotic !== undefined) return exotic;
  const out = {};
  memory.set(value, out);
  return copyProperties(value, out, memory);
}

const optionsError = (message) =>
  codedError(
    TypeErrorCtor,
    'ERR_INVALID_ARG_TYPE',
    `Failed to execute 'structuredClone': ${message}`,
  );

/** The ArrayBuffers of `options.transfer`, checked as Node checks them. */
function transferList(options) {
  if (options === undefined || options === null) return [];
  if (typeof options !== 'object' && typeof options !== 'function') {
    throw optionsError('Options cannot be converted to a dictionary');
  }
  const transfer = options.transfer;
  if (transfer === undefined) return [];
  const notSequence = () => optionsError('transfer in Options cannot be converted to sequence.');
  if (transfer === null || typeof transfer !== 'object') throw notSequence();
  const method = transfer[iteratorSymbol];
  if (typeof method !== 'function') throw notSequence();
  const list = [];
  const iterator = apply(method, transfer, []);
  const next = iterator.next;
  for (let step = apply(next, iterator, []); !step.done; step = apply(next, iterator, [])) {
    const item = step.value;
    if (item === null || (typeof item !== 'object' && typeof item !== 'function')) {
      throw optionsError(`transfer in Options[${list.length}] is not an object.`);
    }
    list[list.length] = item;
  }
  for (let i = 0; i < list.length; i++) {
    if (!has(bufferByteLength, list[i]))
      throw dataCloneError('Found invalid value in transferList.');
    for (let j = 0; j < i; j++) {
      if (list[j] === list[i]) throw dataCloneError('Transfer list contains duplicate ArrayBuffer');
    }
    if (apply(bufferDetached, list[i], [])) {
      throw dataCloneError('Cannot transfer object of unsupported type.');
    }
  }
  return list;
}

/** structuredClone(value, { transfer }) (length 2, as Node's). */
export function structuredClone(value, options) {
  // biome-ignore lint/complexity/noArguments: a missing argument differs from undefined (Node's ERR_MISSING_ARGS), and rest parameters would change `length`
  if (arguments.length === 0) throw missingArgs('value');
  const transfer = transferList(options);
  const out = clone(value, new MapCtor());
  // The clone holds copies; detaching the originals is what a transfer promises.
  for (let i = 0; i < transfer.length; i++) apply(bufferTransfer, transfer[i], [0]);
  return out;
}

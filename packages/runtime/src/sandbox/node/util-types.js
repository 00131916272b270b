// node:util/types, written here: unenv's are stubs or `instanceof` tests (its
// isBooleanObject is true for `true`). These use brand checks (an intrinsic getter or
// method that throws for anything else), so values of another realm and objects
// with a faked Symbol.toStringTag are judged as Node judges them. What needs V8's internals
// (isProxy, isExternal, isModuleNamespaceObject) is answered as well as JavaScript can.
const { getOwnPropertyDescriptor, getPrototypeOf } = Object;
const call = Function.prototype.call.bind(Function.prototype.call);
const getter = (object, key) => getOwnPropertyDescriptor(object, key).get;
const TypedArray = getPrototypeOf(Uint8Array);
const typedArrayTag = getter(TypedArray.prototype, Symbol.toStringTag);
const objectToString = Object.prototype.toString;
const protoOf = Object.prototype.isPrototypeOf;
const inherits = (proto, v) => protoOf.call(proto, v);

const brand = (method) => (value) => {
  if (value === null || typeof value !== 'object') return false;
  try {
    call(method, value);
    return true;
  } catch {
    return false;
  }
};
const tagged = (name) => (value) => typedArrayTag.call(value) === name;
const AsyncFunction = getPrototypeOf(async () => {}).constructor;
const GeneratorFunction = getPrototypeOf(function* () {}).constructor;
const AsyncGeneratorFunction = getPrototypeOf(async function* () {}).constructor;
const MapIterator = getPrototypeOf(new Map()[Symbol.iterator]());
const SetIterator = getPrototypeOf(new Set()[Symbol.iterator]());
const Generator = getPrototypeOf(GeneratorFunction.prototype);
const AsyncGenerator = getPrototypeOf(AsyncGeneratorFunction.prototype);
const isFunctionOf = (Ctor) => (value) =>
  typeof value === 'function' && getPrototypeOf(value) === Ctor.prototype;

const isArrayBuffer = brand(getter(ArrayBuffer.prototype, 'byteLength'));
const isSharedArrayBuffer = (value) =>
  typeof SharedArrayBuffer === 'function' &&
  brand(getter(SharedArrayBuffer.prototype, 'byteLength'))(value);
const isNumberObject = brand(Number.prototype.valueOf);
const isStringObject = brand(String.prototype.valueOf);
const isBooleanObject = brand(Boolean.prototype.valueOf);
const isBigIntObject = brand(BigInt.prototype.valueOf);
const isSymbolObject = brand(Symbol.prototype.valueOf);

const types = {
  isAnyArrayBuffer: (v) => isArrayBuffer(v) || isSharedArrayBuffer(v),
  isArgumentsObject: (v) =>
    v !== null && typeof v === 'object' && objectToString.call(v) === '[object Arguments]',
  isArrayBuffer,
  isArrayBufferView: (v) => ArrayBuffer.isView(v),
  isAsyncFunction: (v) => isFunctionOf(AsyncFunction)(v) || isFunctionOf(AsyncGeneratorFunction)(v),
  isBigInt64Array: tagged('BigInt64Array'),
  isBigIntObject,
  isBigUint64Array: tagged('BigUint64Array'),
  isBooleanObject,
  isBoxedPrimitive: (v) =>
    isNumberObject(v) ||
    isStringObject(v) ||
    isBooleanObject(v) ||
    isBigIntObject(v) ||
    isSymbolObject(v),
  isCryptoKey: (v) => typeof CryptoKey === 'function' && v instanceof CryptoKey,
  isDataView: brand(getter(DataView.prototype, 'byteLength')),
  isDate: brand(Date.prototype.getTime),
  isExternal: () => false,
  isFloat16Array: tagged('Float16Array'),
  isFloat32Array: tagged('Float32Array'),
  isFloat64Array: tagged('Float64Array'),
  isGeneratorFunction: (v) =>
    isFunctionOf(GeneratorFunction)(v) || isFunctionOf(AsyncGeneratorFunction)(v),
  isGeneratorObject: (v) =>
    v !== null &&
    typeof v === 'object' &&
    (inherits(Generator, v) || inherits(AsyncGenerator, v)) &&
    (objectToString.call(v) === '[object Generator]' ||
      objectToString.call(v) === '[object AsyncGenerator]'),
  isInt8Array: tagged('Int8Array'),
  isInt16Array: tagged('Int16Array'),
  isInt32Array: tagged('Int32Array'),
  isKeyObject: (v) => v?.constructor?.name === 'KeyObject' && typeof v.export === 'function',
  isMap: brand(getter(Map.prototype, 'size')),
  isMapIterator: (v) => v !== null && typeof v === 'object' && inherits(MapIterator, v),
  isModuleNamespaceObject: (v) =>
    v !== null && typeof v === 'object' && objectToString.call(v) === '[object Module]',
  isNativeError: (v) =>
    v instanceof Error ||
    (v !== null && typeof v === 'object' && objectToString.call(v) === '[object Error]'),
  isNumberObject,
  isPromise: (v) =>
    v instanceof Promise ||
    (v !== null && typeof v === 'object' && objectToString.call(v) === '[object Promise]'),
  isProxy: () => false,
  isRegExp: brand(getter(RegExp.prototype, 'source')),
  isSet: brand(getter(Set.prototype, 'size')),
  isSetIterator: (v) => v !== null && typeof v === 'object' && inherits(SetIterator, v),
  isSharedArrayBuffer,
  isStringObject,
  isSymbolObject,
  isTypedArray: (v) => typedArrayTag.call(v) !== undefined,
  isUint8Array: tagged('Uint8Array'),
  isUint8ClampedArray: tagged('Uint8ClampedArray'),
  isUint16Array: tagged('Uint16Array'),
  isUint32Array: tagged('Uint32Array'),
  isWeakMap: brand(WeakMap.prototype.has),
  isWeakSet: brand(WeakSet.prototype.has),
};

export default types;

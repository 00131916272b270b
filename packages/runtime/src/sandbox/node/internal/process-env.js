// process.env: exactly the function's environment plus the variables Lambda sets, as
// strings, with Node's rules for changing it (a value becomes a string; only plain,
// writable, enumerable, configurable data properties; delete works). Per isolate: a change
// is seen by the next invocations of the same isolate, as in one Lambda sandbox, and never
// by another function, whose isolates have an env of their own.
import { codedError } from '../../platform/idl.js';
import { defineProperty, hasOwn } from '../../prelude/intrinsics.js';

const ProxyCtor = Proxy;
const TypeErrorCtor = TypeError;
const { entries } = Object;
const deleteProperty = Reflect.deleteProperty;

const defineValue = (target, key, value) =>
  defineProperty(target, key, {
    value: `${value}`,
    writable: true,
    enumerable: true,
    configurable: true,
  });

const refuse = (message) =>
  codedError(TypeErrorCtor, 'ERR_INVALID_OBJECT_DEFINE_PROPERTY', `'process.env' ${message}`);

const handler = {
  set(target, key, value) {
    // Node converts the key and the value to strings: a symbol throws.
    if (typeof key === 'symbol')
      throw new TypeErrorCtor('Cannot convert a Symbol value to a string');
    defineValue(target, key, value);
    return true;
  },
  defineProperty(target, key, descriptor) {
    if (hasOwn(descriptor, 'get') || hasOwn(descriptor, 'set')) {
      throw refuse('does not accept an accessor(getter/setter) descriptor');
    }
    if (!descriptor.writable || !descriptor.enumerable || !descriptor.configurable) {
      throw refuse('only accepts a configurable, writable, and enumerable data descriptor');
    }
    defineValue(target, key, descriptor.value);
    return true;
  },
  deleteProperty(target, key) {
    deleteProperty(target, key);
    return true; // Node's delete is true even for a key that was not there
  },
};

/**
 * The env of `meta` (see prelude/function-info.js). The Lambda variables win over the
 * function's own of the same names: AWS reserves them, and TZ here must say what the
 * isolate's clock does (it cannot be changed by setting it).
 */
export function createEnv(meta) {
  const values = {};
  for (const [key, value] of entries(meta.env ?? {})) defineValue(values, key, value);
  defineValue(values, 'AWS_LAMBDA_FUNCTION_NAME', meta.name ?? '');
  defineValue(values, 'AWS_LAMBDA_FUNCTION_VERSION', meta.version ?? '');
  defineValue(values, 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', meta.memoryMb ?? '');
  defineValue(values, 'AWS_REGION', meta.region ?? '');
  defineValue(values, 'TZ', meta.tz ?? 'UTC');
  return new ProxyCtor(values, handler);
}

// SubtleCrypto and CryptoKey. The work is Node's WebCrypto in the sandbox process
// (host-ops/crypto.ts); keys stay there, and a CryptoKey here holds the id of one. Only
// this module makes CryptoKeys and reads their ids, so user code cannot forge a key, and
// the host checks every id against the isolate's own table again.
import { bytesOf, copyBytes } from './buffer-source.js';
import { webIDL } from './idl.js';

const TypeErrorCtor = TypeError;
const apply = Reflect.apply;
const StringCtor = String;
const BooleanCtor = Boolean;
const FinalizationRegistryCtor = FinalizationRegistry;
const registryRegister = FinalizationRegistry.prototype.register;
const iteratorSymbol = Symbol.iterator;

const ILLEGAL = 'Illegal constructor';
/** Passed to the constructors by this module only. */
const INTERNAL = Symbol('internal');

/** The bridge, set by `createSubtle`; module-private. */
let host;

/** Host key ids whose CryptoKey was garbage-collected, released with the next operation. */
let released = [];
const registry = new FinalizationRegistryCtor((id) => {
  released[released.length] = id;
});

let keyIdOf;

/** A key of the sandbox process's table: its id and a copy of what WebCrypto reports. */
export class CryptoKey {
  #id;
  #type;
  #extractable;
  #algorithm;
  #usages;

  constructor(token, descriptor) {
    if (token !== INTERNAL) throw new TypeErrorCtor(ILLEGAL);
    this.#id = descriptor.id;
    this.#type = descriptor.type;
    this.#extractable = descriptor.extractable;
    this.#algorithm = descriptor.algorithm;
    this.#usages = descriptor.usages;
    apply(registryRegister, registry, [this, descriptor.id]);
  }

  static {
    keyIdOf = (v) => (v !== null && typeof v === 'object' && #id in v ? v.#id : undefined);
  }

  get type() {
    return this.#type;
  }
  get extractable() {
    return this.#extractable;
  }
  get algorithm() {
    return this.#algorithm;
  }
  get usages() {
    return this.#usages;
  }
}

function keyId(v, method, position) {
  const id = keyIdOf(v);
  if (id === undefined) {
    throw new TypeErrorCtor(
      `Failed to execute '${method}' on 'SubtleCrypto': ${position} argument is not of type CryptoKey.`,
    );
  }
  return id;
}

function keyOf(descriptor) {
  return new CryptoKey(INTERNAL, descriptor);
}

/** A CryptoKey, or a CryptoKeyPair (a plain object, as in Node), from host descriptors. */
function keysOf(made) {
  if (made.id !== undefined) return keyOf(made);
  return { publicKey: keyOf(made.publicKey), privateKey: keyOf(made.privateKey) };
}

const BYTE_FIELDS = ['iv', 'additionalData', 'counter', 'label', 'salt', 'info', 'publicExponent'];
const PRIMITIVE_FIELDS = ['length', 'tagLength', 'saltLength', 'iterations', 'modulusLength'];

function isObject(v) {
  return (typeof v === 'object' && v !== null) || typeof v === 'function';
}

function primitive(v, what) {
  if (isObject(v) || typeof v === 'symbol') {
    throw new TypeErrorCtor(`Failed to normalize algorithm: ${what} has the wrong type.`);
  }
  return v;
}

/**
 * An AlgorithmIdentifier as the host reads it: a name, or a dictionary copied member by
 * member (getters run once, here), bytes copied, `public` as a key id.
 */
function algorithmOf(v) {
  if (!isObject(v)) return StringCtor(v);
  // Null-prototype copies: a setter user code put on Object.prototype never sees them.
  const out = { __proto__: null, name: primitive(v.name, 'name') };
  for (const field of BYTE_FIELDS) {
    const x = v[field];
    if (x === undefined) continue;
    const bytes = bytesOf(x);
    out[field] = bytes === undefined ? primitive(x, field) : copyBytes(bytes, field);
  }
  for (const field of PRIMITIVE_FIELDS) {
    const x = v[field];
    if (x !== undefined) out[field] = primitive(x, field);
  }
  if (v.namedCurve !== undefined) out.namedCurve = StringCtor(v.namedCurve);
  const hash = v.hash;
  if (hash !== undefined) out.hash = isObject(hash) ? { name: primitive(hash.name, 'hash') } : hash;
  const pub = v.public;
  if (pub !== undefined) {
    const id = keyIdOf(pub);
    if (id === undefined) {
      throw new TypeErrorCtor(
        'Failed to normalize algorithm: public in passed algorithm is not of type CryptoKey.',
      );
    }
    out.public = id;
  }
  return out;
}

function stringsOf(v, what) {
  if (!isObject(v) || typeof v[iteratorSymbol] !== 'function') {
    throw new TypeErrorCtor(`${what} cannot be converted to sequence.`);
  }
  const out = [];
  for (const s of v) out[out.length] = StringCtor(s);
  return out;
}

const JWK_STRINGS = [
  'kty',
  'use',
  'alg',
  'crv',
  'x',
  'y',
  'd',
  'n',
  'e',
  'p',
  'q',
  'dp',
  'dq',
  'qi',
  'k',
];

/** A JsonWebKey dictionary: its members converted, getters read once. */
function jwkOf(v) {
  const out = { __proto__: null };
  for (const field of JWK_STRINGS) {
    if (v[field] !== undefined) out[field] = StringCtor(v[field]);
  }
  if (v.ext !== undefined) out.ext = BooleanCtor(v.ext);
  if (v.key_ops !== undefined) out.key_ops = stringsOf(v.key_ops, 'key_ops');
  if (v.oth !== undefined) {
    const oth = [];
    for (const o of v.oth)
      oth[oth.length] = { r: StringCtor(o.r), d: StringCtor(o.d), t: StringCtor(o.t) };
    out.oth = oth;
  }
  return out;
}

/** BufferSource or JsonWebKey: which one the host expects depends on the format. */
function keyDataOf(format, v) {
  const bytes = bytesOf(v);
  if (bytes !== undefined) return copyBytes(bytes, 'keyData');
  if (format === 'jwk' && isObject(v)) return jwkOf(v);
  return dataOf(v, 'importKey', '2nd');
}

function dataOf(v, method, position) {
  const bytes = bytesOf(v);
  if (bytes === undefined) {
    throw new TypeErrorCtor(
      `Failed to execute '${method}' on 'SubtleCrypto': ${position} argument is not instance of ArrayBuffer, Buffer, TypedArray, or DataView.`,
    );
  }
  return copyBytes(bytes, 'data');
}

function need(given, needed, method) {
  if (given < needed) {
    throw new TypeErrorCtor(
      `Failed to execute '${method}' on 'SubtleCrypto': ${needed} arguments required, but only ${given} present.`,
    );
  }
}

function run(method, args) {
  if (released.length > 0) {
    const ids = released;
    released = [];
    host.call('crypto.release', ids);
  }
  return host.start('crypto.subtle', [method, ...args]);
}

/** host-ops/crypto-fast.ts's limit: smaller digests and HMACs take one synchronous call. */
const FAST_MAX_BYTES = 64 * 1024;

/** digest, sign or verify: synchronously where the host can, else the asynchronous way. */
function runSmall(method, args, data) {
  if (data.length <= FAST_MAX_BYTES) {
    const result = host.call('crypto.fast', method, ...args);
    if (result !== null) return result;
  }
  return run(method, args);
}

let isSubtle;

export class SubtleCrypto {
  #brand;

  constructor(token) {
    if (token !== INTERNAL) throw new TypeErrorCtor(ILLEGAL);
    this.#brand = true;
  }

  static {
    isSubtle = (v) => isObject(v) && #brand in v;
  }

  async encrypt(algorithm, key, data) {
    // biome-ignore lint/complexity/noArguments: an argument left out is not one passed as undefined (WebIDL)
    check(this, arguments.length, 3, 'encrypt');
    return run('encrypt', [
      algorithmOf(algorithm),
      keyId(key, 'encrypt', '2nd'),
      dataOf(data, 'encrypt', '3rd'),
    ]);
  }

  async decrypt(algorithm, key, data) {
    // biome-ignore lint/complexity/noArguments: an argument left out is not one passed as undefined (WebIDL)
    check(this, arguments.length, 3, 'decrypt');
    return run('decrypt', [
      algorithmOf(algorithm),
      keyId(key, 'decrypt', '2nd'),
      dataOf(data, 'decrypt', '3rd'),
    ]);
  }

  async sign(algorithm, key, data) {
    // biome-ignore lint/complexity/noArguments: an argument left out is not one passed as undefined (WebIDL)
    check(this, arguments.length, 3, 'sign');
    const bytes = dataOf(data, 'sign', '3rd');
    return runSmall('sign', [algorithmOf(algorithm), keyId(key, 'sign', '2nd'), bytes], bytes);
  }

  async verify(algorithm, key, signature, data) {
    // biome-ignore lint/complexity/noArguments: an argument left out is not one passed as undefined (WebIDL)
    check(this, arguments.length, 4, 'verify');
    const alg = algorithmOf(algorithm);
    const id = keyId(key, 'verify', '2nd');
    const sig = dataOf(signature, 'verify', '3rd');
    const bytes = dataOf(data, 'verify', '4th');
    return runSmall('verify', [alg, id, sig, bytes], sig.length > bytes.length ? sig : bytes);
  }

  async digest(algorithm, data) {
    // biome-ignore lint/complexity/noArguments: an argument left out is not one passed as undefined (WebIDL)
    check(this, arguments.length, 2, 'digest');
    const bytes = dataOf(data, 'digest', '2nd');
    return runSmall('digest', [algorithmOf(algorithm), bytes], bytes);
  }

  async generateKey(algorithm, extractable, keyUsages) {
    // biome-ignore lint/complexity/noArguments: an argument left out is not one passed as undefined (WebIDL)
    check(this, arguments.length, 3, 'generateKey');
    const args = [
      algorithmOf(algorithm),
      BooleanCtor(extractable),
      stringsOf(keyUsages, 'keyUsages'),
    ];
    return keysOf(await run('generateKey', args));
  }

  async deriveKey(algorithm, baseKey, derivedKeyType, extractable, keyUsages) {
    // biome-ignore lint/complexity/noArguments: an argument left out is not one passed as undefined (WebIDL)
    check(this, arguments.length, 5, 'deriveKey');
    const args = [
      algorithmOf(algorithm),
      keyId(baseKey, 'deriveKey', '2nd'),
      algorithmOf(derivedKeyType),
      BooleanCtor(extractable),
      stringsOf(keyUsages, 'keyUsages'),
    ];
    return keysOf(await run('deriveKey', args));
  }

  async deriveBits(algorithm, baseKey, length = null) {
    // biome-ignore lint/complexity/noArguments: an argument left out is not one passed as undefined (WebIDL)
    check(this, arguments.length, 2, 'deriveBits');
    const bits = length === null || length === undefined ? null : primitive(length, 'length');
    return run('deriveBits', [algorithmOf(algorithm), keyId(baseKey, 'deriveBits', '2nd'), bits]);
  }

  async importKey(format, keyData, algorithm, extractable, keyUsages) {
    // biome-ignore lint/complexity/noArguments: an argument left out is not one passed as undefined (WebIDL)
    check(this, arguments.length, 5, 'importKey');
    const f = StringCtor(format);
    const args = [
      f,
      keyDataOf(f, keyData),
      algorithmOf(algorithm),
      BooleanCtor(extractable),
      stringsOf(keyUsages, 'keyUsages'),
    ];
    return keysOf(await run('importKey', args));
  }

  async exportKey(format, key) {
    // biome-ignore lint/complexity/noArguments: an argument left out is not one passed as undefined (WebIDL)
    check(this, arguments.length, 2, 'exportKey');
    return run('exportKey', [StringCtor(format), keyId(key, 'exportKey', '2nd')]);
  }

  async wrapKey(format, key, wrappingKey, wrapAlgorithm) {
    // biome-ignore lint/complexity/noArguments: an argument left out is not one passed as undefined (WebIDL)
    check(this, arguments.length, 4, 'wrapKey');
    return run('wrapKey', [
      StringCtor(format),
      keyId(key, 'wrapKey', '2nd'),
      keyId(wrappingKey, 'wrapKey', '3rd'),
      algorithmOf(wrapAlgorithm),
    ]);
  }

  async unwrapKey(
    format,
    wrappedKey,
    unwrappingKey,
    unwrapAlgorithm,
    unwrappedKeyAlgorithm,
    extractable,
    keyUsages,
  ) {
    // biome-ignore lint/complexity/noArguments: an argument left out is not one passed as undefined (WebIDL)
    check(this, arguments.length, 7, 'unwrapKey');
    const args = [
      StringCtor(format),
      dataOf(wrappedKey, 'unwrapKey', '2nd'),
      keyId(unwrappingKey, 'unwrapKey', '3rd'),
      algorithmOf(unwrapAlgorithm),
      algorithmOf(unwrappedKeyAlgorithm),
      BooleanCtor(extractable),
      stringsOf(keyUsages, 'keyUsages'),
    ];
    return keysOf(await run('unwrapKey', args));
  }
}

function check(self, given, needed, method) {
  if (!isSubtle(self)) throw new TypeErrorCtor('Value of "this" must be of type SubtleCrypto');
  need(given, needed, method);
}

webIDL(CryptoKey.prototype, 'CryptoKey', ['type', 'extractable', 'algorithm', 'usages']);
webIDL(SubtleCrypto.prototype, 'SubtleCrypto', [
  'encrypt',
  'decrypt',
  'sign',
  'verify',
  'digest',
  'generateKey',
  'deriveKey',
  'deriveBits',
  'importKey',
  'exportKey',
  'wrapKey',
  'unwrapKey',
]);

/** The one SubtleCrypto of this isolate, bound to the bridge. */
export function createSubtle(bridge) {
  host = bridge;
  return new SubtleCrypto(INTERNAL);
}

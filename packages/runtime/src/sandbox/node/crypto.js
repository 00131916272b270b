// node:crypto. The work is the sandbox process's own Node crypto, reached through host
// operations (host-ops/node-crypto*.ts): OpenSSL there is faster and better kept than any
// JavaScript copy, and key material parsed there is cached per isolate. Each operation is
// bounded by the invocation: work that cannot finish before its deadline (pbkdf2Sync with
// 10^9 iterations) is refused up front, output past its memory is refused.

import {
  Cipheriv,
  createCipheriv,
  createDecipheriv,
  Decipheriv,
  getCiphers,
  getCurves,
} from './internal/crypto-cipher.js';
import {
  getHashes,
  Hash,
  Hmac,
  hash,
  privateDecrypt,
  privateEncrypt,
  publicDecrypt,
  publicEncrypt,
  Sign,
  sign,
  Verify,
  verify,
} from './internal/crypto-hash.js';
import {
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  generateKeyPair,
  generateKeyPairSync,
  KeyObject,
} from './internal/crypto-keys.js';
import {
  getRandomValues,
  hkdf,
  hkdfSync,
  pbkdf2,
  pbkdf2Sync,
  randomBytes,
  randomFill,
  randomFillSync,
  randomInt,
  randomUUID,
  scrypt,
  scryptSync,
  timingSafeEqual,
} from './internal/crypto-random.js';
import { coded, later } from './internal/crypto-util.js';
import { ERR_INVALID_ARG_TYPE } from './internal/errors.js';

const webcrypto = globalThis.crypto;

function unavailable(name) {
  return () => {
    throw coded(
      Error,
      'ERR_FEATURE_UNAVAILABLE_ON_PLATFORM',
      `crypto.${name} is not available in functions`,
    );
  };
}

/** generateKeySync('hmac' | 'aes', { length }): random bytes as a secret KeyObject. */
function generateKeySync(type, options) {
  const length = options?.length;
  if (type !== 'hmac' && type !== 'aes')
    throw coded(
      TypeError,
      'ERR_INVALID_ARG_VALUE',
      `The argument 'type' must be a supported key type. Received '${type}'`,
    );
  if (typeof length !== 'number') throw ERR_INVALID_ARG_TYPE('options.length', 'number', length);
  if (type === 'aes' && length !== 128 && length !== 192 && length !== 256) {
    throw coded(
      TypeError,
      'ERR_INVALID_ARG_VALUE',
      `The property 'options.length' must be one of: 128, 192, 256. Received ${length}`,
    );
  }
  return createSecretKey(randomBytes(Math.floor(length / 8)));
}

function generateKey(type, options, callback) {
  if (typeof callback !== 'function') throw ERR_INVALID_ARG_TYPE('callback', 'function', callback);
  let key;
  try {
    key = generateKeySync(type, options);
  } catch (e) {
    return later(callback, e);
  }
  later(callback, null, key);
}

const constants = Object.freeze({
  OPENSSL_VERSION_NUMBER: 810549376,
  RSA_PKCS1_PADDING: 1,
  RSA_NO_PADDING: 3,
  RSA_PKCS1_OAEP_PADDING: 4,
  RSA_X931_PADDING: 5,
  RSA_PKCS1_PSS_PADDING: 6,
  RSA_PSS_SALTLEN_DIGEST: -1,
  RSA_PSS_SALTLEN_MAX_SIGN: -2,
  RSA_PSS_SALTLEN_AUTO: -2,
  POINT_CONVERSION_COMPRESSED: 2,
  POINT_CONVERSION_UNCOMPRESSED: 4,
  POINT_CONVERSION_HYBRID: 6,
});

export default {
  // Hashes and MACs
  createHash: (algorithm, options) => new Hash(algorithm, options),
  createHmac: (algorithm, key, options) => new Hmac(algorithm, key, options),
  hash,
  getHashes,
  Hash,
  Hmac,
  // Signatures and RSA encryption
  createSign: (algorithm) => new Sign(algorithm),
  createVerify: (algorithm) => new Verify(algorithm),
  sign,
  verify,
  Sign,
  Verify,
  publicEncrypt,
  privateDecrypt,
  privateEncrypt,
  publicDecrypt,
  // Keys
  KeyObject,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  generateKeyPair,
  generateKeyPairSync,
  generateKey,
  generateKeySync,
  // Ciphers
  createCipheriv,
  createDecipheriv,
  Cipheriv,
  Decipheriv,
  getCiphers,
  getCurves,
  // Random values
  randomBytes,
  pseudoRandomBytes: randomBytes,
  randomFill,
  randomFillSync,
  randomInt,
  randomUUID,
  getRandomValues,
  timingSafeEqual,
  // Key derivation
  pbkdf2,
  pbkdf2Sync,
  scrypt,
  scryptSync,
  hkdf,
  hkdfSync,
  // What functions do not get
  createDiffieHellman: unavailable('createDiffieHellman'),
  createDiffieHellmanGroup: unavailable('createDiffieHellmanGroup'),
  getDiffieHellman: unavailable('getDiffieHellman'),
  createECDH: unavailable('createECDH'),
  diffieHellman: unavailable('diffieHellman'),
  checkPrime: unavailable('checkPrime'),
  checkPrimeSync: unavailable('checkPrimeSync'),
  generatePrime: unavailable('generatePrime'),
  generatePrimeSync: unavailable('generatePrimeSync'),
  setEngine: unavailable('setEngine'),
  setFips: unavailable('setFips'),
  getFips: () => 0,
  secureHeapUsed: () => ({ total: 0, min: 0, used: 0, utilization: 0 }),
  constants,
  webcrypto,
  subtle: webcrypto.subtle,
};

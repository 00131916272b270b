// node:buffer. Buffer is unenv's (feross/buffer, as Cloudflare's nodejs_compat and Nitro
// ship it): a Uint8Array subclass in plain JavaScript, all of Node's encodings and
// read/write methods. Blob, File, atob and btoa are the platform's.
import {
  Buffer,
  INSPECT_MAX_BYTES,
  kMaxLength,
  SlowBuffer,
} from 'unenv/node/internal/buffer/buffer';

const kStringMaxLength = 2 ** 29 - 24;
// Node 24's; Buffer.allocUnsafe does not pool here, but code reads it.
Buffer.poolSize = 64 * 1024;

export default {
  Buffer,
  SlowBuffer,
  INSPECT_MAX_BYTES,
  kMaxLength,
  kStringMaxLength,
  constants: { MAX_LENGTH: kMaxLength, MAX_STRING_LENGTH: kStringMaxLength },
  Blob: globalThis.Blob,
  File: globalThis.File,
  atob: globalThis.atob,
  btoa: globalThis.btoa,
};

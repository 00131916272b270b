import { createHash, hkdfSync, pbkdf2, pbkdf2Sync, scrypt, scryptSync } from 'node:crypto';
import { exact, own } from './args.ts';
import {
  codedError,
  data,
  int,
  memoryBytes,
  name,
  nodeError,
  nodeOp,
  options,
  withinDeadline,
} from './node-crypto-args.ts';
import { pbkdf2Estimate, scryptEstimate } from './node-crypto-work.ts';
import type { AsyncOp, HostOpContext, SyncOp } from './types.ts';

// pbkdf2, scrypt and hkdf of node:crypto, synchronous and on the thread pool. Their cost
// is checked against the invocation's remaining time first (node-crypto-work.ts), their
// output against its memory.

const digestSizes = new Map<string, number>();

/** Bytes of `digest`'s output; Node's error for a digest it does not know. */
function digestSize(digest: string): number {
  let size = digestSizes.get(digest);
  if (size === undefined) {
    try {
      size = createHash(digest).digest().byteLength;
    } catch {
      throw codedError('TypeError', 'ERR_CRYPTO_INVALID_DIGEST', `Invalid digest: ${digest}`);
    }
    if (digestSizes.size < 256) digestSizes.set(digest, size);
  }
  return size;
}

function keylen(ctx: HostOpContext, v: unknown): number {
  return int(v, 'keylen', 0, Math.min(2 ** 31 - 1, memoryBytes(ctx)));
}

interface Pbkdf2Args {
  password: Uint8Array | string;
  salt: Uint8Array | string;
  iterations: number;
  keylen: number;
  digest: string;
}

function pbkdf2Args(
  ctx: HostOpContext,
  [password, salt, iterations, len, digest]: unknown[],
): Pbkdf2Args {
  const a = {
    password: data(password, 'password'),
    salt: data(salt, 'salt'),
    iterations: int(iterations, 'iterations', 1, 2 ** 31 - 1),
    keylen: keylen(ctx, len),
    digest: name(digest, 'digest'),
  };
  const estimate = pbkdf2Estimate(a.iterations, a.keylen, a.digest, digestSize(a.digest));
  withinDeadline(ctx, estimate, `pbkdf2 with ${a.iterations} iterations`);
  return a;
}

interface ScryptArgs {
  password: Uint8Array | string;
  salt: Uint8Array | string;
  keylen: number;
  options: { N: number; r: number; p: number; maxmem: number };
}

function scryptArgs(ctx: HostOpContext, [password, salt, len, opts]: unknown[]): ScryptArgs {
  const o = options(opts, 'options');
  const memory = memoryBytes(ctx);
  const maxmem = own(o, 'maxmem') ?? 32 * 1024 * 1024;
  const a = {
    password: data(password, 'password'),
    salt: data(salt, 'salt'),
    keylen: keylen(ctx, len),
    options: {
      N: int(own(o, 'N') ?? 16384, 'N', 0, 2 ** 40),
      r: int(own(o, 'r') ?? 8, 'r', 0, 2 ** 30),
      p: int(own(o, 'p') ?? 1, 'p', 0, 2 ** 30),
      // The work's memory is the sandbox's: no more than the function itself may hold.
      maxmem: Math.min(int(maxmem, 'maxmem', 0, Number.MAX_SAFE_INTEGER), memory),
    },
  };
  const { N, r, p } = a.options;
  if (N >= 2 && (N & (N - 1)) === 0 && 128 * N * r <= a.options.maxmem) {
    withinDeadline(ctx, scryptEstimate(N, r, p), `scrypt with N=${N}, r=${r}, p=${p}`);
  }
  return a;
}

const pbkdf2Op: SyncOp = nodeOp((ctx, args) => {
  const a = pbkdf2Args(ctx, args);
  return exact(pbkdf2Sync(a.password, a.salt, a.iterations, a.keylen, a.digest));
});

const scryptOp: SyncOp = nodeOp((ctx, args) => {
  const a = scryptArgs(ctx, args);
  return exact(scryptSync(a.password, a.salt, a.keylen, a.options));
});

/** `node.crypto.hkdf(digest, ikm, salt, info, keylen)`: cheap (at most 255 digests). */
const hkdfOp: SyncOp = nodeOp((ctx, [digest, ikm, salt, info, len]) => {
  const d = name(digest, 'digest');
  return exact(
    new Uint8Array(
      hkdfSync(d, data(ikm, 'ikm'), data(salt, 'salt'), data(info, 'info'), keylen(ctx, len)),
    ),
  );
});

/** Runs `work` on the thread pool; the result of one whose invocation ended is dropped. */
function pooled(
  start: (done: (err: Error | null, key: Buffer) => void) => void,
): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    start((err, key) => (err ? reject(nodeError(err)) : resolve(exact(key))));
  });
}

const pbkdf2Async: AsyncOp = async (ctx, args) => {
  let a: Pbkdf2Args;
  try {
    a = pbkdf2Args(ctx, args);
  } catch (e) {
    throw nodeError(e);
  }
  return pooled((done) => pbkdf2(a.password, a.salt, a.iterations, a.keylen, a.digest, done));
};

const scryptAsync: AsyncOp = async (ctx, args) => {
  let a: ScryptArgs;
  try {
    a = scryptArgs(ctx, args);
  } catch (e) {
    throw nodeError(e);
  }
  return pooled((done) => scrypt(a.password, a.salt, a.keylen, a.options, done));
};

export const kdfSyncOps = {
  'node.crypto.pbkdf2': pbkdf2Op,
  'node.crypto.scrypt': scryptOp,
  'node.crypto.hkdf': hkdfOp,
};
export const kdfAsyncOps = {
  'node.crypto.pbkdf2': pbkdf2Async,
  'node.crypto.scrypt': scryptAsync,
};

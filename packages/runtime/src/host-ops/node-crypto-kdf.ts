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
import { onLane } from './node-crypto-lane.ts';
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
  /** Estimated milliseconds, and what a refusal calls the work. */
  work: { ms: number; what: string };
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
  const ms = pbkdf2Estimate(
    { ...a, passwordBytes: byteLength(a.password), saltBytes: byteLength(a.salt) },
    a.digest,
    digestSize(a.digest),
  );
  return { ...a, work: { ms, what: `pbkdf2 with ${a.iterations} iterations` } };
}

const byteLength = (v: Uint8Array | string) =>
  typeof v === 'string' ? Buffer.byteLength(v) : v.byteLength;

interface ScryptArgs {
  password: Uint8Array | string;
  salt: Uint8Array | string;
  keylen: number;
  options: { N: number; r: number; p: number; maxmem: number };
  /** As pbkdf2's; none when Node will refuse the parameters itself. */
  work?: { ms: number; what: string };
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
  if (N < 2 || !Number.isInteger(Math.log2(N)) || 128 * N * r > a.options.maxmem) return a;
  const ms = scryptEstimate({
    N,
    r,
    p,
    keylen: a.keylen,
    passwordBytes: byteLength(a.password),
    saltBytes: byteLength(a.salt),
  });
  return { ...a, work: { ms, what: `scrypt with N=${N}, r=${r}, p=${p}` } };
}

const pbkdf2Op: SyncOp = nodeOp((ctx, args) => {
  const a = pbkdf2Args(ctx, args);
  withinDeadline(ctx, a.work.ms, a.work.what);
  return exact(pbkdf2Sync(a.password, a.salt, a.iterations, a.keylen, a.digest));
});

const scryptOp: SyncOp = nodeOp((ctx, args) => {
  const a = scryptArgs(ctx, args);
  if (a.work) withinDeadline(ctx, a.work.ms, a.work.what);
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

type Done = (err: Error | null, key?: Buffer) => void;

/** A derivation on the key-derivation lane (node-crypto-lane.ts), with Node's errors. */
async function derived(
  ctx: HostOpContext,
  signal: AbortSignal,
  prepare: () => { work?: { ms: number; what: string } | undefined; start(done: Done): void },
): Promise<Uint8Array> {
  try {
    const { work, start } = prepare();
    return exact(await onLane<Buffer>(ctx, signal, work?.ms ?? 0, work?.what ?? 'scrypt', start));
  } catch (e) {
    throw nodeError(e);
  }
}

const pbkdf2Async: AsyncOp = (ctx, args, signal) =>
  derived(ctx, signal, () => {
    const a = pbkdf2Args(ctx, args);
    return {
      work: a.work,
      start: (done) => pbkdf2(a.password, a.salt, a.iterations, a.keylen, a.digest, done),
    };
  });

const scryptAsync: AsyncOp = (ctx, args, signal) =>
  derived(ctx, signal, () => {
    const a = scryptArgs(ctx, args);
    return { work: a.work, start: (done) => scrypt(a.password, a.salt, a.keylen, a.options, done) };
  });

export const kdfSyncOps = {
  'node.crypto.pbkdf2': pbkdf2Op,
  'node.crypto.scrypt': scryptOp,
  'node.crypto.hkdf': hkdfOp,
};
export const kdfAsyncOps = {
  'node.crypto.pbkdf2': pbkdf2Async,
  'node.crypto.scrypt': scryptAsync,
};

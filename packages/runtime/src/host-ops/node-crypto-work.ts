import { createHash, pbkdf2Sync, scryptSync } from 'node:crypto';

// Estimates of how long key derivation and key generation take on this machine, measured
// here on first use. None of this work can be interrupted once Node starts it (a
// synchronous call blocks the sandbox's thread, an asynchronous one a pool thread), so an
// operation whose estimate exceeds the invocation's remaining time is refused up front:
// `pbkdf2Sync(pw, salt, 1e9, 32, 'sha256')` would otherwise hold the sandbox for minutes
// (about 6 million SHA-256 iterations a second on the 2-core development machine).

const pbkdf2Rates = new Map<string, number>();

/** The best of three runs: a measurement taken while the machine is busy runs slow. */
function fastest(run: () => void): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    run();
    best = Math.min(best, performance.now() - t);
  }
  return Math.max(best, 0.001);
}

/**
 * `measure(digest)`, remembered by the digest's name: case-insensitive, as Node's names are,
 * and for a bounded number of names (Node accepts countless spellings of some digests).
 */
function remembered(rates: Map<string, number>, digest: string, measure: () => number): number {
  const key = digest.toLowerCase();
  let cost = rates.get(key);
  if (cost === undefined) {
    cost = measure();
    if (rates.size < MAX_REMEMBERED) rates.set(key, cost);
  }
  return cost;
}

const MAX_REMEMBERED = 64;

/** Milliseconds per PBKDF2 iteration of `digest` (per output block of the digest's size). */
function pbkdf2Cost(digest: string): number {
  const iterations = 2048;
  return remembered(
    pbkdf2Rates,
    digest,
    () => fastest(() => pbkdf2Sync('p', 's', iterations, 1, digest)) / iterations,
  );
}

const byteRates = new Map<string, number>();
const SAMPLE = new Uint8Array(64 * 1024);

/** Milliseconds per byte `digest` hashes. */
function byteCost(digest: string): number {
  return remembered(
    byteRates,
    digest,
    () => fastest(() => createHash(digest).update(SAMPLE).digest()) / SAMPLE.byteLength,
  );
}

/**
 * Estimated milliseconds of pbkdf2(password, salt, iterations, keylen, digest); digest
 * already checked. Each output block runs the iterations and hashes the salt once more,
 * so a long salt with a long key costs as much as many iterations.
 */
export function pbkdf2Estimate(
  a: { iterations: number; keylen: number; passwordBytes: number; saltBytes: number },
  digest: string,
  digestBytes: number,
): number {
  const blocks = Math.max(1, Math.ceil(a.keylen / digestBytes));
  const perBlock = pbkdf2Cost(digest) * a.iterations + byteCost(digest) * (a.saltBytes + 4);
  return blocks * perBlock + byteCost(digest) * a.passwordBytes;
}

let scryptUnit: number | undefined;

/**
 * Estimated milliseconds of scrypt with cost N, blockSize r, parallelization p: its
 * mixing, plus its two one-iteration PBKDF2-SHA-256 passes (one hashes the salt for each
 * 32 bytes of its p·128·r-byte buffer, the other that buffer for each 32 bytes of key).
 */
export function scryptEstimate(a: {
  N: number;
  r: number;
  p: number;
  keylen: number;
  passwordBytes: number;
  saltBytes: number;
}): number {
  scryptUnit ??= fastest(() => scryptSync('p', 's', 1, { N: 1024, r: 8, p: 1 })) / (1024 * 8);
  const buffer = 128 * a.p * a.r;
  const hashed =
    (buffer / 32) * (a.saltBytes + 4) + Math.ceil(a.keylen / 32) * (buffer + 4) + a.passwordBytes;
  // The unit is measured on 1 MB, which stays in the CPU's caches; the 16–128 MB real
  // uses take up to 1.6 times as long per unit, so the mixing is counted twice.
  return 2 * scryptUnit * a.N * a.r * a.p + byteCost('sha256') * hashed;
}

/**
 * Estimated milliseconds of generating an RSA key of `bits` bits. Prime search is random:
 * measured 70 ms for 2048 bits and 300 ms for 4096 on the development machine, some runs
 * several times that, growing with the cube of the size or faster; the estimate is three
 * times the typical time, scaled by this machine's speed against that one.
 */
export function rsaKeygenEstimate(bits: number): number {
  const speed = pbkdf2Cost('sha256') / REFERENCE_SHA256_ITERATION_MS;
  return 3 * 70 * (bits / 2048) ** 3.3 * speed;
}

/** One PBKDF2-SHA-256 iteration on the development machine (100,000 in 17 ms). */
const REFERENCE_SHA256_ITERATION_MS = 17 / 100_000;

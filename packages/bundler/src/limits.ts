/** Bounds on uploads and bundles (docs/api.md). */
export const BUNDLE_LIMITS = {
  /** A zip upload. */
  maxArchiveBytes: 50 * 1024 * 1024,
  /** The bundle esbuild produces. */
  maxBundleBytes: 10 * 1024 * 1024,
  /** Entries in an archive, directories included. */
  maxEntries: 10_000,
  /** Bytes actually inflated from an archive, all entries together. */
  maxExpandedBytes: 200 * 1024 * 1024,
  /** Inflated bytes per compressed byte past which an archive is treated as a zip bomb. */
  maxCompressionRatio: 200,
  /** Ratio checks start past this many inflated bytes (tiny files compress absurdly well). */
  ratioGraceBytes: 1024 * 1024,
} as const;

export type BundleLimits = { [K in keyof typeof BUNDLE_LIMITS]: number };

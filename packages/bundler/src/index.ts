export { safePath } from './archive.ts';
export type { BuildMessage, BundleInput, BundleOptions, BundleResult } from './bundle.ts';
export { BUNDLE_LIMITS, type BundleLimits } from './limits.ts';
export { type Bundler, type BundlerOptions, bundle, createBundler } from './run-bundle.ts';

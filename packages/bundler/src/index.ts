export { safePath } from './archive.ts';
export {
  type BuildMessage,
  type BundleInput,
  type BundleOptions,
  type BundleResult,
  bundle,
} from './bundle.ts';
export { BUNDLE_LIMITS, type BundleLimits } from './limits.ts';

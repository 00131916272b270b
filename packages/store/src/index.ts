export { BundleStore } from './bundle-store.ts';
export { createFsObjectStore } from './fs-object-store.ts';
export { assertKey, type ObjectStore } from './object-store.ts';
export { createS3ObjectStore, type S3Options } from './s3-object-store.ts';

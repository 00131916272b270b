export { BundleStore } from './bundle-store.ts';
export { type ChangeHandlers, subscribeChanges } from './changes.ts';
export { type EmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres.ts';
export { createFsObjectStore } from './fs-object-store.ts';
export { type Migration, migrateDown, migrateUp, readMigrations } from './migrate.ts';
export { assertKey, type ObjectStore } from './object-store.ts';
export {
  type DeployInput,
  deployVersion,
  openStore,
  type Store,
  type StoreOptions,
} from './open-store.ts';
export {
  CHANGES_CHANNEL,
  createRegistry,
  type FunctionDetails,
  type FunctionSummary,
  type NewVersion,
  type Registry,
} from './registry.ts';
export { createS3ObjectStore, type S3Options } from './s3-object-store.ts';

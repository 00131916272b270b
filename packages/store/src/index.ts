export { BundleStore } from './bundle-store.ts';
export {
  CHANGES_CHANNEL,
  type ChangeHandlers,
  type ChangeOp,
  type FunctionChange,
  parseChange,
  subscribeChanges,
} from './changes.ts';
export { type EmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres.ts';
export { createFsObjectStore } from './fs-object-store.ts';
export { type Migration, migrateDown, migrateUp, readMigrations } from './migrate.ts';
export { migrationsDir } from './migrations-dir.ts';
export { assertKey, type ObjectStore } from './object-store.ts';
export {
  type DeployInput,
  deployVersion,
  openStore,
  type Store,
  type StoreOptions,
} from './open-store.ts';
export {
  createRegistry,
  type FunctionDetails,
  type FunctionSummary,
  type NewVersion,
  type Registry,
} from './registry.ts';
export { createS3ObjectStore, type S3Options } from './s3-object-store.ts';

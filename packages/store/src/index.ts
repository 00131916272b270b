export {
  ASYNC_CHANNEL,
  type AsyncError,
  type AsyncPolicy,
  type AsyncQueue,
  type AsyncQueueOptions,
  type AsyncState,
  type ClaimOptions,
  type ClaimResult,
  type CompleteResult,
  type Completion,
  createAsyncQueue,
  createSchedules,
  type DeadLetter,
  type DeadLetters,
  type EnqueueOptions,
  type InvocationStatus,
  MAX_LOST_DELIVERIES,
  type NewAsyncEvent,
  type PurgeResult,
  type QueueDepth,
  REDRIVE_LIMIT,
  type RedriveResult,
  type ScheduleInput,
  type ScheduleRecord,
  type ScheduleRun,
  type Schedules,
  type SchedulesOptions,
  type TakenEvent,
} from './async/index.ts';
export { BundleStore } from './bundle-store.ts';
export {
  CHANGES_CHANNEL,
  type ChangeHandlers,
  type ChangeOp,
  type FunctionChange,
  parseChange,
  subscribeChanges,
} from './changes.ts';
export {
  type EmbeddedDurability,
  type EmbeddedPostgres,
  startEmbeddedPostgres,
} from './embedded-postgres.ts';
export { createFsObjectStore } from './fs-object-store.ts';
export { type Migration, migrateDown, migrateUp, readMigrations } from './migrate.ts';
export { migrationsDir } from './migrations-dir.ts';
export { assertKey, type ObjectStore } from './object-store.ts';
export {
  type DeployInput,
  deployVersion,
  openStore,
  type Store,
  type StoreDurability,
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

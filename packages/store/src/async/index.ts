export { REDRIVE_LIMIT } from './dead-letters.ts';
export { type AsyncQueueOptions, createAsyncQueue } from './queue.ts';
export type {
  ClaimOptions,
  ClaimResult,
  ScheduleInput,
  ScheduleRecord,
  ScheduleRun,
  Schedules,
} from './schedule-types.ts';
export { createSchedules, type SchedulesOptions } from './schedules.ts';
export { MAX_LOST_DELIVERIES } from './take.ts';
export {
  ASYNC_CHANNEL,
  type AsyncError,
  type AsyncPolicy,
  type AsyncQueue,
  type AsyncState,
  type CompleteResult,
  type Completion,
  type DeadLetter,
  type DeadLetters,
  type EnqueueOptions,
  type InvocationStatus,
  type NewAsyncEvent,
  type PurgeResult,
  type QueueDepth,
  type RedriveResult,
  type TakenEvent,
} from './types.ts';

import type { HostOps } from './types.ts';

export * from './types.ts';

/** Every host operation the platform may call, by name. */
export const HOST_OPS: HostOps = { sync: {}, async: {} };

export * from './config.ts';
export * from './errors.ts';
export * from './function-version.ts';
export * from './http-message.ts';
export * from './names.ts';
export * from './outcome.ts';
export * from './ready-message.ts';
export * from './runtime-limits.ts';

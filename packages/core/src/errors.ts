/** Every error code of docs/api.md with the HTTP status it maps to. */
export const ERROR_STATUS = {
  InvalidName: 400,
  InvalidJSON: 400,
  InvalidConfig: 400,
  InvalidRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  FunctionNotFound: 404,
  NotFound: 404,
  InvocationNotFound: 404,
  ScheduleNotFound: 404,
  DeadLetterNotFound: 404,
  PayloadTooLarge: 413,
  UnsupportedMediaType: 415,
  BuildFailed: 422,
  NoHandler: 422,
  InvalidArchive: 422,
  TooManyRequests: 429,
  FunctionError: 500,
  OutOfMemory: 500,
  InvalidResult: 500,
  ResultTooLarge: 500,
  InternalError: 500,
  NotImplemented: 501,
  ServiceUnavailable: 503,
  SandboxRestarted: 503,
  FunctionQuarantined: 503,
  FunctionTimeout: 504,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** HTTP status for an error code. */
export function statusOf(code: ErrorCode): number {
  return ERROR_STATUS[code];
}

/**
 * The one error class of ours. User-code failures are outcome values, not this;
 * this is for bad input and platform faults, mapped to HTTP in exactly one place.
 */
export class MiniLambdaError extends Error {
  override readonly name = 'MiniLambdaError';
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return statusOf(this.code);
  }

  /** The JSON error body of docs/api.md. */
  toJSON(): { error: Record<string, unknown> } {
    return { error: { ...this.details, code: this.code, message: this.message } };
  }
}

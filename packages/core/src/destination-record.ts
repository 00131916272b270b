/** Why a destination receives a record (Lambda's `requestContext.condition`). */
export type DestinationCondition = 'Success' | 'RetriesExhausted' | 'EventAgeExceeded';

/** The account id in ARNs: functions belong to no AWS account (as in the runtime's context). */
export const ARN_ACCOUNT = '000000000000';
export const DEFAULT_REGION = 'us-east-1';

/**
 * Lambda's error response of a failed invocation, in the Node.js runtime's shape: the thrown
 * error's name and message, and `trace`, its stack's lines (absent for an error of the
 * platform such as a timeout, which has no stack).
 */
export interface LambdaErrorPayload {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

/** Lambda's invocation record, the event a destination function receives. */
export interface DestinationRecord {
  version: '1.0';
  timestamp: string;
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: DestinationCondition;
    approximateInvokeCount: number;
  };
  requestPayload: unknown;
  /** Absent when the event aged out before an attempt: there was no response. */
  responseContext?: {
    statusCode: 200;
    executedVersion: string;
    functionError?: 'Unhandled';
  };
  responsePayload?: unknown;
}

/** What an attempt failed with: the thrown error's name, or else our code, as `errorType`. */
export interface AttemptError {
  name?: string;
  code?: string;
  message: string;
  stack?: string;
}

/** What the last attempt ended with: the handler's result (parsed), or its error. */
export type LastResponse = { ok: true; result: unknown } | { ok: false; error: AttemptError };

export interface DestinationRecordInput {
  condition: DestinationCondition;
  /** The id of the event the record is about. */
  requestId: string;
  functionName: string;
  /** Attempts that ran (0 when it aged out while queued). */
  attempts: number;
  /** The event, parsed. */
  requestPayload: unknown;
  /** The last attempt's response; omitted when there was none. */
  response?: LastResponse;
  timestamp: Date;
  /** The version the last attempt ran on; `$LATEST` when absent, as for an unqualified invoke. */
  executedVersion?: number;
  region?: string;
}

/** `arn:aws:lambda:<region>:000000000000:function:<name>:$LATEST`, the ARN a record names. */
export function functionArn(name: string, region = DEFAULT_REGION): string {
  return `arn:aws:lambda:${region}:${ARN_ACCOUNT}:function:${name}:$LATEST`;
}

/** Lambda's error payload for a failed attempt. */
export function lambdaErrorPayload(error: AttemptError): LambdaErrorPayload {
  const payload: LambdaErrorPayload = {
    errorType: error.name || error.code || 'Error',
    errorMessage: error.message,
  };
  if (error.stack) payload.trace = error.stack.split('\n');
  return payload;
}

/**
 * Lambda's destination record. A failure carries the error as the Node.js runtime reports
 * it, with `functionError: "Unhandled"` (what Lambda sets for a thrown error as well as for a
 * timeout); an event that aged out before any attempt has neither responseContext nor
 * responsePayload, as Lambda documents none for it.
 */
export function destinationRecord(input: DestinationRecordInput): DestinationRecord {
  const record: DestinationRecord = {
    version: '1.0',
    timestamp: input.timestamp.toISOString(),
    requestContext: {
      requestId: input.requestId,
      functionArn: functionArn(input.functionName, input.region),
      condition: input.condition,
      approximateInvokeCount: input.attempts,
    },
    requestPayload: input.requestPayload,
  };
  const { response } = input;
  if (response === undefined) return record;
  const executedVersion =
    input.executedVersion === undefined ? '$LATEST' : String(input.executedVersion);
  if (response.ok) {
    record.responseContext = { statusCode: 200, executedVersion };
    record.responsePayload = response.result;
  } else {
    record.responseContext = { statusCode: 200, executedVersion, functionError: 'Unhandled' };
    record.responsePayload = lambdaErrorPayload(response.error);
  }
  return record;
}

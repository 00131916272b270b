// The Lambda handler's conventions besides `async (event, context)`: the context object
// (Node runtime's fields and its legacy done/succeed/fail), and the callback form
// `(event, context, callback)`. Modelled on AWS's Node.js runtime interface client up to
// nodejs22.x (nodejs24.x dropped callbacks; code written for the older ones runs here).
import { apply, freeze, join, max, now, PromiseCtor, push, toStr } from './intrinsics.js';

const { floor, random } = Math;
const DateCtor = Date;

/** The account id in ARNs: functions belong to no AWS account (LocalStack's convention). */
const ACCOUNT = '000000000000';

const pad = (n) => (n < 10 ? `0${n}` : toStr(n));

/**
 * Lambda's log stream name: the day the execution environment started, the version, and
 * an id of the environment (here: of this isolate, random).
 */
function logStreamName(version) {
  const d = new DateCtor(now());
  const hex = [];
  for (let i = 0; i < 32; i++) apply(push, hex, [floor(random() * 16).toString(16)]);
  const day = `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}`;
  return `${day}/[${version}]${apply(join, hex, [''])}`;
}

/** How this isolate's contexts are made, from the function's metadata (function-info.js). */
export function createContextFactory(meta) {
  const functionName = meta.name;
  const functionVersion = toStr(meta.version);
  const memoryLimitInMB = meta.memoryMb;
  const env = freeze(meta.env);
  const logGroupName = `/aws/lambda/${functionName}`;
  const streamName = logStreamName(functionVersion);
  const invokedFunctionArn = `arn:aws:lambda:${meta.region}:${ACCOUNT}:function:${functionName}`;

  /** The context of one invocation; `completion` is its callback's (createCompletion). */
  return function contextFor(invocationId, timeoutMs, completion) {
    const deadline = now() + timeoutMs;
    const { done } = completion;
    return {
      functionName,
      functionVersion,
      invocationId,
      awsRequestId: invocationId,
      memoryLimitInMB,
      env,
      logGroupName,
      logStreamName: streamName,
      invokedFunctionArn,
      // Exists and can be set, as in Lambda; the result goes out when the callback is
      // called either way: timers the invocation leaves behind are cancelled with it.
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => max(0, deadline - now()),
      done,
      succeed: (result) => done(null, result),
      // AWS reports a fail() without an error as the error "handled".
      fail: (error) => done(error === undefined || error === null ? 'handled' : error),
    };
  };
}

/**
 * The callback of one invocation: its first call decides the outcome (later calls, and a
 * promise settling after it, are ignored, as in AWS's runtime).
 */
export function createCompletion() {
  let outcome;
  let notify;
  const done = (error, result) => {
    if (outcome !== undefined) return;
    outcome =
      error === undefined || error === null
        ? { failed: false, value: result }
        : { failed: true, error };
    if (notify !== undefined) notify(outcome);
  };
  return {
    done,
    /** The outcome if the callback was called already. */
    outcome: () => outcome,
    /** A promise of the outcome, when the callback is called. */
    later: () =>
      new PromiseCtor((resolve) => {
        if (outcome !== undefined) resolve(outcome);
        else notify = resolve;
      }),
  };
}

import { eventBody } from './event-body.ts';
import type { TriggerRequest } from './trigger-request.ts';

/**
 * The Lambda Function URL event (payload format 2.0, the shape of API Gateway HTTP APIs),
 * field for field and in AWS's key order, as the Lambda developer guide ("Invoking Lambda
 * function URLs", request payload format) and events captured from AWS show it. Fields
 * AWS omits when empty (`cookies`, `queryStringParameters`, `body`) are omitted here too.
 */
export interface FunctionUrlEvent {
  version: '2.0';
  routeKey: '$default';
  rawPath: string;
  rawQueryString: string;
  cookies?: string[];
  headers: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  requestContext: {
    accountId: 'anonymous';
    apiId: string;
    domainName: string;
    domainPrefix: string;
    http: { method: string; path: string; protocol: string; sourceIp: string; userAgent: string };
    requestId: string;
    routeKey: '$default';
    stage: '$default';
    time: string;
    timeEpoch: number;
  };
  body?: string;
  isBase64Encoded: boolean;
}

export interface EventContext {
  /** The invocation id (`context.awsRequestId` inside the function). */
  requestId: string;
  /** AWS: the URL's id; here the function's name, which is what identifies its URL. */
  apiId: string;
  now: Date;
}

/** The event an event-style function gets for `request`. */
export function functionUrlEvent(request: TriggerRequest, context: EventContext): FunctionUrlEvent {
  const headers = dict();
  const cookies: string[] = [];
  for (const [name, value] of request.headers) {
    if (name === 'cookie') {
      // AWS moves cookies out of the headers into a list, one `name=value` each.
      for (const cookie of value.split(';')) if (cookie.trim() !== '') cookies.push(cookie.trim());
      continue;
    }
    // Repeated headers are joined with a bare comma, as the developer guide's example shows.
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  const query = queryParameters(request.query);
  const contentType = headers['content-type'] ?? '';
  const { body, isBase64Encoded } = eventBody(contentType, request.body);
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: request.path,
    rawQueryString: request.query,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(query ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: 'anonymous', // what AWS shows for a URL with auth type NONE
      apiId: context.apiId,
      domainName: request.host,
      domainPrefix: domainPrefix(request.host),
      http: {
        method: request.method,
        path: request.path,
        protocol: request.protocol,
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: context.requestId,
      routeKey: '$default',
      stage: '$default',
      time: clfTime(context.now),
      timeEpoch: context.now.getTime(),
    },
    ...(body !== undefined ? { body } : {}),
    isBase64Encoded,
  };
}

/**
 * Decoded query parameters, a repeated key's values joined with a comma (AWS's example:
 * `parameter1=value1&parameter1=value2` → `"value1,value2"`); undefined when there are none.
 */
function queryParameters(query: string): Record<string, string> | undefined {
  if (query === '') return undefined;
  const params = dict();
  let any = false;
  for (const [key, value] of new URLSearchParams(query)) {
    params[key] = params[key] === undefined ? value : `${params[key]},${value}`;
    any = true;
  }
  return any ? params : undefined;
}

/**
 * A record without a prototype: a header or parameter named `__proto__` is an ordinary
 * key here, not a prototype change.
 */
function dict(): Record<string, string> {
  return Object.create(null) as Record<string, string>;
}

/** The first label of the host, without a port: AWS's URL id in `<url-id>.lambda-url…`. */
function domainPrefix(host: string): string {
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0];
  return (name ?? '').split('.')[0] ?? '';
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `12/Mar/2020:19:03:58 +0000`: the Common Log Format time AWS puts in `time`, in UTC. */
export function clfTime(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${two(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`
  );
}

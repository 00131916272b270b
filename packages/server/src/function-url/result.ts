import { httpStatus } from './headers.ts';

/** An HTTP response as a function's result describes it, before the header rules. */
export interface ResultResponse {
  status: number;
  /** Lines in order; a name may repeat (`set-cookie`). */
  headers: [string, unknown][];
  body: Uint8Array;
}

/** The response, or why the result cannot be one (for the log; the caller gets a 502). */
export type ResultRead = { ok: true; response: ResultResponse } | { ok: false; reason: string };

const JSON_TYPE: [string, unknown] = ['content-type', 'application/json'];

/**
 * A function's result (the JSON its isolate produced) read as Lambda reads a Function
 * URL result (developer guide, "Response payload format"):
 * - an object with `statusCode` is a response: `statusCode` (a number, or a numeric
 *   string as AWS accepts, 200–599), `headers` (values as strings), `multiValueHeaders`
 *   (API Gateway's form: for a name in both, its values win), `cookies` (one `Set-Cookie`
 *   each), `body` (a string; anything else as its JSON), `isBase64Encoded`;
 *   `content-type` defaults to `application/json`, as AWS answers;
 * - anything else is `200 application/json`: a string's own text (AWS answers `"hello"`
 *   with `hello`, recorded in LocalStack's AWS-validated snapshots; the guide's table
 *   shows it quoted, the service does not), any other value as its JSON.
 */
export function readFunctionUrlResult(json: string): ResultRead {
  // Most results need no parse here: only a string or an object naming statusCode does.
  const maybeResponse = json.startsWith('{') && json.includes('"statusCode"');
  if (!maybeResponse && !json.startsWith('"')) return plain(json);
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return fail('the result is not JSON');
  }
  if (typeof value === 'string') return plain(value);
  return isRecord(value) && Object.hasOwn(value, 'statusCode') ? structured(value) : plain(json);
}

function plain(body: string): ResultRead {
  return { ok: true, response: { status: 200, headers: [JSON_TYPE], body: utf8(body) } };
}

function structured(result: Record<string, unknown>): ResultRead {
  const status = httpStatus(result.statusCode);
  if (status === undefined) {
    return fail(`statusCode ${shown(result.statusCode)} is not an HTTP status of 200-599`);
  }
  const { headers, multiValueHeaders, cookies, body, isBase64Encoded } = result;
  if (!absentOr(headers, isRecord)) return fail('headers is not an object');
  if (!absentOr(multiValueHeaders, isRecord)) return fail('multiValueHeaders is not an object');
  if (!absentOr(cookies, Array.isArray)) return fail('cookies is not an array');
  if (!absentOr(isBase64Encoded, (v) => typeof v === 'boolean')) {
    return fail('isBase64Encoded is not a boolean');
  }
  const lines: [string, unknown][] = [];
  const multi = (multiValueHeaders ?? {}) as Record<string, unknown>;
  const multiNames = new Set(Object.keys(multi).map((name) => name.toLowerCase()));
  for (const [name, value] of Object.entries((headers ?? {}) as Record<string, unknown>)) {
    if (!multiNames.has(name.toLowerCase())) lines.push([name, headerValue(value)]);
  }
  for (const [name, values] of Object.entries(multi)) {
    if (!Array.isArray(values))
      lines.push([name, values]); // dropped by the header rules
    else for (const value of values) lines.push([name, headerValue(value)]);
  }
  for (const cookie of (cookies ?? []) as unknown[]) lines.push(['set-cookie', cookie]);
  if (!lines.some(([name]) => name.toLowerCase() === 'content-type')) lines.push(JSON_TYPE);
  const bytes = bodyBytes(body, isBase64Encoded === true);
  if (bytes === undefined) return fail('isBase64Encoded is true but body is not base64');
  return { ok: true, response: { status, headers: lines, body: bytes } };
}

/** Numbers and booleans as their text (AWS accepts `"max-age": 60`); others stay for the rules to drop. */
function headerValue(value: unknown): unknown {
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
}

function bodyBytes(body: unknown, base64: boolean): Uint8Array | undefined {
  if (body === undefined || body === null) return new Uint8Array(0);
  if (typeof body !== 'string') return base64 ? undefined : utf8(JSON.stringify(body));
  return base64 ? decodeBase64(body) : utf8(body);
}

/**
 * Standard base64 (RFC 4648 §4), padding optional, line breaks and spaces ignored (MIME
 * encoders wrap lines). Buffer's decoder skips what it does not know; a body that claims
 * base64 and is not must fail, not turn into other bytes.
 */
export function decodeBase64(text: string): Uint8Array | undefined {
  const compact = text.replace(/[\t\n\r ]/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return undefined;
  const data = compact.replace(/=+$/, '');
  if (data.length % 4 === 1) return undefined;
  if (compact.length !== data.length && compact.length % 4 !== 0) return undefined;
  return Buffer.from(data, 'base64');
}

function absentOr(value: unknown, check: (v: unknown) => boolean): boolean {
  return value === undefined || value === null || check(value);
}

function fail(reason: string): ResultRead {
  return { ok: false, reason };
}

function shown(value: unknown): string {
  return (JSON.stringify(value) ?? String(value)).slice(0, 40);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function utf8(text: string): Uint8Array {
  return Buffer.from(text, 'utf8');
}

import { type BuildMessage, buildMessageSchema, errorBodySchema } from './api-schemas.ts';
import { formatBuildMessage } from './output.ts';

/** Which key a request needed and whether it carried one, so a 401/403 names what to fix. */
export interface RequestAuth {
  kind: 'api' | 'invoke';
  sent: boolean;
}

/** An error answer of the server: the docs/api.md error body plus what the CLI needs to explain it. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly code: string;
  readonly details: Readonly<Record<string, unknown>>;
  readonly headers: Headers;
  readonly auth: RequestAuth;

  constructor(init: {
    status: number;
    code: string;
    message: string;
    details: Record<string, unknown>;
    headers: Headers;
    auth: RequestAuth;
  }) {
    super(init.message);
    this.status = init.status;
    this.code = init.code;
    this.details = init.details;
    this.headers = init.headers;
    this.auth = init.auth;
  }
}

/** Reads an error response; a body that is not docs/api.md's (a proxy's HTML page) still explains itself. */
export async function apiErrorFrom(response: Response, auth: RequestAuth): Promise<ApiError> {
  const text = await response.text();
  const base = { status: response.status, headers: response.headers, auth };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = errorBodySchema.safeParse(json);
  if (parsed.success) {
    const { code, message, ...details } = parsed.data.error;
    return new ApiError({ ...base, code, message, details });
  }
  const snippet = text.trim().slice(0, 200);
  return new ApiError({
    ...base,
    code: `HTTP${response.status}`,
    message: `The server answered ${response.status} ${response.statusText}${snippet ? `: ${snippet}` : ''}`,
    details: {},
  });
}

/** The lines to print for an error answer: `Code: message`, then what helps fix it. */
export function describeApiError(err: ApiError): string[] {
  if (err.status === 401 || err.status === 403) return [authAdvice(err)];
  const lines = [`${err.code}: ${err.message}`];
  if (err.code === 'BuildFailed') lines.push(...buildErrors(err).map(formatBuildMessage));
  if (err.code === 'FunctionError' && typeof err.details.stack === 'string')
    lines.push(err.details.stack);
  const retryAfter = err.headers.get('retry-after');
  if (retryAfter) lines.push(`Retry after ${retryAfter} s.`);
  return lines;
}

function buildErrors(err: ApiError): BuildMessage[] {
  const errors = buildMessageSchema.array().safeParse(err.details.errors);
  return errors.success ? errors.data : [];
}

function authAdvice(err: ApiError): string {
  const api = err.auth.kind === 'api';
  const key = api ? 'API key' : 'invoke key';
  const fix = api
    ? 'Set MINI_LAMBDA_API_KEY or pass --api-key'
    : "Set MINI_LAMBDA_INVOKE_KEY to the server's invoke key";
  if (err.status === 403) return `Forbidden: the server refused the ${key}; it is wrong. ${fix}.`;
  if (err.auth.sent) return `Unauthorized: ${err.message}. ${fix}.`;
  const hint = api ? ' (make dev prints the key it generated)' : '';
  return `Unauthorized: the ${key} is missing. ${fix}${hint}.`;
}

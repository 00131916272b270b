import type { EgressConfig, OutboundRequest } from '@mini-lambda/core';
import type { AddressPolicy } from './address-policy.ts';
import { addressRefusedError } from './connector.ts';
import { EgressRefusedError } from './errors.ts';
import { checkFunctionEgress } from './function-egress.ts';
import { isHeaderList } from './request-headers.ts';

/** A URL longer than this is refused (servers stop at 8-64 KB; the sandbox sends it to us). */
export const MAX_URL_LENGTH = 64 * 1024;

const REDIRECT_MODES = new Set(['follow', 'manual', 'error']);
const NORMALIZED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

// Fetch's "bad ports": services that a request could be smuggled into (SMTP, IRC, ...).
const BAD_PORTS = new Set(
  (
    '1 7 9 11 13 15 17 19 20 21 22 23 25 37 42 43 53 69 77 79 87 95 101 102 103 104 109 110 ' +
    '111 113 115 117 119 123 135 137 139 143 161 179 389 427 465 512 513 514 515 526 530 531 ' +
    '532 540 548 554 556 563 587 601 636 989 990 993 995 1719 1720 1723 2049 3659 4045 4190 ' +
    '5060 5061 6000 6566 6665 6666 6667 6668 6669 6679 6697 10080'
  ).split(' '),
);

/**
 * Checks a request as it comes from a sandbox (hostile data) and returns its method as
 * fetch normalises it. Throws a TypeError for anything fetch would not send.
 */
export function checkRequest(request: OutboundRequest): string {
  const { method, url, headers, body, redirect } = request as unknown as Partial<
    Record<string, unknown>
  >;
  if (typeof method !== 'string' || !TOKEN.test(method)) {
    throw new TypeError(`invalid method: ${JSON.stringify(String(method)).slice(0, 40)}`);
  }
  const upper = method.toUpperCase();
  if (FORBIDDEN_METHODS.has(upper)) throw new TypeError(`method ${method} is not supported`);
  const normalized = NORMALIZED_METHODS.has(upper) ? upper : method;
  if (typeof url !== 'string' || url.length > MAX_URL_LENGTH) {
    throw new TypeError(`the URL must be a string of at most ${MAX_URL_LENGTH} characters`);
  }
  if (!isHeaderList(headers)) throw new TypeError('headers must be [name, value] string pairs');
  if (body !== null && !(body instanceof Uint8Array)) {
    throw new TypeError('the body must be bytes or null');
  }
  if (body !== null && (normalized === 'GET' || normalized === 'HEAD')) {
    throw new TypeError('a GET or HEAD request cannot have a body');
  }
  if (typeof redirect !== 'string' || !REDIRECT_MODES.has(redirect)) {
    throw new TypeError('redirect must be "follow", "manual" or "error"');
  }
  return normalized;
}

export function parseRequestUrl(text: string, base?: URL): URL {
  try {
    return new URL(text, base);
  } catch {
    throw new TypeError(`invalid URL: ${text.slice(0, 200)}`);
  }
}

/**
 * What is decided from the URL alone, before a subrequest is counted or a name looked
 * up: the scheme, fetch's rules (no credentials, no bad port), the function's `egress`,
 * and a literal IP host's address.
 */
export function checkUrl(url: URL, egress: EgressConfig, policy: AddressPolicy): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new EgressRefusedError(
      'scheme',
      `${url.protocol} URLs cannot be fetched, only http: and https:`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw new TypeError('a URL with credentials cannot be fetched (use an Authorization header)');
  }
  if (BAD_PORTS.has(url.port)) {
    throw new EgressRefusedError('port', `port ${url.port} is blocked for fetch`);
  }
  checkFunctionEgress(egress, url.hostname);
  const address = literalAddress(url);
  if (address !== undefined) {
    const refusal = policy.check(address, portOf(url), url.hostname);
    if (refusal) throw addressRefusedError(refusal, address);
  }
}

/** The URL's port, or its scheme's default. */
export function portOf(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

/** The host as an IP address when it is one (the URL parser has made any IPv4 dotted). */
function literalAddress(url: URL): string | undefined {
  const host = url.hostname;
  if (host.startsWith('[')) return host.slice(1, -1);
  return /^\d+\.\d+\.\d+\.\d+$/.test(host) ? host : undefined;
}

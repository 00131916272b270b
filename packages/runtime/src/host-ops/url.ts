import { oneOf, string, typeError } from './args.ts';
import type { SyncOp } from './types.ts';

// URL parsing is Node's (ada, WHATWG-conformant): a crossing costs a few microseconds, while
// a JS parser loaded into each isolate is slower per parse and costs memory and start-up in
// every isolate (figures in bench/runtime/url-digest.ts).

/**
 * A parsed URL as the isolate's `URL` keeps it, in this order. One array of strings is the
 * cheapest shape to copy across.
 */
export type UrlRecord = [
  href: string,
  origin: string,
  protocol: string,
  username: string,
  password: string,
  host: string,
  hostname: string,
  port: string,
  pathname: string,
  search: string,
  hash: string,
];

/** The parts a setter may change (`origin` and `searchParams` have none). */
export const URL_SETTERS = [
  'href',
  'protocol',
  'username',
  'password',
  'host',
  'hostname',
  'port',
  'pathname',
  'search',
  'hash',
] as const;

export function urlRecord(u: URL): UrlRecord {
  return [
    u.href,
    u.origin,
    u.protocol,
    u.username,
    u.password,
    u.host,
    u.hostname,
    u.port,
    u.pathname,
    u.search,
    u.hash,
  ];
}

function optionalBase(base: unknown): string | undefined {
  return base === undefined ? undefined : string(base, 'base');
}

/** `url.parse(input, base?)` -> UrlRecord, or null where `new URL` would throw. */
const parse: SyncOp = (_ctx, [input, base]) => {
  const u = URL.parse(string(input, 'url'), optionalBase(base));
  return u === null ? null : urlRecord(u);
};

/** `url.canParse(input, base?)` -> boolean, without copying a record back. */
const canParse: SyncOp = (_ctx, [input, base]) =>
  URL.canParse(string(input, 'url'), optionalBase(base));

/**
 * `url.set(href, part, value)` -> the record after `url[part] = value`. Setters ignore
 * values they cannot use, as the standard says; only `href` throws, for an invalid URL.
 */
const set: SyncOp = (_ctx, [href, part, value]) => {
  const u = URL.parse(string(href, 'href'));
  if (u === null) return typeError('Invalid URL');
  const which = oneOf(part, URL_SETTERS, 'part');
  const v = string(value, 'value');
  if (which === 'href') {
    const next = URL.parse(v);
    if (next === null) return typeError('Invalid URL');
    return urlRecord(next);
  }
  u[which] = v;
  return urlRecord(u);
};

export const urlOps = { 'url.parse': parse, 'url.canParse': canParse, 'url.set': set };

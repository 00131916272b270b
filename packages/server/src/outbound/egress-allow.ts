import { z } from 'zod';
import { type Ip, maskIp, parseIp, unmapIp } from './ip.ts';

/**
 * One `EGRESS_ALLOW` exception. A network lets its non-public addresses through (on one
 * port, or any); a host name lets that exact URL host through whatever it resolves to,
 * because the operator named it (an internal service whose address may change).
 */
export type EgressAllowEntry =
  | { type: 'network'; network: Ip; prefix: number; port?: number; text: string }
  | { type: 'host'; host: string; port?: number; text: string };

// A DNS name as in an `egress` host pattern, without the wildcard: labels of letters,
// digits and inner hyphens.
const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/**
 * Parses `EGRESS_ALLOW`: comma-separated `ADDRESS[/PREFIX]` or host names, each with an
 * optional `:PORT`; IPv6 always in brackets (`[fd00::1]:5432`, `[fd00::/8]`), so a
 * port is never mistaken for the last group. Empty items are skipped. Throws an Error
 * naming the bad entry.
 */
export function parseEgressAllow(text: string): EgressAllowEntry[] {
  const result = readEgressAllow(text);
  if (typeof result === 'string') throw new Error(`EGRESS_ALLOW ${result}`);
  return result;
}

/** `EGRESS_ALLOW` as a zod schema, for the server's environment schema. */
export const egressAllowSchema = z.string().transform((text, ctx) => {
  const result = readEgressAllow(text);
  if (typeof result !== 'string') return result;
  ctx.addIssue({ code: 'custom', message: result });
  return z.NEVER;
});

/** The entries, or what is wrong as text that follows "EGRESS_ALLOW ". */
function readEgressAllow(text: string): EgressAllowEntry[] | string {
  const entries: EgressAllowEntry[] = [];
  for (const item of text.split(',')) {
    const entry = item.trim();
    if (entry === '') continue;
    const parsed = readEntry(entry);
    if (typeof parsed === 'string') return `has a bad entry "${entry}": ${parsed}`;
    entries.push(parsed);
  }
  return entries;
}

function readEntry(entry: string): EgressAllowEntry | string {
  let target = entry;
  let portText: string | undefined;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(entry)) return 'give a host name or address, not a URL';
  if (entry.startsWith('[')) {
    const close = entry.indexOf(']');
    if (close < 0) return 'an opening [ without ]';
    target = entry.slice(1, close);
    const after = entry.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) return 'only :PORT may follow ]';
    if (after !== '') portText = after.slice(1);
    if (!parseIp(target.split('/')[0] ?? '') || !target.includes(':')) {
      return 'brackets hold an IPv6 address or network';
    }
  } else if (entry.includes('::') || (entry.match(/:/g) ?? []).length > 1) {
    return 'an IPv6 address or network goes in brackets: [fd00::1], [fd00::/8]:5432';
  } else {
    const colon = entry.indexOf(':');
    if (colon >= 0) {
      target = entry.slice(0, colon);
      portText = entry.slice(colon + 1);
    }
  }
  let port: number | undefined;
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
      return 'the port must be 1-65535';
    }
    port = Number(portText);
  }
  const withPort = (entry: EgressAllowEntry): EgressAllowEntry =>
    port === undefined ? entry : { ...entry, port };
  const [address = '', prefixText, ...extra] = target.split('/');
  const ip = parseIp(address);
  if (ip) {
    const max = ip.family === 4 ? 32 : 128;
    let prefix = max;
    if (prefixText !== undefined) {
      if (extra.length > 0 || !/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) {
        return `the prefix must be 0-${max}`;
      }
      prefix = Number(prefixText);
    }
    // An IPv4-mapped network is the IPv4 network: the policy compares mapped addresses so.
    const mapped = ip.family === 6 && prefix >= 96 && unmapIp(ip).family === 4;
    const network = mapped ? unmapIp(ip) : ip;
    const bits = mapped ? prefix - 96 : prefix;
    return withPort({ type: 'network', network: maskIp(network, bits), prefix: bits, text: entry });
  }
  if (prefixText !== undefined) return 'a prefix follows an IP address, not a host name';
  const host = address.toLowerCase().replace(/\.$/, '');
  if (!HOST_NAME.test(host)) {
    return 'expected an IPv4 address, [IPv6], a network (ADDRESS/PREFIX) or a host name';
  }
  if (/^[\d.]+$/.test(host)) return 'not a valid IPv4 address';
  return withPort({ type: 'host', host, text: entry });
}

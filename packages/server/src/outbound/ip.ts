import { isIPv4, isIPv6 } from 'node:net';

/** An IP address as bytes: 4 for IPv4, 16 for IPv6. */
export interface Ip {
  family: 4 | 6;
  bytes: Uint8Array;
}

/**
 * Parses an address as `net.isIP` accepts it (dotted quad; IPv6 with `::` and a trailing
 * dotted quad; a `%zone` is dropped). Brackets around IPv6, as in a URL host, are taken
 * off. Anything else is undefined: no short or octal IPv4 forms here, the URL parser has
 * already turned those into a dotted quad.
 */
export function parseIp(text: string): Ip | undefined {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (isIPv4(bare)) return { family: 4, bytes: Uint8Array.from(bare.split('.'), Number) };
  if (!isIPv6(bare)) return undefined;
  return { family: 6, bytes: ipv6Bytes(bare.replace(/%.*$/, '')) };
}

// Only for text that `isIPv6` accepted, so no validation here.
function ipv6Bytes(text: string): Uint8Array {
  const bytes = new Uint8Array(16);
  let groupsText = text;
  let groupCount = 8;
  // A trailing dotted quad fills the last four bytes.
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (quad) {
    bytes.set(quad.split('.').map(Number), 12);
    groupsText = text.slice(0, -quad.length);
    groupCount = 6;
  }
  const [head = '', tail] = groupsText.split('::');
  const groups = (part: string) => part.split(':').filter((g) => g !== '');
  const before = groups(head);
  const after = tail === undefined ? [] : groups(tail);
  for (const [i, group] of before.entries()) writeGroup(bytes, i * 2, group);
  for (const [i, group] of after.entries()) {
    writeGroup(bytes, (groupCount - after.length + i) * 2, group);
  }
  return bytes;
}

function writeGroup(bytes: Uint8Array, at: number, group: string): void {
  const value = Number.parseInt(group, 16);
  bytes[at] = value >> 8;
  bytes[at + 1] = value & 0xff;
}

/** Whether the first `prefix` bits of `address` equal those of `network` (same family). */
export function inPrefix(address: Ip, network: Ip, prefix: number): boolean {
  if (address.family !== network.family) return false;
  const whole = prefix >> 3;
  for (let i = 0; i < whole; i++) if (address.bytes[i] !== network.bytes[i]) return false;
  const bits = prefix & 7;
  if (bits === 0) return true;
  const mask = (0xff << (8 - bits)) & 0xff;
  return (((address.bytes[whole] ?? 0) ^ (network.bytes[whole] ?? 0)) & mask) === 0;
}

/** `network` with every bit past `prefix` cleared. */
export function maskIp(network: Ip, prefix: number): Ip {
  const bytes = Uint8Array.from(network.bytes, (b, i) => {
    const keep = Math.max(0, Math.min(8, prefix - i * 8));
    return b & ((0xff << (8 - keep)) & 0xff);
  });
  return { family: network.family, bytes };
}

/** The IPv4 address in four bytes of an IPv6 address, starting at `at`. */
export function ipv4At(ip: Ip, at: number): Ip {
  return { family: 4, bytes: ip.bytes.slice(at, at + 4) };
}

/** An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) as the IPv4 address it is; others as is. */
export function unmapIp(ip: Ip): Ip {
  return ip.family === 6 && inPrefix(ip, MAPPED, 96) ? ipv4At(ip, 12) : ip;
}

export function formatIpv4(ip: Ip): string {
  return ip.bytes.join('.');
}

export function sameIp(a: Ip, b: Ip): boolean {
  const x = unmapIp(a);
  const y = unmapIp(b);
  return x.family === y.family && x.bytes.every((byte, i) => byte === y.bytes[i]);
}

const MAPPED = parseIp('::ffff:0:0') as Ip;

import { formatIpv4, type Ip, inPrefix, ipv4At, parseIp } from './ip.ts';

/** Why an address is not public. */
export type AddressKind =
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'cgnat'
  | 'unique-local'
  | 'multicast'
  | 'broadcast'
  | 'documentation'
  | 'reserved';

/** Public, or not and why (`description` completes "x is …"). */
export type AddressClass =
  | { public: true }
  | { public: false; kind: AddressKind; description: string };

type Range = [cidr: string, kind: AddressKind, description: string];

/**
 * IPv4 space that is not reachable on the public internet (IANA's special-purpose
 * registry). Documentation ranges are refused too: no real host is there, and a network
 * that routes them internally is exactly what we must not reach.
 */
const IPV4: Range[] = [
  ['0.0.0.0/32', 'unspecified', 'an unspecified address'],
  ['0.0.0.0/8', 'reserved', 'a reserved ("this network") address'],
  ['10.0.0.0/8', 'private', 'a private address'],
  ['100.64.0.0/10', 'cgnat', 'a CGNAT (shared) address'],
  ['127.0.0.0/8', 'loopback', 'a loopback address'],
  ['169.254.0.0/16', 'link-local', 'a link-local address'],
  ['172.16.0.0/12', 'private', 'a private address'],
  ['192.0.0.0/24', 'reserved', 'a reserved (IETF protocol) address'],
  ['192.0.2.0/24', 'documentation', 'a documentation address'],
  ['192.88.99.0/24', 'reserved', 'a reserved (6to4 relay) address'],
  ['192.168.0.0/16', 'private', 'a private address'],
  ['198.18.0.0/15', 'reserved', 'a reserved (benchmarking) address'],
  ['198.51.100.0/24', 'documentation', 'a documentation address'],
  ['203.0.113.0/24', 'documentation', 'a documentation address'],
  ['224.0.0.0/4', 'multicast', 'a multicast address'],
  ['255.255.255.255/32', 'broadcast', 'a broadcast address'],
  ['240.0.0.0/4', 'reserved', 'a reserved address'],
];

/**
 * IPv6 space that is not public, checked in order. Only global unicast (2000::/3) can be
 * public at all; the embedding forms (mapped, NAT64, 6to4) are decided by their IPv4.
 */
const IPV6: Range[] = [
  ['::/128', 'unspecified', 'an unspecified address'],
  ['::1/128', 'loopback', 'a loopback address'],
  ['::/96', 'reserved', 'a deprecated IPv4-compatible address'],
  ['64:ff9b:1::/48', 'reserved', 'a local-use NAT64 address'],
  ['100::/64', 'reserved', 'a discard-only address'],
  ['fc00::/7', 'unique-local', 'a unique-local address'],
  ['fe80::/10', 'link-local', 'a link-local address'],
  ['fec0::/10', 'reserved', 'a deprecated site-local address'],
  ['ff00::/8', 'multicast', 'a multicast address'],
  ['2001::/23', 'reserved', 'a reserved (IETF protocol, Teredo) address'],
  ['2001:db8::/32', 'documentation', 'a documentation address'],
  ['3fff::/20', 'documentation', 'a documentation address'],
];

/** IPv6 forms that carry an IPv4 address, and where in the 16 bytes it sits. */
const EMBEDDING: [cidr: string, name: string, at: number][] = [
  ['::ffff:0:0/96', 'IPv4-mapped', 12],
  ['64:ff9b::/96', 'NAT64', 12],
  ['2002::/16', '6to4', 2],
];

const GLOBAL_UNICAST = parseCidr('2000::/3');

/**
 * Decides whether an IP address is public. Throws a TypeError for text that is not an
 * IP address (callers have one from the URL parser, DNS or a socket).
 */
export function classifyAddress(address: string): AddressClass {
  const ip = parseIp(address);
  if (!ip) throw new TypeError(`${address} is not an IP address`);
  return classifyIp(ip);
}

export function classifyIp(ip: Ip): AddressClass {
  if (ip.family === 4) return lookup(ip, IPV4_RANGES) ?? { public: true };
  for (const [network, prefix, name, at] of EMBEDDINGS) {
    if (!inPrefix(ip, network, prefix)) continue;
    const v4 = ipv4At(ip, at);
    const inner = classifyIp(v4);
    if (inner.public) return inner;
    return { ...inner, description: `${inner.description} (${name} ${formatIpv4(v4)})` };
  }
  const found = lookup(ip, IPV6_RANGES);
  if (found) return found;
  if (!inPrefix(ip, GLOBAL_UNICAST.ip, GLOBAL_UNICAST.prefix)) {
    return { public: false, kind: 'reserved', description: 'a reserved address' };
  }
  return { public: true };
}

type ParsedRange = { ip: Ip; prefix: number; kind: AddressKind; description: string };

function lookup(ip: Ip, ranges: ParsedRange[]): AddressClass | undefined {
  const hit = ranges.find((r) => inPrefix(ip, r.ip, r.prefix));
  return hit && { public: false, kind: hit.kind, description: hit.description };
}

function parseCidr(cidr: string): { ip: Ip; prefix: number } {
  const [address = '', prefix = ''] = cidr.split('/');
  const ip = parseIp(address);
  if (!ip) throw new Error(`bad built-in range ${cidr}`);
  return { ip, prefix: Number(prefix) };
}

const parseRanges = (ranges: Range[]): ParsedRange[] =>
  ranges.map(([cidr, kind, description]) => ({ ...parseCidr(cidr), kind, description }));
const IPV4_RANGES = parseRanges(IPV4);
const IPV6_RANGES = parseRanges(IPV6);
const EMBEDDINGS = EMBEDDING.map(([cidr, name, at]) => {
  const { ip, prefix } = parseCidr(cidr);
  return [ip, prefix, name, at] as const;
});

/** The built-in ranges as text, for tests that check them against `net.BlockList`. */
export const NON_PUBLIC_RANGES = { ipv4: IPV4, ipv6: IPV6, embedding: EMBEDDING } as const;

import { networkInterfaces } from 'node:os';
import { classifyIp } from './address-class.ts';
import type { EgressAllowEntry } from './egress-allow.ts';
import { type Ip, inPrefix, parseIp, sameIp, unmapIp } from './ip.ts';

/** An address and port this instance listens on (`0.0.0.0`/`::` for every interface). */
export interface ListenAddress {
  address: string;
  port: number;
}

/** Why an address was refused: `description` completes "127.0.0.1 is …". */
export type AddressRefusal = { reason: 'non_public_address' | 'own_address'; description: string };

export interface AddressPolicyOptions {
  allow: readonly EgressAllowEntry[];
  /** Read on every check: the listen address is known only once the server listens. */
  ownAddresses?: () => readonly ListenAddress[];
}

export interface AddressPolicy {
  /**
   * Whether this instance may connect to `address`:`port` for the URL host `host`
   * (lower case). Undefined means yes.
   */
  check(address: string, port: number, host: string): AddressRefusal | undefined;
}

/**
 * The address half of the egress policy: public addresses pass; others only through an
 * `EGRESS_ALLOW` entry. Two rules no entry lifts: the unspecified address (`0.0.0.0`,
 * `::` reach this machine on Linux) and the instance's own listen address (a function
 * calling its own instance could loop, and would reach the management API).
 */
export function createAddressPolicy(options: AddressPolicyOptions): AddressPolicy {
  const { allow, ownAddresses = () => [] } = options;
  const networks = allow.filter((e) => e.type === 'network');
  const hosts = allow.filter((e) => e.type === 'host');
  return {
    check(address, port, host) {
      const parsed = parseIp(address);
      if (!parsed) return { reason: 'non_public_address', description: 'not an IP address' };
      const ip = unmapIp(parsed);
      const found = classifyIp(parsed);
      if (!found.public && found.kind === 'unspecified') {
        return { reason: 'non_public_address', description: found.description };
      }
      if (isOwnAddress(ip, port, ownAddresses())) {
        return { reason: 'own_address', description: `this instance's own address (port ${port})` };
      }
      if (found.public) return undefined;
      const allowed =
        hosts.some((e) => e.host === hostKey(host) && portMatches(e.port, port)) ||
        networks.some((e) => inPrefix(ip, e.network, e.prefix) && portMatches(e.port, port));
      if (allowed) return undefined;
      return { reason: 'non_public_address', description: found.description };
    },
  };
}

/** A URL host as allow entries and host patterns compare it: no trailing dot. */
export function hostKey(host: string): string {
  return host.toLowerCase().replace(/\.$/, '');
}

function portMatches(entryPort: number | undefined, port: number): boolean {
  return entryPort === undefined || entryPort === port;
}

const LOOPBACK_V4 = parseIp('127.0.0.0') as Ip;
const LOOPBACK_V6 = parseIp('::1') as Ip;

function isOwnAddress(ip: Ip, port: number, own: readonly ListenAddress[]): boolean {
  for (const listen of own) {
    if (listen.port !== port) continue;
    const bound = parseIp(listen.address);
    if (!bound) continue;
    if (bound.bytes.every((b) => b === 0)) {
      // A wildcard listener answers on every local address, all of 127/8 included.
      if (inPrefix(ip, LOOPBACK_V4, 8) || sameIp(ip, LOOPBACK_V6)) return true;
      if (localAddresses().some((local) => sameIp(ip, local))) return true;
    } else if (sameIp(ip, bound)) {
      return true;
    }
  }
  return false;
}

function localAddresses(): Ip[] {
  return Object.values(networkInterfaces()).flatMap((list) =>
    (list ?? []).flatMap((i) => parseIp(i.address) ?? []),
  );
}

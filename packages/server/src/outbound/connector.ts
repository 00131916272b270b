import { lookup as dnsLookup } from 'node:dns/promises';
import type { Socket } from 'node:net';
import type { buildConnector } from 'undici';
import type { AddressPolicy, AddressRefusal } from './address-policy.ts';
import { EgressRefusedError } from './errors.ts';
import { parseIp } from './ip.ts';

/** Resolves a host name to its addresses (all of them, in the resolver's order). */
export type Lookup = (hostname: string) => Promise<readonly { address: string }[]>;

export const systemLookup: Lookup = (hostname) =>
  dnsLookup(hostname, { all: true, order: 'verbatim' });

export interface CheckedConnectorOptions {
  policy: AddressPolicy;
  lookup: Lookup;
  /** Opens the socket to an address: undici's `buildConnector(…)`. */
  base: buildConnector.connector;
  /** A lookup that takes longer fails (getaddrinfo has no timeout of its own). */
  lookupTimeoutMs?: number;
}

/**
 * An undici connector that enforces the address policy where the connection is made:
 * the host is resolved here, once; every address it resolves to is checked and only
 * those that pass are tried, in order (a name with none refuses); the socket is opened
 * to a checked address, never to the name (no second lookup that a rebinding DNS server
 * could answer differently); and the address actually connected to is checked again
 * before the socket is handed over, so no request byte is sent first.
 */
export function createCheckedConnector(options: CheckedConnectorOptions): buildConnector.connector {
  const { policy, lookup, base, lookupTimeoutMs = 10_000 } = options;

  async function connect(target: buildConnector.Options): Promise<Socket> {
    const host = target.hostname; // undici has taken the brackets off an IPv6 literal
    const port = Number(target.port) || (target.protocol === 'https:' ? 443 : 80);
    const literal = parseIp(host) !== undefined;
    const resolved = literal ? [host] : await resolve(host);
    const checked = resolved.map((address) => ({
      address,
      refusal: policy.check(address, port, host),
    }));
    const addresses = checked.filter((c) => !c.refusal).map((c) => c.address);
    const first = checked[0];
    if (addresses.length === 0 && first?.refusal) {
      throw addressRefusedError(first.refusal, first.address, literal ? undefined : host);
    }
    let failure: unknown;
    for (const address of addresses) {
      let socket: Socket;
      try {
        // `host` stays the name, so TLS sends it as SNI and checks the certificate for it.
        socket = await open({ ...target, hostname: address });
      } catch (error) {
        failure = error;
        continue;
      }
      const remote = socket.remoteAddress;
      const refusal = remote
        ? policy.check(remote, socket.remotePort ?? port, host)
        : ({ reason: 'non_public_address', description: 'not a connected socket' } as const);
      if (refusal) {
        socket.destroy();
        throw addressRefusedError(refusal, remote ?? address, literal ? undefined : host);
      }
      return socket;
    }
    throw failure;
  }

  async function resolve(host: string): Promise<string[]> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`DNS lookup of ${host} timed out`)),
        lookupTimeoutMs,
      );
    });
    try {
      const found = await Promise.race([lookup(host), timeout]);
      if (found.length === 0) throw new Error(`DNS lookup of ${host} found no address`);
      return found.map((a) => a.address);
    } finally {
      clearTimeout(timer);
    }
  }

  function open(target: buildConnector.Options): Promise<Socket> {
    return new Promise((resolve, reject) => {
      base(target, (error, socket) => (error ? reject(error) : resolve(socket as Socket)));
    });
  }

  return (target, callback) => {
    connect(target).then(
      (socket) => callback(null, socket),
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), null),
    );
  };
}

/** The refusal of an address, naming the host it came from when it came from DNS. */
export function addressRefusedError(
  refusal: AddressRefusal,
  address: string,
  host?: string,
): EgressRefusedError {
  const text = host
    ? `${host} resolves to ${address}, ${refusal.description}`
    : `${address} is ${refusal.description}`;
  return new EgressRefusedError(refusal.reason, text);
}

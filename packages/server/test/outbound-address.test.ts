import { BlockList, isIPv6 } from 'node:net';
import { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { NON_PUBLIC_RANGES } from '../src/outbound/address-class.ts';
import { createAddressPolicy } from '../src/outbound/address-policy.ts';
import { classifyAddress, parseEgressAllow } from '../src/outbound/index.ts';
import { inPrefix, parseIp } from '../src/outbound/ip.ts';

describe('classifyAddress', () => {
  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '100.63.255.255', // just below CGNAT
    '100.128.0.0', // just above
    '172.15.255.255',
    '172.32.0.0',
    '192.167.255.255',
    '192.169.0.0',
    '169.253.255.255',
    '198.17.255.255',
    '198.20.0.0',
    '223.255.255.255',
    '2606:4700:4700::1111',
    '2001:4860:4860::8888',
    '2001:200::1', // the first real allocation after the IETF block
    '::ffff:8.8.8.8',
    '64:ff9b::808:808', // NAT64 of a public address
    '2002:808:808::1', // 6to4 of a public address
  ])('%s is public', (address) => {
    expect(classifyAddress(address)).toEqual({ public: true });
  });

  it.each([
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'reserved'],
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.255', 'cgnat'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['169.254.169.254', 'link-local'], // cloud metadata
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.0.0.1', 'reserved'],
    ['192.0.2.1', 'documentation'],
    ['192.88.99.1', 'reserved'],
    ['192.168.1.1', 'private'],
    ['198.18.0.1', 'reserved'],
    ['198.19.255.255', 'reserved'],
    ['198.51.100.1', 'documentation'],
    ['203.0.113.1', 'documentation'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['::7f00:1', 'reserved'], // IPv4-compatible
    ['::127.0.0.1', 'reserved'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['0:0:0:0:0:ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:0.0.0.0', 'unspecified'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['64:ff9b:1::1', 'reserved'],
    ['2002:7f00:1::1', 'loopback'],
    ['2002:a00:1::', 'private'],
    ['2002:c0a8:101::1', 'private'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456::1', 'unique-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf::1', 'link-local'],
    ['fec0::1', 'reserved'],
    ['ff02::1', 'multicast'],
    ['100::1', 'reserved'],
    ['2001::1', 'reserved'], // Teredo
    ['2001:db8::1', 'documentation'],
    ['3fff::1', 'documentation'],
    ['4000::1', 'reserved'], // outside global unicast
    ['1::1', 'reserved'],
  ])('%s is %s', (address, kind) => {
    expect(classifyAddress(address)).toMatchObject({ public: false, kind });
  });

  it('names the IPv4 address inside an embedding form', () => {
    expect(classifyAddress('::ffff:7f00:1')).toMatchObject({
      description: 'a loopback address (IPv4-mapped 127.0.0.1)',
    });
    expect(classifyAddress('64:ff9b::a00:1')).toMatchObject({
      description: 'a private address (NAT64 10.0.0.1)',
    });
    expect(classifyAddress('2002:a9fe:a9fe::')).toMatchObject({
      description: 'a link-local address (6to4 169.254.169.254)',
    });
  });

  it('refuses text that is not an IP address', () => {
    expect(() => classifyAddress('localhost')).toThrow(TypeError);
    expect(() => classifyAddress('127.1')).toThrow(TypeError); // the URL parser expands these
    expect(() => classifyAddress('0x7f000001')).toThrow(TypeError);
  });

  it('agrees with net.BlockList on every built-in IPv4 range, at random addresses', () => {
    const blocked = new BlockList();
    for (const [cidr] of NON_PUBLIC_RANGES.ipv4) {
      const [network = '', prefix] = cidr.split('/');
      blocked.addSubnet(network, Number(prefix), 'ipv4');
    }
    const random = seeded(13);
    for (let i = 0; i < 20_000; i++) {
      // Half the samples near a range start, so every range is hit often.
      const base = NON_PUBLIC_RANGES.ipv4[i % NON_PUBLIC_RANGES.ipv4.length]?.[0] ?? '';
      const address = i % 2 === 0 ? nearby(base.split('/')[0] ?? '', random) : randomIpv4(random);
      expect(classifyAddress(address).public, address).toBe(!blocked.check(address, 'ipv4'));
    }
  });
});

describe('parseIp and inPrefix (net.BlockList and the URL parser as oracles)', () => {
  it('parses every IPv6 text form to the bytes the URL parser canonicalises', () => {
    const random = seeded(7);
    for (let i = 0; i < 5_000; i++) {
      const text = randomIpv6Text(random);
      expect(isIPv6(text), text).toBe(true);
      const ip = parseIp(text);
      const groups = Array.from({ length: 8 }, (_, g) =>
        (((ip?.bytes[g * 2] ?? 0) << 8) | (ip?.bytes[g * 2 + 1] ?? 0)).toString(16),
      ).join(':');
      expect(canonical(groups), text).toBe(canonical(text));
    }
  });

  it('matches prefixes as BlockList does', () => {
    const random = seeded(11);
    for (let i = 0; i < 5_000; i++) {
      const network = randomIpv6Text(random);
      const prefix = Math.floor(random() * 129);
      const bytes = parseIp(network)?.bytes ?? new Uint8Array(16);
      // An address sharing a random number of leading bits with the network.
      const shared = Math.floor(random() * 129);
      const address = Uint8Array.from(bytes, (b, at) => {
        const keep = Math.max(0, Math.min(8, shared - at * 8));
        const mask = (0xff << (8 - keep)) & 0xff;
        return (b & mask) | (Math.floor(random() * 256) & ~mask);
      });
      const text = Array.from({ length: 8 }, (_, g) =>
        (((address[g * 2] ?? 0) << 8) | (address[g * 2 + 1] ?? 0)).toString(16),
      ).join(':');
      const list = new BlockList();
      list.addSubnet(network, prefix, 'ipv6');
      const ours = inPrefix(
        parseIp(text) ?? { family: 6, bytes: new Uint8Array(16) },
        parseIp(network) ?? { family: 6, bytes: new Uint8Array(16) },
        prefix,
      );
      expect(ours, `${text} in ${network}/${prefix}`).toBe(list.check(text, 'ipv6'));
    }
  });
});

describe('URL hosts (Node’s WHATWG URL parser does the decoding)', () => {
  it.each([
    ['http://2130706433/', '127.0.0.1'],
    ['http://0x7f000001/', '127.0.0.1'],
    ['http://0x7f.1/', '127.0.0.1'],
    ['http://0177.0.0.1/', '127.0.0.1'],
    ['http://0177.1/', '127.0.0.1'],
    ['http://127.1/', '127.0.0.1'],
    ['http://127.0.0.1./', '127.0.0.1'],
    ['http://0/', '0.0.0.0'],
    ['http://%31%32%37.0.0.1/', '127.0.0.1'],
    ['http://\uff11\uff12\uff17.0.0.1/', '127.0.0.1'], // fullwidth digits
    ['http://[::ffff:127.0.0.1]/', '[::ffff:7f00:1]'],
    ['http://[0:0:0:0:0:ffff:7f00:1]/', '[::ffff:7f00:1]'],
    ['http://[::1]/', '[::1]'],
  ])('%s has host %s, which is not public', (url, host) => {
    const { hostname } = new URL(url);
    expect(hostname).toBe(host);
    expect(classifyAddress(hostname.replace(/^\[|\]$/g, '')).public).toBe(false);
  });
});

describe('createAddressPolicy', () => {
  const policy = (allow: string, own: { address: string; port: number }[] = []) =>
    createAddressPolicy({ allow: parseEgressAllow(allow), ownAddresses: () => own });

  it('lets public addresses through and refuses others with a reason', () => {
    const p = policy('');
    expect(p.check('8.8.8.8', 443, 'dns.google')).toBeUndefined();
    expect(p.check('127.0.0.1', 80, '127.0.0.1')).toEqual({
      reason: 'non_public_address',
      description: 'a loopback address',
    });
  });

  it('lets an allowed network through, on its port only when it names one', () => {
    const p = policy('10.1.2.3:5432,192.168.0.0/16,[fd00::/8]:443');
    expect(p.check('10.1.2.3', 5432, 'db')).toBeUndefined();
    expect(p.check('10.1.2.3', 5433, 'db')).toMatchObject({ reason: 'non_public_address' });
    expect(p.check('10.1.2.4', 5432, 'db')).toMatchObject({ reason: 'non_public_address' });
    expect(p.check('192.168.77.1', 1, 'x')).toBeUndefined();
    expect(p.check('fd12::1', 443, 'x')).toBeUndefined();
    expect(p.check('fd12::1', 80, 'x')).toMatchObject({ reason: 'non_public_address' });
    expect(p.check('fe80::1', 443, 'x')).toMatchObject({ reason: 'non_public_address' });
  });

  it('treats an IPv4-mapped address as the IPv4 address, for allowing too', () => {
    const p = policy('127.0.0.1:9000');
    expect(p.check('::ffff:127.0.0.1', 9000, 'x')).toBeUndefined();
    expect(policy('[::ffff:127.0.0.1]').check('127.0.0.1', 1, 'x')).toBeUndefined();
    expect(p.check('::ffff:127.0.0.2', 9000, 'x')).toEqual({
      reason: 'non_public_address',
      description: 'a loopback address (IPv4-mapped 127.0.0.2)',
    });
  });

  it('lets a named host through whatever it resolves to, only under that name', () => {
    const p = policy('internal.example:8080,localhost');
    expect(p.check('10.9.9.9', 8080, 'internal.example')).toBeUndefined();
    expect(p.check('10.9.9.9', 8080, 'Internal.Example.')).toBeUndefined();
    expect(p.check('10.9.9.9', 80, 'internal.example')).toMatchObject({
      reason: 'non_public_address',
    });
    expect(p.check('10.9.9.9', 8080, 'other.example')).toMatchObject({
      reason: 'non_public_address',
    });
    expect(p.check('::1', 1234, 'localhost')).toBeUndefined();
    expect(p.check('127.0.0.1', 1234, '127.0.0.1')).toMatchObject({ reason: 'non_public_address' });
  });

  it('never allows the unspecified address, even under 0.0.0.0/0', () => {
    const p = policy('0.0.0.0/0,[::/0]');
    expect(p.check('10.0.0.1', 80, 'x')).toBeUndefined();
    expect(p.check('0.0.0.0', 80, 'x')).toMatchObject({ description: 'an unspecified address' });
    expect(p.check('::', 80, 'x')).toMatchObject({ description: 'an unspecified address' });
    expect(p.check('::ffff:0.0.0.0', 80, 'x')).toMatchObject({ reason: 'non_public_address' });
  });

  it('refuses the instance’s own listen address whatever is allowed', () => {
    const p = policy('127.0.0.1,localhost', [{ address: '127.0.0.1', port: 8080 }]);
    expect(p.check('127.0.0.1', 8080, 'localhost')).toEqual({
      reason: 'own_address',
      description: "this instance's own address (port 8080)",
    });
    expect(p.check('::ffff:127.0.0.1', 8080, 'x')).toMatchObject({ reason: 'own_address' });
    expect(p.check('127.0.0.1', 9000, 'x')).toBeUndefined();
    // A listener on one address is not reached through another.
    expect(p.check('127.0.0.2', 8080, 'x')).toMatchObject({ reason: 'non_public_address' });
  });

  it('takes a wildcard listener as every local address, all of loopback included', () => {
    const p = policy('0.0.0.0/0,[::/0]', [{ address: '0.0.0.0', port: 8080 }]);
    expect(p.check('127.0.0.2', 8080, 'x')).toMatchObject({ reason: 'own_address' });
    expect(p.check('::1', 8080, 'x')).toMatchObject({ reason: 'own_address' });
    for (const local of Object.values(networkInterfaces()).flat()) {
      if (local)
        expect(p.check(local.address, 8080, 'x'), local.address).toMatchObject({
          reason: 'own_address',
        });
    }
    expect(p.check('10.200.0.1', 8080, 'x')).toBeUndefined();
    expect(p.check('8.8.8.8', 8080, 'x')).toBeUndefined();
  });

  it('refuses a public listen address at its port only', () => {
    const p = policy('', [{ address: '93.184.215.14', port: 443 }]);
    expect(p.check('93.184.215.14', 443, 'x')).toMatchObject({ reason: 'own_address' });
    expect(p.check('93.184.215.14', 80, 'x')).toBeUndefined();
  });
});

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomIpv4(random: () => number): string {
  return Array.from({ length: 4 }, () => Math.floor(random() * 256)).join('.');
}

/** An address within a few hundred thousand of `base`, either side (boundaries included). */
function nearby(base: string, random: () => number): string {
  const n = base.split('.').reduce((v, part) => v * 256 + Number(part), 0);
  const value = Math.max(0, Math.min(0xffffffff, n + Math.floor((random() - 0.5) * 600_000)));
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** IPv6 text in the forms people and resolvers write: `::` anywhere, dotted tails, zeros. */
function randomIpv6Text(random: () => number): string {
  const groups = Array.from({ length: 8 }, () =>
    random() < 0.4 ? 0 : Math.floor(random() * 0x10000),
  );
  const hex = groups.map((g) => g.toString(16));
  if (random() < 0.2) {
    const [a = 0, b = 0] = groups.slice(6);
    hex.splice(6, 2, `${a >> 8}.${a & 0xff}.${b >> 8}.${b & 0xff}`);
  }
  if (random() < 0.6) {
    // Compress one run of zero groups (not into the dotted tail).
    const limit = hex.length === 7 ? 6 : 8;
    const start = Math.floor(random() * limit);
    let end = start;
    while (end < limit && hex[end] === '0') end++;
    if (end > start) {
      const head = hex.slice(0, start).join(':');
      const tail = hex.slice(end).join(':');
      return `${head}::${tail}`;
    }
  }
  return hex.join(':');
}

function canonical(ipv6: string): string {
  return new URL(`http://[${ipv6}]/`).hostname;
}

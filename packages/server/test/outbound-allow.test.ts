import { describe, expect, it } from 'vitest';
import { checkFunctionEgress, matchesHostPattern } from '../src/outbound/function-egress.ts';
import { EgressRefusedError, egressAllowSchema, parseEgressAllow } from '../src/outbound/index.ts';
import { parseIp } from '../src/outbound/ip.ts';

/** An entry as plain data: the network as text, for readable expectations. */
function shown(text: string) {
  return parseEgressAllow(text).map((e) =>
    e.type === 'host'
      ? { host: e.host, port: e.port }
      : { network: formatIp(e.network.bytes), prefix: e.prefix, port: e.port },
  );
}

function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return bytes.join('.');
  const groups = Array.from({ length: 8 }, (_, g) =>
    (((bytes[g * 2] ?? 0) << 8) | (bytes[g * 2 + 1] ?? 0)).toString(16),
  );
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
}

describe('parseEgressAllow', () => {
  it('reads the example of the API docs', () => {
    expect(shown('10.1.2.3:5432,127.0.0.1:9000,internal.example')).toEqual([
      { network: '10.1.2.3', prefix: 32, port: 5432 },
      { network: '127.0.0.1', prefix: 32, port: 9000 },
      { host: 'internal.example', port: undefined },
    ]);
  });

  it.each([
    ['', []],
    [' , ,', []],
    ['10.0.0.0/8', [{ network: '10.0.0.0', prefix: 8, port: undefined }]],
    ['10.0.0.0/8:5432', [{ network: '10.0.0.0', prefix: 8, port: 5432 }]],
    ['10.1.2.3/8', [{ network: '10.0.0.0', prefix: 8, port: undefined }]], // host bits cleared
    ['0.0.0.0/0', [{ network: '0.0.0.0', prefix: 0, port: undefined }]],
    ['[fd00::1]', [{ network: 'fd00::1', prefix: 128, port: undefined }]],
    ['[fd00::1]:5432', [{ network: 'fd00::1', prefix: 128, port: 5432 }]],
    ['[fd00::/8]', [{ network: 'fd00::', prefix: 8, port: undefined }]],
    ['[fd12:3456::/8]:443', [{ network: 'fd00::', prefix: 8, port: 443 }]],
    ['[::ffff:10.0.0.1]', [{ network: '10.0.0.1', prefix: 32, port: undefined }]],
    ['[::ffff:10.0.0.0/104]', [{ network: '10.0.0.0', prefix: 8, port: undefined }]],
    [' Internal.Example:8080 ', [{ host: 'internal.example', port: 8080 }]],
    ['localhost', [{ host: 'localhost', port: undefined }]],
    ['db.internal.', [{ host: 'db.internal', port: undefined }]],
    ['1.2.3.4:65535', [{ network: '1.2.3.4', prefix: 32, port: 65535 }]],
  ])('reads %j', (text, expected) => {
    expect(shown(text)).toEqual(expected);
  });

  it.each([
    ['10.0.0.0/33', 'the prefix must be 0-32'],
    ['10.0.0.0/8/8', 'the prefix must be 0-32'],
    ['10.0.0.0/', 'the prefix must be 0-32'],
    ['[fd00::/129]', 'the prefix must be 0-128'],
    ['fd00::1', 'an IPv6 address or network goes in brackets'],
    ['::1', 'an IPv6 address or network goes in brackets'],
    ['[fd00::1', 'an opening [ without ]'],
    ['[10.0.0.1]', 'brackets hold an IPv6 address'],
    ['[fd00::1]5432', 'only :PORT may follow ]'],
    ['[localhost]', 'brackets hold an IPv6 address'],
    ['10.1.2.3:0', 'the port must be 1-65535'],
    ['10.1.2.3:65536', 'the port must be 1-65535'],
    ['10.1.2.3:http', 'the port must be 1-65535'],
    ['host:', 'the port must be 1-65535'],
    ['*.example.com', 'expected an IPv4 address'],
    ['http://x', 'give a host name or address, not a URL'],
    ['a_b.example', 'expected an IPv4 address'],
    ['-a.example', 'expected an IPv4 address'],
    ['10.0.0.256', 'not a valid IPv4 address'],
    ['127.1', 'not a valid IPv4 address'],
    ['internal.example/24', 'a prefix follows an IP address'],
  ])('refuses %j: %s', (text, message) => {
    expect(() => parseEgressAllow(`8.8.8.8,${text}`)).toThrow(
      `EGRESS_ALLOW has a bad entry "${text.trim()}": ${message}`,
    );
  });

  it('as a zod schema, reports the same problem as a custom issue', () => {
    const bad = egressAllowSchema.safeParse('10.0.0.0/40');
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]).toMatchObject({
      code: 'custom',
      message: 'has a bad entry "10.0.0.0/40": the prefix must be 0-32',
    });
    const good = egressAllowSchema.safeParse('[fd00::/8]');
    expect(good.data?.[0]).toMatchObject({ type: 'network', prefix: 8 });
    expect(good.data?.[0]?.type === 'network' && good.data[0].network).toEqual(parseIp('fd00::'));
  });
});

describe('egress host patterns', () => {
  it.each([
    ['api.stripe.com', 'api.stripe.com', true],
    ['api.stripe.com', 'API.Stripe.com', true],
    ['api.stripe.com', 'api.stripe.com.', true],
    ['api.stripe.com', 'x.api.stripe.com', false],
    ['api.stripe.com', 'stripe.com', false],
    ['*.example.com', 'a.example.com', true],
    ['*.example.com', 'a.b.example.com', true],
    ['*.example.com', 'a.example.com.', true],
    ['*.example.com', 'example.com', false],
    ['*.example.com', 'badexample.com', false],
    ['*.example.com', '.example.com', false],
    ['*.example.com', 'a.example.com.evil.net', false],
    ['127.0.0.1', '127.0.0.1', true], // a pattern is text: a literal host matches only itself
  ])('%s matches %s: %s', (pattern, host, expected) => {
    expect(matchesHostPattern(pattern, host)).toBe(expected);
  });

  it('refuses by the function config, with a reason', () => {
    expect(() => checkFunctionEgress('public', 'anything.example')).not.toThrow();
    const none = catching(() => checkFunctionEgress('none', 'api.stripe.com'));
    expect(none).toBeInstanceOf(EgressRefusedError);
    expect(none).toBeInstanceOf(TypeError);
    expect(none).toMatchObject({
      reason: 'egress_none',
      message: 'egress refused: this function\'s egress is "none"',
    });
    expect(() =>
      checkFunctionEgress(['api.stripe.com', '*.example.com'], 'a.example.com'),
    ).not.toThrow();
    expect(catching(() => checkFunctionEgress(['api.stripe.com'], 'evil.example'))).toMatchObject({
      reason: 'host_not_listed',
      message: "egress refused: evil.example is not in this function's egress list",
    });
    expect(catching(() => checkFunctionEgress([], 'api.stripe.com'))).toMatchObject({
      reason: 'host_not_listed',
    });
  });
});

function catching(fn: () => void): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * What must try an address other than loopback runs in a network namespace whose only
 * interface is loopback (`unshare -n`, root only): there a "private" server can listen
 * on 10.0.0.1 without any packet leaving the machine, and a public address has no route.
 */
const SETUP = [
  'ip link set lo up',
  'ip addr add 10.0.0.1/32 dev lo',
  'ip addr add 169.254.169.254/32 dev lo',
  'ip -6 addr add fd00::1/128 dev lo',
].join(' && ');

function namespaceProblem(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  const probe = spawnSync('unshare', ['-n', 'sh', '-c', SETUP], { encoding: 'utf8' });
  if (probe.error) return `unshare is not available (${probe.error.message})`;
  if (probe.status !== 0) return `unshare -n failed: ${probe.stderr.trim() || probe.status}`;
  return undefined;
}

const problem = namespaceProblem();
const title = problem
  ? `egress in a loopback-only network namespace (skipped: ${problem}; needs root and unshare)`
  : 'egress in a loopback-only network namespace';

type Outcome = {
  status?: number;
  body?: string;
  error?: string;
  refused?: boolean;
  connections: Record<string, number>;
};

describe.skipIf(problem !== undefined)(title, () => {
  let results: Record<string, Outcome> = {};
  beforeAll(() => {
    const script = fileURLToPath(new URL('./outbound-netns-scenarios.ts', import.meta.url));
    const run = spawnSync(
      'unshare',
      ['-n', 'sh', '-c', `${SETUP} && exec "$0" "$1"`, process.execPath, script],
      { encoding: 'utf8', timeout: 60_000 },
    );
    if (run.status !== 0) throw new Error(`scenarios failed (${run.status}): ${run.stderr}`);
    results = JSON.parse(run.stdout);
  });

  const nothingReached = (o: Outcome | undefined) =>
    Object.values(o?.connections ?? { missing: 1 }).every((n) => n === 0);

  it.each([
    ['private refused', 'egress refused: 10.0.0.1 is a private address'],
    ['private network, other port', 'egress refused: 10.0.0.1 is a private address'],
    ['metadata refused', 'egress refused: 169.254.169.254 is a link-local address'],
    ['unique-local refused', 'egress refused: fd00::1 is a unique-local address'],
    [
      'mapped private refused',
      'egress refused: ::ffff:a00:1 is a private address (IPv4-mapped 10.0.0.1)',
    ],
    [
      'NAT64 private refused',
      'egress refused: 64:ff9b::a00:1 is a private address (NAT64 10.0.0.1)',
    ],
    ['6to4 private refused', 'egress refused: 2002:a00:1::1 is a private address (6to4 10.0.0.1)'],
    [
      'name of a private address refused',
      'egress refused: internal.test resolves to 10.0.0.1, a private address',
    ],
  ])('%s, and its server never sees a connection', (name, message) => {
    expect(results[name]?.error).toBe(message);
    expect(nothingReached(results[name]), JSON.stringify(results[name])).toBe(true);
  });

  it.each([
    ['private allowed', 'private'],
    ['private network allowed', 'private'], // http://167772161/ is 10.0.0.1
    ['unique-local allowed', 'ula'],
    ['mapped private allowed', 'private'],
    ['name allowed by name', 'private'],
  ])('%s through EGRESS_ALLOW', (name, server) => {
    expect(results[name]).toMatchObject({ status: 200, body: server });
    expect(results[name]?.connections[server]).toBe(1);
  });

  it('a public address is allowed: a connect is attempted (no route here, so none is made)', () => {
    expect(results['public address attempted']?.refused).toBe(false);
    expect(results['public address attempted']?.error).toMatch(
      /^fetch failed: connect ENETUNREACH 1\.1\.1\.1:80/,
    );
    expect(results['public name attempted']?.error).toMatch(
      /^fetch failed: connect ENETUNREACH 2606:4700:4700::1111:80/,
    );
  });

  it('a redirect from an allowed server to a private address is refused at the hop', () => {
    const outcome = results['redirect to private refused'];
    expect(outcome?.error).toBe('egress refused: 10.0.0.1 is a private address');
    expect(outcome?.connections).toMatchObject({ loopback: 1, private: 0 });
  });

  it("a wildcard listener's port is refused on every local address, whatever is allowed", () => {
    for (const name of [
      'own wildcard address on another interface',
      'own wildcard address on loopback',
    ]) {
      expect(results[name]?.error, name).toMatch(
        /^egress refused: .* is this instance's own address/,
      );
      expect(nothingReached(results[name]), name).toBe(true);
    }
  });
});

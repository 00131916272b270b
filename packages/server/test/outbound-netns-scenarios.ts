/**
 * Egress scenarios that need addresses other than loopback. Run only by
 * outbound-netns.test.ts, as root inside `unshare -n` (a network namespace whose only
 * interface is loopback, which also carries 10.0.0.1, 169.254.169.254 and fd00::1):
 * nothing sent here can leave the machine, and a public address has no route at all.
 * Prints one JSON object: scenario name -> what happened.
 */
import {
  createOutboundClient,
  type ListenAddress,
  type Lookup,
  parseEgressAllow,
} from '../src/outbound/index.ts';
import { fetchWith, ok, startServer, type TestServer } from './outbound-kit.ts';

interface Outcome {
  status?: number;
  body?: string;
  error?: string;
  refused?: boolean;
  /** Connections each named server accepted during the scenario. */
  connections: Record<string, number>;
}

const lookup: Lookup = async (host) => {
  const table: Record<string, string[]> = {
    'internal.test': ['10.0.0.1'],
    'public.test': ['2606:4700:4700::1111'],
  };
  const found = table[host];
  if (!found) throw new Error(`getaddrinfo ENOTFOUND ${host}`);
  return found.map((address) => ({ address }));
};

const servers: Record<string, TestServer> = {
  private: await startServer(ok('private'), '10.0.0.1'),
  metadata: await startServer(ok('metadata'), '169.254.169.254'),
  ula: await startServer(ok('ula'), 'fd00::1'),
  loopback: await startServer((req, res) => {
    res.writeHead(302, { location: decodeURIComponent(req.url?.slice(1) ?? '') });
    res.end();
  }),
  wildcard: await startServer(ok('own'), '0.0.0.0'),
};
const p = servers.private?.port;
const results: Record<string, Outcome> = {};

async function scenario(
  name: string,
  allow: string,
  url: string,
  ownAddresses: ListenAddress[] = [],
): Promise<void> {
  const before = Object.fromEntries(Object.entries(servers).map(([k, s]) => [k, s.connections]));
  const client = createOutboundClient({
    allow: parseEgressAllow(allow),
    lookup,
    ownAddresses: () => ownAddresses,
    connectTimeoutMs: 2_000,
  });
  const outcome: Outcome = { connections: {} };
  try {
    const response = await fetchWith(client, url, { signal: AbortSignal.timeout(5_000) });
    outcome.status = response.status;
    outcome.body = Buffer.from(response.body).toString();
  } catch (error) {
    outcome.error = (error as Error).message;
    outcome.refused = (error as Error).message.startsWith('egress refused:');
  }
  await client.close();
  for (const [k, s] of Object.entries(servers)) {
    outcome.connections[k] = s.connections - (before[k] ?? 0);
  }
  results[name] = outcome;
}

await scenario('private refused', '', `http://10.0.0.1:${p}/`);
await scenario('private allowed', `10.0.0.1:${p}`, `http://10.0.0.1:${p}/`);
await scenario('private network, other port', '10.0.0.0/8:1', `http://10.0.0.1:${p}/`);
await scenario('private network allowed', '10.0.0.0/8', `http://167772161:${p}/`);
await scenario('metadata refused', '', `http://169.254.169.254:${servers.metadata?.port}/latest/`);
await scenario('unique-local refused', '', `http://[fd00::1]:${servers.ula?.port}/`);
await scenario('unique-local allowed', '[fd00::/8]', `http://[fd00::1]:${servers.ula?.port}/`);
await scenario('mapped private refused', '', `http://[::ffff:10.0.0.1]:${p}/`);
await scenario('mapped private allowed', `10.0.0.1:${p}`, `http://[::ffff:10.0.0.1]:${p}/`);
await scenario('NAT64 private refused', '', `http://[64:ff9b::a00:1]:${p}/`);
await scenario('6to4 private refused', '', `http://[2002:a00:1::1]:${p}/`);
await scenario('name of a private address refused', '', `http://internal.test:${p}/`);
await scenario('name allowed by name', `internal.test:${p}`, `http://internal.test:${p}/`);
await scenario('public address attempted', '', 'http://1.1.1.1/');
await scenario('public name attempted', '', 'http://public.test/');
await scenario(
  'redirect to private refused',
  `127.0.0.1:${servers.loopback?.port}`,
  `http://127.0.0.1:${servers.loopback?.port}/${encodeURIComponent(`http://10.0.0.1:${p}/`)}`,
);
const own = [{ address: '0.0.0.0', port: servers.wildcard?.port ?? 0 }];
await scenario(
  'own wildcard address on another interface',
  '10.0.0.0/8,127.0.0.0/8',
  `http://10.0.0.1:${servers.wildcard?.port}/`,
  own,
);
await scenario(
  'own wildcard address on loopback',
  '10.0.0.0/8,127.0.0.0/8',
  `http://127.0.0.1:${servers.wildcard?.port}/`,
  own,
);

for (const s of Object.values(servers)) await s.close();
process.stdout.write(JSON.stringify(results));

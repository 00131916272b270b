import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildConnector } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAddressPolicy } from '../src/outbound/address-policy.ts';
import { createCheckedConnector } from '../src/outbound/connector.ts';
import {
  createOutboundClient,
  EgressRefusedError,
  type Lookup,
  parseEgressAllow,
} from '../src/outbound/index.ts';
import { fetchWith, ok, rejection, startServer, text } from './outbound-kit.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

describe('the checked connector', () => {
  it('checks the address actually connected to, and sends nothing to a refused one', async () => {
    const allowed = await startServer(ok());
    const elsewhere = await startServer(ok());
    cleanup.push(
      () => allowed.close(),
      () => elsewhere.close(),
    );
    const policy = createAddressPolicy({ allow: parseEgressAllow(`127.0.0.1:${allowed.port}`) });
    const base = buildConnector({});
    // A connector that lands somewhere else than asked: what a proxy, a NAT rule or a
    // bug between the check and the socket would do.
    const misdirected: buildConnector.connector = (target, callback) =>
      base({ ...target, port: String(elsewhere.port) }, callback);
    const connect = (connector: buildConnector.connector) =>
      new Promise<Socket>((resolve, reject) =>
        connector(
          {
            hostname: '127.0.0.1',
            host: `127.0.0.1:${allowed.port}`,
            protocol: 'http:',
            port: String(allowed.port),
          },
          (error, socket) => (error ? reject(error) : resolve(socket as Socket)),
        ),
      );
    const lookup: Lookup = async () => [];
    const error = await connect(createCheckedConnector({ policy, lookup, base: misdirected })).then(
      () => new Error('connected'),
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(EgressRefusedError);
    expect(error.message).toBe('egress refused: 127.0.0.1 is a loopback address');
    await elsewhere.allClosed();
    expect(elsewhere.connections).toBe(1); // the socket was opened, then closed unused
    expect(elsewhere.requests).toEqual([]);

    const socket = await connect(createCheckedConnector({ policy, lookup, base }));
    expect(socket.remotePort).toBe(allowed.port);
    socket.destroy();
  });
});

// A certificate for "secure.test" only, made for this run (skipped where openssl is missing).
const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
let cert = '';
let key = '';
let dir = '';
beforeAll(() => {
  if (!hasOpenssl) return;
  dir = mkdtempSync(join(tmpdir(), 'outbound-tls-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-days',
      '1',
      '-subj',
      '/CN=secure.test',
      '-addext',
      'subjectAltName=DNS:secure.test',
    ],
    { stdio: 'ignore' },
  );
  cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
  key = readFileSync(join(dir, 'key.pem'), 'utf8');
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!hasOpenssl)('https (needs openssl to make a certificate)', () => {
  it('connects to the checked address but verifies the certificate for the host name', async () => {
    const servernames: (string | false | null)[] = [];
    const server = https.createServer({ cert, key }, (_req, res) => res.end('secret over tls'));
    server.on('secureConnection', (socket) => servernames.push(socket.servername));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanup.push(
      () =>
        new Promise((r) => {
          server.closeAllConnections();
          server.close(() => r());
        }),
    );
    const port = (server.address() as AddressInfo).port;
    const lookup: Lookup = async (host) =>
      host === 'secure.test' || host === 'other.test' ? [{ address: '127.0.0.1' }] : [];
    const c = createOutboundClient({
      allow: parseEgressAllow(`127.0.0.1:${port}`),
      lookup,
      ca: cert,
    });
    cleanup.push(() => c.close());

    const response = await fetchWith(c, `https://secure.test:${port}/`);
    expect(text(response.body)).toBe('secret over tls');
    expect(servernames).toEqual(['secure.test']);

    const wrongName = await rejection(fetchWith(c, `https://other.test:${port}/`));
    expect(wrongName).toBeInstanceOf(TypeError);
    expect(wrongName.message).toMatch(
      /^fetch failed: Hostname\/IP does not match certificate's altnames/,
    );
    const byAddress = await rejection(fetchWith(c, `https://127.0.0.1:${port}/`));
    expect(byAddress.message).toMatch(
      /^fetch failed: .*IP: 127\.0\.0\.1 is not in the cert's list/,
    );

    const handshakes = servernames.length;
    const strict = createOutboundClient({ allow: parseEgressAllow(''), lookup, ca: cert });
    cleanup.push(() => strict.close());
    expect(await rejection(fetchWith(strict, `https://secure.test:${port}/`))).toBeInstanceOf(
      EgressRefusedError,
    );
    expect(servernames.length).toBe(handshakes); // no handshake for the refused one
  });
});

// Cloudflare's workerd serving the same function as a fetch handler, on a loopback port (or
// another worker a scenario gives it).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The binary itself, not the npm launcher: a signal to the launcher would orphan it.
const WORKERD = (createRequire(import.meta.url)('workerd') as { default: string }).default;
/** The warm scenario's hello as a fetch handler: the event is the request body. */
export const HELLO_WORKER = `export default {
  async fetch(request) {
    const text = await request.text();
    const event = text === '' ? null : JSON.parse(text);
    return new Response(JSON.stringify({ hello: event?.name ?? 'world' }), {
      headers: { 'content-type': 'application/json' },
    });
  },
};
`;

export interface WorkerdOptions {
  /** The worker's ES module; the hello by default. */
  worker?: string;
  /**
   * What the worker's global fetch may reach, as workerd's `Network.allow` entries (CIDR
   * blocks, "public", "local"…). workerd's implicit "internet" service allows "public"
   * only, so a loopback upstream needs e.g. ["public", "127.0.0.1/32"]: the same
   * exception mini-lambda gets from EGRESS_ALLOW.
   */
  allow?: string[];
  /** workerd compatibility flags, e.g. ["nodejs_compat"]. */
  flags?: string[];
}

export async function startWorkerd(
  port: number,
  options: WorkerdOptions = {},
): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'ml-workerd-'));
  writeFileSync(join(dir, 'worker.js'), options.worker ?? HELLO_WORKER);
  // Defining a service named "internet" replaces the implicit one behind global fetch.
  const internet = options.allow
    ? `, (name = "internet", network = (allow = ${JSON.stringify(options.allow)}))`
    : '';
  writeFileSync(
    join(dir, 'config.capnp'),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker)${internet} ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [ (name = "worker", esModule = embed "worker.js") ],
  compatibilityDate = "2024-09-01",${
    options.flags ? `\n  compatibilityFlags = ${JSON.stringify(options.flags)},` : ''
  }
);
`,
  );
  const child: ChildProcess = spawn(WORKERD, ['serve', join(dir, 'config.capnp')], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`workerd exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/`, { method: 'POST', body: '{}' })).ok) break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    pid: child.pid ?? 0,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

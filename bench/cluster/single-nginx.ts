// A second nginx in front of ONE instance, running the repo's nginx.conf with only the
// upstream list and the listen address changed (as the cluster's own nginx), so that
// "nginx → 1 instance" against "that instance directly" is nginx's own cost and nothing else.
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopChild, waitForUrl } from '@mini-lambda/testkit/wait';
import { renderNginxConf } from '../../infra/cluster/render-nginx.ts';

const NGINX_CONF = fileURLToPath(new URL('../../nginx.conf', import.meta.url));

export interface SingleNginx {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts nginx on 127.0.0.1:`listen` proxying to `upstream` ("127.0.0.1:port"); resolves once /health answers. */
export async function startSingleNginx(upstream: string, listen: number): Promise<SingleNginx> {
  const dir = mkdtempSync(join(tmpdir(), 'ml-bench-nginx-'));
  const conf = join(dir, 'nginx.conf');
  const rendered = renderNginxConf(readFileSync(NGINX_CONF, 'utf8'), {
    servers: [upstream],
    listen: `127.0.0.1:${listen}`,
  }).replace('pid /tmp/mini-lambda-nginx.pid;', `pid ${join(dir, 'nginx.pid')};`);
  writeFileSync(conf, rendered);
  // The access log goes to a file, as the cluster's nginx does, so both pay the same for it.
  const log = openSync(join(dir, 'nginx.log'), 'a');
  const child = spawn('/usr/sbin/nginx', ['-c', conf, '-p', dir, '-g', 'daemon off;'], {
    stdio: ['ignore', log, log],
  });
  const stop = async () => {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${listen}`;
  try {
    await waitForUrl(`${url}/health`, child, 10_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, pid: child.pid ?? 0, stop };
}

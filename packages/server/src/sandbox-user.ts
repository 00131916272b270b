import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: a sandbox reads its code (and node_modules) from under it. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * The uid/gid sandboxes run as: only when this process is root (switching needs it), as
 * `name` (default `nobody`), so a sandbox cannot read the server's data directory (0700)
 * or its environment. `-` keeps the current user, and so does a checkout that other users
 * cannot reach (under /root, say): the sandbox could not load its own code. `onFallback`
 * says why.
 */
export function sandboxUser(
  name = 'nobody',
  onFallback: (why: string) => void = () => {},
): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0 || name === '-') return undefined;
  const closed = closedAncestor(ROOT);
  if (closed) {
    onFallback(`${closed} is not open to other users, so sandboxes run as root`);
    return undefined;
  }
  const id = (flag: string) =>
    Number(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** The first directory from `/` down to `path` that others cannot enter, if any. */
function closedAncestor(path: string): string | undefined {
  const chain: string[] = [];
  for (let dir = path; ; dir = dirname(dir)) {
    chain.unshift(dir);
    if (dirname(dir) === dir) break;
  }
  return chain.find((dir) => (statSync(dir).mode & 0o001) === 0);
}

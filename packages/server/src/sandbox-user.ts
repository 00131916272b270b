import { execFileSync } from 'node:child_process';

/**
 * The uid/gid sandboxes run as: only when this process is root (switching needs it), as
 * `name` (default `nobody`), so a sandbox cannot read the server's data directory (0700)
 * or its environment. `-` keeps the current user.
 */
export function sandboxUser(name = 'nobody'): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0 || name === '-') return undefined;
  const id = (flag: string) =>
    Number(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

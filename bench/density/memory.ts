// Resident memory of a server process and of its sandbox processes, from /proc.
import { childrenOf, rssBytes } from '../proc-cpu.ts';

export interface PoolTotals {
  isolates: number;
  spares: number;
  reserved_memory_mb: number;
}

export interface MemorySnapshot {
  server_mb: number;
  /** Sum over the sandbox processes (not the short-lived build workers). */
  sandboxes_mb: number;
  sandbox_count: number;
  /** Live isolates (GET /stats/pools totals), blank spares apart. */
  isolates: number;
  spares: number;
  reserved_memory_mb: number;
}

const MB = 1024 * 1024;
const mb = (bytes: number) => Number((bytes / MB).toFixed(1));

export async function snapshot(url: string, serverPid: number): Promise<MemorySnapshot> {
  const stats = (await (await fetch(`${url}/stats/pools`)).json()) as {
    totals: PoolTotals;
    sandboxes?: { pid: number }[];
  };
  const sandboxPids = new Set((stats.sandboxes ?? []).map((s) => s.pid));
  const sandboxes = childrenOf(serverPid).filter((pid) => sandboxPids.has(pid));
  return {
    server_mb: mb(rssBytes(serverPid)),
    sandboxes_mb: mb(sandboxes.reduce((sum, pid) => sum + rssBytes(pid), 0)),
    sandbox_count: sandboxes.length,
    isolates: stats.totals.isolates,
    spares: stats.totals.spares,
    reserved_memory_mb: stats.totals.reserved_memory_mb,
  };
}

// CPU time per request of each part of the cluster while it serves A: a figure that the
// other load on a shared machine moves far less than requests/s, and that shows what the
// nginx hop costs against what an instance (with its sandboxes) costs.
import { childrenOf, cpuMicros } from '../proc-cpu.ts';

/** CPU µs used so far by a process and all its descendants (an instance's sandboxes). */
function treeCpuMicros(pid: number): number {
  return cpuMicros(pid) + childrenOf(pid).reduce((n, child) => n + treeCpuMicros(child), 0);
}

/** This process (autocannon runs in it) and each named process tree, in CPU µs. */
export function cpuSnapshot(pids: Record<string, number>): Record<string, number> {
  const self = process.cpuUsage();
  return {
    ...Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, treeCpuMicros(pid)])),
    load_generator: self.user + self.system,
  };
}

/** CPU µs per request of each part between two snapshots, and their sum. */
export function cpuPerRequest(
  before: Record<string, number>,
  after: Record<string, number>,
  requests: number,
): Record<string, number> {
  const per = Object.fromEntries(
    Object.entries(after).map(([name, us]) => [
      name,
      Math.round((us - (before[name] ?? 0)) / Math.max(requests, 1)),
    ]),
  );
  return { ...per, total: Object.values(per).reduce((a, b) => a + b, 0) };
}

// CPU time of a process and its descendants from /proc, to report what a request costs
// each process (µs of CPU per request) beside throughput: a figure that noise on a shared
// machine moves far less than requests/s.
import { readdirSync, readFileSync } from 'node:fs';

const TICK_US = 10_000; // USER_HZ is 100 on Linux

/** utime + stime of one process in µs, or 0 when it is gone. */
export function cpuMicros(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may hold spaces: state is field 3, utime 14.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_US;
  } catch {
    return 0;
  }
}

/** The pids of a process's children (all threads' children), from /proc. */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const list = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      if (list) out.push(...list.split(' ').map(Number));
    }
  } catch {
    // gone
  }
  return out;
}

/** A process and all its descendants (an instance with its sandboxes, nginx with its workers). */
export function treeOf(pid: number): number[] {
  return [pid, ...childrenOf(pid).flatMap(treeOf)];
}

/**
 * CPU µs so far of each group (the sum over its pids), and of this process, which runs
 * the load generator, as `load-generator`.
 */
export function cpuSnapshot(groups: Record<string, number[]>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [label, pids] of Object.entries(groups)) {
    out[label] = pids.reduce((sum, pid) => sum + cpuMicros(pid), 0);
  }
  const self = process.cpuUsage();
  out['load-generator'] = self.user + self.system;
  return out;
}

/** CPU µs per request of each label between two snapshots. */
export function cpuPerRequest(
  before: Record<string, number>,
  after: Record<string, number>,
  requests: number,
): Record<string, number> {
  const per: Record<string, number> = {};
  for (const [label, us] of Object.entries(after)) {
    per[label] = Math.round((us - (before[label] ?? 0)) / Math.max(1, requests));
  }
  return per;
}

/** Resident memory of a process in bytes, or 0 when it is gone. */
export function rssBytes(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

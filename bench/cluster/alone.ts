// One target loaded on its own, with what the interleaved rounds cannot give per target:
// which instance served how many invocations (each instance's /metrics before and after)
// and the CPU time every process used per request.
import { load } from '../load.ts';
import { cpuPerRequest, cpuSnapshot, treeOf } from '../proc-cpu.ts';
import { invocationsByInstance, spread } from './instances.ts';

export interface Alone {
  rps: number;
  errors: number;
  /** Invocations each instance counted, by instance id, and their shares. */
  served: Record<string, number>;
  share: Record<string, number>;
  /** CPU µs per invocation of `others`, each instance (with its sandboxes), this process, and the sum. */
  cpu_us_per_request: Record<string, number>;
}

export async function loadAlone(
  url: string,
  event: string,
  options: { connections: number; seconds: number },
  instances: { id: string; url: string; pid: number }[],
  /** Other processes to account for, by name (the two nginx masters; their workers follow). */
  others: Record<string, number>,
): Promise<Alone> {
  const roots = {
    ...others,
    ...Object.fromEntries(instances.map((i) => [`instance_${i.id}`, i.pid])),
  };
  // Each named process with its descendants (sandboxes, nginx workers), as started now.
  const groups = Object.fromEntries(
    Object.entries(roots).map(([name, pid]) => [name, treeOf(pid)]),
  );
  const counted = await invocationsByInstance(instances, 'hello');
  const cpu = cpuSnapshot(groups);
  const r = await load(url, event, options.connections, options.seconds);
  const cpuAfter = cpuSnapshot(groups);
  const { served, share, total } = spread(counted, await invocationsByInstance(instances, 'hello'));
  return {
    rps: Math.round(r.rps),
    errors: r.errors + r.non2xx,
    served,
    share,
    // Per invocation counted, as autocannon leaves out the requests still in flight.
    cpu_us_per_request: withTotal(cpuPerRequest(cpu, cpuAfter, total)),
  };
}

function withTotal(perRequest: Record<string, number>): Record<string, number> {
  return { ...perRequest, total: Object.values(perRequest).reduce((a, b) => a + b, 0) };
}

import type { RuntimeHealth, SandboxInfo } from '@mini-lambda/runtime';

export type CheckStatus = 'ok' | 'unreachable' | 'timeout';

export interface HealthReport {
  ok: boolean;
  checks: { database: CheckStatus; storage: CheckStatus; runtime: 'ok' | 'failed' };
  /** What an accepted (committed) event survives: the store says, e.g. a process crash only. */
  durability: string;
  /** Set when the runtime lost control of an isolate. */
  runtimeError?: string;
  sandboxes?: SandboxInfo[];
}

export interface HealthDeps {
  database: () => Promise<unknown>;
  storage: () => Promise<unknown>;
  runtime: () => Promise<RuntimeHealth>;
  /** The store's durability, as `/health` reports it. */
  durability: string;
}

/**
 * Probes the database and object storage in the background, once a second, so /health
 * answers from memory at once and never waits on a hung dependency or a function. A
 * probe slower than `timeoutMs` reports `timeout`.
 */
export function createHealthMonitor(
  deps: HealthDeps,
  options = { intervalMs: 1000, timeoutMs: 1000 },
) {
  let checks: { database: CheckStatus; storage: CheckStatus } | undefined;
  let probing: Promise<void> | undefined;

  const probe = (): Promise<void> => {
    probing ??= Promise.all([
      check(deps.database, options.timeoutMs),
      check(deps.storage, options.timeoutMs),
    ])
      .then(([database, storage]) => {
        checks = { database, storage };
      })
      .finally(() => {
        probing = undefined;
      });
    return probing;
  };
  const timer = setInterval(() => void probe(), options.intervalMs).unref();

  return {
    /** The latest probe's findings; the first call waits for the first probe. */
    async report(): Promise<HealthReport> {
      if (!checks) await probe();
      const runtime = await deps.runtime();
      const found = checks ?? { database: 'timeout', storage: 'timeout' };
      const report: HealthReport = {
        ok: found.database === 'ok' && found.storage === 'ok' && runtime.ok,
        checks: { ...found, runtime: runtime.ok ? 'ok' : 'failed' },
        durability: deps.durability,
      };
      if (runtime.catastrophicError) report.runtimeError = runtime.catastrophicError;
      if (runtime.sandboxes) report.sandboxes = runtime.sandboxes;
      return report;
    },
    /** Probes now (used right after start and by tests that change a dependency). */
    refresh: probe,
    stop(): void {
      clearInterval(timer);
    },
  };
}

export type HealthMonitor = ReturnType<typeof createHealthMonitor>;

async function check(run: () => Promise<unknown>, timeoutMs: number): Promise<CheckStatus> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckStatus>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    return await Promise.race([run().then((): CheckStatus => 'ok'), timeout]);
  } catch {
    return 'unreachable';
  } finally {
    clearTimeout(timer);
  }
}

import { randomUUID } from 'node:crypto';
import {
  type InvocationInput,
  type InvocationOutcome,
  MiniLambdaError,
  type ModuleInspection,
  type RunnableFunction,
  type RuntimeLimits,
} from '@mini-lambda/core';
import { defaultSandboxes } from '../limits.ts';
import { notRun } from '../not-run.ts';
import type { InspectRequest, InvokeOptions, OutboundFetch, Runtime } from '../runtime.ts';
import type { RuntimeHealth, RuntimeStats, SandboxInfo } from '../stats.ts';
import { Quarantine } from './quarantine.ts';
import { type SandboxExitReason, SandboxHandle } from './sandbox-handle.ts';
import { type SpawnOptions, spawnSandbox } from './spawn.ts';

export interface SandboxOptions {
  /** Sandbox processes; default: the core count. */
  sandboxes?: number;
  /** A sandbox that has not answered a ping for this long is replaced. */
  heartbeatTimeoutMs?: number;
  /** RSS ceiling = this + 2 × the sum of its isolates' memory limits, in MB. */
  rssBaseMb?: number;
  quarantine?: { threshold: number; windowMs: number; cooldownMs: number };
  /** When set (we are root), sandboxes run as this user. */
  user?: { uid: number; gid: number };
  /** The sandbox's entry module; default the real one (tests start a fake sandbox). */
  entry?: string;
  /** Function records registered with each sandbox at once, at most; default 1000. */
  registrations?: number;
  /**
   * Bytes of code sent to a sandbox that it has not read, past which it is killed
   * (`protocol`). Default 256 MB.
   */
  maxUnreadCodeBytes?: number;
}

export interface SandboxedRuntimeDeps {
  loadCode: (fn: RunnableFunction) => Promise<string>;
  /** A sandbox was replaced; for metrics and logs. */
  onSandboxExit?: (
    reason: SandboxExitReason,
    /** `fault`: what a sandbox killed for a protocol fault sent. */
    info: { pid: number; inFlight: number; fault?: string },
  ) => void;
  /** A line a sandbox wrote to stdout or stderr. */
  onSandboxOutput?: (line: string, pid: number) => void;
  /** Where functions' fetches go (sandboxes have no network); without it they are refused. */
  fetch?: OutboundFetch;
}

interface Slot {
  handle: SandboxHandle | undefined;
  restarts: number;
  /** Deaths in a row that came soon after a start: the restart backs off on them. */
  quickDeaths: number;
  timer: NodeJS.Timeout | undefined;
}

/** A sandbox that lived less than this died "quickly". */
const QUICK_DEATH_MS = 10_000;
const MAX_BACKOFF_MS = 10_000;
const READY_WAIT_MS = 10_000;
/** A sync sandbox busy with one call this long lets new calls go to a less busy sandbox. */
const SPILL_AFTER_MS = 20;
/** Or when the calls in flight there would hold a new one this long (see spillFrom). */
const SPILL_WAIT_MS = 2;
/** How often the heartbeat looks at each sandbox. */
const CHECK_MS = 250;
/** Sync sandbox: silent this long, with a call this far past its timeout, is stuck. */
const SILENT_WHILE_STUCK_MS = 200;
const STUCK_GRACE_MS = 500;

/**
 * The runtime in supervised sandbox processes, behind the same interface as the
 * in-process one. This process holds no isolate: it assigns each function to a sandbox
 * (so its warm isolates stay together), forwards calls over a framed pipe, and kills and
 * replaces a sandbox that exits, stops answering, passes its memory ceiling or reports a
 * catastrophic isolate error. Its calls in flight end as `crashed` (503 SandboxRestarted);
 * calls in other sandboxes are untouched. A function that keeps killing sandboxes is
 * quarantined for a cool-down. `limits` are parsed already, for the whole instance (with
 * `DEFAULT_EXECUTION.sandboxed` unless told otherwise); each sandbox gets its share.
 */
export function createSandboxedRuntime(
  deps: SandboxedRuntimeDeps,
  limits: RuntimeLimits,
  options: SandboxOptions = {},
): Runtime {
  return new SandboxedRuntime(deps, limits, options);
}

class SandboxedRuntime implements Runtime {
  private readonly slots: Slot[];
  private readonly assignment = new Map<string, number>();
  /** Recent call time per function, in ms (see `spillFrom`). */
  private readonly callMs = new Map<string, number>();
  private readonly json = new WeakMap<RunnableFunction, string>();
  private readonly quarantine: Quarantine;
  private readonly perSandbox: RuntimeLimits;
  private readonly heartbeat: NodeJS.Timeout;
  private disposed = false;
  private readonly deps: SandboxedRuntimeDeps;
  private readonly limits: RuntimeLimits;
  private readonly options: Required<Omit<SandboxOptions, 'user' | 'entry'>>;
  private readonly spawnOptions: SpawnOptions;

  constructor(deps: SandboxedRuntimeDeps, limits: RuntimeLimits, options: SandboxOptions) {
    this.deps = deps;
    this.limits = limits;
    this.options = {
      sandboxes: options.sandboxes ?? defaultSandboxes(),
      heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? 5000,
      rssBaseMb: options.rssBaseMb ?? 256,
      quarantine: options.quarantine ?? { threshold: 3, windowMs: 60_000, cooldownMs: 30_000 },
      // Far more than a sandbox's isolates, and a bound on what made-up versions can cost.
      registrations: options.registrations ?? 1000,
      // A sandbox asking for code awaits it, so it reads: unread code is at most a few
      // bundles (10 MB each) of cold starts that met a long synchronous call.
      maxUnreadCodeBytes: options.maxUnreadCodeBytes ?? 256 * 1024 * 1024,
    };
    this.spawnOptions = {
      ...(options.user ? { user: options.user } : {}),
      ...(options.entry ? { entry: options.entry } : {}),
    };
    this.quarantine = new Quarantine(this.options.quarantine);
    this.perSandbox = share(limits, this.options.sandboxes);
    this.slots = Array.from({ length: this.options.sandboxes }, () => ({
      handle: undefined,
      restarts: 0,
      quickDeaths: 0,
      timer: undefined,
    }));
    for (let i = 0; i < this.slots.length; i++) this.start(i);
    this.heartbeat = setInterval(() => this.check(), CHECK_MS).unref();
  }

  async invoke(
    fn: RunnableFunction,
    event: InvocationInput,
    options: InvokeOptions = {},
  ): Promise<InvocationOutcome> {
    if (this.disposed)
      throw new MiniLambdaError('ServiceUnavailable', 'The runtime has been disposed');
    const invocationId = options.invocationId ?? randomUUID();
    const quarantinedMs = this.quarantine.remainingMs(fn.name);
    if (quarantinedMs > 0) {
      const message = `${fn.name} keeps killing its sandbox and is quarantined for ${Math.ceil(quarantinedMs / 1000)} s`;
      return notRun('quarantined', message, quarantinedMs, invocationId);
    }
    const handle = await this.sandboxFor(fn.name);
    if (!handle) {
      return notRun(
        'crashed',
        'No sandbox is running; they are being restarted',
        1000,
        invocationId,
      );
    }
    let json = this.json.get(fn);
    if (json === undefined) {
      json = JSON.stringify(fn);
      this.json.set(fn, json);
    }
    const outcome = await handle.invoke(fn, json, event, invocationId);
    const seen = this.callMs.get(fn.name);
    // A moving average of the function's call time: how long a queued call of it holds
    // its sandbox, for spilling.
    this.callMs.set(
      fn.name,
      seen === undefined ? outcome.durationMs : seen + (outcome.durationMs - seen) / 8,
    );
    return outcome;
  }

  /** A sandbox evaluates it: the least busy ready one, else the first to become ready. */
  async inspect(code: string, options: InspectRequest): Promise<ModuleInspection> {
    if (this.disposed)
      throw new MiniLambdaError('ServiceUnavailable', 'The runtime has been disposed');
    let best: SandboxHandle | undefined;
    for (const slot of this.slots) {
      const h = slot.handle;
      if (!h || h.state === 'dead') continue;
      const better =
        !best || (h.state === 'ready' && (best.state !== 'ready' || h.inFlight < best.inFlight));
      if (better) best = h;
    }
    if (!best || !(await this.whenReady(best))) {
      throw new MiniLambdaError(
        'ServiceUnavailable',
        'No sandbox is running; they are being restarted',
      );
    }
    // Its own init bound, plus the time a sandbox busy with a sync call may take to read.
    const { initTimeoutMs, queueTimeoutMs } = this.limits;
    return best.inspect(code, options, initTimeoutMs + queueTimeoutMs + 5000);
  }

  async retire(name: string, version?: number): Promise<void> {
    for (const slot of this.slots)
      if (slot.handle?.state === 'ready') slot.handle.retire(name, version);
    if (version === undefined) {
      this.assignment.delete(name);
      this.callMs.delete(name);
    }
  }

  async stats(): Promise<RuntimeStats> {
    const live = this.slots.map((s) => s.handle);
    const all = await Promise.all(live.map((h) => h?.stats(100)));
    const totals: RuntimeStats['totals'] = {
      isolates: 0,
      busy: 0,
      idle: 0,
      waiting: 0,
      executing: 0,
      waiting_for_cpu: 0,
      spares: 0,
      spares_taken: 0,
      reserved_memory_mb: 0,
    };
    const pools: RuntimeStats['pools'] = [];
    for (const stats of all) {
      if (!stats) continue;
      for (const key of Object.keys(totals) as (keyof typeof totals)[])
        totals[key] += stats.totals[key];
      pools.push(...stats.pools);
    }
    return { totals, pools, sandboxes: this.sandboxInfo() };
  }

  async health(): Promise<RuntimeHealth> {
    const ready = this.slots.some((s) => s.handle?.state === 'ready');
    return { ok: !this.disposed && ready, sandboxes: this.sandboxInfo() };
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    clearInterval(this.heartbeat);
    for (const slot of this.slots) clearTimeout(slot.timer);
    await Promise.all(this.slots.map((s) => s.handle?.stop(5000)));
  }

  private sandboxInfo(): SandboxInfo[] {
    const now = performance.now();
    return this.slots.map((slot, i) => ({
      slot: i,
      pid: slot.handle?.pid ?? 0,
      state: slot.handle?.state ?? 'dead',
      rss_mb: Math.round((slot.handle?.rssBytes ?? 0) / 1024 / 1024),
      isolates: slot.handle?.isolates ?? 0,
      in_flight: slot.handle?.inFlight ?? 0,
      restarts: slot.restarts,
      uptime_s: slot.handle ? Math.round((now - slot.handle.startedAt) / 1000) : 0,
    }));
  }

  /** The function's sandbox; a new or orphaned function goes to the least loaded one. */
  private async sandboxFor(name: string): Promise<SandboxHandle | undefined> {
    const assigned = this.assignment.get(name);
    const current = assigned === undefined ? undefined : this.slots[assigned]?.handle;
    if (current && current.state !== 'dead') {
      if (!(await this.whenReady(current))) return undefined;
      return this.spillFrom(current, name) ?? current;
    }
    const counts = this.slots.map(() => 0);
    for (const slot of this.assignment.values()) counts[slot] = (counts[slot] ?? 0) + 1;
    // Least loaded first, counting a sandbox that is still starting: at start-up the
    // functions spread out instead of all landing on the first one ready.
    let best: number | undefined;
    for (const [i, slot] of this.slots.entries()) {
      const state = slot.handle?.state;
      if (state === undefined || state === 'dead') continue;
      const load = counts[i] ?? 0;
      const bestLoad = best === undefined ? Number.POSITIVE_INFINITY : (counts[best] ?? 0);
      const tieBreak =
        load === bestLoad && state === 'ready' && this.slots[best ?? 0]?.handle?.state !== 'ready';
      if (load < bestLoad || tieBreak) best = i;
    }
    if (best === undefined) return undefined;
    this.assignment.set(name, best);
    const handle = this.slots[best]?.handle as SandboxHandle;
    return (await this.whenReady(handle)) ? handle : undefined;
  }

  /**
   * In sync execution a sandbox runs one call at a time, so a call sent to a busy one
   * waits behind those in flight. It goes to a ready, healthy sandbox with fewer calls
   * in flight instead (a cold start there the first time) when the wait would be long:
   * the oldest call has run SPILL_AFTER_MS, or the calls in flight at this function's
   * recent call time add up to SPILL_WAIT_MS. Fast calls keep to one sandbox, where
   * they batch (spreading a 30 µs hello over two sandboxes cost 20% of warm throughput),
   * and a busy CPU-bound function spreads over the cores (before: 2 sandboxes 0.99 × one).
   */
  private spillFrom(handle: SandboxHandle, name: string): SandboxHandle | undefined {
    if (this.limits.execution !== 'sync' || handle.inFlight === 0) return undefined;
    const oldest = handle.oldestInvocation();
    const running = oldest ? performance.now() - oldest.startedAt : 0;
    const queued = handle.inFlight * (this.callMs.get(name) ?? 0);
    if (running < SPILL_AFTER_MS && queued < SPILL_WAIT_MS) return undefined;
    let best: SandboxHandle | undefined;
    for (const slot of this.slots) {
      const other = slot.handle;
      if (!other || other === handle || other.state !== 'ready') continue;
      if (other.inFlight < (best ?? handle).inFlight && other.healthy()) best = other;
    }
    return best;
  }

  private async whenReady(handle: SandboxHandle): Promise<boolean> {
    if (handle.state === 'ready') return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), READY_WAIT_MS);
    });
    const ready = await Promise.race([handle.ready, timeout]);
    clearTimeout(timer);
    return ready;
  }

  private start(index: number): void {
    const slot = this.slots[index] as Slot;
    slot.timer = undefined;
    if (this.disposed) return;
    const child = spawnSandbox(this.perSandbox, this.spawnOptions);
    slot.handle = new SandboxHandle({
      child,
      loadCode: this.deps.loadCode,
      limits: this.perSandbox,
      maxRegistrations: this.options.registrations,
      maxUnreadCodeBytes: this.options.maxUnreadCodeBytes,
      fetch: this.deps.fetch,
      onExit: (handle, reason, inFlight) => this.onExit(index, handle, reason, inFlight),
      onOutput: (line) => this.deps.onSandboxOutput?.(line, child.pid ?? 0),
    });
  }

  private onExit(
    index: number,
    handle: SandboxHandle,
    reason: SandboxExitReason,
    inFlight: string[],
  ): void {
    if (this.disposed) return;
    const slot = this.slots[index] as Slot;
    if (slot.handle !== handle) return;
    const fault = handle.fault === undefined ? {} : { fault: handle.fault };
    this.deps.onSandboxExit?.(reason, { pid: handle.pid, inFlight: inFlight.length, ...fault });
    this.quarantine.sandboxDied(inFlight);
    for (const [name, assigned] of this.assignment)
      if (assigned === index) this.assignment.delete(name);
    slot.restarts++;
    const lived = performance.now() - handle.startedAt;
    slot.quickDeaths = lived < QUICK_DEATH_MS ? slot.quickDeaths + 1 : 0;
    const delay = slot.quickDeaths <= 1 ? 0 : Math.min(100 * 2 ** slot.quickDeaths, MAX_BACKOFF_MS);
    slot.timer = setTimeout(() => this.start(index), delay);
  }

  /**
   * The heartbeat, every CHECK_MS: memory ceiling, unanswered pings, calls past their
   * deadline. A sandbox in sync execution cannot answer while a call runs, so silence
   * alone is no fault there: it is killed when it has been silent a while *and* its
   * oldest call is past its timeout plus a grace (V8 ignoring termination, as in a
   * catastrophic out-of-memory, leaves exactly this).
   */
  private check(): void {
    const now = performance.now();
    for (const slot of this.slots) {
      const handle = slot.handle;
      if (!handle || handle.state === 'dead') continue;
      if (handle.state === 'starting') {
        if (now - handle.startedAt > READY_WAIT_MS) handle.kill('unresponsive');
        continue;
      }
      const ceiling = (this.options.rssBaseMb + 2 * handle.reservedMb) * 1024 * 1024;
      if (handle.readRss() > ceiling) {
        handle.kill('memory');
        continue;
      }
      const silentMs =
        handle.pingOutstandingSince === undefined ? 0 : now - handle.pingOutstandingSince;
      const oldest = handle.oldestInvocation();
      const overdueMs = oldest ? now - oldest.startedAt - oldest.fn.config.timeout_ms : 0;
      const stuck =
        this.limits.execution === 'sync'
          ? silentMs > SILENT_WHILE_STUCK_MS && overdueMs > STUCK_GRACE_MS
          : silentMs > this.options.heartbeatTimeoutMs;
      const hung = silentMs > this.options.heartbeatTimeoutMs && !oldest;
      if (stuck || hung || (oldest && now - oldest.startedAt > this.backstopMs(oldest.fn))) {
        handle.kill('unresponsive');
        continue;
      }
      handle.ping();
    }
  }

  /** Past this, a call is lost even if the sandbox still answers pings. */
  private backstopMs(fn: RunnableFunction): number {
    return fn.config.timeout_ms + this.limits.initTimeoutMs + 2 * this.limits.queueTimeoutMs + 5000;
  }
}

/** Splits instance-wide bounds across the sandboxes; per-call bounds stay as they are. */
function share(limits: RuntimeLimits, n: number): RuntimeLimits {
  return {
    ...limits,
    maxExecuting: Math.max(1, Math.ceil(limits.maxExecuting / n)),
    maxIsolates: Math.max(1, Math.ceil(limits.maxIsolates / n)),
    maxTotalMemoryMb: Math.max(16, Math.floor(limits.maxTotalMemoryMb / n)),
    spareIsolates: Math.ceil(limits.spareIsolates / n),
  };
}

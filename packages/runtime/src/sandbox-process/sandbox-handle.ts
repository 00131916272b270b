import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import {
  ERROR_STATUS,
  type ErrorCode,
  type InvocationOutcome,
  MiniLambdaError,
  type RunnableFunction,
} from '@mini-lambda/core';
import { type Channel, createChannel } from '../ipc/channel.ts';
import type { Frame } from '../ipc/frame.ts';
import { MSG } from '../ipc/messages.ts';
import { notRun } from '../not-run.ts';
import type { RuntimeStats } from '../stats.ts';

/** Why a sandbox was replaced (the `reason` label of mini_lambda_sandbox_restarts_total). */
export type SandboxExitReason = 'exited' | 'unresponsive' | 'memory' | 'catastrophic' | 'protocol';

interface PendingInvocation {
  fn: RunnableFunction;
  invocationId: string;
  startedAt: number;
  resolve: (outcome: InvocationOutcome) => void;
  reject: (err: Error) => void;
}

export interface SandboxHandleDeps {
  child: ChildProcess;
  loadCode: (fn: RunnableFunction) => Promise<string>;
  /**
   * Called once, when the process is gone (killed by us or not), with the functions to
   * blame: the one named by a catastrophe, else those in flight when it was killed or died.
   */
  onExit: (handle: SandboxHandle, reason: SandboxExitReason, blamed: string[]) => void;
  /** Lines the sandbox wrote to stdout/stderr (Node's own fatal messages, mostly). */
  onOutput: (line: string) => void;
}

const PAGE = 4096;
/** A call that failed this recently before a sandbox died is a suspect. */
const SUSPECT_MS = 5_000;

/** One sandbox process as the supervisor sees it: its channel, calls in flight, vitals. */
export class SandboxHandle {
  readonly pid: number;
  readonly startedAt = performance.now();
  readonly ready: Promise<boolean>;
  state: 'starting' | 'ready' | 'dead' = 'starting';
  /** Resident memory, from /proc when readable, else as last reported. */
  rssBytes = 0;
  /** Sum of its isolates' memory limits, as last reported (for the RSS ceiling). */
  reservedMb = 0;
  isolates = 0;
  lastPongAt = performance.now();
  pingOutstandingSince: number | undefined;

  private readonly deps: SandboxHandleDeps;
  private readonly channel: Channel;
  private readonly pending = new Map<number, PendingInvocation>();
  private readonly replies = new Map<number, (frame: Frame) => void>();
  private nextId = 1;
  private lastStats: RuntimeStats | undefined;
  private exitReason: SandboxExitReason = 'exited';
  /** Asked to stop: its channel closing is expected, not a protocol fault. */
  private stopping = false;
  /** Whom to blame for its death: the function named by a catastrophe, or those in flight. */
  private blamed: string[] | undefined;
  /** Calls that ended in a timeout or out-of-memory lately: suspects when no one else is. */
  private recentFailures: { name: string; at: number }[] = [];
  private markReady: (ok: boolean) => void = () => {};

  constructor(deps: SandboxHandleDeps) {
    this.deps = deps;
    this.pid = deps.child.pid ?? 0;
    this.ready = new Promise((resolve) => {
      this.markReady = resolve;
    });
    this.channel = createChannel(
      deps.child.stdio[3] as Socket,
      (frame) => this.onFrame(frame),
      (_reason, malformed) => {
        if (malformed) this.kill('protocol');
        // A closed channel means the process is going; if it lingers, it is broken.
        else if (!this.stopping) setTimeout(() => this.kill('protocol'), 1000).unref();
      },
      'turn', // one write for all the calls of a loop turn (see createChannel)
    );
    for (const stream of [deps.child.stdout, deps.child.stderr]) {
      stream?.setEncoding('utf8');
      stream?.on('data', (text: string) => {
        for (const line of text.split('\n')) if (line.trim() !== '') deps.onOutput(line);
      });
    }
    // 'close', not 'exit': only then has everything the sandbox sent been read.
    deps.child.once('close', () => this.exited());
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** Names of the functions with an invocation in this sandbox now. */
  inFlightFunctions(): string[] {
    return [...this.pending.values()].map((p) => p.fn.name);
  }

  /**
   * Who likely killed it: the functions in flight, else those whose calls just ended in a
   * timeout or out-of-memory (a catastrophic one ends the call at its deadline, and the
   * process goes a moment later).
   */
  private suspects(): string[] {
    const inFlight = this.inFlightFunctions();
    if (inFlight.length > 0) return inFlight;
    const since = performance.now() - SUSPECT_MS;
    return this.recentFailures.filter((f) => f.at >= since).map((f) => f.name);
  }

  /**
   * Fit to take another function's call: answering pings, and no call of its own just
   * ended in a timeout or out-of-memory (V8 may still be spinning on one).
   */
  healthy(): boolean {
    const now = performance.now();
    if (this.pingOutstandingSince !== undefined && now - this.pingOutstandingSince > 100)
      return false;
    return !this.recentFailures.some((f) => now - f.at < SUSPECT_MS);
  }

  /** The oldest invocation's start, for the supervisor's watchdog. */
  oldestInvocation(): PendingInvocation | undefined {
    return this.pending.values().next().value;
  }

  invoke(fn: RunnableFunction, fnJson: string, event: string, invocationId: string) {
    return new Promise<InvocationOutcome>((resolve, reject) => {
      if (this.state === 'dead') {
        resolve(restarted(invocationId, 'the sandbox had already stopped'));
        return;
      }
      const id = this.nextId++;
      this.pending.set(id, { fn, invocationId, startedAt: performance.now(), resolve, reject });
      this.channel.send(MSG.invoke, id, `${invocationId}\n${Date.now()}\n${fnJson}`, event);
    });
  }

  retire(name: string, version?: number): void {
    this.channel.send(
      MSG.retire,
      0,
      JSON.stringify(version === undefined ? { name } : { name, version }),
    );
  }

  /**
   * The sandbox's runtime stats; when it does not answer within `ms` (busy with a sync
   * call), the last ones it gave, so /stats/pools and /metrics never wait on a function.
   */
  stats(ms: number): Promise<RuntimeStats | undefined> {
    if (this.state !== 'ready') return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const id = this.nextId++;
      const timer = setTimeout(() => {
        this.replies.delete(id);
        resolve(this.lastStats);
      }, ms);
      this.replies.set(id, (frame) => {
        clearTimeout(timer);
        this.lastStats = JSON.parse(frame.a) as RuntimeStats;
        resolve(this.lastStats);
      });
      this.channel.send(MSG.stats, id);
    });
  }

  ping(): void {
    if (this.state !== 'ready' || this.pingOutstandingSince !== undefined) return;
    this.pingOutstandingSince = performance.now();
    this.channel.send(MSG.ping, 0);
  }

  /** Resident memory straight from the kernel: it does not depend on the sandbox answering. */
  readRss(): number {
    try {
      const statm = readFileSync(`/proc/${this.pid}/statm`, 'utf8');
      this.rssBytes = Number(statm.split(' ')[1]) * PAGE;
    } catch {
      // not Linux, or already gone: keep the last reported figure
    }
    return this.rssBytes;
  }

  /** SIGKILL: a sandbox is never asked twice. Calls in flight end as SandboxRestarted. */
  kill(reason: SandboxExitReason, culprit?: string): void {
    if (this.state === 'dead') return;
    this.exitReason = reason;
    this.blamed ??= culprit ? [culprit] : this.suspects();
    this.deps.child.kill('SIGKILL');
  }

  /** Asks the sandbox to dispose its isolates and exit; SIGKILL after `ms`. */
  async stop(ms: number): Promise<void> {
    if (this.state === 'dead') return;
    this.stopping = true;
    const exited = new Promise<void>((resolve) => this.deps.child.once('close', () => resolve()));
    this.channel.send(MSG.dispose, 0);
    const timer = setTimeout(() => this.deps.child.kill('SIGKILL'), ms);
    await exited;
    clearTimeout(timer);
  }

  private onFrame(frame: Frame): void {
    switch (frame.type) {
      case MSG.outcome:
        this.settle(frame);
        return;
      case MSG.loadCode:
        this.serveCode(frame);
        return;
      case MSG.statsReply: {
        const reply = this.replies.get(frame.id);
        this.replies.delete(frame.id);
        reply?.(frame);
        return;
      }
      case MSG.pong: {
        const vitals = JSON.parse(frame.a) as { rss: number; reservedMb: number; isolates: number };
        this.rssBytes = vitals.rss;
        this.reservedMb = vitals.reservedMb;
        this.isolates = vitals.isolates;
        this.lastPongAt = performance.now();
        this.pingOutstandingSince = undefined;
        return;
      }
      case MSG.catastrophe:
        this.kill('catastrophic', frame.b || undefined);
        return;
      case MSG.ready:
        this.state = 'ready';
        this.markReady(true);
        return;
    }
  }

  private settle(frame: Frame): void {
    const call = this.pending.get(frame.id);
    if (!call) return;
    this.pending.delete(frame.id);
    const parsed = JSON.parse(frame.a) as
      | InvocationOutcome
      | { thrown: { code?: string; message?: string } };
    if ('thrown' in parsed) {
      call.reject(rebuildError(parsed.thrown));
      return;
    }
    if (!parsed.ok && ['timeout', 'oom', 'crashed'].includes(parsed.reason)) {
      this.recentFailures.push({ name: call.fn.name, at: performance.now() });
      if (this.recentFailures.length > 16) this.recentFailures.shift();
    }
    call.resolve(parsed.ok ? { ...parsed, result: frame.b } : parsed);
  }

  private serveCode(frame: Frame): void {
    let fn: RunnableFunction;
    try {
      fn = JSON.parse(frame.a) as RunnableFunction;
    } catch {
      this.kill('protocol');
      return;
    }
    this.deps.loadCode(fn).then(
      (code) => this.channel.send(MSG.code, frame.id, '', code),
      (err: unknown) => {
        const e = err as { code?: unknown; message?: unknown };
        const thrown = {
          code: typeof e.code === 'string' ? e.code : undefined,
          message: String(e.message ?? err),
        };
        this.channel.send(MSG.code, frame.id, JSON.stringify(thrown));
      },
    );
  }

  private exited(): void {
    if (this.state === 'dead') return;
    this.state = 'dead';
    this.markReady(false);
    const inFlight = this.blamed ?? this.suspects();
    for (const call of this.pending.values()) {
      call.resolve(restarted(call.invocationId, `the sandbox stopped (${this.exitReason})`));
    }
    this.pending.clear();
    this.channel.close();
    this.deps.onExit(this, this.exitReason, inFlight);
  }
}

/** A call lost with its sandbox (503 SandboxRestarted). */
function restarted(invocationId: string, why: string): InvocationOutcome {
  const message = `The invocation was lost: ${why}; the function may or may not have run`;
  return notRun('crashed', message, 1000, invocationId);
}

/** A platform error of the sandbox's, as ours again: known codes keep their status. */
export function rebuildError(thrown: { code?: string; message?: string }): Error {
  const message = thrown.message ?? 'The sandbox failed the invocation';
  if (thrown.code !== undefined && thrown.code in ERROR_STATUS) {
    return new MiniLambdaError(thrown.code as ErrorCode, message);
  }
  return Object.assign(new Error(message), thrown.code ? { code: thrown.code } : {});
}

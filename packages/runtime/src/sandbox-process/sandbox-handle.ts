import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import {
  ERROR_STATUS,
  type ErrorCode,
  type InvocationInput,
  type InvocationOutcome,
  MiniLambdaError,
  type ModuleInspection,
  type RunnableFunction,
  type RuntimeLimits,
} from '@mini-lambda/core';
import { type Channel, createChannel } from '../ipc/channel.ts';
import {
  createHostCodec,
  type HostMessage,
  maxSandboxFrameBytes,
  ProtocolError,
  type SandboxMessage,
  toWireError,
  type WireError,
} from '../ipc/protocol.ts';
import { notRun } from '../not-run.ts';
import type { InspectRequest, OutboundFetch } from '../runtime.ts';
import type { RuntimeStats } from '../stats.ts';
import { OutboundRelay } from './outbound-relay.ts';
import { type Registration, Registrations } from './registrations.ts';

/** Why a sandbox was replaced (the `reason` label of mini_lambda_sandbox_restarts_total). */
export type SandboxExitReason = 'exited' | 'unresponsive' | 'memory' | 'catastrophic' | 'protocol';

interface PendingInvocation {
  fn: RunnableFunction;
  registration: Registration;
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
  /**
   * The limits it was started with (its share of the instance's): what it sends is held
   * to them. Frames: `maxSandboxFrameBytes`. Log text: `logLimit`. Open code requests:
   * `maxIsolates` (one per pool being created, each holding an isolate's reservation
   * first). Reported reservations: `maxTotalMemoryMb`, which reservations never pass.
   */
  limits: RuntimeLimits;
  /** Function records registered with it at once, at most (see Registrations). */
  maxRegistrations: number;
  /** Bytes of code sent to it and still in our buffers (not read) past which it is killed. */
  maxUnreadCodeBytes: number;
  /** Where its functions' fetches go; without it they are refused. */
  fetch?: OutboundFetch | undefined;
}

const PAGE = 4096;
/** The largest id a frame carries; call ids wrap round after it. */
const MAX_ID = 0xffff_ffff;
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

  /** Code requests not answered yet, and bytes of code answers it has not read. */
  private codeRequests = 0;
  private unreadCodeBytes = 0;

  /** Why it was killed for a protocol fault: what it sent, for the logs. */
  fault: string | undefined;

  private readonly deps: SandboxHandleDeps;
  private readonly channel: Channel<HostMessage>;
  private readonly registrations: Registrations;
  private readonly pending = new Map<number, PendingInvocation>();
  private readonly statsReplies = new Map<number, (stats: RuntimeStats) => void>();
  private readonly relay: OutboundRelay;
  private readonly inspections = new Map<number, (inspection: ModuleInspection) => void>();
  private nextId = 1;
  private nextStatsId = 1;
  private pingId = 0;
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
    this.registrations = new Registrations(deps.maxRegistrations, {
      register: (ref, fn) => this.channel.send({ type: 'register', ref, fn }),
      unregister: (ref) => this.channel.send({ type: 'unregister', ref }),
    });
    this.relay = new OutboundRelay(deps.fetch, (m) => this.channel.send(m));
    const codec = createHostCodec(deps.limits.logLimit);
    this.channel = createChannel(deps.child.stdio[3] as Socket, codec, {
      onMessage: (message) => this.onMessage(message),
      onBroken: (reason, malformed) => {
        if (malformed) {
          this.fault = reason;
          this.kill('protocol');
        }
        // A closed channel means the process is going; if it lingers, it is broken.
        else if (!this.stopping) setTimeout(() => this.kill('protocol'), 1000).unref();
      },
      flush: 'turn', // one write for all the calls of a loop turn (see createChannel)
      maxFrameBytes: maxSandboxFrameBytes(deps.limits),
    });
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
    // A module evaluated for a deploy is a suspect no function can stand in for: nobody
    // is blamed (the deploy fails on its own).
    if (this.inspections.size > 0) return [];
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

  invoke(fn: RunnableFunction, fnJson: string, input: InvocationInput, invocationId: string) {
    return new Promise<InvocationOutcome>((resolve, reject) => {
      if (this.state === 'dead') {
        resolve(restarted(invocationId, 'the sandbox had already stopped'));
        return;
      }
      const registration = this.registrations.acquire(fn, fnJson);
      const id = this.nextId;
      // 4e9 calls later the ids come round; a call cannot stay in flight that long.
      this.nextId = id >= MAX_ID ? 1 : id + 1;
      const startedAt = performance.now();
      this.pending.set(id, { fn, registration, invocationId, startedAt, resolve, reject });
      const ref = registration.ref;
      const sentAt = Date.now();
      this.relay.open(id, fn, invocationId);
      this.channel.send(
        typeof input === 'string'
          ? { type: 'invoke', id, ref, invocationId, sentAt, event: input }
          : { type: 'invokeHttp', id, ref, invocationId, sentAt, request: input.request },
      );
    });
  }

  /**
   * Has the sandbox evaluate a bundle and report its handler style. A sandbox that dies
   * meanwhile, or does not answer within `ms`, reports the module as failed to load.
   */
  inspect(code: string, options: InspectRequest, ms: number): Promise<ModuleInspection> {
    const lost = (why: string): ModuleInspection => ({
      ok: false,
      reason: 'init_failed',
      message: `The module's top-level code failed: ${why}`,
    });
    if (this.state !== 'ready') return Promise.resolve(lost('no sandbox was ready'));
    return new Promise((resolve) => {
      const id = this.nextId;
      this.nextId = id >= MAX_ID ? 1 : id + 1;
      const timer = setTimeout(() => {
        this.inspections.delete(id);
        resolve(lost(`the sandbox did not answer within ${ms} ms`));
      }, ms);
      this.inspections.set(id, (inspection) => {
        clearTimeout(timer);
        this.inspections.delete(id);
        resolve(inspection);
      });
      this.channel.send({ type: 'inspect', id, code, ...options });
    });
  }

  /** Drains the sandbox's pools of `name` and unregisters its records. */
  retire(name: string, version?: number): void {
    this.channel.send(
      version === undefined ? { type: 'retire', name } : { type: 'retire', name, version },
    );
    this.registrations.retire(name, version);
  }

  /**
   * The sandbox's runtime stats; when it does not answer within `ms` (busy with a sync
   * call), the last ones it gave, so /stats/pools and /metrics never wait on a function.
   */
  stats(ms: number): Promise<RuntimeStats | undefined> {
    if (this.state !== 'ready') return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const id = this.nextStatsId++;
      const timer = setTimeout(() => {
        this.statsReplies.delete(id);
        resolve(this.lastStats);
      }, ms);
      this.statsReplies.set(id, (stats) => {
        clearTimeout(timer);
        this.lastStats = stats;
        resolve(stats);
      });
      this.channel.send({ type: 'stats', id });
    });
  }

  ping(): void {
    if (this.state !== 'ready' || this.pingOutstandingSince !== undefined) return;
    this.pingOutstandingSince = performance.now();
    this.channel.send({ type: 'ping', id: ++this.pingId });
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
    this.channel.send({ type: 'dispose' });
    const timer = setTimeout(() => this.deps.child.kill('SIGKILL'), ms);
    await exited;
    clearTimeout(timer);
  }

  /**
   * A checked message from the sandbox. One that does not fit the conversation (an
   * outcome for no call in flight, a reply to no request, code for a ref not registered
   * with it) is a ProtocolError: the channel breaks and the sandbox is killed.
   */
  private onMessage(m: SandboxMessage): void {
    switch (m.type) {
      case 'outcome': {
        const call = this.pending.get(m.id);
        this.settle(m.id, m.outcome);
        const left = call ? call.startedAt + call.fn.config.timeout_ms - performance.now() : 0;
        this.relay.settled(m.id, m.lingering === true, left);
        return;
      }
      case 'failed':
        this.settle(m.id, m.error);
        this.relay.close(m.id);
        return;
      case 'ended':
        this.relay.close(m.id);
        return;
      case 'fetch':
        this.relay.request(m.id, m.call, m.request);
        return;
      case 'fetchAbort':
        this.relay.abort(m.id);
        return;
      case 'inspected': {
        const answer = this.inspections.get(m.id);
        // An answer after its wait timed out is late, not a fault; one to no question is.
        if (!answer && (m.id === 0 || m.id >= this.nextId)) {
          throw new ProtocolError(`an inspection answer to no request (${m.id})`);
        }
        answer?.(m.inspection);
        return;
      }
      case 'loadCode':
        this.serveCode(m.id, m.ref);
        return;
      case 'statsReply': {
        const reply = this.statsReplies.get(m.id);
        // A reply after its wait timed out is late, not a fault; one to no request is.
        if (!reply && (m.id === 0 || m.id >= this.nextStatsId)) {
          throw new ProtocolError(`a stats reply to no request (${m.id})`);
        }
        this.statsReplies.delete(m.id);
        reply?.(m.stats);
        return;
      }
      case 'pong':
        if (this.pingOutstandingSince === undefined || m.id !== this.pingId) {
          throw new ProtocolError(`a pong to no ping (${m.id})`);
        }
        this.rssBytes = m.vitals.rss;
        // Clamped: a figure it made up must not lift its own memory ceiling.
        this.reservedMb = Math.min(m.vitals.reservedMb, this.deps.limits.maxTotalMemoryMb);
        this.isolates = m.vitals.isolates;
        this.lastPongAt = performance.now();
        this.pingOutstandingSince = undefined;
        return;
      case 'catastrophe': {
        // It may blame only a function it runs: a sandbox cannot get another quarantined.
        const name =
          m.name !== undefined && this.registrations.hasName(m.name) ? m.name : undefined;
        this.kill('catastrophic', name);
        return;
      }
      case 'ready':
        if (this.state !== 'starting') throw new ProtocolError('ready twice');
        this.state = 'ready';
        this.markReady(true);
        return;
    }
  }

  /** Ends a call in flight with its outcome, or with the platform error the sandbox threw. */
  private settle(id: number, outcome: InvocationOutcome | WireError): void {
    const call = this.pending.get(id);
    if (!call) throw new ProtocolError(`an answer for call ${id}, which is not in flight`);
    const isOutcome = 'invocationId' in outcome;
    if (isOutcome && outcome.invocationId !== call.invocationId) {
      throw new ProtocolError(`an outcome of call ${id} with another invocation id`);
    }
    this.pending.delete(id);
    this.registrations.release(call.registration);
    if (!isOutcome) {
      call.reject(rebuildError(outcome));
      return;
    }
    if (!outcome.ok && ['timeout', 'oom', 'crashed'].includes(outcome.reason)) {
      this.recentFailures.push({ name: call.fn.name, at: performance.now() });
      if (this.recentFailures.length > 16) this.recentFailures.shift();
    }
    call.resolve(outcome);
  }

  /** The bundle of a registered ref with a call in flight: a sandbox gets no other code. */
  private serveCode(id: number, ref: number): void {
    const registration = this.registrations.get(ref);
    if (!registration || registration.inFlight === 0) {
      throw new ProtocolError(
        `a code request for ref ${ref}, not registered with a call in flight`,
      );
    }
    const maxRequests = this.deps.limits.maxIsolates;
    if (++this.codeRequests > maxRequests) {
      throw new ProtocolError(`more than ${maxRequests} code requests at once`);
    }
    this.deps.loadCode(registration.fn).then(
      (code) => {
        this.codeRequests--;
        // A sandbox that asks for code and does not read what it gets would make us hold
        // every copy. Only code counts: events queued to a sandbox busy in a long call are
        // the clients' traffic, not its doing.
        const bytes = Buffer.byteLength(code);
        if (this.unreadCodeBytes + bytes > this.deps.maxUnreadCodeBytes) {
          this.fault = `asks for code with ${this.unreadCodeBytes} bytes of code unread`;
          this.kill('protocol');
          return;
        }
        this.unreadCodeBytes += bytes;
        this.channel.send({ type: 'code', id, code }, () => {
          this.unreadCodeBytes -= bytes;
        });
      },
      (err: unknown) => {
        this.codeRequests--;
        this.channel.send({ type: 'codeError', id, error: toWireError(err) });
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
    this.relay.closeAll();
    for (const answer of [...this.inspections.values()]) {
      answer({
        ok: false,
        reason: 'init_failed',
        message: `The module's top-level code failed: the sandbox stopped (${this.exitReason})`,
      });
    }
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
export function rebuildError(thrown: WireError): Error {
  const message = thrown.message ?? 'The sandbox failed the invocation';
  // Own keys only: `in` would also find `toString` or `constructor`, whose "status" is no status.
  if (thrown.code !== undefined && Object.hasOwn(ERROR_STATUS, thrown.code)) {
    return new MiniLambdaError(thrown.code as ErrorCode, message);
  }
  return Object.assign(new Error(message), thrown.code ? { code: thrown.code } : {});
}

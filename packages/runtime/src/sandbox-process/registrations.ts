import type { RunnableFunction } from '@mini-lambda/core';

/** One function record registered with one sandbox, under a small ref. */
export interface Registration {
  readonly ref: number;
  readonly fn: RunnableFunction;
  /** The record's JSON: the registration's key, so a changed config is a new registration. */
  readonly json: string;
  /** Calls of it in flight; while there are any it stays registered. */
  inFlight: number;
  lastUsed: number;
  /** No new call uses it; it goes when its last call in flight ends. */
  retired: boolean;
}

/** How registrations reach the sandbox. */
export interface RegistrationsSender {
  register(ref: number, fn: RunnableFunction): void;
  unregister(ref: number): void;
}

/** The largest ref, so that it fits a frame's u32 id; refs wrap round after it. */
const MAX_REF = 0xffff_ffff;

/**
 * The function records registered with one sandbox, keyed by their JSON (the same name
 * and version can come back with another config), bounded to `max`: past it, the least
 * recently used record with no call in flight is unregistered. A sandbox asks for code by
 * ref only for a call in flight, so a ref stays registered while it has calls in flight
 * (a code request never crosses its `unregister`), and a code request for any other ref
 * is a protocol fault.
 */
export class Registrations {
  private readonly byJson = new Map<string, Registration>();
  private readonly byRef = new Map<number, Registration>();
  private nextRef = 1;
  private clock = 0;
  private readonly max: number;
  private readonly sender: RegistrationsSender;

  constructor(max: number, sender: RegistrationsSender) {
    this.max = max;
    this.sender = sender;
  }

  get size(): number {
    return this.byRef.size;
  }

  /** The registration of `fn`, registered first if new, with one more call in flight. */
  acquire(fn: RunnableFunction, json: string): Registration {
    let reg = this.byJson.get(json);
    if (reg === undefined) {
      if (this.byRef.size >= this.max) this.evictOne();
      reg = { ref: this.takeRef(), fn, json, inFlight: 0, lastUsed: 0, retired: false };
      this.byJson.set(json, reg);
      this.byRef.set(reg.ref, reg);
      this.sender.register(reg.ref, fn);
    }
    reg.inFlight++;
    reg.lastUsed = ++this.clock;
    return reg;
  }

  /** A call of `reg` ended. */
  release(reg: Registration): void {
    reg.inFlight--;
    if (reg.retired && reg.inFlight === 0) this.drop(reg);
  }

  /** The registration under `ref`, if the sandbox may use it now. */
  get(ref: number): Registration | undefined {
    return this.byRef.get(ref);
  }

  /** Whether a record of `name` is registered (a catastrophe may name only those). */
  hasName(name: string): boolean {
    for (const reg of this.byRef.values()) if (reg.fn.name === name) return true;
    return false;
  }

  /** Unregisters the records of `name` (one version, or all) once their calls end. */
  retire(name: string, version?: number): void {
    for (const reg of [...this.byRef.values()]) {
      if (reg.fn.name === name && (version === undefined || reg.fn.version === version)) {
        this.retireOne(reg);
      }
    }
  }

  /** The least recently used idle record goes; with every one in flight, the bound gives. */
  private evictOne(): void {
    let victim: Registration | undefined;
    for (const reg of this.byJson.values()) {
      if (reg.inFlight === 0 && (victim === undefined || reg.lastUsed < victim.lastUsed)) {
        victim = reg;
      }
    }
    if (victim) this.retireOne(victim);
  }

  private retireOne(reg: Registration): void {
    if (reg.retired) return;
    reg.retired = true;
    this.byJson.delete(reg.json);
    if (reg.inFlight === 0) this.drop(reg);
  }

  private drop(reg: Registration): void {
    this.byRef.delete(reg.ref);
    this.sender.unregister(reg.ref);
  }

  private takeRef(): number {
    while (this.byRef.has(this.nextRef))
      this.nextRef = this.nextRef >= MAX_REF ? 1 : this.nextRef + 1;
    const ref = this.nextRef;
    this.nextRef = ref >= MAX_REF ? 1 : ref + 1;
    return ref;
  }
}

import { WaitQueue } from './wait-queue.ts';

/** Frees a slot; idempotent. */
export type Release = () => void;

/**
 * Caps how many isolates execute at once. isolated-vm runs every busy isolate on its own
 * thread without bound, so without this 16 spinning functions on 2 cores would starve
 * the host's event loop and every other function. Waiters are served in arrival order,
 * and give up after a bound so one function's spinners cannot delay others forever.
 */
export class CpuGate {
  private running = 0;
  private readonly waiters = new WaitQueue<Release>();
  readonly limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** A releaser when a slot is (or becomes) free within `waitMs`, else undefined. */
  acquire(waitMs: number): Release | Promise<Release | undefined> {
    if (this.running < this.limit) {
      this.running++;
      return this.releaser();
    }
    return this.waiters.wait(waitMs);
  }

  /** Ends every wait with `undefined` (shutdown). */
  drain(): void {
    this.waiters.drain();
  }

  get waiting(): number {
    return this.waiters.length;
  }

  get active(): number {
    return this.running;
  }

  private releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // Hand the slot straight to the next waiter, so the count never dips and refills.
      if (!this.waiters.grant(this.releaser())) this.running--;
    };
  }
}

import { Fifo } from './fifo.ts';

/**
 * Caps how many isolates execute at once. isolated-vm runs every busy isolate on its own
 * thread without bound, so without this 16 spinning functions on 2 cores would starve
 * the host's event loop and every other function. Waiters are served in arrival order.
 */
export class CpuGate {
  private running = 0;
  private readonly waiters = new Fifo<() => void>();

  readonly limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** Resolves when a slot is free; call the returned function exactly once to free it. */
  acquire(): Promise<() => void> | (() => void) {
    if (this.running < this.limit) {
      this.running++;
      return this.releaser();
    }
    return new Promise((resolve) => {
      this.waiters.push(() => resolve(this.releaser()));
    });
  }

  get waiting(): number {
    return this.waiters.length;
  }

  get active(): number {
    return this.running;
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      // Hand the slot straight to the next waiter, so the count never dips and refills.
      if (next) next();
      else this.running--;
    };
  }
}

import { Fifo } from './fifo.ts';

interface Waiter<T> {
  resolve: (value: T | undefined) => void;
  timer: NodeJS.Timeout;
}

/** A FIFO of waiters that each give up after a bound, resolving `undefined`. */
export class WaitQueue<T> {
  private readonly waiters = new Fifo<Waiter<T>>();

  get length(): number {
    return this.waiters.length;
  }

  /** Resolves with what `grant` hands over, or `undefined` after `ms`. */
  wait(ms: number): Promise<T | undefined> {
    return new Promise((resolve) => {
      const waiter: Waiter<T> = {
        resolve,
        timer: setTimeout(() => {
          this.waiters.remove(waiter);
          resolve(undefined);
        }, ms),
      };
      this.waiters.push(waiter);
    });
  }

  /** Hands `value` to the longest waiter; false when nobody waits. */
  grant(value: T): boolean {
    const waiter = this.waiters.shift();
    if (!waiter) return false;
    clearTimeout(waiter.timer);
    waiter.resolve(value);
    return true;
  }

  /** Ends every wait now with `undefined`. */
  drain(): void {
    for (const waiter of this.waiters.drain()) {
      clearTimeout(waiter.timer);
      waiter.resolve(undefined);
    }
  }
}

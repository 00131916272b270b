/**
 * Requests in flight, for graceful shutdown: once `draining`, responses ask the client
 * to close the connection, and `drain()` resolves when the last response has been sent.
 */
export function createTraffic() {
  let inFlight = 0;
  let draining = false;
  let waiters: (() => void)[] = [];
  return {
    begin(): void {
      inFlight++;
    },
    end(): void {
      inFlight--;
      if (inFlight === 0 && waiters.length > 0) {
        for (const wake of waiters) wake();
        waiters = [];
      }
    },
    get inFlight() {
      return inFlight;
    },
    get draining() {
      return draining;
    },
    /** Marks the start of the drain and resolves when no request is in flight. */
    drain(): Promise<void> {
      draining = true;
      if (inFlight === 0) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
  };
}

export type Traffic = ReturnType<typeof createTraffic>;

/**
 * A loop's doorbell: `ring()` ends the current (or next) `wait()` at once; rings while
 * nobody waits are kept as one, so a ring between two waits is never lost.
 */
export function createWakeSignal() {
  let rung = false;
  let resolveWait: (() => void) | undefined;
  return {
    ring(): void {
      rung = true;
      resolveWait?.();
    },
    /** Resolves on a ring or after `ms`, whichever is first. */
    wait(ms: number): Promise<void> {
      if (rung) {
        rung = false;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.max(0, ms));
        function done() {
          clearTimeout(timer);
          resolveWait = undefined;
          rung = false;
          resolve();
        }
        resolveWait = done;
      });
    },
  };
}

export type WakeSignal = ReturnType<typeof createWakeSignal>;

import { MiniLambdaError } from '@mini-lambda/core';

/**
 * Runs at most `concurrency` tasks at once and queues at most `queueLimit` more; past
 * that, 429 with a Retry-After hint. Builds hold a CPU each for up to their timeout,
 * so a burst of deploys must wait its turn instead of starving invocations.
 */
export function createLimiter(concurrency: number, queueLimit: number) {
  let running = 0;
  const queue: (() => void)[] = [];

  const release = () => {
    running--;
    const next = queue.shift();
    if (next) {
      running++;
      next();
    }
  };

  return {
    async run<T>(task: () => Promise<T>): Promise<T> {
      if (running >= concurrency) {
        if (queue.length >= queueLimit) {
          throw new MiniLambdaError(
            'TooManyRequests',
            'Too many deploys are being built; retry shortly',
            {
              retryAfterSeconds: 5,
            },
          );
        }
        await new Promise<void>((resolve) => queue.push(resolve));
      } else running++;
      try {
        return await task();
      } finally {
        release();
      }
    },
    get running() {
      return running;
    },
    get queued() {
      return queue.length;
    },
  };
}

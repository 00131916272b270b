/**
 * Which functions keep killing sandboxes. When a sandbox dies with invocations in flight,
 * each of the k functions involved gets 1/k of the blame (a function alone in flight when
 * its sandbox died gets all of it). `threshold` blame within `windowMs` quarantines the
 * function for `cooldownMs`.
 */
export class Quarantine {
  private readonly blame = new Map<string, { score: number; since: number }>();
  private readonly until = new Map<string, number>();
  private readonly options: { threshold: number; windowMs: number; cooldownMs: number };

  constructor(options: { threshold: number; windowMs: number; cooldownMs: number }) {
    this.options = options;
  }

  /** Records a sandbox death with these functions in flight. */
  sandboxDied(inFlight: Iterable<string>, now = performance.now()): void {
    for (const [name, entry] of this.blame) {
      if (now - entry.since > this.options.windowMs) this.blame.delete(name); // stays bounded
    }
    const names = new Set(inFlight);
    for (const name of names) {
      const entry = this.blame.get(name);
      const fresh = !entry || now - entry.since > this.options.windowMs;
      const score = (fresh ? 0 : entry.score) + 1 / names.size;
      this.blame.set(name, { score, since: fresh ? now : entry.since });
      if (score >= this.options.threshold - 1e-9) {
        this.until.set(name, now + this.options.cooldownMs);
        this.blame.delete(name);
      }
    }
  }

  /** Milliseconds of quarantine left for `name`, or 0. */
  remainingMs(name: string, now = performance.now()): number {
    const until = this.until.get(name);
    if (until === undefined) return 0;
    if (until <= now) {
      this.until.delete(name);
      return 0;
    }
    return until - now;
  }
}

import { type BlankIsolate, disposeIsolate } from './blank-isolate.ts';

/**
 * Blank isolates prepared in the background so a cold start only compiles and binds the
 * function. Kept for the memory size most recently cold-started (the isolate's heap
 * limit is fixed at creation), at most `limit` in all, refilled one at a time off the
 * request path.
 */
export class SpareIsolates {
  private spares: BlankIsolate[] = [];
  /** Cold starts that found a spare of their size, since the start. */
  private hits = 0;
  private wanted: number | undefined;
  private filling = false;
  private disposed = false;
  private readonly limit: number;
  private readonly create: (memoryMb: number) => Promise<BlankIsolate>;

  constructor(limit: number, create: (memoryMb: number) => Promise<BlankIsolate>) {
    this.limit = limit;
    this.create = create;
  }

  get count(): number {
    return this.spares.length;
  }

  /** How many cold starts took a spare so far (a refill may already have replaced them). */
  get taken(): number {
    return this.hits;
  }

  /** A spare of this size, if one is ready; `replenish()` once the cold start is done. */
  take(memoryMb: number): BlankIsolate | undefined {
    const i = this.spares.findIndex((s) => s.memoryMb === memoryMb);
    this.wanted = memoryMb;
    if (i < 0) return undefined;
    this.hits++;
    return this.spares.splice(i, 1)[0];
  }

  /**
   * Refills spares of the size last taken. Creating an isolate blocks this thread for
   * 2-5 ms, so call this after the cold start that took one has answered, not during it.
   */
  replenish(): void {
    if (this.limit === 0 || this.filling || this.wanted === undefined) return;
    this.filling = true;
    setImmediate(() => void this.fill());
  }

  private async fill(): Promise<void> {
    try {
      while (!this.disposed && this.wanted !== undefined) {
        const size = this.wanted;
        const ofSize = this.spares.filter((s) => s.memoryMb === size).length;
        if (ofSize >= this.limit) return;
        if (this.spares.length >= this.limit) {
          const other = this.spares.findIndex((s) => s.memoryMb !== size);
          const [dropped] = this.spares.splice(other, 1);
          if (dropped) disposeIsolate(dropped.isolate);
        }
        const blank = await this.create(size);
        if (this.disposed) disposeIsolate(blank.isolate);
        else this.spares.push(blank);
      }
    } catch {
      // A spare is an optimisation: a failed one leaves cold starts on the slow path.
    } finally {
      this.filling = false;
    }
  }

  dispose(): void {
    this.disposed = true;
    for (const spare of this.spares) disposeIsolate(spare.isolate);
    this.spares = [];
  }
}

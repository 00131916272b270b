import type { FunctionChange } from '@mini-lambda/store';

interface Seen {
  /** When the function last changed in any way. */
  changedAt: number;
  /** When it last changed other than by a deploy of a known version. */
  spoiledAt: number;
  /** The highest deployed version announced since the last possible delete. */
  newest: number;
}

/**
 * When each function last changed, on one counter. A caller keeps only a stamp and later
 * asks whether the function changed since, or whether the version it wrote is still the
 * latest: nothing to release when a call or a write fails half way.
 */
export function createChangeClock() {
  let tick = 0;
  let clearedAt = 0;
  const seen = new Map<string, Seen>();

  return {
    stamp: (): number => tick,

    note({ name, op, version }: FunctionChange): void {
      const at = ++tick;
      let s = seen.get(name);
      if (!s) {
        s = { changedAt: at, spoiledAt: 0, newest: 0 };
        seen.set(name, s);
      }
      s.changedAt = at;
      if (op === 'deploy' && version !== undefined) {
        s.newest = Math.max(s.newest, version);
        return;
      }
      s.spoiledAt = at;
      if (op !== 'patch') s.newest = 0; // after a delete, numbering starts again at 1
    },

    changedSince(name: string, since: number): boolean {
      return clearedAt > since || (seen.get(name)?.changedAt ?? 0) > since;
    },

    /**
     * Whether `version` of `name`, written by a transaction that began after `since`, is
     * still the latest. Versions are numbered in commit order, so it is when only deploys
     * of versions up to it were seen meanwhile (its own echo, or older writes committed
     * before it): those cannot have changed the config it was written with.
     */
    isLatest(name: string, version: number, since: number): boolean {
      if (clearedAt > since) return false;
      const s = seen.get(name);
      return s === undefined || (s.spoiledAt <= since && s.newest <= version);
    },

    /** Everything may have changed (a notification gap); what was known is forgotten. */
    clear(): void {
      clearedAt = ++tick;
      seen.clear();
    },
  };
}

import type { Types } from 'mongoose';
import { utcDay, type KbStatEvent } from '../../domain/kb-stats.js';
import type { KbStatCounts, KbStatsStore } from '../../store/kb-stats-store.js';
import { parseObjectId } from '../access.js';

/** Counts help center events without making the page wait for the database. */
export interface KbCounter {
  /** Adds one event to the article's day (an id that is not one is ignored); never throws, never waits. */
  count(articleId: string, event: KbStatEvent): void;
  /** Writes what is pending now (tests, shutdown). */
  flush(): Promise<void>;
  /** Flushes and stops the timer. */
  close(): Promise<void>;
}

export type KbCounterDeps = {
  kbStats: Pick<KbStatsStore, 'add'>;
  now: () => Date;
  /** Told when a write failed (the counts of that write are lost, the pages unaffected). */
  onError: (err: unknown) => void;
};

/** How often pending counts are written, and how many article-days may wait at most before a write is started at once. */
export interface KbCounterOptions {
  flushMs?: number;
  maxPending?: number;
}

/**
 * A buffered counter: events add up in memory per (article, day) and are written every `flushMs`
 * (1 s) as one `$inc` per article-day, so a busy article costs one small write a second whatever its
 * traffic. Memory is bounded: past `maxPending` (10,000) article-days a write starts at once. A failed
 * write is reported and its counts dropped (counts are figures, not records worth retrying forever).
 */
export function createKbCounter(deps: KbCounterDeps, opts: KbCounterOptions = {}): KbCounter {
  const flushMs = opts.flushMs ?? 1000;
  const maxPending = opts.maxPending ?? 10_000;
  let pending = new Map<string, { articleId: Types.ObjectId; day: string; counts: Partial<KbStatCounts> }>();
  let writing: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | null = null;

  const flush = (): Promise<void> => {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    if (pending.size === 0) return writing;
    const batch = [...pending.values()];
    pending = new Map();
    // Writes go one after the other, so a slow database sees at most one at a time from here.
    writing = writing.then(() => deps.kbStats.add(batch)).catch((err: unknown) => deps.onError(err));
    return writing;
  };

  return {
    count(id, event) {
      const articleId = parseObjectId(id);
      if (!articleId) return;
      const day = utcDay(deps.now());
      const key = `${articleId.toHexString()}|${day}`;
      const entry = pending.get(key) ?? { articleId, day, counts: {} };
      entry.counts[event] = (entry.counts[event] ?? 0) + 1;
      pending.set(key, entry);
      if (pending.size >= maxPending) void flush();
      else if (!timer) {
        timer = setTimeout(() => void flush(), flushMs);
        timer.unref();
      }
    },
    flush,
    async close() {
      await flush();
    },
  };
}

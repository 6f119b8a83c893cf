/**
 * An in-memory token bucket per client address, for the public help center (search, votes): each
 * address holds up to `capacity` tokens, refilled at `perSecond`; a request takes one. Memory is
 * bounded: past `maxKeys` addresses the least recently seen are forgotten (a forgotten address starts
 * with a full bucket, which only errs on the side of letting people in). Per process: with several
 * web processes, each counts on its own.
 */
export interface RateLimiter {
  /** Takes a token for this key: true when allowed; otherwise how many seconds until the next one. */
  take(key: string): { ok: true } | { ok: false; retryAfterSeconds: number };
}

/** The limits of one bucket. */
export interface RateLimit {
  capacity: number;
  perSecond: number;
  /** At most this many addresses remembered (10,000 when not given). */
  maxKeys?: number;
}

/** The help center's defaults: bursts of 20 searches, then one every 2 s; 10 votes, then one a minute. */
export const HELP_SEARCH_LIMIT: RateLimit = { capacity: 20, perSecond: 0.5 };
export const HELP_VOTE_LIMIT: RateLimit = { capacity: 10, perSecond: 1 / 60 };

/** A token bucket per key; `now` in milliseconds (tests pass a clock). */
export function createRateLimiter(limit: RateLimit, now: () => number = Date.now): RateLimiter {
  const maxKeys = limit.maxKeys ?? 10_000;
  // Insertion order is recency order: a key seen again is moved to the end.
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(key) {
      const t = now();
      const found = buckets.get(key);
      let tokens = limit.capacity;
      if (found) {
        tokens = Math.min(limit.capacity, found.tokens + ((t - found.at) / 1000) * limit.perSecond);
        buckets.delete(key);
      } else if (buckets.size >= maxKeys) {
        const oldest = buckets.keys().next().value;
        if (oldest !== undefined) buckets.delete(oldest);
      }
      if (tokens < 1) {
        buckets.set(key, { tokens, at: t });
        return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / limit.perSecond)) };
      }
      buckets.set(key, { tokens: tokens - 1, at: t });
      return { ok: true };
    },
  };
}

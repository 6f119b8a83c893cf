import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../../src/web/rate-limit.js';

describe('the per-address token bucket', () => {
  it('allows a burst, then one request per refill, per address', () => {
    let now = 0;
    const limiter = createRateLimiter({ capacity: 3, perSecond: 0.5 }, () => now);
    expect([1, 2, 3].map(() => limiter.take('a').ok)).toEqual([true, true, true]);
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 2 });
    // Another address has its own bucket.
    expect(limiter.take('b').ok).toBe(true);
    now = 2000;
    expect(limiter.take('a').ok).toBe(true);
    expect(limiter.take('a').ok).toBe(false);
    // Refusals do not dig the hole deeper: the wait stays what the refill says.
    now = 4000;
    expect(limiter.take('a').ok).toBe(true);
  });

  it('remembers at most maxKeys addresses, forgetting the least recently seen', () => {
    const limiter = createRateLimiter({ capacity: 1, perSecond: 0.001, maxKeys: 2 }, () => 0);
    expect(limiter.take('a').ok).toBe(true);
    expect(limiter.take('b').ok).toBe(true);
    expect(limiter.take('a').ok).toBe(false);
    // 'b' is now the least recently seen: a third address pushes it out, so it starts afresh.
    expect(limiter.take('c').ok).toBe(true);
    expect(limiter.take('b').ok).toBe(true);
    expect(limiter.take('c').ok).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { TICKET_AGE_BUCKETS, ticketAgeBucket, ticketAgeRange, type TicketAgeBucket } from '../../../src/domain/ticket-age.js';

const NOW = new Date('2026-03-10T09:30:00Z');
const DAY = 86_400_000;
const ago = (ms: number) => new Date(NOW.getTime() - ms);

/** Whether a creation time falls in a bucket's range, read as the list's query reads it. */
function inRange(bucket: TicketAgeBucket, createdAt: Date): boolean {
  const { createdAfter, createdAtOrBefore } = ticketAgeRange(bucket, NOW);
  return (!createdAfter || createdAt > createdAfter) && (!createdAtOrBefore || createdAt <= createdAtOrBefore);
}

describe('ticket age buckets', () => {
  it('gives each bucket its creation bounds, open at both ends of the scale', () => {
    expect(ticketAgeRange('under-1d', NOW)).toEqual({ createdAfter: ago(DAY) });
    expect(ticketAgeRange('1-3d', NOW)).toEqual({ createdAfter: ago(3 * DAY), createdAtOrBefore: ago(DAY) });
    expect(ticketAgeRange('3-7d', NOW)).toEqual({ createdAfter: ago(7 * DAY), createdAtOrBefore: ago(3 * DAY) });
    expect(ticketAgeRange('over-7d', NOW)).toEqual({ createdAtOrBefore: ago(7 * DAY) });
  });

  it('puts a ticket exactly one, three or seven days old in the older bucket', () => {
    expect(ticketAgeBucket(ago(DAY), NOW)).toBe('1-3d');
    expect(ticketAgeBucket(ago(DAY - 1), NOW)).toBe('under-1d');
    expect(ticketAgeBucket(ago(3 * DAY), NOW)).toBe('3-7d');
    expect(ticketAgeBucket(ago(3 * DAY - 1), NOW)).toBe('1-3d');
    expect(ticketAgeBucket(ago(7 * DAY), NOW)).toBe('over-7d');
    expect(ticketAgeBucket(ago(7 * DAY - 1), NOW)).toBe('3-7d');
    expect(ticketAgeBucket(ago(400 * DAY), NOW)).toBe('over-7d');
    // Created "in the future" (a clock ahead of ours): as new as can be.
    expect(ticketAgeBucket(new Date(NOW.getTime() + 60_000), NOW)).toBe('under-1d');
  });

  it('agrees with the ranges: every creation time is in exactly its own bucket’s range', () => {
    const ages = [0, 1, DAY - 1, DAY, DAY + 1, 2 * DAY, 3 * DAY - 1, 3 * DAY, 3 * DAY + 1, 7 * DAY - 1, 7 * DAY, 7 * DAY + 1, 90 * DAY];
    for (const age of ages) {
      const createdAt = ago(age);
      const bucket = ticketAgeBucket(createdAt, NOW);
      expect(TICKET_AGE_BUCKETS.filter((b) => inRange(b, createdAt)), `${age} ms old`).toEqual([bucket]);
    }
  });
});

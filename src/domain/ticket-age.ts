/**
 * How old an open ticket is, in the buckets a manager reads a backlog by: under a day, one to three
 * days, three to seven, over a week. Age runs from the ticket's creation, in calendar time.
 */
export const TICKET_AGE_BUCKETS = ['under-1d', '1-3d', '3-7d', 'over-7d'] as const;
export type TicketAgeBucket = (typeof TICKET_AGE_BUCKETS)[number];

const DAY_MS = 86_400_000;
/** Each bucket's [min, max) age in days; null is unbounded. */
const BOUNDS: Record<TicketAgeBucket, [number, number | null]> = {
  'under-1d': [0, 1],
  '1-3d': [1, 3],
  '3-7d': [3, 7],
  'over-7d': [7, null],
};

/**
 * The creation times of the tickets in `bucket` at `now`: created after `createdAfter` (exclusive)
 * and at or before `createdAtOrBefore`; either bound may be absent. A ticket exactly one day old is
 * in '1-3d', not 'under-1d'.
 */
export function ticketAgeRange(bucket: TicketAgeBucket, now: Date): { createdAfter?: Date; createdAtOrBefore?: Date } {
  const [min, max] = BOUNDS[bucket];
  return {
    ...(max !== null ? { createdAfter: new Date(now.getTime() - max * DAY_MS) } : {}),
    ...(min > 0 ? { createdAtOrBefore: new Date(now.getTime() - min * DAY_MS) } : {}),
  };
}

/** The bucket of a ticket created at `createdAt`, seen at `now` (a creation in the future counts as new). */
export function ticketAgeBucket(createdAt: Date, now: Date): TicketAgeBucket {
  const days = (now.getTime() - createdAt.getTime()) / DAY_MS;
  return TICKET_AGE_BUCKETS.find((b) => days < (BOUNDS[b][1] ?? Infinity)) ?? 'over-7d';
}

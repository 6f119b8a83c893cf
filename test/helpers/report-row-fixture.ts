import type { ReportRow } from '../../src/domain/report-row.js';

/** An id written as 24 hex digits from a number (distinct numbers, distinct ids). */
export const hexId = (n: number) => n.toString(16).padStart(24, '0');

/**
 * A report row with nothing in it but its number, its ticket id (`ticketId` from the number) and
 * `inboxId`: no team, assignee or category, priority normal, no tags, neither excluded nor active,
 * no metrics, rating or trail; `over` sets the rest.
 */
export function reportRowFixture(number: number, inboxId: string, over: Partial<ReportRow> = {}): ReportRow {
  return {
    number,
    ticketId: hexId(number),
    inboxId,
    teamId: null,
    assigneeId: null,
    categoryId: null,
    priority: 'normal',
    tags: [],
    excluded: false,
    active: false,
    createdAt: 0,
    firstResponse: null,
    resolution: null,
    rating: null,
    events: [],
    ...over,
  };
}

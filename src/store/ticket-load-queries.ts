import type { Types } from 'mongoose';
import { TICKET_AGE_BUCKETS, ticketAgeRange, type TicketAgeBucket } from '../domain/ticket-age.js';
import { ACTIVE_TICKET_STATUSES, type TicketPriority } from '../domain/ticket-status.js';
import type { Models } from './models/index.js';


/** Which tickets the team load counts: the active, unmerged tickets of these inboxes. */
export interface TicketLoadFilter {
  inboxIds: Types.ObjectId[];
}

/** How many active tickets share one assignee, team, priority and age bucket. */
export interface TicketLoadRow {
  /** null: nobody's. */
  assigneeId: Types.ObjectId | null;
  /** null: no team. */
  teamId: Types.ObjectId | null;
  priority: TicketPriority;
  age: TicketAgeBucket;
  count: number;
}

/**
 * The age bucket of `$createdAt` at `now`, as an aggregation expression: the same bounds as
 * {@link ticketAgeRange} (so a count matches the list filtered by that bucket), newest first.
 */
function ageExpression(now: Date): Record<string, unknown> {
  const branches = TICKET_AGE_BUCKETS.flatMap((bucket) => {
    const { createdAfter } = ticketAgeRange(bucket, now);
    return createdAfter ? [{ case: { $gt: ['$createdAt', createdAfter] }, then: bucket }] : [];
  });
  return { $switch: { branches, default: TICKET_AGE_BUCKETS[TICKET_AGE_BUCKETS.length - 1] } };
}

/** The team load's query: one aggregation over the active tickets of some inboxes. */
export function createTicketLoadQueries(models: Pick<Models, 'Ticket'>) {
  return {
    /**
     * The active (new, open, pending), unmerged tickets of these inboxes counted per assignee, team,
     * priority and age bucket at `now`: one `$group` over the tickets the (inboxId, status, …) index
     * finds, so the cost follows the open backlog, never the number of agents. Rows are few (at most
     * assignees × teams × 4 × 4); the caller sums them up as it needs.
     */
    async loadByAssigneeAndTeam(filter: TicketLoadFilter, now: Date): Promise<TicketLoadRow[]> {
      if (filter.inboxIds.length === 0) return [];
      const rows = await models.Ticket.aggregate<{ _id: { a: Types.ObjectId | null; t: Types.ObjectId | null; p: TicketPriority; g: TicketAgeBucket }; n: number }>([
        { $match: { inboxId: { $in: filter.inboxIds }, status: { $in: [...ACTIVE_TICKET_STATUSES] }, mergedIntoId: null } },
        {
          $group: {
            _id: { a: { $ifNull: ['$assigneeId', null] }, t: { $ifNull: ['$teamId', null] }, p: { $ifNull: ['$priority', 'normal'] }, g: ageExpression(now) },
            n: { $sum: 1 },
          },
        },
      ]);
      return rows.map((r) => ({ assigneeId: r._id.a ?? null, teamId: r._id.t ?? null, priority: r._id.p, age: r._id.g, count: r.n }));
    },
  };
}

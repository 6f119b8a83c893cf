import type { QueryFilter, Types } from 'mongoose';
import { ACTIVE_TICKET_STATUSES, type TicketPriority, type TicketStatus } from '../domain/ticket-status.js';
import type { Models } from './models/index.js';
import type { TicketDoc } from './models/ticket.js';

/** The fields a ticket list needs; also the projection used to read them. */
const TICKET_SUMMARY_FIELDS = {
  number: 1, subject: 1, status: 1, priority: 1, inboxId: 1, teamId: 1, categoryId: 1, impact: 1, urgency: 1, requester: 1, assigneeId: 1, tags: 1,
  messageCount: 1, lastActivityAt: 1, createdAt: 1, updatedAt: 1, sla: 1, mergedIntoId: 1, snoozed: 1, snooze: 1, wokeFromSnooze: 1,
} as const;

/** A ticket as a list shows it. */
export type TicketSummaryRow = Pick<TicketDoc, '_id' | keyof typeof TICKET_SUMMARY_FIELDS>;

/** Which tickets a list (or its count) holds, as {@link createTicketListQueries} `listPage` and `countList` read it. */
export interface TicketListFilter {
  /** Only these inboxes (one, or the actor's); absent: every inbox. */
  inboxIds?: Types.ObjectId[];
  /** Only tickets holding one of these access keys (`inbox:<id>`, `team:<id>`): an agent's scope; absent: no restriction. */
  access?: string[];
  /** Only these statuses; absent: any. */
  statuses?: TicketStatus[];
  /** Only tickets assigned to this user, or (null) to nobody; absent: anyone's. */
  assigneeId?: Types.ObjectId | null;
  /** Only tickets of these teams (one, or the teams of a level); absent: any team or none. */
  teamIds?: Types.ObjectId[];
  /** Only tickets of no team (exclusive with `teamIds`). */
  noTeam?: boolean;
  /** Only these priorities; absent: any. */
  priorities?: TicketPriority[];
  /** Only tickets created after this (exclusive). */
  createdAfter?: Date;
  /** Only tickets created at or before this. */
  createdAtOrBefore?: Date;
  /** Only tickets of this category. */
  categoryId?: Types.ObjectId;
  /** Only tickets with this tag (as stored, lower-case). */
  tag?: string;
  /** Only tickets whose next SLA due time (or breach) is at or before this. */
  dueBy?: Date;
  /** Search words that must all be among the ticket's search terms. */
  terms?: readonly string[];
  /** true: only snoozed tickets; false: none of them; absent: either. */
  snoozed?: boolean;
}

/** One page of the ticket list, as {@link createTicketListQueries} `listPage` reads it. */
export interface TicketListQuery extends TicketListFilter {
  /** Where the previous page ended: this page starts strictly after that ticket. */
  after?: { lastActivityAt: Date; id: Types.ObjectId };
  /** The page size. */
  limit: number;
}

/** The statuses a digest counts as open backlog. */
const DIGEST_OPEN: TicketStatus[] = [...ACTIVE_TICKET_STATUSES];

/**
 * The query of a list filter: merged tickets left out, each condition on one field, never an `$or`
 * across fields (the built-in server serves `$or` without its indexes), so every filter is index-backed
 * (priority, age and category ride on another condition's index, see below).
 */
function listFilter(q: TicketListFilter): QueryFilter<TicketDoc> {
  const filter: QueryFilter<TicketDoc> = {};
  if (q.inboxIds) filter.inboxId = q.inboxIds.length === 1 ? (q.inboxIds[0] as Types.ObjectId) : { $in: q.inboxIds };
  // Equality (or $in) on the multikey access keys, served by the (access, [status,] lastActivityAt, _id) indexes.
  if (q.access) filter.access = q.access.length === 1 ? q.access[0] : { $in: q.access };
  if (q.statuses) filter.status = q.statuses.length === 1 ? q.statuses[0] : { $in: q.statuses };
  filter.mergedIntoId = null;
  // Served by the (assigneeId, status, lastActivityAt, _id) index in the same keyset order.
  if (q.assigneeId !== undefined) filter.assigneeId = q.assigneeId;
  // Served by the (teamId, status, lastActivityAt, _id) and (teamId, lastActivityAt, _id) indexes; a
  // level is the $in of its teams, merged in keyset order like an agent's inboxes.
  if (q.teamIds) filter.teamId = q.teamIds.length === 1 ? (q.teamIds[0] as Types.ObjectId) : { $in: q.teamIds };
  else if (q.noTeam) filter.teamId = null;
  // Priority, age and category have no index of their own: they are checked on the tickets another
  // condition's index finds in list order. The team load page always sends them with a status and a
  // team or a person (already selective indexes); alone, walking the list order stops once a page is
  // full, and a priority (four values, most tickets normal) or an age bucket would barely narrow it,
  // while each extra index slows every ticket write.
  if (q.priorities) filter.priority = q.priorities.length === 1 ? q.priorities[0] : { $in: q.priorities };
  if (q.createdAfter || q.createdAtOrBefore) {
    filter.createdAt = { ...(q.createdAfter ? { $gt: q.createdAfter } : {}), ...(q.createdAtOrBefore ? { $lte: q.createdAtOrBefore } : {}) };
  }
  if (q.categoryId) filter.categoryId = q.categoryId;
  if (q.tag) filter.tags = q.tag;
  if (q.dueBy) filter['sla.nextDueAt'] = { $lte: q.dueBy };
  // A flag kept by the snooze use cases and jobs, never a date compared here: one plain condition.
  // The Snoozed view has its (snoozed, lastActivityAt, _id) index; the others check it on what their index finds.
  if (q.snoozed === true) filter.snoozed = true;
  else if (q.snoozed === false) filter.snoozed = { $ne: true };
  const [first, ...more] = q.terms ?? [];
  if (first !== undefined) {
    // Equality on the first word drives the multikey index; the others are checked on what it finds.
    filter.searchTerms = first;
    if (more.length > 0) filter.$and = more.map((term) => ({ searchTerms: term }));
  }
  return filter;
}

/**
 * The ticket store's list and report queries (the ticket list, a requester's tickets, the inbox
 * overview, digests), and the backfill of the fields the list filters on. Every query here is meant
 * to be served by an index of the ticket model; keep their shapes when changing them.
 */
export function createTicketListQueries(models: Pick<Models, 'Ticket'>) {
  return {
    /**
     * One page of the ticket list, newest activity first, merged tickets left out. Keyset-paged on
     * (lastActivityAt desc, _id desc), so the query walks the list indexes instead of skipping.
     */
    async listPage(q: TicketListQuery): Promise<{ items: TicketSummaryRow[]; hasMore: boolean }> {
      const filter = listFilter(q);
      if (q.after) {
        // The $lte bound gives the index scan a start; the $or drops the ties already returned.
        filter.lastActivityAt = { $lte: q.after.lastActivityAt };
        filter.$or = [{ lastActivityAt: { $lt: q.after.lastActivityAt } }, { _id: { $lt: q.after.id } }];
      }
      // One row more than the page tells whether another page follows.
      const rows = await models.Ticket.find(filter)
        .select(TICKET_SUMMARY_FIELDS)
        .sort({ lastActivityAt: -1, _id: -1 })
        .limit(q.limit + 1)
        .lean();
      return { items: rows.slice(0, q.limit), hasMore: rows.length > q.limit };
    },

    /** The newest unmerged tickets of a requester (by email) other than `exceptId`, holding one of `access` if given. */
    async listOthersOfRequester(opts: { email: string; exceptId: Types.ObjectId; access?: string[]; limit: number }): Promise<TicketSummaryRow[]> {
      return models.Ticket.find({
        'requester.email': opts.email,
        _id: { $ne: opts.exceptId },
        mergedIntoId: null,
        ...(opts.access ? { access: { $in: opts.access } } : {}),
      })
        .select(TICKET_SUMMARY_FIELDS)
        .sort({ createdAt: -1, _id: -1 })
        .limit(opts.limit)
        .lean();
    },

    /**
     * How many tickets a list with this filter holds: the same query as {@link listPage} without its
     * keyset bound, so a count and its list always agree. One countDocuments, served by the same index.
     */
    countList(q: TicketListFilter, opts: { limit?: number } = {}): Promise<number> {
      return models.Ticket.countDocuments(listFilter(q), opts.limit ? { limit: opts.limit } : {}).exec();
    },

    /** The ids of every active unmerged ticket of an inbox, read as they are iterated. */
    async *activeIdsOfInbox(inboxId: Types.ObjectId): AsyncGenerator<Types.ObjectId> {
      for await (const t of models.Ticket.find({ inboxId, status: { $in: [...ACTIVE_TICKET_STATUSES] }, mergedIntoId: null }, { _id: 1 }).lean().cursor()) yield t._id;
    },

    /** The ids of every active unmerged ticket of a team, read as they are iterated (the team's list index). */
    async *activeIdsOfTeam(teamId: Types.ObjectId): AsyncGenerator<Types.ObjectId> {
      for await (const t of models.Ticket.find({ teamId, status: { $in: [...ACTIVE_TICKET_STATUSES] }, mergedIntoId: null }, { _id: 1 }).lean().cursor()) yield t._id;
    },

    /** Digest: how many unmerged tickets of these inboxes were created in [since, until). */
    countCreatedIn(inboxIds: Types.ObjectId[], since: Date, until: Date): Promise<number> {
      return models.Ticket.countDocuments({ inboxId: { $in: inboxIds }, mergedIntoId: null, createdAt: { $gte: since, $lt: until } });
    },

    /** Digest: the unmerged tickets of these inboxes solved in [since, until), with when they were created and solved. */
    async listSolvedIn(inboxIds: Types.ObjectId[], since: Date, until: Date): Promise<Array<Pick<TicketDoc, '_id' | 'createdAt' | 'solvedAt'>>> {
      return models.Ticket.find({ inboxId: { $in: inboxIds }, mergedIntoId: null, solvedAt: { $gte: since, $lt: until } }, { createdAt: 1, solvedAt: 1 }).lean();
    },

    /** Digest: the open backlog of these inboxes as of `until` (unmerged, active, created before it). */
    async listOpenCreatedBefore(inboxIds: Types.ObjectId[], until: Date): Promise<Array<Pick<TicketDoc, '_id' | 'number' | 'subject' | 'createdAt' | 'assigneeId' | 'sla'>>> {
      return models.Ticket.find(
        { inboxId: { $in: inboxIds }, mergedIntoId: null, status: { $in: DIGEST_OPEN }, createdAt: { $lt: until } },
        { number: 1, subject: 1, createdAt: 1, assigneeId: 1, sla: 1 },
      ).lean();
    },

    /** Digest: the ids of every ticket of these inboxes, merged ones included (they keep their own trail). */
    listIdsInInboxes(inboxIds: Types.ObjectId[]): Promise<Types.ObjectId[]> {
      return models.Ticket.distinct('_id', { inboxId: { $in: inboxIds } });
    },

    /** Digest: the unmerged tickets of these inboxes first answered in [since, until). */
    async listFirstRespondedIn(inboxIds: Types.ObjectId[], since: Date, until: Date): Promise<Array<Pick<TicketDoc, '_id' | 'createdAt' | 'sla'>>> {
      return models.Ticket.find({ inboxId: { $in: inboxIds }, mergedIntoId: null, 'sla.firstRespondedAt': { $gte: since, $lt: until } }, { createdAt: 1, sla: 1 }).lean();
    },

    /** Tickets by id with their number and subject, to name them in a report. */
    async listTitles(ids: readonly Types.ObjectId[]): Promise<Array<Pick<TicketDoc, '_id' | 'number' | 'subject'>>> {
      return models.Ticket.find({ _id: { $in: ids } }, { number: 1, subject: 1 }).lean();
    },

    /** Up to `limit` tickets after `after` (in `_id` order) stored before the list had search, with what their search fields derive from. */
    async listMissingSearch(after: Types.ObjectId | null, limit: number): Promise<Array<Pick<TicketDoc, '_id' | 'subject' | 'requester' | 'status' | 'sla'>>> {
      return models.Ticket.find({ ...(after ? { _id: { $gt: after } } : {}), searchTerms: { $exists: false } })
        .select({ subject: 1, requester: 1, status: 1, sla: 1 })
        .sort({ _id: 1 })
        .limit(limit)
        .lean();
    },

    /** Stores the search terms and next due time of tickets still without search terms, in one round trip. */
    async fillSearch(rows: ReadonlyArray<{ id: Types.ObjectId; searchTerms: string[]; nextDueAt: Date | null }>): Promise<void> {
      await models.Ticket.bulkWrite(
        rows.map((r) => ({
          updateOne: {
            filter: { _id: r.id, searchTerms: { $exists: false } },
            update: { $set: { searchTerms: r.searchTerms, 'sla.nextDueAt': r.nextDueAt } },
          },
        })),
        { ordered: false },
      );
    },
  };
}

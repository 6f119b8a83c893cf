import type { QueryFilter, Types } from 'mongoose';
import { prefixRangeEnd, type TermCondition } from '../domain/search-query.js';
import { ACTIVE_TICKET_STATUSES, type TicketPriority, type TicketStatus } from '../domain/ticket-status.js';
import type { Models } from './models/index.js';
import type { TicketDoc } from './models/ticket.js';

/** The fields a ticket list needs; also the projection used to read them. */
const TICKET_SUMMARY_FIELDS = {
  number: 1, subject: 1, status: 1, priority: 1, inboxId: 1, teamId: 1, categoryId: 1, impact: 1, urgency: 1, requester: 1, assigneeId: 1, tags: 1,
  messageCount: 1, lastActivityAt: 1, createdAt: 1, updatedAt: 1, sla: 1, mergedIntoId: 1, snoozed: 1, snooze: 1, wokeFromSnooze: 1,
  // Waiting for a free agent (auto-assignment), shown on the row.
  assignment: 1,
  // The customer's satisfaction rating, a badge on the row (a bad one flags the ticket).
  satisfaction: 1,
  // The stored metrics (domain/ticket-metrics.ts): first response, resolution, reopens, SLA attainment.
  metrics: 1,
  // The latest news, compared with the reader's mark for the unread state (services/tickets/ticket-summaries.ts).
  newsAt: 1, newsBy: 1,
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
  /** Only tickets with every one of these tags (as stored, lower-case). */
  tags?: string[];
  /** Only tickets with none of these tags. */
  excludedTags?: string[];
  /** Only tickets none of these statuses (`-status:`). */
  excludedStatuses?: TicketStatus[];
  /** Only tickets whose next SLA due time (or breach) is at or before this. */
  dueBy?: Date;
  /** A text search on the tickets' search terms (domain/ticket-search.ts). */
  search?: TicketTermFilter;
  /** Only tickets with a next SLA due time (`true`), or none (`false`): the two parts of the list sorted by due time. */
  hasDue?: boolean;
  /** true: only snoozed tickets; false: none of them; absent: either. */
  snoozed?: boolean;
}

/** Conditions on a ticket's `searchTerms`. */
export interface TicketTermFilter {
  /** Each must hold. */
  all: readonly TermCondition[];
  /** None of these terms may be held. */
  none?: readonly string[];
  /** These must not all hold together (the subject-ranked part of a search leaves its matches out of the rest). */
  notAll?: readonly TermCondition[];
}

/** The orders a list can have: last activity (newest first), creation (newest first), next SLA due time (soonest first). */
export type TicketListSort = 'activity' | 'created' | 'due';

/* The field and direction of each order; `_id` in the same direction breaks ties. */
const SORT_FIELDS: Record<TicketListSort, { field: 'lastActivityAt' | 'createdAt' | 'sla.nextDueAt'; dir: 1 | -1 }> = {
  activity: { field: 'lastActivityAt', dir: -1 },
  created: { field: 'createdAt', dir: -1 },
  due: { field: 'sla.nextDueAt', dir: 1 },
};

/** One page of the ticket list, as {@link createTicketListQueries} `listPage` reads it. */
export interface TicketListQuery extends TicketListFilter {
  /** The order (default: last activity). `due` lists only tickets with a due time; `hasDue: false` lists the others. */
  sort?: TicketListSort;
  /** Where the previous page ended, as that ticket's sort key and id: this page starts strictly after it. */
  after?: { key: Date; id: Types.ObjectId };
  /** The page size. */
  limit: number;
}

/** The statuses a digest lists tickets of (about to breach, unassigned): the backlog's. */
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
  if (q.tags?.length || q.excludedTags?.length) {
    filter.tags = { ...(q.tags?.length ? { $all: q.tags } : {}), ...(q.excludedTags?.length ? { $nin: q.excludedTags } : {}) };
  }
  if (q.excludedStatuses?.length) filter.status = q.statuses ? { $in: q.statuses.filter((s) => !q.excludedStatuses!.includes(s)) } : { $nin: q.excludedStatuses };
  // Spam is in no list but its own (`status=spam`): a list naming no status leaves it out, checked on what its index finds.
  if (!q.statuses) filter.status = { $nin: ['spam', ...(q.excludedStatuses ?? [])] };
  // A range (from the epoch) rather than `$ne: null`, so an index on the due time serves it in order.
  if (q.dueBy || q.hasDue) filter['sla.nextDueAt'] = { ...(q.hasDue ? { $gte: DUE_EPOCH } : {}), ...(q.dueBy ? { $lte: q.dueBy } : {}) };
  else if (q.hasDue === false) filter['sla.nextDueAt'] = null;
  // A flag kept by the snooze use cases and jobs, never a date compared here: one plain condition.
  // The Snoozed view has its (snoozed, lastActivityAt, _id) index; the others check it on what their index finds.
  if (q.snoozed === true) filter.snoozed = true;
  else if (q.snoozed === false) filter.snoozed = { $ne: true };
  if (q.search) filter.$and = termFilter(q.search);
  return filter;
}

const DUE_EPOCH = new Date(0);

/* One condition on the terms: equality or `$in` on the multikey index, or a prefix as an `$elemMatch`
 * range (one element within both bounds; MongoDB and the built-in server serve it from the index). */
function termCondition(c: TermCondition): QueryFilter<TicketDoc> {
  if (c.prefix !== undefined) return { searchTerms: { $elemMatch: { $gte: c.prefix, $lt: prefixRangeEnd(c.prefix) } } };
  return { searchTerms: c.anyOf.length === 1 ? c.anyOf[0] : { $in: c.anyOf } };
}

function termFilter(s: TicketTermFilter): Array<QueryFilter<TicketDoc>> {
  return [
    ...s.all.map(termCondition),
    ...(s.none?.length ? [{ searchTerms: { $nin: [...s.none] } }] : []),
    ...(s.notAll?.length ? [{ $nor: [{ $and: s.notAll.map(termCondition) }] }] : []),
  ];
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
      const sort = q.sort ?? 'activity';
      const { field, dir } = SORT_FIELDS[sort];
      const filter = listFilter(sort === 'due' ? { ...q, hasDue: true } : q);
      if (q.after) {
        // The inclusive bound gives the index scan a start; the $or drops the ties already returned.
        const key = q.after.key;
        const bound = dir < 0 ? { $lte: key } : { $gte: key };
        const current: unknown = filter[field];
        (filter as Record<string, unknown>)[field] = current && typeof current === 'object' && !(current instanceof Date) ? { ...current, ...bound } : bound;
        filter.$or = [{ [field]: dir < 0 ? { $lt: key } : { $gt: key } }, { _id: dir < 0 ? { $lt: q.after.id } : { $gt: q.after.id } }];
      }
      // One row more than the page tells whether another page follows.
      const rows = await models.Ticket.find(filter)
        .select(TICKET_SUMMARY_FIELDS)
        .sort({ [field]: dir, _id: dir })
        .limit(q.limit + 1)
        .lean();
      return { items: rows.slice(0, q.limit), hasMore: rows.length > q.limit };
    },

    /** The newest unmerged tickets of a requester (by email) other than `exceptId`, spam left out, holding one of `access` if given. */
    async listOthersOfRequester(opts: { email: string; exceptId: Types.ObjectId; access?: string[]; limit: number }): Promise<TicketSummaryRow[]> {
      return models.Ticket.find({
        'requester.email': opts.email,
        _id: { $ne: opts.exceptId },
        status: { $ne: 'spam' },
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

    /**
     * Digest: the active unmerged tickets of these inboxes next due (or breached) before `bound`, with
     * their SLA due times: the ones about to breach are among them (sla-due.ts `slaNextDueAt` is the
     * earliest running due time or the breach). Read on the inbox's due-time index.
     */
    async listActiveDueBefore(inboxIds: Types.ObjectId[], bound: Date): Promise<Array<Pick<TicketDoc, '_id' | 'number' | 'subject' | 'sla'>>> {
      return models.Ticket.find({ inboxId: { $in: inboxIds }, 'sla.nextDueAt': { $lt: bound }, mergedIntoId: null, status: { $in: DIGEST_OPEN } }, { number: 1, subject: 1, sla: 1 })
        .hint({ inboxId: 1, 'sla.nextDueAt': 1, _id: 1 })
        .lean();
    },

    /**
     * Digest: the oldest `limit` unassigned active unmerged tickets of these inboxes created before
     * `createdBefore`, read from the unassigned queue (the assignee's list index), oldest first.
     */
    async listOldestUnassigned(inboxIds: Types.ObjectId[], createdBefore: Date, limit: number): Promise<Array<Pick<TicketDoc, '_id' | 'number' | 'subject' | 'createdAt'>>> {
      return models.Ticket.find(
        { assigneeId: null, status: { $in: DIGEST_OPEN }, inboxId: { $in: inboxIds }, mergedIntoId: null, createdAt: { $lt: createdBefore } },
        { number: 1, subject: 1, createdAt: 1 },
      )
        .hint({ assigneeId: 1, status: 1, lastActivityAt: -1, _id: -1 })
        .sort({ createdAt: 1, _id: 1 })
        .limit(limit)
        .lean();
    },

    /** Digest: of these tickets, those of these inboxes it counts (unmerged, spam left out, as the reports), with their number and subject. */
    async listCountedTitlesIn(ids: readonly Types.ObjectId[], inboxIds: Types.ObjectId[]): Promise<Array<Pick<TicketDoc, '_id' | 'number' | 'subject'>>> {
      return models.Ticket.find({ _id: { $in: ids }, inboxId: { $in: inboxIds }, mergedIntoId: null, status: { $ne: 'spam' } }, { number: 1, subject: 1 }).lean();
    },

    /** Tickets by id with their number and subject, to name them in a report. */
    async listTitles(ids: readonly Types.ObjectId[]): Promise<Array<Pick<TicketDoc, '_id' | 'number' | 'subject'>>> {
      return models.Ticket.find({ _id: { $in: ids } }, { number: 1, subject: 1 }).lean();
    },
  };
}

import type { PipelineStage, Types } from 'mongoose';
import type { SatisfactionRating } from '../domain/satisfaction.js';
import type { SlaAttainment, TicketMetrics } from '../domain/ticket-metrics.js';
import { ACTIVE_TICKET_STATUSES, type TicketPriority } from '../domain/ticket-status.js';
import type { Models } from './models/index.js';
import { inSequence, inWindows, type Window } from './windowed.js';
import type { TicketDoc } from './models/ticket.js';
import type { TicketEventDoc } from './models/ticket-event.js';
import { chunksOf } from '../domain/chunks.js';

/**
 * The reports' aggregations (services/reports): each one a pipeline the database runs on an index (a
 * leading `$match` on indexed fields, then `$group` / `$bucket` / `$project`), written in stages
 * MongoDB and the built-in server both run. Tickets are filtered on their CURRENT inbox, team,
 * assignee, category, priority and tags; merged-away tickets and spam never count.
 *
 * No report holds the database for long: the built-in server runs one command at a time, so one long
 * aggregation would stall every other request of the app. Every query whose cost grows with the period
 * (or the backlog) runs as consecutive time windows, one short command after the other, each window
 * sized from the time the previous one took (see windowed.ts); the parts are merged here, so the
 * figures are those of one query over the whole range.
 */

/** Which tickets a report covers, as stored ids. */
export interface ReportScope {
  /** null: every inbox. */
  inboxIds: Types.ObjectId[] | null;
  /** null: any team (or none); an empty list: no ticket. */
  teamIds: Types.ObjectId[] | null;
  assigneeId: Types.ObjectId | null;
  categoryId: Types.ObjectId | null;
  priority: TicketPriority | null;
  tag: string | null;
}

/** The durations of tickets whose clock stopped in the period, per current assignee (null: unassigned). */
export interface DurationGroup {
  assigneeId: Types.ObjectId | null;
  seconds: number[];
  businessSeconds: number[];
  /** SLA attainments of the target(s) judged at that moment. */
  firstResponseMet: number;
  firstResponseBreached: number;
  nextResponseMet: number;
  nextResponseBreached: number;
  resolutionMet: number;
  resolutionBreached: number;
  /** Tickets ever reopened (resolution only). */
  reopened: number;
  count: number;
}

/** A trail entry as the reports count it. */
export interface ReportTrailRow {
  ticketId: Types.ObjectId;
  type: string;
  actor: { kind: string; id: Types.ObjectId | null };
  data: { from?: unknown; to?: unknown };
  at: Date;
}

/** A rating given in the period. */
export interface ReportRatingRow {
  ticketId: Types.ObjectId;
  rating: SatisfactionRating;
  comment: string | null;
  ratedAt: Date;
}

/** A ticket row behind a report, as stored. */
export type ReportTicketDoc = Pick<TicketDoc, '_id' | 'number' | 'subject' | 'inboxId' | 'teamId' | 'assigneeId' | 'categoryId' | 'priority' | 'status' | 'tags' | 'createdAt' | 'satisfaction'> & { metrics?: TicketMetrics | null };

/** The trail entries the reports read: solves and reopens (status changes), customers' reopens, replies, breaches. */
const REPORT_EVENT_TYPES = ['status_changed', 'reopened', 'reply_queued', 'sla_breached'];
/** `$in` lists of ids are sent this many at a time (the built-in server walks an index for up to 1,000 points). */
const ID_CHUNK = 1000;
const HOUR = 3_600_000;
/** The first window of each windowed query, before it adapts to the time one takes (about a busy desk's share). */
const FIRST_WINDOW = { trail: 12 * HOUR, tickets: 3 * 24 * HOUR, ratings: 30 * 24 * HOUR, backlog: 30 * 24 * HOUR } as const;
/*
 * The index each windowed query walks, named with `hint`: the planner's race, re-run for every short
 * window, sometimes took an index of the scope (a team's, an inbox's) and read all its tickets for
 * each window; the time range is what bounds a window's reads.
 */
const HINT = {
  created: { createdAt: -1, _id: -1 },
  createdInInboxes: { inboxId: 1, createdAt: -1, _id: -1 },
  firstResponse: { 'metrics.firstResponseAt': 1, inboxId: 1 },
  resolution: { 'metrics.lastSolvedAt': 1, inboxId: 1 },
  backlog: { status: 1, lastActivityAt: -1, _id: -1 },
  backlogInInboxes: { inboxId: 1, status: 1, lastActivityAt: -1, _id: -1 },
  trail: { type: 1, at: 1 },
  id: { _id: 1 },
  ratings: { ratedAt: 1 },
} as const;
const ROW_FIELDS = { number: 1, subject: 1, inboxId: 1, teamId: 1, assigneeId: 1, categoryId: 1, priority: 1, status: 1, tags: 1, createdAt: 1, satisfaction: 1, metrics: 1 } as const;

/** The query condition of a scope: its criteria, never a merged-away ticket nor spam. */
export function scopeMatch(scope: ReportScope): Record<string, unknown> {
  return {
    ...(scope.inboxIds ? { inboxId: { $in: scope.inboxIds } } : {}),
    ...(scope.teamIds ? { teamId: { $in: scope.teamIds } } : {}),
    ...(scope.assigneeId ? { assigneeId: scope.assigneeId } : {}),
    ...(scope.categoryId ? { categoryId: scope.categoryId } : {}),
    ...(scope.priority ? { priority: scope.priority } : {}),
    ...(scope.tag ? { tags: scope.tag } : {}),
    mergedIntoId: null,
    status: { $ne: 'spam' },
  };
}

const range = (from: Date, to: Date) => ({ $gte: from, $lt: to });
/** A window's condition; an open end (null) has no bound. */
const windowRange = (w: Window) => ({ ...(w.from ? { $gte: w.from } : {}), ...(w.to ? { $lt: w.to } : {}) });
const countIf = (cond: unknown) => ({ $sum: { $cond: [cond, 1, 0] } });
const attained = (path: string, value: Exclude<SlaAttainment, null>) => countIf({ $eq: [`$${path}`, value] });

/** The reports' aggregations over tickets, their trail and their ratings. */
export function createReportStore(models: Pick<Models, 'Ticket' | 'TicketEvent' | 'SatisfactionRating'>) {
  const { Ticket, TicketEvent, SatisfactionRating } = models;
  return {
    /**
     * Tickets created in [from, to) per bucket: `boundaries` are the buckets' starts then `to`, the
     * first at or before `from`. One count per bucket, in order.
     */
    async countCreatedByBucket(scope: ReportScope, boundaries: readonly Date[]): Promise<number[]> {
      const from = boundaries[0]!;
      const to = boundaries[boundaries.length - 1]!;
      const counts = boundaries.slice(0, -1).map(() => 0);
      // Each window counts per bucket within it: its own start, the buckets' starts inside it, its end.
      const rows = await inWindows(from, to, FIRST_WINDOW.tickets, (w) => {
        const inside = boundaries.filter((b) => b > w.from! && b < w.to!);
        return Ticket.aggregate<{ _id: Date; n: number }>([
          { $match: { ...scopeMatch(scope), createdAt: windowRange(w) } },
          { $bucket: { groupBy: '$createdAt', boundaries: [w.from!, ...inside, w.to!], output: { n: { $sum: 1 } } } },
        ])
          .hint(scope.inboxIds ? HINT.createdInInboxes : HINT.created)
          .exec();
      });
      for (const r of rows) {
        const at = new Date(r._id).getTime();
        let i = 0;
        while (i + 1 < counts.length && boundaries[i + 1]!.getTime() <= at) i++;
        counts[i]! += r.n;
      }
      return counts;
    },

    /**
     * First responses (tickets first answered in [from, to)) or resolutions (tickets last solved in it),
     * grouped by current assignee: their calendar and business seconds, and the SLA attainments judged then.
     */
    async durationsBy(scope: ReportScope, which: 'firstResponse' | 'resolution', from: Date, to: Date): Promise<DurationGroup[]> {
      const at = which === 'firstResponse' ? 'metrics.firstResponseAt' : 'metrics.lastSolvedAt';
      const seconds = which === 'firstResponse' ? '$metrics.firstResponseSeconds' : '$metrics.resolutionSeconds';
      const business = which === 'firstResponse' ? '$metrics.firstResponseBusinessSeconds' : '$metrics.resolutionBusinessSeconds';
      const pipeline = (w: Window): PipelineStage[] => [
        { $match: { [at]: windowRange(w), ...scopeMatch(scope) } },
        {
          $group: {
            _id: { $ifNull: ['$assigneeId', null] },
            seconds: { $push: seconds },
            businessSeconds: { $push: business },
            ...(which === 'firstResponse'
              ? { firstResponseMet: attained('metrics.sla.firstResponse', 'met'), firstResponseBreached: attained('metrics.sla.firstResponse', 'breached') }
              : {
                  nextResponseMet: attained('metrics.sla.nextResponse', 'met'),
                  nextResponseBreached: attained('metrics.sla.nextResponse', 'breached'),
                  resolutionMet: attained('metrics.sla.resolution', 'met'),
                  resolutionBreached: attained('metrics.sla.resolution', 'breached'),
                  reopened: countIf({ $gt: [{ $ifNull: ['$metrics.reopenCount', 0] }, 0] }),
                }),
            count: { $sum: 1 },
          },
        },
      ];
      const rows = await inWindows(from, to, FIRST_WINDOW.tickets, (w) =>
        Ticket.aggregate<DurationGroup & { _id: Types.ObjectId | null }>(pipeline(w))
          .hint(HINT[which])
          .exec(),
      );
      // The windows' groups merged per assignee.
      const groups = new Map<string, DurationGroup>();
      for (const r of rows) {
        const key = r._id ? r._id.toHexString() : '';
        let g = groups.get(key);
        if (!g) {
          g = { assigneeId: r._id ?? null, seconds: [], businessSeconds: [], firstResponseMet: 0, firstResponseBreached: 0, nextResponseMet: 0, nextResponseBreached: 0, resolutionMet: 0, resolutionBreached: 0, reopened: 0, count: 0 };
          groups.set(key, g);
        }
        // A value missing on a ticket (older data) is no duration: left out.
        for (const v of r.seconds) if (typeof v === 'number') g.seconds.push(v);
        for (const v of r.businessSeconds) if (typeof v === 'number') g.businessSeconds.push(v);
        g.firstResponseMet += r.firstResponseMet ?? 0;
        g.firstResponseBreached += r.firstResponseBreached ?? 0;
        g.nextResponseMet += r.nextResponseMet ?? 0;
        g.nextResponseBreached += r.nextResponseBreached ?? 0;
        g.resolutionMet += r.resolutionMet ?? 0;
        g.resolutionBreached += r.resolutionBreached ?? 0;
        g.reopened += r.reopened ?? 0;
        g.count += r.count;
      }
      return [...groups.values()];
    },

    /**
     * Active tickets in scope by current assignee and age bucket: `boundaries` are the buckets, youngest
     * first, each from its earliest creation time (null for the last: the rest).
     */
    async countBacklog<B extends string>(scope: ReportScope, boundaries: ReadonlyArray<{ bucket: B; createdFrom: Date | null }>): Promise<Array<{ assigneeId: Types.ObjectId | null; bucket: B; count: number }>> {
      const last = boundaries[boundaries.length - 1]!;
      const branches = boundaries.filter((b) => b.createdFrom !== null).map((b) => ({ case: { $gte: ['$createdAt', b.createdFrom] }, then: b.bucket }));
      // Windows of last activity (on the status indexes), from the oldest active ticket's to now, the ends open.
      let oldest = Date.now();
      for (const status of ACTIVE_TICKET_STATUSES) {
        const t = await Ticket.findOne({ status }, { _id: 0, lastActivityAt: 1 }).sort({ lastActivityAt: 1, _id: 1 }).lean<{ lastActivityAt?: Date | null }>();
        if (t?.lastActivityAt) oldest = Math.min(oldest, t.lastActivityAt.getTime());
      }
      const rows = await inWindows(
        new Date(oldest),
        new Date(Math.max(oldest, Date.now())),
        FIRST_WINDOW.backlog,
        (w) =>
          Ticket.aggregate<{ _id: { a: Types.ObjectId | null; b: B }; n: number }>([
            { $match: { ...scopeMatch(scope), status: { $in: [...ACTIVE_TICKET_STATUSES] }, ...(w.from || w.to ? { lastActivityAt: windowRange(w) } : {}) } },
            { $group: { _id: { a: { $ifNull: ['$assigneeId', null] }, b: branches.length ? { $switch: { branches, default: last.bucket } } : last.bucket }, n: { $sum: 1 } } },
          ])
            .hint(scope.inboxIds ? HINT.backlogInInboxes : HINT.backlog)
            .exec(),
        { openEnds: true },
      );
      // The windows' counts merged per assignee and bucket.
      const merged = new Map<string, { assigneeId: Types.ObjectId | null; bucket: B; count: number }>();
      for (const r of rows) {
        const key = `${r._id.a ? r._id.a.toHexString() : ''} ${r._id.b}`;
        const m = merged.get(key);
        if (m) m.count += r.n;
        else merged.set(key, { assigneeId: r._id.a ?? null, bucket: r._id.b, count: r.n });
      }
      return [...merged.values()];
    },

    /**
     * The trail entries of [from, to) the reports count, of any ticket: replies, breaches, customers'
     * reopens, and status changes to solved or from solved or closed (the rest are dropped in the database).
     */
    async listTrail(from: Date, to: Date): Promise<ReportTrailRow[]> {
      // A find with a projection: the server trims each entry itself, with no pipeline stage copying it.
      const filter = (w: Window): Record<string, unknown> => ({ type: { $in: REPORT_EVENT_TYPES }, at: windowRange(w), $or: [{ type: { $ne: 'status_changed' } }, { 'data.to': 'solved' }, { 'data.from': { $in: ['solved', 'closed'] } }] });
      const rows = await inWindows(from, to, FIRST_WINDOW.trail, (w) =>
        TicketEvent.find(filter(w), { _id: 0, ticketId: 1, type: 1, 'actor.kind': 1, 'actor.id': 1, 'data.from': 1, 'data.to': 1, at: 1 })
          .hint(HINT.trail)
          .lean<Array<Pick<TicketEventDoc, 'ticketId' | 'type' | 'at'> & { actor: { kind: string; id?: Types.ObjectId | null }; data?: { from?: unknown; to?: unknown } }>>(),
      );
      return rows.map((r) => ({ ticketId: r.ticketId, type: r.type, actor: { kind: r.actor.kind, id: r.actor.id ?? null }, data: { from: r.data?.from, to: r.data?.to }, at: r.at }));
    },

    /** Of these tickets, those in scope, with their current assignee (ids sent in chunks, each on the `_id` index). */
    async listInScope(ids: readonly Types.ObjectId[], scope: ReportScope): Promise<Array<{ _id: Types.ObjectId; assigneeId: Types.ObjectId | null }>> {
      const rows = await inSequence(chunksOf(ids, ID_CHUNK), (chunk) =>
        Ticket.find({ _id: { $in: chunk }, ...scopeMatch(scope) }, { _id: 1, assigneeId: 1 })
          .hint(HINT.id)
          .lean<Array<{ _id: Types.ObjectId; assigneeId?: Types.ObjectId | null }>>(),
      );
      return rows.map((t) => ({ _id: t._id, assigneeId: t.assigneeId ?? null }));
    },

    /** Ratings given in [from, to) on any ticket, newest first. */
    listRatings(from: Date, to: Date): Promise<ReportRatingRow[]> {
      return inWindows(
        from,
        to,
        FIRST_WINDOW.ratings,
        (w) =>
          SatisfactionRating.aggregate<ReportRatingRow>([
            { $match: { ratedAt: windowRange(w), rating: { $ne: null } } },
            { $sort: { ratedAt: -1, _id: -1 } },
            { $project: { _id: 0, ticketId: 1, rating: 1, comment: 1, ratedAt: 1 } },
          ])
            .hint(HINT.ratings)
            .exec(),
        { newestFirst: true },
      );
    },

    /** Number and subject of some tickets (a report's comments). */
    listTitles(ids: readonly Types.ObjectId[]): Promise<Array<Pick<TicketDoc, '_id' | 'number' | 'subject'>>> {
      return ids.length ? Ticket.find({ _id: { $in: [...ids] } }, { number: 1, subject: 1 }).lean() : Promise.resolve([]);
    },

    /**
     * The tickets behind a report, by number: in scope, and created, first answered or last solved in
     * [from, to); the `limit` after number `after` (0: from the first).
     */
    listTicketRows(scope: ReportScope, from: Date, to: Date, after: number, limit: number): Promise<ReportTicketDoc[]> {
      return Ticket.find(
        {
          ...scopeMatch(scope),
          number: { $gt: after },
          $or: [{ createdAt: range(from, to) }, { 'metrics.firstResponseAt': range(from, to) }, { 'metrics.lastSolvedAt': range(from, to) }],
        },
        ROW_FIELDS,
      )
        .sort({ number: 1 })
        .limit(limit)
        .lean<ReportTicketDoc[]>();
    },
  };
}

/** What use cases may ask of this store; each names the methods it needs with `Pick`. */
export type ReportStore = ReturnType<typeof createReportStore>;

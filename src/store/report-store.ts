import type { Types } from 'mongoose';
import type { TicketMetrics } from '../domain/ticket-metrics.js';
import type { TicketPriority } from '../domain/ticket-status.js';
import type { Models } from './models/index.js';
import type { TicketDoc } from './models/ticket.js';

/**
 * The tickets behind a report (its ticket rows and their CSV), in scope on the tickets' CURRENT inbox,
 * team, assignee, category, priority and tags; merged-away tickets and spam never count. The report's
 * figures are added up from the report rows instead (report-row-store.ts).
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

/** A ticket row behind a report, as stored. */
export type ReportTicketDoc = Pick<TicketDoc, '_id' | 'number' | 'subject' | 'inboxId' | 'teamId' | 'assigneeId' | 'categoryId' | 'priority' | 'status' | 'tags' | 'createdAt' | 'satisfaction'> & { metrics?: TicketMetrics | null };

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

/** The tickets behind reports. */
export function createReportStore(models: Pick<Models, 'Ticket'>) {
  const { Ticket } = models;
  return {
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

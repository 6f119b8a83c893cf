import type { SatisfactionRating } from './satisfaction.js';
import { isReopenEvent, isSolveEvent, type SlaAttainment, type TicketMetrics } from './ticket-metrics.js';
import { ACTIVE_TICKET_STATUSES, type TicketPriority, type TicketStatus } from './ticket-status.js';

/**
 * A ticket as the reports read it: its current dimensions (inbox, team, assignee, category, priority,
 * tags, whether it counts at all), its stored metrics, its rating, and the trail entries a report
 * counts, with nothing else. The report rows are kept beside the tickets (store/report-row-store.ts)
 * and recomputed from a ticket, its trail and its rating whenever one of them changes, so a report
 * reads a few hundred compact blocks instead of every ticket, trail entry and rating of its period.
 * Pure: ids are hex strings, moments milliseconds since the epoch.
 */

/** What a report counts of one trail entry, as bits: a solve, a reopen, a reply, an SLA breach. */
export const ROW_EVENT = { solve: 1, reopen: 2, reply: 4, breach: 8 } as const;

/** A counted trail entry: when, what (bits of {@link ROW_EVENT}), and the user who did it (null: no user). */
export interface ReportRowEvent {
  at: number;
  kinds: number;
  actorId: string | null;
}

/** A duration the metrics stored; NaN where the ticket holds none (older data): no duration. */
export interface ReportRowFirstResponse {
  at: number;
  seconds: number;
  businessSeconds: number;
  sla: SlaAttainment;
}

export interface ReportRowResolution {
  at: number;
  seconds: number;
  businessSeconds: number;
  nextResponseSla: SlaAttainment;
  resolutionSla: SlaAttainment;
  /** Ever reopened. */
  reopened: boolean;
}

export interface ReportRowRating {
  rating: SatisfactionRating;
  at: number;
  /** Whether the rating had a comment when the row was made (the comment itself is read when shown). */
  commented: boolean;
}

/** One ticket's report row. */
export interface ReportRow {
  number: number;
  ticketId: string;
  inboxId: string;
  teamId: string | null;
  assigneeId: string | null;
  categoryId: string | null;
  priority: TicketPriority;
  tags: string[];
  /** Merged into another ticket, or spam: counted nowhere. */
  excluded: boolean;
  /** In an active status (the backlog). */
  active: boolean;
  createdAt: number;
  firstResponse: ReportRowFirstResponse | null;
  resolution: ReportRowResolution | null;
  rating: ReportRowRating | null;
  /** Oldest first. */
  events: ReportRowEvent[];
}

/** The trail entry types a report row keeps (of which, for status changes, only solves and reopens). */
export const REPORT_ROW_EVENT_TYPES = ['status_changed', 'reopened', 'reply_queued', 'sla_breached'] as const;

/** A ticket as its row is made from it. */
export interface ReportRowTicket {
  number: number;
  ticketId: string;
  inboxId: string;
  teamId: string | null;
  assigneeId: string | null;
  categoryId: string | null;
  priority: TicketPriority | null | undefined;
  tags: readonly string[] | null | undefined;
  status: TicketStatus;
  merged: boolean;
  createdAt: Date;
  metrics: TicketMetrics | null | undefined;
}

/** A trail entry as its row is made from it. */
export interface ReportRowTrailEntry {
  type: string;
  at: Date;
  actor: { kind: string; id: string | null };
  data: { from?: unknown; to?: unknown } | null | undefined;
}

/** The bits of {@link ROW_EVENT} a trail entry counts as; 0 for one a report does not count. */
export function rowEventKinds(e: ReportRowTrailEntry): number {
  const entry = { type: e.type, data: e.data ?? undefined };
  let kinds = 0;
  if (isSolveEvent(entry)) kinds |= ROW_EVENT.solve;
  if (isReopenEvent(entry)) kinds |= ROW_EVENT.reopen;
  if (e.type === 'reply_queued') kinds |= ROW_EVENT.reply;
  if (e.type === 'sla_breached') kinds |= ROW_EVENT.breach;
  return kinds;
}

const time = (d: Date | null | undefined) => (d instanceof Date ? d.getTime() : NaN);
const seconds = (v: unknown) => (typeof v === 'number' ? v : NaN);
const attainment = (v: unknown): SlaAttainment => (v === 'met' || v === 'breached' ? v : null);

/** A ticket's report row, from the ticket, its trail (any order) and its rating (null: none given). */
export function reportRowOf(
  ticket: ReportRowTicket,
  trail: readonly ReportRowTrailEntry[],
  rating: { rating: SatisfactionRating | null; ratedAt: Date | null; comment: string | null } | null,
): ReportRow {
  const m = ticket.metrics ?? {};
  const events: ReportRowEvent[] = [];
  for (const e of trail) {
    const kinds = rowEventKinds(e);
    if (kinds && !Number.isNaN(time(e.at))) events.push({ at: e.at.getTime(), kinds, actorId: e.actor.kind === 'user' ? e.actor.id : null });
  }
  events.sort((a, b) => a.at - b.at);
  const firstResponseAt = time(m.firstResponseAt);
  const lastSolvedAt = time(m.lastSolvedAt);
  return {
    number: ticket.number,
    ticketId: ticket.ticketId,
    inboxId: ticket.inboxId,
    teamId: ticket.teamId,
    assigneeId: ticket.assigneeId,
    categoryId: ticket.categoryId,
    priority: ticket.priority ?? 'normal',
    tags: [...new Set(ticket.tags ?? [])],
    excluded: ticket.merged || ticket.status === 'spam',
    active: (ACTIVE_TICKET_STATUSES as readonly string[]).includes(ticket.status),
    createdAt: ticket.createdAt.getTime(),
    firstResponse: Number.isNaN(firstResponseAt)
      ? null
      : { at: firstResponseAt, seconds: seconds(m.firstResponseSeconds), businessSeconds: seconds(m.firstResponseBusinessSeconds), sla: attainment(m.sla?.firstResponse) },
    resolution: Number.isNaN(lastSolvedAt)
      ? null
      : {
          at: lastSolvedAt,
          seconds: seconds(m.resolutionSeconds),
          businessSeconds: seconds(m.resolutionBusinessSeconds),
          nextResponseSla: attainment(m.sla?.nextResponse),
          resolutionSla: attainment(m.sla?.resolution),
          reopened: (m.reopenCount ?? 0) > 0,
        },
    rating: rating?.rating && rating.ratedAt ? { rating: rating.rating, at: rating.ratedAt.getTime(), commented: Boolean(rating.comment?.trim()) } : null,
    events,
  };
}

/** The tickets a report covers, as hex ids (see services/reports/report-scope.ts). */
export interface ReportRowScope {
  /** null: every inbox. */
  inboxIds: readonly string[] | null;
  /** null: any team (or none); an empty list: no ticket. */
  teamIds: readonly string[] | null;
  assigneeId: string | null;
  categoryId: string | null;
  priority: TicketPriority | null;
  tag: string | null;
}

/** Whether a row is in a report's scope: its criteria on the ticket's current values, never a merged-away ticket nor spam. */
export function rowInScope(row: ReportRow, scope: ReportRowScope): boolean {
  if (row.excluded) return false;
  if (scope.inboxIds && !scope.inboxIds.includes(row.inboxId)) return false;
  if (scope.teamIds && (row.teamId === null || !scope.teamIds.includes(row.teamId))) return false;
  if (scope.assigneeId && row.assigneeId !== scope.assigneeId) return false;
  if (scope.categoryId && row.categoryId !== scope.categoryId) return false;
  if (scope.priority && row.priority !== scope.priority) return false;
  return !scope.tag || row.tags.includes(scope.tag);
}

/** The latest moment a row has a fact at (creation, first response, solve, rating, trail entry). */
export function rowLastFactAt(row: ReportRow): number {
  let last = row.createdAt;
  if (row.firstResponse) last = Math.max(last, row.firstResponse.at);
  if (row.resolution) last = Math.max(last, row.resolution.at);
  if (row.rating) last = Math.max(last, row.rating.at);
  for (const e of row.events) last = Math.max(last, e.at);
  return last;
}

import type { TeamLevel } from './teams.js';
import type { SatisfactionRating } from './satisfaction.js';
import type { TicketPriority, TicketStatus } from './ticket-status.js';
import type { TicketMetricsView } from './ticket-metrics.js';

/**
 * The reports a manager steers by (`/reports`, `/api/v1/reports/…`, and the digest's figures): one
 * shape every view reads. Every figure follows the definitions of `ticket-metrics.ts`; ids are hex
 * strings, moments are Dates, durations are whole seconds.
 */

/** How the volume chart groups the period: by day up to 62 days, by week up to 186, else by month. */
export type ReportGranularity = 'day' | 'week' | 'month';

/** The SLA targets a report judges. */
export const REPORT_SLA_TARGETS = ['firstResponse', 'nextResponse', 'resolution'] as const;
export type ReportSlaTarget = (typeof REPORT_SLA_TARGETS)[number];

/** The backlog's age buckets (active tickets by time since creation, at the report's `now`). */
export const BACKLOG_AGE_BUCKETS = [
  { key: 'lt1d', maxDays: 1 },
  { key: 'd1to3', maxDays: 3 },
  { key: 'd3to7', maxDays: 7 },
  { key: 'd7to30', maxDays: 30 },
  { key: 'gt30d', maxDays: Infinity },
] as const;
export type BacklogAgeBucket = (typeof BACKLOG_AGE_BUCKETS)[number]['key'];

/** The tables of a report that export as CSV (`satisfaction`: the counts per rating; `comments`: the customers' comments). */
export const REPORT_TABLES = ['volume', 'durations', 'sla', 'backlog', 'satisfaction', 'comments', 'agents', 'tickets'] as const;
export type ReportTable = (typeof REPORT_TABLES)[number];

/**
 * What a report covers. The period is half-open [from, to). Empty `inboxIds`: every inbox the
 * actor may see. Every other criterion null: not filtered on it.
 */
export interface ReportFilter {
  from: Date;
  to: Date;
  /** IANA zone the volume buckets (days, weeks from Monday, months) are cut in: the reader's. */
  timeZone: string;
  inboxIds: string[];
  teamId: string | null;
  /** Tickets whose team is of this level. */
  level: TeamLevel | null;
  /** The ticket's assignee. */
  agentId: string | null;
  categoryId: string | null;
  priority: TicketPriority | null;
  tag: string | null;
}

/** Median and p90 (nearest rank, `percentile` of ticket-metrics.ts) in calendar and business seconds. */
export interface DurationStats {
  /** How many tickets the figures are taken over. */
  count: number;
  median: number | null;
  p90: number | null;
  businessMedian: number | null;
  businessP90: number | null;
}

/** One bucket of the volume chart: `start` is the bucket's first instant in the filter's zone. */
export interface VolumeRow {
  start: Date;
  new: number;
  solved: number;
  reopened: number;
}

/** One SLA target: tickets whose clock stopped in the period, met or breached; attainment = met / (met + breached). */
export interface SlaTargetRow {
  target: ReportSlaTarget;
  met: number;
  breached: number;
  /** 0..1; null when no ticket was judged. */
  attainment: number | null;
}

export interface BacklogRow {
  bucket: BacklogAgeBucket;
  count: number;
}

/** A customer's comment with their rating, newest first. */
export interface SatisfactionComment {
  ticketId: string;
  ticketNumber: number;
  subject: string;
  rating: SatisfactionRating;
  comment: string;
  ratedAt: Date;
}

/** A satisfaction score as reports and the digest give it: the share of good ratings, 0..100 rounded to one decimal; null without ratings. */
export function satisfactionScore(c: { good: number; okay: number; bad: number }): number | null {
  const total = c.good + c.okay + c.bad;
  return total === 0 ? null : Math.round((c.good / total) * 1000) / 10;
}

/** Ratings given in the period (by `ratedAt`) on tickets in scope. */
export interface SatisfactionSummary {
  good: number;
  okay: number;
  bad: number;
  total: number;
  /** Share of good ratings, 0..100 rounded to one decimal; null without ratings. */
  score: number | null;
  /** At most 50, newest first. */
  comments: SatisfactionComment[];
}

/** One agent's row: the tickets assigned to them (now), and what they did in the period. */
export interface AgentRow {
  /** null: the unassigned tickets' row. */
  agentId: string | null;
  name: string;
  /** Transitions to solved the agent made in the period. */
  solved: number;
  /** Replies the agent sent in the period. */
  replies: number;
  /** Over their tickets first answered in the period. */
  firstResponse: DurationStats;
  /** Over their tickets solved in the period. */
  resolution: DurationStats;
  satisfaction: { good: number; okay: number; bad: number; score: number | null };
  /** Their active tickets now. */
  backlog: number;
}

/** The whole report of one filter. */
export interface Report {
  filter: ReportFilter;
  granularity: ReportGranularity;
  /** The `now` backlog ages are measured at. */
  generatedAt: Date;
  totals: {
    new: number;
    solved: number;
    reopened: number;
    /** Reopens over solves in the period (README "Metric definitions"): reopened / solved; null when nothing was solved. */
    reopenRate: number | null;
  };
  volume: VolumeRow[];
  firstResponse: DurationStats;
  resolution: DurationStats;
  sla: SlaTargetRow[];
  /** SLA breaches recorded in the period (trail `sla_breached`). */
  breaches: number;
  backlog: BacklogRow[];
  backlogTotal: number;
  satisfaction: SatisfactionSummary;
  agents: AgentRow[];
}

/** One ticket behind a report (its CSV rows and `/api/v1/reports/tickets`). */
export interface ReportTicketRow extends TicketMetricsView {
  id: string;
  number: number;
  subject: string;
  inbox: string;
  team: string | null;
  level: TeamLevel | null;
  assignee: string | null;
  category: string | null;
  priority: TicketPriority;
  status: TicketStatus;
  tags: string[];
  createdAt: Date;
  satisfaction: SatisfactionRating | null;
}

import { Types } from 'mongoose';
import { granularityOf, volumeBucketStarts } from '../../domain/report-filter.js';
import { satisfactionScore, type AgentRow, type Report, type ReportFilter, type SatisfactionComment } from '../../domain/report.js';
import type { ReportRowScope } from '../../domain/report-row.js';
import { createReportTally, durationStats, type AgentTally, type CommentedRating, type ReportTally } from '../../domain/report-tally.js';
import type { ReportScope } from '../../store/report-store.js';
import type { ReportRowStore } from '../../store/report-row-store.js';
import type { SatisfactionStore } from '../../store/satisfaction-store.js';
import type { TicketStore } from '../../store/ticket-store.js';
import type { UserStore } from '../../store/user-store.js';
import type { Actor } from '../access.js';
import { reportScopeOf, type ReportScopeDeps } from './report-scope.js';

/** What a report reads. */
export type BuildReportDeps = ReportScopeDeps & {
  reportRows: Pick<ReportRowStore, 'catchUp' | 'freshRows' | 'visitRows'>;
  satisfaction: Pick<SatisfactionStore, 'list'>;
  tickets: Pick<TicketStore, 'listTitles'>;
  users: Pick<UserStore, 'listLabelsByIds'>;
};

/** At most this many comments in a report, newest first. */
const MAX_COMMENTS = 50;
/** Commented ratings whose comments are read per round (some may have lost theirs since: erased). */
const COMMENT_BATCH = 100;

/** A scope with hex ids, as report rows are matched against it. */
export function rowScopeOf(scope: ReportScope): ReportRowScope {
  const hex = (ids: ReportScope['inboxIds']) => (ids ? ids.map((id) => id.toHexString()) : null);
  return {
    inboxIds: hex(scope.inboxIds),
    teamIds: hex(scope.teamIds),
    assigneeId: scope.assigneeId?.toHexString() ?? null,
    categoryId: scope.categoryId?.toHexString() ?? null,
    priority: scope.priority,
    tag: scope.tag,
  };
}

/**
 * The figures of the report rows in `scope` over a period, with every change made before the call: the
 * rows of tickets changed since the last catch-up are made now and laid over the stored ones, so this
 * writes nothing. Not built yet, or too many changes: caught up (and written) first.
 */
export async function tallyReportRows(
  deps: { reportRows: Pick<ReportRowStore, 'catchUp' | 'freshRows' | 'visitRows'> },
  scope: ReportRowScope,
  period: { from: Date; to: Date; starts: readonly Date[]; now: Date },
): Promise<ReportTally> {
  let fresh = await deps.reportRows.freshRows();
  if (!fresh) {
    await deps.reportRows.catchUp();
    fresh = new Map();
  }
  const tally = createReportTally(scope, period);
  await deps.reportRows.visitRows(period.from, period.to, fresh, tally.add);
  return tally.finish();
}

/**
 * The report of a filter at `now` (managers and admins; see report-scope.ts for access), by the
 * definitions of domain/ticket-metrics.ts. Tickets count by their current inbox, team, assignee,
 * category, priority and tags: the report rows (store/report-row-store.ts) of the period, with every
 * change made before the call, added up (domain/report-tally.ts).
 */
export async function buildReport(deps: BuildReportDeps, actor: Actor, filter: ReportFilter, now: Date): Promise<Report> {
  const scope = await reportScopeOf(deps, actor, filter);
  const granularity = granularityOf(filter);
  const t = await tallyReportRows(deps, rowScopeOf(scope), { from: filter.from, to: filter.to, starts: volumeBucketStarts(filter, granularity), now });
  const total = t.satisfaction.good + t.satisfaction.okay + t.satisfaction.bad;
  return {
    filter,
    granularity,
    generatedAt: now,
    totals: t.totals,
    volume: t.volume,
    firstResponse: t.firstResponse,
    resolution: t.resolution,
    sla: t.sla,
    breaches: t.breaches,
    backlog: t.backlog,
    backlogTotal: t.backlogTotal,
    satisfaction: { ...t.satisfaction, total, score: satisfactionScore(t.satisfaction), comments: await commentsOf(deps, t.commented, MAX_COMMENTS) },
    agents: await agentRows(deps, t.agents),
  };
}

/** The comments of these ratings (newest first), at most `max`, with their tickets' numbers and subjects; ratings whose comment is gone since (erased) are skipped. */
export async function commentsOf(deps: Pick<BuildReportDeps, 'satisfaction' | 'tickets'>, commented: readonly CommentedRating[], max: number): Promise<SatisfactionComment[]> {
  const out: SatisfactionComment[] = [];
  for (let i = 0; i < commented.length && out.length < max; i += COMMENT_BATCH) {
    const batch = commented.slice(i, i + COMMENT_BATCH);
    const rated = await deps.satisfaction.list({ ticketIds: batch.map((c) => new Types.ObjectId(c.ticketId)), withComment: true }, COMMENT_BATCH);
    const comments = new Map(rated.map((r) => [r.ticketId.toHexString(), r.comment?.trim()]));
    const titles = new Map((rated.length ? await deps.tickets.listTitles(rated.map((r) => r.ticketId)) : []).map((t) => [t._id.toHexString(), t]));
    for (const c of batch) {
      const comment = comments.get(c.ticketId);
      const t = titles.get(c.ticketId);
      if (t && comment && out.length < max) out.push({ ticketId: c.ticketId, ticketNumber: t.number, subject: t.subject, rating: c.rating, comment, ratedAt: new Date(c.at) });
    }
  }
  return out;
}

/** One row per agent with anything to show (the unassigned row last among equals), named in bulk. */
async function agentRows(deps: Pick<BuildReportDeps, 'users'>, agents: Map<string, AgentTally>): Promise<AgentRow[]> {
  const ids = [...agents.keys()].filter((k) => k !== '');
  const labels = new Map((ids.length ? await deps.users.listLabelsByIds(ids) : []).map((u) => [u._id.toHexString(), u.name || u.email]));
  const rows = [...agents].map(([key, t]): AgentRow => ({
    agentId: key || null,
    // The unassigned row has no name: the page words it in the reader's language.
    name: key ? (labels.get(key) ?? key) : '',
    solved: t.solved,
    replies: t.replies,
    firstResponse: durationStats(t.firstResponse.seconds, t.firstResponse.businessSeconds),
    resolution: durationStats(t.resolution.seconds, t.resolution.businessSeconds),
    satisfaction: { ...t.ratings, score: satisfactionScore(t.ratings) },
    backlog: t.backlog,
  }));
  return rows.sort((a, b) => b.solved + b.replies - (a.solved + a.replies) || Number(a.agentId === null) - Number(b.agentId === null) || a.name.localeCompare(b.name));
}

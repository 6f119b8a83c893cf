import type { Types } from 'mongoose';
import { backlogBoundaries, bucketIndexOf, granularityOf, volumeBucketStarts } from '../../domain/report-filter.js';
import { BACKLOG_AGE_BUCKETS, type AgentRow, type BacklogAgeBucket, type DurationStats, type Report, type ReportFilter, type ReportSlaTarget, type SatisfactionComment, type SlaTargetRow } from '../../domain/report.js';
import type { SatisfactionRating } from '../../domain/satisfaction.js';
import { isReopenEvent, isSolveEvent, percentile } from '../../domain/ticket-metrics.js';
import type { DurationGroup, ReportStore } from '../../store/report-store.js';
import type { UserStore } from '../../store/user-store.js';
import type { Actor } from '../access.js';
import { reportScopeOf, type ReportScopeDeps } from './report-scope.js';

/** What a report reads. */
export type BuildReportDeps = ReportScopeDeps & {
  reports: Pick<ReportStore, 'countCreatedByBucket' | 'durationsBy' | 'countBacklog' | 'listTrail' | 'listInScope' | 'listRatings' | 'listTitles'>;
  users: Pick<UserStore, 'listLabelsByIds'>;
};

/** At most this many comments in a report, newest first. */
const MAX_COMMENTS = 50;

/** Median and p90 (nearest rank) of some durations, calendar and business. */
export function durationStats(seconds: readonly number[], businessSeconds: readonly number[]): DurationStats {
  return {
    count: seconds.length,
    median: percentile(seconds, 50),
    p90: percentile(seconds, 90),
    businessMedian: percentile(businessSeconds, 50),
    businessP90: percentile(businessSeconds, 90),
  };
}

/** The share of good ratings, 0..100 with one decimal; null without ratings. */
export function satisfactionScore(c: { good: number; okay: number; bad: number }): number | null {
  const total = c.good + c.okay + c.bad;
  return total ? Math.round((c.good / total) * 1000) / 10 : null;
}

const slaRow = (target: ReportSlaTarget, met: number, breached: number): SlaTargetRow => ({ target, met, breached, attainment: met + breached ? met / (met + breached) : null });
const keyOf = (id: Types.ObjectId | null | undefined) => (id ? id.toHexString() : '');

interface AgentTally {
  solved: number;
  replies: number;
  firstResponse: { seconds: number[]; businessSeconds: number[] };
  resolution: { seconds: number[]; businessSeconds: number[] };
  ratings: { good: number; okay: number; bad: number };
  backlog: number;
}

/**
 * The report of a filter at `now` (managers and admins; see report-scope.ts for access), by the
 * definitions of domain/ticket-metrics.ts: every figure aggregated in the database on an index, then
 * put together here. Tickets count by their current inbox, team, assignee, category, priority and tags.
 */
export async function buildReport(deps: BuildReportDeps, actor: Actor, filter: ReportFilter, now: Date): Promise<Report> {
  const scope = await reportScopeOf(deps, actor, filter);
  const { from, to } = filter;
  const granularity = granularityOf(filter);
  const starts = volumeBucketStarts(filter, granularity);
  // One query after the other: each runs as short commands (see the report store), and with one at a
  // time, another request of the app waits behind at most one of them (the built-in server runs one
  // command at a time; running them side by side was no faster).
  const created = await deps.reports.countCreatedByBucket(scope, [...starts, to]);
  const firstResponses = await deps.reports.durationsBy(scope, 'firstResponse', from, to);
  const resolutions = await deps.reports.durationsBy(scope, 'resolution', from, to);
  const backlog = await deps.reports.countBacklog(scope, backlogBoundaries(now));
  const trail = await deps.reports.listTrail(from, to);
  const ratings = await deps.reports.listRatings(from, to);
  // The trail and the ratings name tickets of any inbox: keep those in scope (with their assignee now).
  const ticketIds = new Map<string, Types.ObjectId>();
  for (const e of trail) ticketIds.set(e.ticketId.toHexString(), e.ticketId);
  for (const r of ratings) ticketIds.set(r.ticketId.toHexString(), r.ticketId);
  const inScope = new Map((await deps.reports.listInScope([...ticketIds.values()], scope)).map((t) => [t._id.toHexString(), t.assigneeId]));

  const agents = new Map<string, AgentTally>();
  const tally = (id: Types.ObjectId | null | undefined): AgentTally => {
    const key = keyOf(id);
    let t = agents.get(key);
    if (!t) {
      t = { solved: 0, replies: 0, firstResponse: { seconds: [], businessSeconds: [] }, resolution: { seconds: [], businessSeconds: [] }, ratings: { good: 0, okay: 0, bad: 0 }, backlog: 0 };
      agents.set(key, t);
    }
    return t;
  };

  const volume = starts.map((start, i) => ({ start, new: created[i] ?? 0, solved: 0, reopened: 0 }));
  let breaches = 0;
  for (const e of trail) {
    if (!inScope.has(e.ticketId.toHexString())) continue;
    // Who did it: an agent's row, or the unassigned row for what no user did (rules, jobs, customers).
    const by = e.actor.kind === 'user' ? e.actor.id : null;
    const bucket = volume[bucketIndexOf(starts, e.at)];
    if (isSolveEvent(e)) {
      tally(by).solved++;
      if (bucket) bucket.solved++;
    }
    if (isReopenEvent(e) && bucket) bucket.reopened++;
    if (e.type === 'reply_queued') tally(by).replies++;
    if (e.type === 'sla_breached') breaches++;
  }

  const sum = (groups: DurationGroup[], f: (g: DurationGroup) => number) => groups.reduce((n, g) => n + f(g), 0);
  for (const g of firstResponses) {
    const t = tally(g.assigneeId).firstResponse;
    t.seconds.push(...g.seconds);
    t.businessSeconds.push(...g.businessSeconds);
  }
  for (const g of resolutions) {
    const t = tally(g.assigneeId).resolution;
    t.seconds.push(...g.seconds);
    t.businessSeconds.push(...g.businessSeconds);
  }
  const backlogCounts = new Map<BacklogAgeBucket, number>();
  for (const b of backlog) {
    backlogCounts.set(b.bucket, (backlogCounts.get(b.bucket) ?? 0) + b.count);
    tally(b.assigneeId).backlog += b.count;
  }

  const counts: Record<SatisfactionRating, number> = { good: 0, okay: 0, bad: 0 };
  const commented: typeof ratings = [];
  for (const r of ratings) {
    if (!inScope.has(r.ticketId.toHexString())) continue;
    counts[r.rating]++;
    tally(inScope.get(r.ticketId.toHexString())).ratings[r.rating]++;
    if (r.comment?.trim() && commented.length < MAX_COMMENTS) commented.push(r);
  }
  const titles = new Map((await deps.reports.listTitles(commented.map((r) => r.ticketId))).map((t) => [t._id.toHexString(), t]));
  const comments: SatisfactionComment[] = commented.map((r) => {
    const t = titles.get(r.ticketId.toHexString());
    return { ticketId: r.ticketId.toHexString(), ticketNumber: t?.number ?? 0, subject: t?.subject ?? '', rating: r.rating, comment: r.comment!.trim(), ratedAt: r.ratedAt };
  });

  const solvedTickets = sum(resolutions, (g) => g.count);
  const allOf = (groups: DurationGroup[]) => durationStats(groups.flatMap((g) => g.seconds), groups.flatMap((g) => g.businessSeconds));
  const ratedTotal = counts.good + counts.okay + counts.bad;
  return {
    filter,
    granularity,
    generatedAt: now,
    totals: {
      new: volume.reduce((n, v) => n + v.new, 0),
      solved: volume.reduce((n, v) => n + v.solved, 0),
      reopened: volume.reduce((n, v) => n + v.reopened, 0),
      reopenRate: solvedTickets ? sum(resolutions, (g) => g.reopened) / solvedTickets : null,
    },
    volume,
    firstResponse: allOf(firstResponses),
    resolution: allOf(resolutions),
    // First responses judged on the tickets first answered in the period; the others on those solved in it.
    sla: [
      slaRow('firstResponse', sum(firstResponses, (g) => g.firstResponseMet), sum(firstResponses, (g) => g.firstResponseBreached)),
      slaRow('nextResponse', sum(resolutions, (g) => g.nextResponseMet), sum(resolutions, (g) => g.nextResponseBreached)),
      slaRow('resolution', sum(resolutions, (g) => g.resolutionMet), sum(resolutions, (g) => g.resolutionBreached)),
    ],
    breaches,
    backlog: BACKLOG_AGE_BUCKETS.map((b) => ({ bucket: b.key, count: backlogCounts.get(b.key) ?? 0 })),
    backlogTotal: backlog.reduce((n, b) => n + b.count, 0),
    satisfaction: { ...counts, total: ratedTotal, score: satisfactionScore(counts), comments },
    agents: await agentRows(deps, agents),
  };
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

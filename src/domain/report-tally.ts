import { backlogBoundaries, bucketIndexOf } from './report-filter.js';
import { BACKLOG_AGE_BUCKETS, type BacklogAgeBucket, type DurationStats, type ReportSlaTarget, type SlaTargetRow, type VolumeRow } from './report.js';
import { ROW_EVENT, rowInScope, type ReportRow, type ReportRowScope } from './report-row.js';
import type { SatisfactionRating } from './satisfaction.js';
import { percentiles, type SlaAttainment } from './ticket-metrics.js';

/**
 * A report's figures from its tickets' report rows (report-row.ts), by the definitions of
 * ticket-metrics.ts. Pure: the rows, the period, its volume buckets and `now` are passed in.
 */

/** What one agent's row of a report adds up (key '' in {@link ReportTally.agents}: no agent). */
export interface AgentTally {
  solved: number;
  replies: number;
  firstResponse: { seconds: number[]; businessSeconds: number[] };
  resolution: { seconds: number[]; businessSeconds: number[] };
  ratings: Record<SatisfactionRating, number>;
  backlog: number;
}

/** A rating of the period with a comment, as a report lists it (the comment itself is read afterwards). */
export interface CommentedRating {
  ticketId: string;
  number: number;
  rating: SatisfactionRating;
  at: number;
}

/** A report's figures, before its comments are read and its agents named. */
export interface ReportTally {
  volume: VolumeRow[];
  totals: { new: number; solved: number; reopened: number; reopenRate: number | null };
  firstResponse: DurationStats;
  resolution: DurationStats;
  sla: SlaTargetRow[];
  breaches: number;
  backlog: Array<{ bucket: BacklogAgeBucket; count: number }>;
  backlogTotal: number;
  satisfaction: Record<SatisfactionRating, number>;
  /** Ratings of the period with a comment, newest first. */
  commented: CommentedRating[];
  agents: Map<string, AgentTally>;
}

/** Median and p90 (nearest rank) of some durations, calendar and business. */
export function durationStats(seconds: readonly number[], businessSeconds: readonly number[]): DurationStats {
  const [median, p90] = percentiles(seconds, [50, 90]);
  const [businessMedian, businessP90] = percentiles(businessSeconds, [50, 90]);
  return { count: seconds.length, median: median ?? null, p90: p90 ?? null, businessMedian: businessMedian ?? null, businessP90: businessP90 ?? null };
}

const slaRow = (target: ReportSlaTarget, c: { met: number; breached: number }): SlaTargetRow => ({ target, met: c.met, breached: c.breached, attainment: c.met + c.breached ? c.met / (c.met + c.breached) : null });
/** A duration into the report's list and the agent's; a missing one (NaN: older data) is no duration. */
const keep = (v: number, all: number[], agent: number[]) => {
  if (Number.isNaN(v)) return;
  all.push(v);
  agent.push(v);
};
const count = (c: { met: number; breached: number }, a: SlaAttainment) => {
  if (a === 'met') c.met++;
  else if (a === 'breached') c.breached++;
};

/**
 * The figures of the rows in `scope` over [from, to): volume per bucket (`starts`: the buckets'
 * first instants, the first at or before `from`), first responses of tickets first answered in the
 * period and resolutions of those last solved in it (grouped by current assignee), SLA attainment,
 * breaches, the backlog at `now` by age, ratings given in the period. Tickets count by their current
 * inbox, team, assignee, category, priority and tags.
 */
export function createReportTally(scope: ReportRowScope, period: { from: Date; to: Date; starts: readonly Date[]; now: Date }): { add(row: ReportRow): void; finish(): ReportTally } {
  const from = period.from.getTime();
  const to = period.to.getTime();
  const inPeriod = (at: number) => at >= from && at < to;
  const volume: VolumeRow[] = period.starts.map((start) => ({ start, new: 0, solved: 0, reopened: 0 }));
  const bucketOf = (at: number) => volume[bucketIndexOf(period.starts, new Date(at))];
  const agents = new Map<string, AgentTally>();
  const tally = (id: string | null): AgentTally => {
    const key = id ?? '';
    let t = agents.get(key);
    if (!t) {
      t = { solved: 0, replies: 0, firstResponse: { seconds: [], businessSeconds: [] }, resolution: { seconds: [], businessSeconds: [] }, ratings: { good: 0, okay: 0, bad: 0 }, backlog: 0 };
      agents.set(key, t);
    }
    return t;
  };
  const boundaries = backlogBoundaries(period.now).map((b) => ({ bucket: b.bucket, createdFrom: b.createdFrom?.getTime() ?? null }));
  const backlog = new Map<BacklogAgeBucket, number>();
  const firstResponse = { seconds: [] as number[], businessSeconds: [] as number[] };
  const resolution = { seconds: [] as number[], businessSeconds: [] as number[], count: 0, reopened: 0 };
  const sla = { firstResponse: { met: 0, breached: 0 }, nextResponse: { met: 0, breached: 0 }, resolution: { met: 0, breached: 0 } };
  const satisfaction: Record<SatisfactionRating, number> = { good: 0, okay: 0, bad: 0 };
  const commented: CommentedRating[] = [];
  let breaches = 0;
  let created = 0;
  let solved = 0;
  let reopened = 0;

  function add(row: ReportRow): void {
    if (!rowInScope(row, scope)) return;
    if (inPeriod(row.createdAt)) {
      const b = bucketOf(row.createdAt);
      if (b) b.new++;
      created++;
    }
    const fr = row.firstResponse;
    if (fr && inPeriod(fr.at)) {
      const t = tally(row.assigneeId).firstResponse;
      keep(fr.seconds, firstResponse.seconds, t.seconds);
      keep(fr.businessSeconds, firstResponse.businessSeconds, t.businessSeconds);
      count(sla.firstResponse, fr.sla);
    }
    const res = row.resolution;
    if (res && inPeriod(res.at)) {
      const t = tally(row.assigneeId).resolution;
      resolution.count++;
      if (res.reopened) resolution.reopened++;
      keep(res.seconds, resolution.seconds, t.seconds);
      keep(res.businessSeconds, resolution.businessSeconds, t.businessSeconds);
      count(sla.nextResponse, res.nextResponseSla);
      count(sla.resolution, res.resolutionSla);
    }
    if (row.active) {
      const age = boundaries.find((b) => b.createdFrom === null || row.createdAt >= b.createdFrom)!.bucket;
      backlog.set(age, (backlog.get(age) ?? 0) + 1);
      tally(row.assigneeId).backlog++;
    }
    if (row.rating && inPeriod(row.rating.at)) {
      satisfaction[row.rating.rating]++;
      tally(row.assigneeId).ratings[row.rating.rating]++;
      if (row.rating.commented) commented.push({ ticketId: row.ticketId, number: row.number, rating: row.rating.rating, at: row.rating.at });
    }
    for (const e of row.events) {
      if (!inPeriod(e.at)) continue;
      // Who did it: an agent's row, or the unassigned row for what no user did (rules, jobs, customers).
      if (e.kinds & ROW_EVENT.solve) {
        tally(e.actorId).solved++;
        solved++;
        const b = bucketOf(e.at);
        if (b) b.solved++;
      }
      if (e.kinds & ROW_EVENT.reopen) {
        reopened++;
        const b = bucketOf(e.at);
        if (b) b.reopened++;
      }
      if (e.kinds & ROW_EVENT.reply) tally(e.actorId).replies++;
      if (e.kinds & ROW_EVENT.breach) breaches++;
    }
  }
  function finish(): ReportTally {
    commented.sort((a, b) => b.at - a.at || b.number - a.number);
    return {
    volume,
    totals: { new: created, solved, reopened, reopenRate: resolution.count ? resolution.reopened / resolution.count : null },
    firstResponse: durationStats(firstResponse.seconds, firstResponse.businessSeconds),
    resolution: durationStats(resolution.seconds, resolution.businessSeconds),
    // First responses judged on the tickets first answered in the period; the others on those solved in it.
    sla: [slaRow('firstResponse', sla.firstResponse), slaRow('nextResponse', sla.nextResponse), slaRow('resolution', sla.resolution)],
    breaches,
    backlog: BACKLOG_AGE_BUCKETS.map((b) => ({ bucket: b.key, count: backlog.get(b.key) ?? 0 })),
    backlogTotal: [...backlog.values()].reduce((n, c) => n + c, 0),
    satisfaction,
    commented,
    agents,
  };
  }
  return { add, finish };
}

/** {@link createReportTally} over some rows at once. */
export function tallyReport(rows: Iterable<ReportRow>, scope: ReportRowScope, period: { from: Date; to: Date; starts: readonly Date[]; now: Date }): ReportTally {
  const tally = createReportTally(scope, period);
  for (const row of rows) tally.add(row);
  return tally.finish();
}

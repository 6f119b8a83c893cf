import type { Types } from 'mongoose';
import { DIGEST_COMMENTS, type DigestData, type DigestSatisfaction } from '../../domain/digest.js';
import { satisfactionScore } from '../../domain/report.js';
import type { InboxStore } from '../../store/inbox-store.js';
import type { SatisfactionStore } from '../../store/satisfaction-store.js';
import type { UserDoc } from '../../store/models/user.js';
import type { TicketStore } from '../../store/ticket-store.js';
import type { TrailStore } from '../../store/trail-store.js';
import type { UserStore } from '../../store/user-store.js';
import { userMailLocale, type LocaleDefaults } from '../outbound/render-types.js';
import { percentile, solveVolume } from '../../domain/ticket-metrics.js';

const DAY = 86_400_000;
/** Open tickets by age; the digest draws them as a bar chart (src/mail/digest-data.ts words these labels in the reader's language). */
const AGE_BUCKETS = [
  { label: '< 1 day', maxDays: 1 },
  { label: '1–3 days', maxDays: 3 },
  { label: '3–7 days', maxDays: 7 },
  { label: '> 7 days', maxDays: Infinity },
];
const ABOUT_TO_BREACH_MS = 2 * 3600_000;
const LIST_LIMIT = 20;

/** The reports page with the digest's filters: its period and inboxes (null without PUBLIC_URL). */
export function reportsUrl(publicUrl: string | null | undefined, since: Date, until: Date, inboxIds: readonly Types.ObjectId[]): string | null {
  if (!publicUrl || !/^https?:\/\//i.test(publicUrl)) return null;
  const q = new URLSearchParams({ from: since.toISOString(), to: until.toISOString() });
  for (const id of inboxIds) q.append('inbox', id.toHexString());
  return `${publicUrl.replace(/\/+$/, '')}/reports?${q.toString()}`;
}

/**
 * The ratings given in [since, until) on these tickets: counts, score (domain/report.ts) and the latest
 * comments with their tickets' ids, numbers and subjects.
 */
async function digestSatisfaction(
  deps: { satisfaction: Pick<SatisfactionStore, 'countsBy' | 'list'>; tickets: Pick<TicketStore, 'listTitles'> },
  ticketIds: Types.ObjectId[],
  since: Date,
  until: Date,
): Promise<DigestSatisfaction> {
  const filter = { from: since, to: until, ticketIds };
  const [[all], rated] = await Promise.all([deps.satisfaction.countsBy(null, filter), deps.satisfaction.list({ ...filter, withComment: true }, DIGEST_COMMENTS)]);
  const counts = { good: all?.good ?? 0, okay: all?.okay ?? 0, bad: all?.bad ?? 0 };
  const titles = new Map((rated.length ? await deps.tickets.listTitles(rated.map((r) => r.ticketId)) : []).map((t) => [t._id.toHexString(), t]));
  const comments = rated.flatMap((r) => {
    const t = titles.get(r.ticketId.toHexString());
    return t && r.rating && r.comment && r.ratedAt ? [{ id: t._id.toHexString(), number: t.number, subject: t.subject, rating: r.rating, comment: r.comment, ratedAt: r.ratedAt }] : [];
  });
  return { ...counts, total: counts.good + counts.okay + counts.bad, score: satisfactionScore(counts), comments };
}

/** What a manager's digest reports for [since, until), with every moment a Date. */
export type DigestReport = DigestData & { periodStart: Date; periodEnd: Date };

/** The inboxes a digest covers: the ones chosen in the schedule, within those the user may see. */
export async function digestInboxIds(inboxes: Pick<InboxStore, 'listIds'>, user: Pick<UserDoc, 'role' | 'inboxIds' | 'digest'>): Promise<Types.ObjectId[]> {
  const visible = user.role === 'admin' ? await inboxes.listIds() : user.inboxIds;
  const chosen = user.digest?.inboxIds ?? [];
  return chosen.length === 0 ? visible : visible.filter((id) => chosen.some((c) => c.equals(id)));
}

/**
 * Computes a manager's digest over [since, until): new, solved and reopened counts, the open backlog
 * by age, SLA breaches and tickets about to breach, unassigned tickets older than an hour, median
 * first-response and resolution times, per-agent replies and solves, and the customers' ratings.
 * Its figures count tickets as the reports do (merged-away and spam tickets left out), so a digest and
 * the reports page of the same period and inboxes agree. Queries use the list indexes.
 * Its `timeZone` is the manager's own, else their digest schedule's, else the instance default, else UTC.
 */
export async function buildDigest(
  deps: {
    tickets: Pick<TicketStore, 'countCreatedIn' | 'listMetricsIn' | 'listOpenCreatedBefore' | 'listCountedIdsInInboxes' | 'listTitles'>;
    trail: Pick<TrailStore, 'listForDigest'>;
    satisfaction: Pick<SatisfactionStore, 'countsBy' | 'list'>;
    inboxes: Pick<InboxStore, 'listIds' | 'listNamesByIds'>;
    users: Pick<UserStore, 'listLabelsByIds'>;
  },
  opts: {
    user: Pick<UserDoc, 'name' | 'email' | 'role' | 'inboxIds' | 'digest' | 'locale' | 'timeZone'>;
    since: Date;
    until: Date;
    ticketUrlBase: string | null;
    /** PUBLIC_URL: the digest links to its reports page with the same filters (none without it). */
    publicUrl?: string | null;
    localeDefaults?: LocaleDefaults;
  },
): Promise<DigestReport> {
  const { tickets } = deps;
  const { since, until } = opts;
  const inboxIds = await digestInboxIds(deps.inboxes, opts.user);
  const inboxes = await deps.inboxes.listNamesByIds(inboxIds);
  const [created, solved, responded, open, countedIds] = await Promise.all([
    tickets.countCreatedIn(inboxIds, since, until),
    tickets.listMetricsIn(inboxIds, 'lastSolvedAt', since, until),
    // Stored at the first agent reply (domain/ticket-metrics.ts): agent-started conversations have none.
    tickets.listMetricsIn(inboxIds, 'firstResponseAt', since, until),
    tickets.listOpenCreatedBefore(inboxIds, until),
    // The tickets whose trail and ratings count, as the reports count them: merged-away and spam tickets left out.
    tickets.listCountedIdsInInboxes(inboxIds),
  ]);
  const [events, satisfaction] = await Promise.all([deps.trail.listForDigest(countedIds, since, until), digestSatisfaction(deps, countedIds, since, until)]);
  // Solved and reopened volume, and each agent's solves, from the same trail entries (domain/ticket-metrics.ts).
  const volume = solveVolume(events);

  const backlogByAge = AGE_BUCKETS.map((b, i) => ({
    label: b.label,
    count: open.filter((t) => {
      const age = (until.getTime() - t.createdAt.getTime()) / DAY;
      return age < b.maxDays && age >= (AGE_BUCKETS[i - 1]?.maxDays ?? 0);
    }).length,
  }));
  const byId = new Map((await tickets.listTitles(events.filter((e) => e.type === 'sla_breached').map((e) => e.ticketId))).map((t) => [t._id.toHexString(), t]));
  const breaches = events
    .filter((e) => e.type === 'sla_breached')
    .flatMap((e) => {
      const t = byId.get(e.ticketId.toHexString());
      return t ? [{ id: t._id.toHexString(), number: t.number, subject: t.subject, clock: String(e.data.clock ?? ''), breachedAt: e.at }] : [];
    })
    .slice(0, LIST_LIMIT);
  const aboutToBreach = open
    .flatMap((t) => {
      const due = (['firstResponse', 'nextResponse', 'resolution'] as const)
        .map((clock) => ({ clock, dueAt: t.sla?.[`${clock}DueAt`] ?? null }))
        .filter((d): d is { clock: typeof d.clock; dueAt: Date } => d.dueAt !== null && d.dueAt >= until && d.dueAt.getTime() < until.getTime() + ABOUT_TO_BREACH_MS)
        .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime())[0];
      return due ? [{ id: t._id.toHexString(), number: t.number, subject: t.subject, clock: due.clock, dueAt: due.dueAt }] : [];
    })
    .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime())
    .slice(0, LIST_LIMIT);
  const unassignedOlderThanHour = open
    .filter((t) => !t.assigneeId && until.getTime() - t.createdAt.getTime() > 3600_000)
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
    .slice(0, LIST_LIMIT)
    .map((t) => ({ id: t._id.toHexString(), number: t.number, subject: t.subject, createdAt: t.createdAt }));

  const perAgentCounts = new Map<string, { solved: number; replies: number }>();
  for (const e of events) {
    if (e.actor.kind !== 'user' || !e.actor.id) continue;
    const row = perAgentCounts.get(e.actor.id.toHexString()) ?? { solved: 0, replies: 0 };
    if (e.type === 'reply_queued') row.replies++;
    perAgentCounts.set(e.actor.id.toHexString(), row);
  }
  for (const [id, n] of volume.solvedBy) perAgentCounts.get(id)!.solved = n;
  const agents = await deps.users.listLabelsByIds([...perAgentCounts.keys()]);
  const perAgent = agents
    .map((a) => ({ name: a.name ?? a.email, ...perAgentCounts.get(a._id.toHexString())! }))
    .filter((a) => a.solved + a.replies > 0)
    .sort((a, b) => b.solved + b.replies - (a.solved + a.replies) || a.name.localeCompare(b.name));

  const counts = { new: created, solved: volume.solved, reopened: volume.reopened };
  const firstResponses = responded.flatMap((t) => (typeof t.metrics?.firstResponseSeconds === 'number' ? [t.metrics.firstResponseSeconds] : []));
  const resolutions = solved.flatMap((t) => (typeof t.metrics?.resolutionSeconds === 'number' ? [t.metrics.resolutionSeconds] : []));
  return {
    managerName: opts.user.name ?? opts.user.email,
    periodStart: since,
    periodEnd: until,
    timeZone: userMailLocale(opts.user, opts.localeDefaults, opts.user.digest?.timeZone).timeZone,
    inboxes: inboxes.map((i) => i.name),
    counts,
    backlogByAge,
    breaches,
    aboutToBreach,
    unassignedOlderThanHour,
    // Nearest rank, as the reports (domain/report.ts DurationStats): of 1 h and 3 h, the median is 1 h.
    medianFirstResponseSeconds: percentile(firstResponses, 50),
    medianResolutionSeconds: percentile(resolutions, 50),
    p90FirstResponseSeconds: percentile(firstResponses, 90),
    p90ResolutionSeconds: percentile(resolutions, 90),
    perAgent,
    satisfaction,
    ticketUrlBase: opts.ticketUrlBase,
    reportsUrl: reportsUrl(opts.publicUrl, since, until, inboxIds),
    empty: counts.new + counts.solved + counts.reopened === 0 && open.length === 0 && satisfaction.total === 0,
  };
}

import type { Types } from 'mongoose';
import { DIGEST_COMMENTS, type DigestData, type DigestSatisfaction } from '../../domain/digest.js';
import { satisfactionScore, type BacklogAgeBucket } from '../../domain/report.js';
import type { ReportRowScope } from '../../domain/report-row.js';
import type { ReportTally } from '../../domain/report-tally.js';
import type { ReportRowStore } from '../../store/report-row-store.js';
import type { InboxStore } from '../../store/inbox-store.js';
import type { SatisfactionStore } from '../../store/satisfaction-store.js';
import type { UserDoc } from '../../store/models/user.js';
import type { TicketStore } from '../../store/ticket-store.js';
import type { TrailStore } from '../../store/trail-store.js';
import type { UserStore } from '../../store/user-store.js';
import { userMailLocale, type LocaleDefaults } from '../outbound/render-types.js';
import { commentsOf, tallyReportRows } from '../reports/build-report.js';

/**
 * Open tickets by age at the end of the period, from the reports' backlog buckets (domain/report.ts);
 * the digest draws them as a bar chart (src/mail/digest-data.ts words these labels in the reader's language).
 */
const DIGEST_AGE_BUCKETS: Array<{ label: string; buckets: BacklogAgeBucket[] }> = [
  { label: '< 1 day', buckets: ['lt1d'] },
  { label: '1–3 days', buckets: ['d1to3'] },
  { label: '3–7 days', buckets: ['d3to7'] },
  { label: '> 7 days', buckets: ['d7to30', 'gt30d'] },
];
const CLOCKS = ['firstResponse', 'nextResponse', 'resolution'] as const;
const ABOUT_TO_BREACH_MS = 2 * 3600_000;
const LIST_LIMIT = 20;
/** Breaches whose tickets are read at once, until the digest has listed {@link LIST_LIMIT} of its own. */
const BREACH_BATCH = 200;

/** The reports page with the digest's filters: its period and inboxes (null without PUBLIC_URL). */
export function reportsUrl(publicUrl: string | null | undefined, since: Date, until: Date, inboxIds: readonly Types.ObjectId[]): string | null {
  if (!publicUrl || !/^https?:\/\//i.test(publicUrl)) return null;
  const q = new URLSearchParams({ from: since.toISOString(), to: until.toISOString() });
  for (const id of inboxIds) q.append('inbox', id.toHexString());
  return `${publicUrl.replace(/\/+$/, '')}/reports?${q.toString()}`;
}

/** What a manager's digest reports for [since, until), with every moment a Date. */
export type DigestReport = DigestData & { periodStart: Date; periodEnd: Date };

/** The inboxes a digest covers: the ones chosen in the schedule, within those the user may see. */
export async function digestInboxIds(inboxes: Pick<InboxStore, 'listIds'>, user: Pick<UserDoc, 'role' | 'inboxIds' | 'digest'>): Promise<Types.ObjectId[]> {
  const visible = user.role === 'admin' ? await inboxes.listIds() : user.inboxIds;
  const chosen = user.digest?.inboxIds ?? [];
  return chosen.length === 0 ? visible : visible.filter((id) => chosen.some((c) => c.equals(id)));
}

/** What a digest reads. */
export interface BuildDigestDeps {
  reportRows: Pick<ReportRowStore, 'catchUp' | 'freshRows' | 'visitRows'>;
  tickets: Pick<TicketStore, 'listActiveDueBefore' | 'listOldestUnassigned' | 'listCountedTitlesIn' | 'listTitles'>;
  trail: Pick<TrailStore, 'breachesIn'>;
  satisfaction: Pick<SatisfactionStore, 'list'>;
  inboxes: Pick<InboxStore, 'listIds' | 'listNamesByIds'>;
  users: Pick<UserStore, 'listLabelsByIds'>;
}

/**
 * Computes a manager's digest over [since, until): new, solved and reopened counts, the open backlog
 * by age, SLA breaches and tickets about to breach, unassigned tickets older than an hour, median and
 * p90 first-response and resolution times, per-agent replies and solves, and the customers' ratings.
 * Its figures are the reports' (the report rows of its inboxes added up by domain/report-tally.ts, the
 * backlog at `until`), so a digest and the reports page of the same period and inboxes agree; its lists
 * are short indexed reads. Its `timeZone` is the manager's own, else their digest schedule's, else the
 * instance default, else UTC.
 */
export async function buildDigest(
  deps: BuildDigestDeps,
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
  const { since, until } = opts;
  const inboxIds = await digestInboxIds(deps.inboxes, opts.user);
  const scope: ReportRowScope = { inboxIds: inboxIds.map((id) => id.toHexString()), teamIds: null, assigneeId: null, categoryId: null, priority: null, tag: null };
  const [inboxes, t, breaches, aboutToBreach, unassigned] = await Promise.all([
    deps.inboxes.listNamesByIds(inboxIds),
    tallyReportRows(deps, scope, { from: since, to: until, starts: [since], now: until }),
    breachesOf(deps, inboxIds, since, until),
    aboutToBreachOf(deps, inboxIds, until),
    inboxIds.length ? deps.tickets.listOldestUnassigned(inboxIds, new Date(until.getTime() - 3600_000), LIST_LIMIT) : [],
  ]);
  const backlog = new Map(t.backlog.map((b) => [b.bucket, b.count]));
  const backlogByAge = DIGEST_AGE_BUCKETS.map((b) => ({ label: b.label, count: b.buckets.reduce((n, k) => n + (backlog.get(k) ?? 0), 0) }));
  const counts = { new: t.totals.new, solved: t.totals.solved, reopened: t.totals.reopened };
  const ratings = { good: t.satisfaction.good, okay: t.satisfaction.okay, bad: t.satisfaction.bad };
  const satisfaction: DigestSatisfaction = {
    ...ratings,
    total: ratings.good + ratings.okay + ratings.bad,
    score: satisfactionScore(ratings),
    comments: (await commentsOf(deps, t.commented, DIGEST_COMMENTS)).map((c) => ({ id: c.ticketId, number: c.ticketNumber, subject: c.subject, rating: c.rating, comment: c.comment, ratedAt: c.ratedAt })),
  };
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
    unassignedOlderThanHour: unassigned.map((u) => ({ id: u._id.toHexString(), number: u.number, subject: u.subject, createdAt: u.createdAt })),
    // Nearest rank, as the reports (domain/report.ts DurationStats): of 1 h and 3 h, the median is 1 h.
    medianFirstResponseSeconds: t.firstResponse.median,
    medianResolutionSeconds: t.resolution.median,
    p90FirstResponseSeconds: t.firstResponse.p90,
    p90ResolutionSeconds: t.resolution.p90,
    perAgent: await perAgentOf(deps, t),
    satisfaction,
    ticketUrlBase: opts.ticketUrlBase,
    reportsUrl: reportsUrl(opts.publicUrl, since, until, inboxIds),
    empty: counts.new + counts.solved + counts.reopened === 0 && t.backlogTotal === 0 && satisfaction.total === 0,
  };
}

/** The first {@link LIST_LIMIT} SLA breaches of the period on the digest's tickets, oldest first. */
async function breachesOf(deps: Pick<BuildDigestDeps, 'trail' | 'tickets'>, inboxIds: Types.ObjectId[], since: Date, until: Date): Promise<DigestData['breaches']> {
  const out: DigestData['breaches'] = [];
  if (inboxIds.length === 0) return out;
  let batch: Array<{ ticketId: Types.ObjectId; at: Date; clock: string }> = [];
  const flush = async () => {
    const titles = new Map((await deps.tickets.listCountedTitlesIn(batch.map((b) => b.ticketId), inboxIds)).map((t) => [t._id.toHexString(), t]));
    for (const b of batch) {
      const t = titles.get(b.ticketId.toHexString());
      if (t && out.length < LIST_LIMIT) out.push({ id: t._id.toHexString(), number: t.number, subject: t.subject, clock: b.clock, breachedAt: b.at });
    }
    batch = [];
  };
  for await (const b of deps.trail.breachesIn(since, until)) {
    batch.push(b);
    if (batch.length < BREACH_BATCH) continue;
    await flush();
    if (out.length >= LIST_LIMIT) return out;
  }
  if (batch.length) await flush();
  return out;
}

/** Open tickets with a running SLA clock due in [until, until + 2 h), soonest first: the clock due first of each. */
async function aboutToBreachOf(deps: Pick<BuildDigestDeps, 'tickets'>, inboxIds: Types.ObjectId[], until: Date): Promise<DigestData['aboutToBreach']> {
  if (inboxIds.length === 0) return [];
  const end = until.getTime() + ABOUT_TO_BREACH_MS;
  return (await deps.tickets.listActiveDueBefore(inboxIds, new Date(end)))
    .flatMap((t) => {
      const sla = t.sla;
      // A first response given stops its clock (sla-due.ts), whatever due time is still stored.
      const due = CLOCKS.filter((clock) => !(clock === 'firstResponse' && sla?.firstRespondedAt))
        .map((clock) => ({ clock, dueAt: sla?.[`${clock}DueAt`] ?? null }))
        .filter((d): d is { clock: (typeof CLOCKS)[number]; dueAt: Date } => d.dueAt instanceof Date && d.dueAt >= until && d.dueAt.getTime() < end)
        .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime())[0];
      return due ? [{ id: t._id.toHexString(), number: t.number, subject: t.subject, clock: due.clock, dueAt: due.dueAt }] : [];
    })
    .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.number - b.number)
    .slice(0, LIST_LIMIT);
}

/** The agents who replied or solved in the period (what no user did is left out), busiest first, named in bulk. */
async function perAgentOf(deps: Pick<BuildDigestDeps, 'users'>, t: ReportTally): Promise<DigestData['perAgent']> {
  const busy = [...t.agents].filter(([id, a]) => id !== '' && a.solved + a.replies > 0);
  const labels = new Map((busy.length ? await deps.users.listLabelsByIds(busy.map(([id]) => id)) : []).map((u) => [u._id.toHexString(), u.name ?? u.email]));
  return busy
    .flatMap(([id, a]) => {
      const name = labels.get(id);
      return name === undefined ? [] : [{ name, solved: a.solved, replies: a.replies }];
    })
    .sort((a, b) => b.solved + b.replies - (a.solved + a.replies) || a.name.localeCompare(b.name));
}

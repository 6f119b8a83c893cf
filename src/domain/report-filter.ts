import { DateTime, IANAZone } from 'luxon';
import { queryIssue, queryMoment, type QueryIssue } from './query-params.js';
import { AppError } from './errors.js';
import { BACKLOG_AGE_BUCKETS, type BacklogAgeBucket, type ReportFilter, type ReportGranularity } from './report.js';
import { TEAM_LEVELS, type TeamLevel } from './teams.js';
import { TICKET_PRIORITIES, type TicketPriority } from './ticket-status.js';

/**
 * The reports' filter as the page, the API and the digest's link write it (query parameters `from`,
 * `to`, `inbox` (repeatable), `team`, `level`, `agent`, `category`, `priority`, `tag`), and the time
 * buckets a report is cut in, in the reader's time zone. Pure: the time zone and `now` are passed in.
 */

/** The longest period a report covers (days). */
export const REPORT_MAX_DAYS = 366;
/** The period a report covers unless asked otherwise: this many days up to the end of today. */
export const REPORT_DEFAULT_DAYS = 30;
/** The longest tag a filter names (as tickets' tags). */
export const REPORT_TAG_MAX = 50;
/** Granularity limits (days): by day up to 62 days, by week up to 186 (26 weeks), else by month. */
const DAY_LIMIT = 62;
const WEEK_LIMIT = 186;

const DAY_MS = 86_400_000;
const HEX_ID = /^[0-9a-f]{24}$/i;

/** Query parameters as an HTTP framework parses them (a repeated name gives an array). */
export type ReportQueryInput = Record<string, string | string[] | undefined | unknown>;

/** The zone a report is read in: the reader's IANA zone, UTC when it is missing or unknown. */
export function reportZone(timeZone: string | null | undefined): string {
  return timeZone && IANAZone.isValidZone(timeZone) ? timeZone : 'UTC';
}

/** One value of a parameter; an array (a repeated name) or anything but a string is refused. */
function single(query: ReportQueryInput, name: string, issues: QueryIssue[]): string | null {
  const v = query[name];
  if (v === undefined || v === '') return null;
  if (typeof v !== 'string') {
    issues.push(queryIssue(name, 'issue.report.once', 'must be given once'));
    return null;
  }
  return v.trim() === '' ? null : v.trim();
}

function objectIdOf(name: string, value: string | null, issues: QueryIssue[]): string | null {
  if (value === null) return null;
  if (!HEX_ID.test(value)) {
    issues.push(queryIssue(name, 'issue.notAnId', 'is not an id'));
    return null;
  }
  return value.toLowerCase();
}

/** Midnight (in the zone) starting the day after `now`'s: the end of today. */
function endOfToday(now: Date, zone: string): DateTime {
  return DateTime.fromJSDate(now, { zone }).startOf('day').plus({ days: 1 });
}

/**
 * Parses a report's query parameters into its filter, in the reader's zone: `from`/`to` as ISO
 * date-times (without an offset: the reader's local time), or days `YYYY-MM-DD` (`from` a day's first instant, `to` the END of its day); by
 * default the last 30 days up to the end of today (just `from`: up to the end of today; just `to`:
 * the 30 days before it). Unknown parameters are left alone (the page's own). Throws
 * VALIDATION_FAILED naming every wrong parameter: a bad value, `from` not before `to`, or a period
 * over {@link REPORT_MAX_DAYS} days.
 */
export function parseReportFilter(query: ReportQueryInput, opts: { timeZone: string | null | undefined; now: Date }): ReportFilter {
  const zone = reportZone(opts.timeZone);
  const issues: QueryIssue[] = [];
  const dateIssue = (name: string) => queryIssue(name, 'issue.report.date', 'must be a date and time (ISO 8601) or a day written YYYY-MM-DD');

  const fromText = single(query, 'from', issues);
  const toText = single(query, 'to', issues);
  let from = fromText === null ? null : queryMoment(fromText, zone, false);
  let to = toText === null ? null : queryMoment(toText, zone, true);
  if (fromText !== null && from === null) issues.push(dateIssue('from'));
  if (toText !== null && to === null) issues.push(dateIssue('to'));
  if (toText === null) to = endOfToday(opts.now, zone).toJSDate();
  if (fromText === null && to) from = DateTime.fromJSDate(to, { zone }).minus({ days: REPORT_DEFAULT_DAYS }).toJSDate();
  if (from && to) {
    if (from.getTime() >= to.getTime()) issues.push(queryIssue('from', 'issue.fromBeforeTo', 'must be before to'));
    else if (DateTime.fromJSDate(to, { zone }).diff(DateTime.fromJSDate(from, { zone }), 'days').days > REPORT_MAX_DAYS) {
      issues.push(queryIssue('to', 'issue.report.span', `must be at most ${REPORT_MAX_DAYS} days after from`, { days: REPORT_MAX_DAYS }));
    }
  }

  const inboxValues = query.inbox === undefined || query.inbox === '' ? [] : Array.isArray(query.inbox) ? query.inbox : [query.inbox];
  const inboxIds: string[] = [];
  for (const v of inboxValues) {
    const id = typeof v === 'string' && HEX_ID.test(v.trim()) ? v.trim().toLowerCase() : null;
    if (id === null) {
      if (!issues.some((i) => i.path === 'inbox')) issues.push(queryIssue('inbox', 'issue.notAnId', 'is not an id'));
    } else if (!inboxIds.includes(id)) inboxIds.push(id);
  }
  const teamId = objectIdOf('team', single(query, 'team', issues), issues);
  const agentId = objectIdOf('agent', single(query, 'agent', issues), issues);
  const categoryId = objectIdOf('category', single(query, 'category', issues), issues);

  const levelText = single(query, 'level', issues);
  const level = levelText === null ? null : (TEAM_LEVELS.find((l) => l === levelText.toUpperCase()) ?? null);
  if (levelText !== null && level === null) issues.push(queryIssue('level', 'issue.report.level', 'must be L1, L2, L3 or L4'));
  const priorityText = single(query, 'priority', issues);
  const priority = priorityText === null ? null : (TICKET_PRIORITIES.find((p) => p === priorityText.toLowerCase()) ?? null);
  if (priorityText !== null && priority === null) issues.push(queryIssue('priority', 'issue.report.priority', 'must be low, normal, high or urgent'));
  const tag = single(query, 'tag', issues);
  if (tag !== null && tag.length > REPORT_TAG_MAX) issues.push(queryIssue('tag', 'issue.report.tag', `must be at most ${REPORT_TAG_MAX} characters`, { max: REPORT_TAG_MAX }));

  if (issues.length > 0 || !from || !to) {
    throw new AppError('VALIDATION_FAILED', `Report filter is invalid: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, {
      details: { issues },
      key: 'input.invalid',
      params: { what: 'Report filter' },
    });
  }
  return { from, to, timeZone: zone, inboxIds, teamId, level: level as TeamLevel | null, agentId, categoryId, priority: priority as TicketPriority | null, tag };
}

/**
 * The query parameters of a filter, with the names {@link parseReportFilter} reads: the period as ISO
 * date-times (the same instants for a reader in any zone), then each criterion that is set.
 */
export function reportQuery(filter: ReportFilter): URLSearchParams {
  const q = new URLSearchParams({ from: filter.from.toISOString(), to: filter.to.toISOString() });
  for (const id of filter.inboxIds) q.append('inbox', id);
  if (filter.teamId) q.set('team', filter.teamId);
  if (filter.level) q.set('level', filter.level);
  if (filter.agentId) q.set('agent', filter.agentId);
  if (filter.categoryId) q.set('category', filter.categoryId);
  if (filter.priority) q.set('priority', filter.priority);
  if (filter.tag) q.set('tag', filter.tag);
  return q;
}

/** How the volume chart groups a period: by day up to 62 days, by week up to 186, else by month. */
export function granularityOf(filter: Pick<ReportFilter, 'from' | 'to'>): ReportGranularity {
  // In calendar days: a period of whole local days across a DST change is up to an hour longer.
  const days = (filter.to.getTime() - filter.from.getTime() - 3_600_000) / DAY_MS;
  if (days <= DAY_LIMIT) return 'day';
  return days <= WEEK_LIMIT ? 'week' : 'month';
}

/**
 * The first instants of the volume buckets covering [from, to), in the filter's zone: local midnights
 * (days), Mondays' midnights (ISO weeks), the 1st of each month. The first is the start of the bucket
 * holding `from` (so it may be before it); each one after is the next local boundary, whatever the
 * day's length across a DST change.
 */
export function volumeBucketStarts(filter: Pick<ReportFilter, 'from' | 'to' | 'timeZone'>, granularity: ReportGranularity): Date[] {
  const zone = reportZone(filter.timeZone);
  const unit = granularity === 'week' ? 'week' : granularity;
  const starts: Date[] = [];
  let at = DateTime.fromJSDate(filter.from, { zone }).startOf(unit);
  const end = filter.to.getTime();
  for (let k = 1; at.toMillis() < end; k++) {
    starts.push(at.toJSDate());
    // From the first start each time, so a clamped day (a midnight that does not exist) does not drift.
    at = DateTime.fromJSDate(starts[0]!, { zone }).plus(granularity === 'day' ? { days: k } : granularity === 'week' ? { weeks: k } : { months: k }).startOf(unit);
  }
  return starts;
}

/** The index of the bucket an instant falls in (`starts` ascending, as {@link volumeBucketStarts} gives them); -1 before the first. */
export function bucketIndexOf(starts: readonly Date[], at: Date): number {
  let lo = 0;
  let hi = starts.length - 1;
  let found = -1;
  const t = at.getTime();
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid]!.getTime() <= t) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** The backlog bucket of an active ticket of this age (whole seconds since creation, at the report's now). */
export function backlogBucketOf(ageSeconds: number): BacklogAgeBucket {
  const days = ageSeconds / 86_400;
  return (BACKLOG_AGE_BUCKETS.find((b) => days < b.maxDays) ?? BACKLOG_AGE_BUCKETS[BACKLOG_AGE_BUCKETS.length - 1]!).key;
}

/**
 * The backlog buckets as creation times at `now`, youngest first: a ticket is in the first bucket whose
 * `createdFrom` it is at or after (ages are whole seconds, see ticket-metrics.ts backlogAgeSeconds, so a
 * ticket exactly a day old is no longer under a day); the last bucket has none and takes the rest.
 */
export function backlogBoundaries(now: Date): Array<{ bucket: BacklogAgeBucket; createdFrom: Date | null }> {
  return BACKLOG_AGE_BUCKETS.map((b) => ({
    bucket: b.key,
    // age = floor((now − created) / 1 s) < maxDays·86,400 ⟺ created > now − maxDays·86,400,000 ms.
    createdFrom: Number.isFinite(b.maxDays) ? new Date(now.getTime() - b.maxDays * DAY_MS + 1) : null,
  }));
}

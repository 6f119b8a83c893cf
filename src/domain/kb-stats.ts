/**
 * The knowledge base's deflection figures, measured honestly: what counts as a view or a
 * click-through, the UTC days counts are filed under, and the periods editors read them over. No
 * person is tracked: the counts are sums per article and day, nothing about a reader is kept.
 */

/** The events the help center counts per article. */
export const KB_STAT_EVENTS = ['views', 'yes', 'no', 'contact'] as const;
export type KbStatEvent = (typeof KB_STAT_EVENTS)[number];

/** The longest period a stats table sums over (days). */
export const KB_STATS_MAX_DAYS = 731;
/** The period a stats table shows unless asked otherwise (days, today included). */
export const KB_STATS_DEFAULT_DAYS = 30;

const DAY_MS = 86_400_000;

/** The UTC day of an instant, `YYYY-MM-DD`. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** Whether a string is a real calendar day written `YYYY-MM-DD`. */
export function isDay(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && utcDay(d) === value;
}

/** The day `n` days after (or before, negative) a day. */
export function addDays(day: string, n: number): string {
  return utcDay(new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS));
}

/** A period of whole UTC days, both ends included. */
export interface KbStatsPeriod {
  from: string;
  to: string;
}

/** What is wrong with a requested period (a field and a catalog key), or the period. */
export type PeriodResult = { ok: true; period: KbStatsPeriod } | { ok: false; field: 'from' | 'to'; key: string; message: string; params?: Record<string, number> };

/**
 * The period asked for: `to` defaults to today, `from` to {@link KB_STATS_DEFAULT_DAYS} days up to
 * `to`. Refused: a day that is not `YYYY-MM-DD`, `from` after `to`, a span over {@link KB_STATS_MAX_DAYS}.
 */
export function statsPeriod(query: { from?: string | undefined; to?: string | undefined }, now: Date): PeriodResult {
  const to = query.to || utcDay(now);
  if (!isDay(to)) return { ok: false, field: 'to', key: 'issue.kbStatsDay', message: 'must be a day written YYYY-MM-DD' };
  const from = query.from || addDays(to, -(KB_STATS_DEFAULT_DAYS - 1));
  if (!isDay(from)) return { ok: false, field: 'from', key: 'issue.kbStatsDay', message: 'must be a day written YYYY-MM-DD' };
  if (from > to) return { ok: false, field: 'from', key: 'issue.kbStatsOrder', message: 'must not be after to' };
  if (Date.parse(to) - Date.parse(from) >= KB_STATS_MAX_DAYS * DAY_MS) return { ok: false, field: 'from', key: 'issue.kbStatsSpan', message: `must be at most ${KB_STATS_MAX_DAYS} days before to`, params: { days: KB_STATS_MAX_DAYS } };
  return { ok: true, period: { from, to } };
}

/*
 * Robots, link previews and tools announce themselves in their User-Agent; browsers do not use these
 * words. A request without a User-Agent is a script, not a reader.
 */
const NOT_A_READER = /bot\b|bot\/|crawl|spider|slurp|archiver|preview|facebookexternalhit|embedly|headless|lighthouse|pingdom|uptime|monitor|curl\/|wget\/|python-|python\/|java\/|go-http-client|okhttp|axios\/|node-fetch|undici|libwww|httpclient|scrapy/i;

/**
 * Whether a request to an article page is a person reading it: a GET (not HEAD), from a client that
 * does not call itself a robot, a preview fetcher or a script, and not a browser's prefetch.
 */
export function countsAsReader(req: { method: string; userAgent: string | null; purpose: string | null }): boolean {
  if (req.method !== 'GET') return false;
  if (req.purpose && /prefetch|prerender|preview/i.test(req.purpose)) return false;
  const ua = req.userAgent?.trim() ?? '';
  return ua !== '' && !NOT_A_READER.test(ua);
}

/** The share of helpful votes (0–1), null with none. */
export function helpfulShare(c: { yes: number; no: number }): number | null {
  const votes = c.yes + c.no;
  return votes ? c.yes / votes : null;
}

/** Click-throughs to "Write to us" per view (0–1), null with no view: how often the article did not answer. */
export function contactRate(c: { views: number; contact: number }): number | null {
  return c.views ? Math.min(1, c.contact / c.views) : null;
}

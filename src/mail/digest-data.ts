import type { DigestData, DigestSatisfaction } from '../domain/digest.js';
import type { Translator } from '../i18n/catalog.js';
import { firstTimeZone, formatPeriod, httpUrl, mailTranslator, ticketLink } from './email-format.js';

export type { DigestData } from '../domain/digest.js';

/** One row of the backlog chart: the coloured cell is `width`% of the bar, the blank one `rest`%. */
export interface BacklogBar {
  label: string;
  count: number;
  width: number;
  rest: number;
  /** The same bar for the plain-text part, up to 20 `#`. */
  textBar: string;
}

/**
 * The age buckets the digest use case labels its backlog with (src/services/digest/build-digest.ts),
 * and their words in the catalogs; any other label is shown as given.
 */
const AGE_LABEL_KEYS: Record<string, string> = {
  '< 1 day': 'mail:digest.age.underOneDay',
  '1–3 days': 'mail:digest.age.oneToThreeDays',
  '3–7 days': 'mail:digest.age.threeToSevenDays',
  '> 7 days': 'mail:digest.age.overSevenDays',
};

const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.round(value) : 0);

/** Bars scaled so the largest count fills the row; a non-zero count always shows at least 1%. */
export function backlogBars(rows: ReadonlyArray<{ label: string; count: number }>, tr: Pick<Translator, 't'> = mailTranslator()): BacklogBar[] {
  const labelled = rows.map((r) => ({ label: AGE_LABEL_KEYS[r.label] ? tr.t(AGE_LABEL_KEYS[r.label]!) : r.label, count: count(r.count) }));
  const max = Math.max(0, ...labelled.map((r) => r.count));
  const labelWidth = Math.max(0, ...labelled.map((r) => r.label.length));
  return labelled.map(({ label, count: n }) => {
    const width = max === 0 ? 0 : Math.max(n > 0 ? 1 : 0, Math.round((n / max) * 100));
    return { label, count: n, width, rest: 100 - width, textBar: `${label.padEnd(labelWidth)}  ${'#'.repeat(Math.round(width / 5))} ${n}` };
  });
}

/** The satisfaction part as the template shows it: the score in the reader's digits, comments linked to their ticket pages by id. */
export function satisfactionView(data: DigestSatisfaction | undefined, ticketUrlBase: string | null, tr: Pick<Translator, 't' | 'formatLocale'> = mailTranslator()) {
  if (!data) return null;
  const score = typeof data.score === 'number' && Number.isFinite(data.score) ? new Intl.NumberFormat(tr.formatLocale, { maximumFractionDigits: 1 }).format(data.score) : null;
  const [good, okay, bad] = [count(data.good), count(data.okay), count(data.bad)];
  return {
    good,
    okay,
    bad,
    total: good + okay + bad,
    scoreText: score === null ? tr.t('mail:duration.none') : tr.t('mail:digest.satisfactionPercent', { score }),
    comments: (data.comments ?? []).map((c) => ({ ...c, ratingLabel: tr.t(`mail:satisfaction.${c.rating}`), url: ticketLink(ticketUrlBase, c.id) })),
  };
}

/**
 * The digest data plus what the template cannot work out itself: period label (in the reader's
 * language and zone), bars, links. `timeZone` is the reader's zone when known, else the data's.
 */
export function digestView(data: DigestData, opts: { tr?: Translator; timeZone?: string | null } = {}): Record<string, unknown> {
  const tr = opts.tr ?? mailTranslator();
  const timeZone = firstTimeZone(opts.timeZone, data.timeZone);
  // The ticket page is addressed by id: a link by number would answer 404.
  const link = <T extends { id?: string }>(items: T[] | undefined): Array<T & { url: string | null }> =>
    (items ?? []).map((item) => ({ ...item, url: ticketLink(data.ticketUrlBase, item.id) }));
  return {
    ...data,
    timeZone,
    periodLabel: formatPeriod(data.periodStart, data.periodEnd, timeZone, tr),
    inboxList: (data.inboxes ?? []).join(', '),
    counts: { new: count(data.counts?.new), solved: count(data.counts?.solved), reopened: count(data.counts?.reopened) },
    backlogBars: backlogBars(data.backlogByAge ?? [], tr),
    breaches: link(data.breaches),
    aboutToBreach: link(data.aboutToBreach),
    unassignedOlderThanHour: link(data.unassignedOlderThanHour),
    // The reports page with the digest's filters, only as an http(s) URL.
    reports: { url: httpUrl(data.reportsUrl) },
    perAgent: data.perAgent ?? [],
    satisfaction: satisfactionView(data.satisfaction, data.ticketUrlBase, tr),
  };
}

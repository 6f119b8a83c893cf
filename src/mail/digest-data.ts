import type { DigestData } from '../domain/digest.js';
import { formatPeriod, safeTimeZone, ticketLink } from './email-format.js';

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

const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.round(value) : 0);

/** Bars scaled so the largest count fills the row; a non-zero count always shows at least 1%. */
export function backlogBars(rows: ReadonlyArray<{ label: string; count: number }>): BacklogBar[] {
  const max = Math.max(0, ...rows.map((r) => count(r.count)));
  const labelWidth = Math.max(0, ...rows.map((r) => r.label.length));
  return rows.map((r) => {
    const n = count(r.count);
    const width = max === 0 ? 0 : Math.max(n > 0 ? 1 : 0, Math.round((n / max) * 100));
    return { label: r.label, count: n, width, rest: 100 - width, textBar: `${r.label.padEnd(labelWidth)}  ${'#'.repeat(Math.round(width / 5))} ${n}` };
  });
}

/** The digest data plus what the template cannot work out itself: period label, bars, links. */
export function digestView(data: DigestData): Record<string, unknown> {
  const timeZone = safeTimeZone(data.timeZone);
  const link = <T extends { number: number }>(items: T[] | undefined): Array<T & { url: string | null }> =>
    (items ?? []).map((item) => ({ ...item, url: ticketLink(data.ticketUrlBase, item.number) }));
  return {
    ...data,
    timeZone,
    periodLabel: formatPeriod(data.periodStart, data.periodEnd, timeZone),
    inboxList: (data.inboxes ?? []).join(', '),
    counts: { new: count(data.counts?.new), solved: count(data.counts?.solved), reopened: count(data.counts?.reopened) },
    backlogBars: backlogBars(data.backlogByAge ?? []),
    breaches: link(data.breaches),
    aboutToBreach: link(data.aboutToBreach),
    unassignedOlderThanHour: link(data.unassignedOlderThanHour),
    perAgent: data.perAgent ?? [],
  };
}

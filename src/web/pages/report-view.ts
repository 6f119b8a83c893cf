import { REPORT_TABLES, type DurationStats, type Report, type ReportGranularity, type ReportTable } from '../../domain/report.js';
import type { Translator } from '../../i18n/catalog.js';
import { humaniseDuration } from '../../mail/email-format.js';

/**
 * What the reports page shows of a report: every figure as its table cell (the raw number in
 * `value`, for the charts and the tests; the text a person reads in `text`), each table's CSV link.
 * Durations read as `2 h 15 min` / `3 j 4 h`, shares as percentages, in the reader's language.
 */

/** One cell of a charted table: the raw number the chart draws and the words the table shows. */
interface Cell {
  series: string;
  label: string;
  value: number | null;
  text: string;
}

/** Links to each table's CSV file with the report's filter. */
export function exportLinks(query: URLSearchParams): Record<ReportTable, string> {
  const qs = query.toString();
  return Object.fromEntries(REPORT_TABLES.map((table) => [table, `/reports/export/${table}.csv${qs ? `?${qs}` : ''}`])) as Record<ReportTable, string>;
}

/** How volume buckets are named: their day, their week's Monday, or their month, in the reader's zone. */
function bucketLabels(granularity: ReportGranularity, tr: Translator, timeZone: string): (start: Date) => string {
  if (granularity === 'month') {
    const month = new Intl.DateTimeFormat(tr.formatLocale, { month: 'short', year: 'numeric', timeZone });
    return (start) => month.format(start);
  }
  const day = new Intl.DateTimeFormat(tr.formatLocale, { day: 'numeric', month: 'short', timeZone });
  return granularity === 'week' ? (start) => tr.t('tickets:reports.volume.weekOf', { day: day.format(start) }) : (start) => day.format(start);
}

/** A report's figures as the page's tables. */
export function reportView(report: Report, tr: Translator) {
  const { t } = tr;
  const bucketLabel = bucketLabels(report.granularity, tr, report.filter.timeZone);
  const number = new Intl.NumberFormat(tr.formatLocale, { maximumFractionDigits: 0 });
  const percentFormat = new Intl.NumberFormat(tr.formatLocale, { style: 'percent', maximumFractionDigits: 1 });
  const none = t('tickets:reports.none');
  const count = (series: string, label: string, value: number): Cell => ({ series, label, value, text: number.format(value) });
  const duration = (series: string, label: string, value: number | null): Cell => ({ series, label, value, text: value === null ? none : humaniseDuration(value, tr) });
  /** A share 0..1 as a percentage, or a dash. */
  const share = (v: number | null) => (v === null ? none : percentFormat.format(v));
  const col = {
    new: t('tickets:reports.volume.new'), solved: t('tickets:reports.volume.solved'), reopened: t('tickets:reports.volume.reopened'),
    count: t('tickets:reports.durations.count'), median: t('tickets:reports.durations.median'), p90: t('tickets:reports.durations.p90'),
    businessMedian: t('tickets:reports.durations.businessMedian'), businessP90: t('tickets:reports.durations.businessP90'),
    met: t('tickets:reports.sla.met'), breached: t('tickets:reports.sla.breached'), attainment: t('tickets:reports.sla.attainment'),
    tickets: t('tickets:reports.backlog.count'), ratings: t('tickets:reports.satisfaction.count'),
    replies: t('tickets:reports.agents.replies'), firstResponse: t('tickets:reports.agents.firstResponse'), resolution: t('tickets:reports.agents.resolution'),
    score: t('tickets:reports.satisfaction.score'), backlog: t('tickets:reports.agents.backlog'),
  };
  const durationRow = (key: 'firstResponse' | 'resolution', d: DurationStats) => ({
    key,
    label: t(`tickets:reports.durations.${key}`),
    count: count('count', col.count, d.count),
    cells: [duration('median', col.median, d.median), duration('p90', col.p90, d.p90), duration('businessMedian', col.businessMedian, d.businessMedian), duration('businessP90', col.businessP90, d.businessP90)],
  });
  const s = report.satisfaction;
  const scoreText = (score: number | null) => (score === null ? none : percentFormat.format(score / 100));
  return {
    totals: [
      { label: col.new, text: number.format(report.totals.new) },
      { label: col.solved, text: number.format(report.totals.solved) },
      { label: col.reopened, text: number.format(report.totals.reopened) },
      { label: t('tickets:reports.totals.reopenRate'), text: share(report.totals.reopenRate) },
      { label: t('tickets:reports.totals.breaches'), text: number.format(report.breaches) },
      { label: t('tickets:reports.totals.backlog'), text: number.format(report.backlogTotal) },
      { label: t('tickets:reports.satisfaction.score'), text: scoreText(s.score) },
    ],
    volume: {
      columns: [{ series: 'new', label: col.new }, { series: 'solved', label: col.solved }, { series: 'reopened', label: col.reopened }],
      granularity: t(`tickets:reports.volume.by.${report.granularity}`),
      rows: report.volume.map((v) => ({ label: bucketLabel(v.start), start: v.start, cells: [count('new', col.new, v.new), count('solved', col.solved, v.solved), count('reopened', col.reopened, v.reopened)] })),
    },
    durations: {
      columns: [{ series: 'median', label: col.median }, { series: 'p90', label: col.p90 }, { series: 'businessMedian', label: col.businessMedian }, { series: 'businessP90', label: col.businessP90 }],
      rows: [durationRow('firstResponse', report.firstResponse), durationRow('resolution', report.resolution)],
    },
    sla: {
      columns: [{ series: 'met', label: col.met }, { series: 'breached', label: col.breached }],
      attainmentLabel: col.attainment,
      rows: report.sla.map((row) => ({ label: t(`tickets:reports.sla.target.${row.target}`), cells: [count('met', col.met, row.met), count('breached', col.breached, row.breached)], attainment: share(row.attainment) })),
      breaches: number.format(report.breaches),
    },
    backlog: {
      columns: [{ series: 'count', label: col.tickets }],
      rows: report.backlog.map((b) => ({ label: t(`tickets:reports.backlog.bucket.${b.bucket}`), cells: [count('count', col.tickets, b.count)] })),
      total: number.format(report.backlogTotal),
    },
    satisfaction: {
      columns: [{ series: 'count', label: col.ratings }],
      rows: (['good', 'okay', 'bad'] as const).map((r) => ({ label: t(`tickets:satisfaction.rating.${r}`), cells: [count('count', col.ratings, s[r])] })),
      total: number.format(s.total),
      score: scoreText(s.score),
      comments: s.comments.map((c) => ({ ...c, ratingLabel: t(`tickets:satisfaction.rating.${c.rating}`) })),
    },
    agents: {
      columns: [{ series: 'solved', label: col.solved }, { series: 'replies', label: col.replies }],
      labels: { firstResponse: col.firstResponse, resolution: col.resolution, score: col.score, backlog: col.backlog },
      rows: report.agents.map((a) => ({
        id: a.agentId,
        label: a.agentId === null ? t('tickets:reports.agents.unassigned') : a.name,
        cells: [count('solved', col.solved, a.solved), count('replies', col.replies, a.replies)],
        firstResponse: a.firstResponse.median === null ? none : humaniseDuration(a.firstResponse.median, tr),
        resolution: a.resolution.median === null ? none : humaniseDuration(a.resolution.median, tr),
        score: scoreText(a.satisfaction.score),
        backlog: number.format(a.backlog),
      })),
    },
  };
}

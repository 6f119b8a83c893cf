import type { Response } from 'express';
import { CSV_BOM, csvDocument, csvLine, type CsvFormat, type CsvValue } from '../domain/csv.js';
import { REPORT_SLA_TARGETS, REPORT_TABLES, type DurationStats, type Report, type ReportFilter, type ReportTable, type ReportTicketRow } from '../domain/report.js';
import { AppError } from '../domain/errors.js';

/**
 * The reports' CSV files (`/reports/export/<table>.csv` and `/api/v1/reports/export/<table>.csv`): one
 * per table of the page, and the ticket rows behind them. Columns are named like the JSON API's fields
 * (stable, whatever the reader's language); values as src/domain/csv.ts writes them (numbers raw,
 * durations in whole seconds, moments ISO 8601 in the reader's zone, the separator of their language).
 */

/** The tables with a CSV file that are not the ticket rows. */
export type ReportSummaryTable = Exclude<ReportTable, 'tickets'>;

/** The table a `<table>.csv` name asks for; NOT_FOUND for another name. */
export function reportTableOf(name: unknown): ReportTable {
  if (typeof name === 'string' && (REPORT_TABLES as readonly string[]).includes(name)) return name as ReportTable;
  throw new AppError('NOT_FOUND', 'Report table not found', { key: 'notFound.reportTable' });
}

const durationColumns = (prefix: string) => [`${prefix}Count`, `${prefix}MedianSeconds`, `${prefix}P90Seconds`, `${prefix}BusinessMedianSeconds`, `${prefix}BusinessP90Seconds`];
const durationValues = (d: DurationStats): CsvValue[] => [d.count, d.median, d.p90, d.businessMedian, d.businessP90];

/** The header and rows of one of the report's own tables. */
export function reportTableRows(report: Report, table: ReportSummaryTable): { header: string[]; rows: CsvValue[][] } {
  switch (table) {
    case 'volume':
      return { header: ['start', 'new', 'solved', 'reopened'], rows: report.volume.map((v) => [v.start, v.new, v.solved, v.reopened]) };
    case 'durations':
      return {
        header: ['metric', 'count', 'medianSeconds', 'p90Seconds', 'businessMedianSeconds', 'businessP90Seconds'],
        rows: [['firstResponse', ...durationValues(report.firstResponse)], ['resolution', ...durationValues(report.resolution)]],
      };
    case 'sla':
      return { header: ['target', 'met', 'breached', 'attainment'], rows: report.sla.map((s) => [s.target, s.met, s.breached, s.attainment]) };
    case 'backlog':
      return { header: ['bucket', 'count'], rows: report.backlog.map((b) => [b.bucket, b.count]) };
    case 'satisfaction': {
      const s = report.satisfaction;
      return { header: ['rating', 'count'], rows: [['good', s.good], ['okay', s.okay], ['bad', s.bad]] };
    }
    case 'comments':
      return {
        header: ['ticketNumber', 'ticketId', 'subject', 'rating', 'comment', 'ratedAt'],
        rows: report.satisfaction.comments.map((c) => [c.ticketNumber, c.ticketId, c.subject, c.rating, c.comment, c.ratedAt]),
      };
    case 'agents':
      return {
        header: ['agentId', 'name', 'solved', 'replies', ...durationColumns('firstResponse'), ...durationColumns('resolution'), 'good', 'okay', 'bad', 'score', 'backlog'],
        rows: report.agents.map((a) => [
          a.agentId, a.name, a.solved, a.replies, ...durationValues(a.firstResponse), ...durationValues(a.resolution),
          a.satisfaction.good, a.satisfaction.okay, a.satisfaction.bad, a.satisfaction.score, a.backlog,
        ]),
      };
  }
}

/** The whole file of one of the report's own tables. */
export function reportTableCsv(report: Report, table: ReportSummaryTable, format: CsvFormat): string {
  const { header, rows } = reportTableRows(report, table);
  return csvDocument(header, rows, format);
}

/** The ticket rows' columns. */
export const TICKET_CSV_HEADER = [
  'number', 'id', 'subject', 'inbox', 'team', 'level', 'assignee', 'category', 'priority', 'status', 'tags',
  'createdAt', 'firstResponseAt', 'firstResponseSeconds', 'firstResponseBusinessSeconds', 'lastSolvedAt', 'resolutionSeconds', 'resolutionBusinessSeconds',
  'reopenCount', ...REPORT_SLA_TARGETS.map((t) => `sla${t[0]!.toUpperCase()}${t.slice(1)}`), 'satisfaction',
];

/** One ticket row's fields, in {@link TICKET_CSV_HEADER}'s order (tags joined by a space: a tag holds none). */
export function ticketCsvValues(r: ReportTicketRow): CsvValue[] {
  return [
    r.number, r.id, r.subject, r.inbox, r.team, r.level, r.assignee, r.category, r.priority, r.status, r.tags.join(' '),
    r.createdAt, r.firstResponseAt, r.firstResponseSeconds, r.firstResponseBusinessSeconds, r.lastSolvedAt, r.resolutionSeconds, r.resolutionBusinessSeconds,
    r.reopenCount, ...REPORT_SLA_TARGETS.map((t) => r.sla[t]), r.satisfaction,
  ];
}

/** The download name of a table's file: `report-<table>-<first day>-<last day>.csv` (days in the filter's zone). */
export function reportFileName(table: ReportTable, filter: Pick<ReportFilter, 'from' | 'to' | 'timeZone'>): string {
  const day = (d: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: filter.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
  return `report-${table}-${day(filter.from)}-${day(new Date(filter.to.getTime() - 1))}.csv`;
}

/** The headers of a CSV download. */
function csvHeaders(res: Response, fileName: string): void {
  res.set({ 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${fileName}"`, 'X-Content-Type-Options': 'nosniff' });
}

/** Sends one of the report's own tables as a CSV download. */
export function sendReportTable(res: Response, report: Report, table: ReportSummaryTable, format: CsvFormat): void {
  csvHeaders(res, reportFileName(table, report.filter));
  res.send(reportTableCsv(report, table, format));
}

/** Resolves when the response can take more (drained), or is gone (closed). */
function writable(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * Streams the ticket rows as a CSV download, one line at a time as they are read (never the whole
 * file in memory), waiting when the client reads slower and stopping when it goes away. The first
 * row is read before anything is sent, so a refusal (access, a bad filter) is still answered as an
 * error; a failure later cuts the download short (the connection is closed, not ended, so the file
 * is not taken for whole) and is rethrown to be logged.
 */
export async function streamReportTickets(res: Response, rows: AsyncIterable<ReportTicketRow>, filter: ReportFilter, format: CsvFormat): Promise<void> {
  const iterator = rows[Symbol.asyncIterator]();
  let next = await iterator.next();
  csvHeaders(res, reportFileName('tickets', filter));
  res.status(200);
  res.write(CSV_BOM + csvLine(TICKET_CSV_HEADER, format));
  try {
    while (!next.done && !res.destroyed) {
      if (!res.write(csvLine(ticketCsvValues(next.value), format))) await writable(res);
      if (res.destroyed) break;
      next = await iterator.next();
    }
  } catch (err) {
    res.destroy();
    throw err;
  } finally {
    if (!next.done) await iterator.return?.();
  }
  if (!res.destroyed) res.end();
}

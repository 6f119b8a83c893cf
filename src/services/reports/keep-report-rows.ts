import type { ReportRowStore } from '../../store/report-row-store.js';

/**
 * The report rows' upkeep (store/report-row-store.ts), in the background: a catch-up every minute, so
 * that a report makes the rows of at most a minute of changes itself (the first one after an upgrade
 * builds the rows, so no manager's report waits for it), and every night a remake of every row from its
 * sources, which also drops rows of tickets deleted by anything that did not say so.
 */
export const REPORT_ROWS_JOB = 'report-rows';
/** Every minute (keyed: one job however many workers start). */
export const REPORT_ROWS_EVERY_MINUTE = { key: 'catch-up', cron: '* * * * *', timeZone: 'UTC' } as const;
/** Every day at 03:40 UTC, after the retention run, a quiet hour in Europe. */
export const REPORT_ROWS_NIGHTLY = { key: 'remake', cron: '40 3 * * *', timeZone: 'UTC' } as const;

/** The upkeep job's shortest lock: longer than the first build or a remake of 100k tickets takes. */
export const REPORT_ROWS_LOCK_MS = 30 * 60_000;

export interface KeepReportRowsDeps {
  reportRows: Pick<ReportRowStore, 'catchUp' | 'remakeAll'>;
  logger: { info(obj: object, msg: string): void };
}

/** One run of the upkeep job: the nightly remake for its key, else a catch-up. */
export async function keepReportRows(deps: KeepReportRowsDeps, key: unknown): Promise<void> {
  if (key === REPORT_ROWS_NIGHTLY.key) {
    const blocks = await deps.reportRows.remakeAll();
    deps.logger.info({ blocks }, 'report rows remade');
    return;
  }
  const { built, refreshed } = await deps.reportRows.catchUp();
  if (built) deps.logger.info({ refreshed }, 'report rows built');
}

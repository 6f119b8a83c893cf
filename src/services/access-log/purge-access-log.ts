import { accessLogCutoff } from '../../domain/access-log.js';
import type { AccessLogStore } from '../../store/access-log-store.js';

/** The daily job that drops access-log entries older than the retention. */
export const ACCESS_LOG_PURGE_JOB = 'access-log-purge';
/** Its one schedule (keyed: one job however many workers start): every day at 03:20 UTC, a quiet hour in Europe. */
export const ACCESS_LOG_PURGE_DAILY = { key: 'daily', cron: '20 3 * * *', timeZone: 'UTC' } as const;

/** What purging needs: the log, the clock, and ACCESS_LOG_RETENTION_DAYS (0: keep forever). */
export interface PurgeAccessLogDeps {
  accessLog: Pick<AccessLogStore, 'purgeBefore'>;
  now: () => Date;
  retentionDays: number;
}

/**
 * Removes the entries older than the retention, in one delete by time: a re-run (a crashed worker's
 * job running again) finds nothing more to remove. Returns how many went; nothing with a retention of 0.
 */
export async function purgeAccessLog(deps: PurgeAccessLogDeps): Promise<number> {
  const cutoff = accessLogCutoff(deps.now(), deps.retentionDays);
  return cutoff ? deps.accessLog.purgeBefore(cutoff) : 0;
}

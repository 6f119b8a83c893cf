import type { JobScheduler } from '../ports.js';
import { RETENTION_CRON, RETENTION_DAILY_KEY, RETENTION_JOB } from './apply-retention.js';

/** Makes sure the daily retention run is scheduled (one job, replaced when called again: every start of a job worker calls it). */
export async function scheduleRetention(deps: { scheduler: Pick<JobScheduler, 'scheduleRecurring'> }): Promise<void> {
  await deps.scheduler.scheduleRecurring(RETENTION_JOB, { key: RETENTION_DAILY_KEY, cron: RETENTION_CRON, timeZone: 'UTC' });
}

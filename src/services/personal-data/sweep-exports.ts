import { EXPORT_STALE_QUEUED_MS } from '../../domain/personal-data-export.js';
import type { BlobStore } from '../../store/blob-store.js';
import type { PersonalDataExportStore } from '../../store/personal-data-export-store.js';
import type { JobScheduler } from '../ports.js';
import { PERSONAL_DATA_EXPORT_JOB } from './run-export.js';

/** The daily job that expires exports and removes their archives (data: `key`). */
export const PERSONAL_DATA_SWEEP_JOB = 'personal-data-export-sweep';

/** When the sweep runs (keyed: one job however many workers start): daily, at night (UTC). */
export const PERSONAL_DATA_SWEEP_DAILY = { key: 'daily', cron: '25 3 * * *', timeZone: 'UTC' } as const;

const BATCH = 50;
// A download still streaming keeps its file; the download removes it itself when done.
const DOWNLOAD_GRACE_MS = 3600_000;
const MAX_BATCHES = 200;

/** What the sweep needs. */
export interface SweepExportsDeps {
  personalDataExports: Pick<PersonalDataExportStore, 'listToSweep' | 'markExpired' | 'clearFile' | 'listStaleQueued'>;
  blobs: Pick<BlobStore, 'remove'>;
  scheduler: Pick<JobScheduler, 'schedule'>;
  now: () => Date;
}

/**
 * Expires exports past their expiry (ready or still queued) and removes every archive no longer
 * wanted (expired, failed, or downloaded at least an hour ago: a download still streaming keeps its
 * file); schedules again the job of an export queued for long (its job was lost). Idempotent: each
 * step is conditional on the state it leaves, and a file already removed is simply forgotten.
 */
export async function sweepPersonalDataExports(deps: SweepExportsDeps): Promise<{ expired: number; removed: number; rescheduled: number }> {
  const counts = { expired: 0, removed: 0, rescheduled: 0 };
  const now = deps.now();
  for (let batch = 0; batch < MAX_BATCHES; batch++) {
    const rows = await deps.personalDataExports.listToSweep(now, new Date(now.getTime() - DOWNLOAD_GRACE_MS), BATCH);
    for (const row of rows) {
      if ((row.state === 'ready' || row.state === 'queued') && (await deps.personalDataExports.markExpired(row._id, now))) counts.expired++;
      if (row.fileId) {
        // GridFS removes a file's chunks even when its file document is missing (an upload cut short).
        await deps.blobs.remove(row.fileId).catch(() => {});
        await deps.personalDataExports.clearFile(row._id, row.fileId);
        counts.removed++;
      }
    }
    if (rows.length < BATCH) break;
  }
  for (const row of await deps.personalDataExports.listStaleQueued(new Date(now.getTime() - EXPORT_STALE_QUEUED_MS), now, BATCH)) {
    const key = row._id.toHexString();
    await deps.scheduler.schedule(PERSONAL_DATA_EXPORT_JOB, { key, data: { exportId: key } });
    counts.rescheduled++;
  }
  return counts;
}

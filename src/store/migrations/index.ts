import type { Db } from 'mongodb';
import type { Logger } from 'pino';
import type { BlobStore } from '../blob-store.js';
import { modelIndexes, syncIndexes } from '../index-sync.js';
import type { Models } from '../models/index.js';
import type { LockOptions } from './lock.js';
import type { Migration } from './migration.js';
import { runMigrations, type MigrationOutcome } from './runner.js';

/**
 * The start-up step that brings a database up to this release: pending migrations, then index sync
 * over every model and the blob bucket, all under the migration lock; after any migration, the report
 * rows are marked for a rebuild (store/report-row-store.ts). Call it before serving.
 */
export async function upgradeDatabase(
  db: Db,
  opts: { models: Models; blobs: Pick<BlobStore, 'indexes'>; logger: Logger; migrations?: readonly Migration[]; lock?: LockOptions },
): Promise<MigrationOutcome> {
  const { logger, migrations, lock } = opts;
  const indexes = [...modelIndexes(opts.models), ...opts.blobs.indexes];
  const outcome = await runMigrations(db, { logger, migrations, lock, afterMigrations: async () => void (await syncIndexes(db, indexes, logger)) });
  // A migration writes tickets behind the models' backs (no `updatedAt`): the report rows are built afresh.
  if (outcome.applied.length > 0) await opts.models.ReportRowState.deleteMany({});
  return outcome;
}

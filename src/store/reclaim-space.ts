import { MongoServerError, type Db } from 'mongodb';
import type { Logger } from 'pino';
import { createLogger } from '../logger.js';

type WarnLogger = Pick<Logger, 'warn'>;

let fallbackLogger: WarnLogger | undefined;

/** MongoDB's code for a collection that does not exist: nothing to compact. */
const NAMESPACE_NOT_FOUND = 26;

/*
 * The built-in database keeps every collection in one file and compacts it whole, so one `compact`
 * is enough there; MongoDB compacts collection by collection.
 */
async function compactsWholeStore(db: Db): Promise<boolean> {
  try {
    const info = await db.admin().command({ buildInfo: 1 });
    return Array.isArray(info.storageEngines) && info.storageEngines.includes('devdb');
  } catch {
    return false;
  }
}

/**
 * Gives the space freed by large deletions (an erasure, a retention run) back to the file system:
 * `compact` on each collection (`force`, so a replica-set primary accepts it too). Failures are
 * logged and skipped: the deletion is already done and must not be reported as failed because the
 * store could not shrink. MongoDB 8 only compacts a collection with at least 20 MB to free (`freeSpaceTargetMB`).
 */
export async function reclaimSpace(db: Db, collections: string[], logger?: WarnLogger): Promise<void> {
  const log = logger ?? (fallbackLogger ??= createLogger('warn'));
  const wholeStore = await compactsWholeStore(db);
  for (const collection of new Set(collections)) {
    try {
      await db.command({ compact: collection, force: true });
      if (wholeStore) return;
    } catch (err) {
      if (err instanceof MongoServerError && err.code === NAMESPACE_NOT_FOUND) continue;
      log.warn({ collection, err: (err as Error).message }, 'compact failed; the freed space stays in the database files for now');
    }
  }
}

import type { BlobStore } from '../../store/blob-store.js';
import type { QuarantineStore } from '../../store/quarantine-store.js';
import type { Actor } from '../access.js';
import { findQuarantined } from './quarantine-view.js';

export interface DeleteQuarantinedDeps {
  quarantine: Pick<QuarantineStore, 'findById' | 'remove'>;
  blobs: Pick<BlobStore, 'remove'>;
}

/**
 * Deletes a quarantined mail for good: the entry and its raw file, so the space is reclaimed. 404 when
 * it is already gone. Should the mail be fetched again later (a re-sync), it is quarantined again.
 */
export async function deleteQuarantined(deps: DeleteQuarantinedDeps, actor: Actor, id: string): Promise<void> {
  const doc = await findQuarantined(deps, actor, id);
  await discardQuarantined(deps, doc._id);
}

/** Removes an entry and then its raw file; the caller that removed the entry frees the file (once). */
export async function discardQuarantined(deps: DeleteQuarantinedDeps, id: Parameters<QuarantineStore['remove']>[0]): Promise<boolean> {
  const removed = await deps.quarantine.remove(id);
  if (!removed) return false;
  if (removed.raw?.fileId) await deps.blobs.remove(removed.raw.fileId).catch(ignoreMissingFile);
  return true;
}

/** A raw file already gone (an earlier attempt removed it) is what was wanted; any other failure is not. */
function ignoreMissingFile(err: unknown): void {
  if (!(err instanceof Error && /file not found/i.test(err.message))) throw err;
}

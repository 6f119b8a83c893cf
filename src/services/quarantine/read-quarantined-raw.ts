import { rawFileName } from '../../domain/quarantine-reasons.js';
import { AppError } from '../../domain/errors.js';
import type { BlobStore } from '../../store/blob-store.js';
import type { QuarantineStore } from '../../store/quarantine-store.js';
import type { Actor } from '../access.js';
import { findQuarantined } from './quarantine-view.js';

/**
 * The raw bytes of a quarantined mail, for an admin to download (always as an attachment of type
 * `message/rfc822`, never shown inline), with a safe file name. 404 when the raw file is not kept.
 */
export async function readQuarantinedRaw(deps: { quarantine: Pick<QuarantineStore, 'findById'>; blobs: Pick<BlobStore, 'read'> }, actor: Actor, id: string): Promise<{ data: Buffer; filename: string }> {
  const doc = await findQuarantined(deps, actor, id);
  if (!doc.raw?.fileId) throw new AppError('NOT_FOUND', 'The raw mail is not kept.');
  return { data: await deps.blobs.read(doc.raw.fileId), filename: rawFileName(doc._id.toHexString(), doc.subject) };
}

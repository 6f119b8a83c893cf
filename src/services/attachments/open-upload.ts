import { PassThrough, type Readable } from 'node:stream';
import { AppError } from '../../domain/errors.js';
import type { BlobStore } from '../../store/blob-store.js';
import type { TicketStore } from '../../store/ticket-store.js';
import type { UploadStore } from '../../store/upload-store.js';
import { notFound, parseObjectId, type Actor } from '../access.js';
import { uploadTarget } from './upload-file.js';

/** An upload ready to serve to its uploader. */
export interface OpenedUpload {
  filename: string;
  contentType: string;
  size: number;
  stream: Readable;
}

/**
 * Opens an upload for its uploader, under the ticket it was made for (`ticketId`, or 'new' for a new
 * conversation) while they may still work that ticket or inbox. Anyone else, another ticket, or a
 * file gone: NOT_FOUND, the same either way.
 */
export async function openUpload(
  deps: { uploads: Pick<UploadStore, 'findOwned'>; blobs: Pick<BlobStore, 'open'>; tickets: Pick<TicketStore, 'findById'> },
  actor: Actor,
  ticketId: string,
  uploadId: string,
): Promise<OpenedUpload> {
  const id = parseObjectId(uploadId);
  if (!id || !actor.userId) throw notFound('Upload');
  const upload = await deps.uploads.findOwned(actor.userId, id);
  if (!upload) throw notFound('Upload');
  const wanted = ticketId === 'new' ? null : parseObjectId(ticketId);
  const sameTicket = upload.ticketId ? Boolean(wanted?.equals(upload.ticketId)) : ticketId === 'new';
  if (!sameTicket) throw notFound('Upload');
  const target = upload.ticketId ? { ticketId: upload.ticketId.toHexString() } : { inboxId: upload.inboxId?.toHexString() ?? '' };
  await uploadTarget(deps, actor, target).catch(() => {
    throw notFound('Upload');
  });
  // GridFS reports a missing file only once reading starts; surface that as the same NOT_FOUND.
  const stream = new PassThrough();
  const source = deps.blobs.open(upload.fileId);
  source.on('error', (err: Error & { code?: string }) =>
    stream.destroy(err.code === 'ENOENT' ? new AppError('NOT_FOUND', 'Upload not found', { cause: err, key: 'notFound.upload' }) : err),
  );
  stream.on('close', () => source.destroy());
  source.pipe(stream);
  return { filename: upload.filename, contentType: upload.contentType, size: upload.size, stream };
}

import { PassThrough, type Readable } from 'node:stream';
import { AppError } from '../domain/errors.js';
import type { BlobStore } from '../store/blob-store.js';
import type { Models } from '../store/models/index.js';
import { inboxScope, notFound, parseObjectId, type Actor } from './access.js';

/** A stored attachment ready to send: what the message said about it, and its bytes. */
export interface OpenedAttachment {
  filename: string | null;
  contentType: string;
  size: number;
  stream: Readable;
}

/**
 * Opens an attachment for download. Allowed only when a ticket the actor can see has a message that
 * references the file; otherwise (or when the file is gone) NOT_FOUND, whether or not it exists.
 */
export async function openAttachment(
  deps: { models: Pick<Models, 'Message' | 'Ticket'>; blobs: BlobStore },
  actor: Actor,
  fileId: string,
): Promise<OpenedAttachment> {
  const id = parseObjectId(fileId);
  if (!id) throw notFound('Attachment');
  const ticketIds = await deps.models.Message.distinct('ticketId', { 'attachments.fileId': id });
  const scope = inboxScope(actor);
  const ticket = ticketIds.length
    ? await deps.models.Ticket.findOne({ _id: { $in: ticketIds }, ...(scope ? { inboxId: scope } : {}) }).select({ _id: 1 }).lean()
    : null;
  const message = ticket ? await deps.models.Message.findOne({ ticketId: ticket._id, 'attachments.fileId': id }).select({ attachments: 1 }).lean() : null;
  const ref = message?.attachments.find((a) => a.fileId.equals(id));
  if (!ref) throw notFound('Attachment');

  // GridFS reports a missing file only once reading starts; surface that as the same NOT_FOUND.
  const stream = new PassThrough();
  const source = deps.blobs.open(id);
  source.on('error', (err: Error & { code?: string }) =>
    stream.destroy(err.code === 'ENOENT' ? new AppError('NOT_FOUND', 'Attachment not found', { cause: err }) : err),
  );
  stream.on('close', () => source.destroy());
  source.pipe(stream);
  return { filename: ref.filename ?? null, contentType: ref.contentType, size: ref.size, stream };
}

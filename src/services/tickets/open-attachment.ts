import { PassThrough, type Readable } from 'node:stream';
import { AppError } from '../../domain/errors.js';
import type { BlobStore } from '../../store/blob-store.js';
import type { Models } from '../../store/models/index.js';
import { mergeRootOf } from '../../store/ticket-writes.js';
import { inboxScope, notFound, parseObjectId, type Actor } from '../access.js';

/** A stored attachment ready to send: what the message said about it, and its bytes. */
export interface OpenedAttachment {
  filename: string | null;
  contentType: string;
  size: number;
  stream: Readable;
}

/**
 * Opens an attachment for download. Allowed only when a ticket the actor can see shows a message
 * that references the file (a message of a merged ticket shows on the ticket it was merged into);
 * otherwise (or when the file is gone) NOT_FOUND, whether or not it exists.
 */
export async function openAttachment(
  deps: { models: Pick<Models, 'Message' | 'Ticket'>; blobs: BlobStore },
  actor: Actor,
  fileId: string,
): Promise<OpenedAttachment> {
  const id = parseObjectId(fileId);
  if (!id) throw notFound('Attachment');
  const holders = await deps.models.Message.distinct('ticketId', { 'attachments.fileId': id });
  const shownOn = await Promise.all(holders.map(async (holder) => ({ holder, root: await mergeRootOf(deps.models, holder) })));
  const scope = inboxScope(actor);
  const ticket = shownOn.length
    ? await deps.models.Ticket.findOne({ _id: { $in: shownOn.map((s) => s.root) }, ...(scope ? { inboxId: scope } : {}) }).select({ _id: 1 }).lean()
    : null;
  const visibleHolders = ticket ? shownOn.filter((s) => s.root.equals(ticket._id)).map((s) => s.holder) : [];
  const message = ticket ? await deps.models.Message.findOne({ ticketId: { $in: visibleHolders }, 'attachments.fileId': id }).select({ attachments: 1 }).lean() : null;
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

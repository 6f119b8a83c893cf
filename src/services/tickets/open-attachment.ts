import { PassThrough, type Readable } from 'node:stream';
import { AppError } from '../../domain/errors.js';
import type { BlobStore } from '../../store/blob-store.js';
import type { MessageStore } from '../../store/message-store.js';
import type { TicketStore } from '../../store/ticket-store.js';
import { notFound, parseObjectId, type Actor, ticketAccessScope } from '../access.js';

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
  deps: { tickets: Pick<TicketStore, 'mergeRootOf' | 'findOneAmong'>; messages: Pick<MessageStore, 'listTicketIdsWithFile' | 'findAttachmentsWithFile'>; blobs: BlobStore },
  actor: Actor,
  fileId: string,
): Promise<OpenedAttachment> {
  const id = parseObjectId(fileId);
  if (!id) throw notFound('Attachment');
  const holders = await deps.messages.listTicketIdsWithFile(id);
  const shownOn = await Promise.all(holders.map(async (holder) => ({ holder, root: await deps.tickets.mergeRootOf(holder) })));
  const scope = ticketAccessScope(actor);
  const ticket = shownOn.length
    ? await deps.tickets.findOneAmong(shownOn.map((s) => s.root), scope)
    : null;
  const visibleHolders = ticket ? shownOn.filter((s) => s.root.equals(ticket._id)).map((s) => s.holder) : [];
  const message = ticket ? await deps.messages.findAttachmentsWithFile(id, visibleHolders) : null;
  const ref = message?.attachments.find((a) => a.fileId.equals(id));
  if (!ref) throw notFound('Attachment');

  // GridFS reports a missing file only once reading starts; surface that as the same NOT_FOUND.
  const stream = new PassThrough();
  const source = deps.blobs.open(id);
  source.on('error', (err: Error & { code?: string }) =>
    stream.destroy(err.code === 'ENOENT' ? new AppError('NOT_FOUND', 'Attachment not found', { cause: err, key: 'notFound.attachment' }) : err),
  );
  stream.on('close', () => source.destroy());
  source.pipe(stream);
  return { filename: ref.filename ?? null, contentType: ref.contentType, size: ref.size, stream };
}

import { PassThrough, type Readable } from 'node:stream';
import { AppError } from '../../domain/errors.js';
import type { BlobStore } from '../../store/blob-store.js';
import type { MessageStore } from '../../store/message-store.js';
import type { TicketStore } from '../../store/ticket-store.js';
import { notFound, parseObjectId, type Actor, ticketAccessScope } from '../access.js';
import { recordAttachmentDownloaded, type RecordAccessDeps } from '../access-log/record-access.js';

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
 * otherwise (or when the file is gone) NOT_FOUND, whether or not it exists. An allowed download is
 * recorded in the access log before any byte is sent.
 */
export async function openAttachment(
  deps: RecordAccessDeps & { tickets: Pick<TicketStore, 'mergeRootOf' | 'findOneAmong'>; messages: Pick<MessageStore, 'listTicketIdsWithFile' | 'findAttachmentsWithFile'>; blobs: BlobStore; now: () => Date },
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
  const index = message ? message.attachments.findIndex((a) => a.fileId.equals(id)) : -1;
  const ref = message?.attachments[index];
  if (!ticket || !message || !ref) throw notFound('Attachment');
  await recordAttachmentDownloaded(deps, actor, { ticketId: ticket._id, messageId: message._id, index }, deps.now());

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

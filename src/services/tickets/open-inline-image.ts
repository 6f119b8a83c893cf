import { PassThrough, type Readable } from 'node:stream';
import { AppError } from '../../domain/errors.js';
import { verifyInlineImageToken } from '../../domain/inline-image-links.js';
import type { Signer } from '../../domain/message-ids.js';
import type { BlobStore } from '../../store/blob-store.js';
import type { MessageStore } from '../../store/message-store.js';
import type { TicketStore } from '../../store/ticket-store.js';
import type { TeamStore } from '../../store/team-store.js';
import type { UserStore } from '../../store/user-store.js';
import { canSeeTicket, notFound, parseObjectId } from '../access.js';
import { isInlineImage } from './open-mail-body.js';

/** An inline image ready to send. */
export interface OpenedInlineImage {
  contentType: string;
  size: number;
  stream: Readable;
}

/**
 * Serves an inline image through a signed URL from {@link openMailBody}. The signature stands in
 * for the session cookie the sandboxed frame does not send; the user it names must still be active
 * and still see the ticket, and the image must be a raster inline part of that same message with
 * that Content-ID. Anything else is NOT_FOUND.
 */
export async function openInlineImage(
  deps: { tickets: Pick<TicketStore, 'mergeRootOf' | 'findInboxOf'>; users: Pick<UserStore, 'findAccessById'>; teams: Pick<TeamStore, 'listIdsOfMember'>; messages: Pick<MessageStore, 'findAttachmentsById'>; blobs: BlobStore; sign: Signer; now: () => Date },
  request: { messageId: string; contentId: string; token: string },
): Promise<OpenedInlineImage> {
  const grant = verifyInlineImageToken(deps.sign, request, deps.now());
  if (!grant) throw notFound('Image');
  const [user, message] = await Promise.all([
    deps.users.findAccessById(parseObjectId(grant.userId)),
    deps.messages.findAttachmentsById(parseObjectId(request.messageId)),
  ]);
  // Access follows the ticket that shows the message: its own, or the one it was merged into.
  const ticket = message ? await deps.tickets.findInboxOf(await deps.tickets.mergeRootOf(message.ticketId)) : null;
  if (!user || user.disabled || !ticket || !canSeeTicket({ userId: user._id, role: user.role, inboxIds: user.inboxIds, teamIds: await deps.teams.listIdsOfMember(user._id) }, ticket)) throw notFound('Image');
  const ref = message?.attachments.find((a) => isInlineImage(a) && a.contentId === request.contentId);
  if (!ref) throw notFound('Image');

  // GridFS reports a missing file only once reading starts; surface that as the same NOT_FOUND.
  const stream = new PassThrough();
  const source = deps.blobs.open(ref.fileId);
  source.on('error', (err: Error & { code?: string }) =>
    stream.destroy(err.code === 'ENOENT' ? new AppError('NOT_FOUND', 'Image not found', { cause: err, key: 'notFound.image' }) : err),
  );
  stream.on('close', () => source.destroy());
  source.pipe(stream);
  return { contentType: ref.contentType.toLowerCase(), size: ref.size, stream };
}

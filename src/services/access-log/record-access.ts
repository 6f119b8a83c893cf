import type { Types } from 'mongoose';
import type { AccessLogStore } from '../../store/access-log-store.js';
import type { Actor } from '../access.js';

/** What recording an access needs: the access log's one insert. */
export type RecordAccessDeps = { accessLog: Pick<AccessLogStore, 'record'> };

/**
 * Records that the actor opened a ticket (its page, or `GET /api/v1/tickets/:id`). Callers run it
 * alongside their reads and await it: a failed insert fails the request rather than leaving an
 * access unrecorded.
 */
export async function recordTicketViewed(deps: RecordAccessDeps, actor: Actor, ticket: { _id: Types.ObjectId; inboxId: Types.ObjectId }, at: Date): Promise<void> {
  await deps.accessLog.record({ at, userId: actor.userId, action: 'ticket_viewed', ticketId: ticket._id, inboxId: ticket.inboxId });
}

/**
 * Records that the actor downloaded an attachment of a ticket, naming it by its message and its
 * position there (never its filename, which is the customer's data).
 */
export async function recordAttachmentDownloaded(
  deps: RecordAccessDeps,
  actor: Actor,
  where: { ticketId: Types.ObjectId; messageId: Types.ObjectId; index: number },
  at: Date,
): Promise<void> {
  await deps.accessLog.record({ at, userId: actor.userId, action: 'attachment_downloaded', ticketId: where.ticketId, detail: `messageId=${where.messageId.toHexString()} attachment=${where.index}` });
}

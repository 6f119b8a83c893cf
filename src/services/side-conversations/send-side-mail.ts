import type { Types } from 'mongoose';
import { AppError } from '../../domain/errors.js';
import type { MailAddress } from '../../domain/mail.js';
import { onPartnerAsked, sideMessageIdPart } from '../../domain/side-conversations.js';
import { subjectWithToken } from '../../domain/threading.js';
import type { InboxStore } from '../../store/inbox-store.js';
import type { SideConversationDoc } from '../../store/models/side-conversation.js';
import type { TicketDoc } from '../../store/models/ticket.js';
import type { OutboxDoc } from '../../store/models/outbox.js';
import type { SideConversationStore } from '../../store/side-conversation-store.js';
import type { TicketStore } from '../../store/ticket-store.js';
import type { AgentActionFollowUp } from '../lifecycle/plan-lifecycle.js';
import { queueMail, type QueueMailDeps } from '../outbound/queue-mail.js';

/** What sending in a side conversation needs: the outbox, the ticket and side-conversation writes, and the SLA and lifecycle steps when given. */
export interface SendSideMailDeps extends QueueMailDeps {
  tickets: Pick<TicketStore, 'write'>;
  sideConversations: Pick<SideConversationStore, 'markAwaiting'>;
  inboxes: Pick<InboxStore, 'listSenders'>;
  refreshSla?: (ticketId: Types.ObjectId) => Promise<void>;
  afterAgentAction?: AgentActionFollowUp;
}

/** A ticket's inbox as it sends: missing → NOT_FOUND, deleted → CONFLICT (its tickets are read-only). */
export async function sendingInbox(deps: Pick<SendSideMailDeps, 'inboxes'>, ticket: Pick<TicketDoc, 'inboxId'>) {
  const inbox = (await deps.inboxes.listSenders()).find((i) => i._id.equals(ticket.inboxId));
  if (!inbox) throw new AppError('NOT_FOUND', 'The inbox of this ticket no longer exists');
  if (inbox.deletedAt || inbox.movingTo) throw new AppError('CONFLICT', 'The inbox of this ticket was deleted: its tickets are read-only', { key: 'conflict.inboxDeleted' });
  return inbox;
}

/** A ticket in Spam writes to nobody. */
export function checkNotSpam(ticket: Pick<TicketDoc, 'status'>): void {
  if (ticket.status === 'spam') throw new AppError('CONFLICT', 'This ticket is in Spam: mark it as not spam first', { key: 'conflict.ticketIsSpam' });
}

export interface SideMail {
  ticket: TicketDoc;
  sideConversation: SideConversationDoc;
  inbox: Awaited<ReturnType<typeof sendingInbox>>;
  authorId: Types.ObjectId;
  to: MailAddress[];
  text: string;
  inReplyTo: string | null;
  references: string[];
  /** One queued mail per key (a retried request, a crash between the writes). */
  dedupeKey: string | null;
  attachments?: Array<{ filename: string | null; contentType: string; content: Buffer }>;
  /** This mail opens the side conversation (the trail says so). */
  opening: boolean;
}

/**
 * Queues one mail of a side conversation through the outbox, from the inbox's address, with a
 * Message-ID of its own that names the side conversation (domain/side-conversations.ts), the
 * ticket's token in the subject, and no link to the customer's conversation (no In-Reply-To or
 * References of it). The mail is stored on the ticket marked as side-conversation mail. The side
 * conversation then waits for an answer and the ticket waits on the partner (`with_partner`, unless
 * solved, closed or spam); the trail records both; the SLA clocks follow the new status.
 */
export async function sendSideMail(deps: SendSideMailDeps, mail: SideMail): Promise<OutboxDoc> {
  const { ticket, sideConversation: sc } = mail;
  const scHex = sc._id.toHexString();
  const item = await queueMail(deps, {
    kind: 'side-conversation',
    inbox: mail.inbox,
    ticket: { _id: ticket._id, number: ticket.number },
    dedupeKey: mail.dedupeKey,
    to: mail.to,
    subject: subjectWithToken(sc.subject, ticket.number),
    text: mail.text,
    inReplyTo: mail.inReplyTo,
    references: mail.references,
    envelopeFrom: mail.inbox.address,
    storeAsMessage: true,
    authorId: mail.authorId,
    messageIdPart: (outboxId) => sideMessageIdPart(scHex, outboxId),
    sideConversationId: sc._id,
    ...(mail.attachments?.length ? { attachments: mail.attachments } : {}),
  });
  const now = deps.now();
  await deps.sideConversations.markAwaiting(sc._id, mail.to.map((a) => a.address.toLowerCase()), now);
  const asked = onPartnerAsked(ticket, now);
  const actor = { kind: 'user' as const, id: mail.authorId };
  const key = item._id.toHexString();
  await deps.tickets.write(
    ticket._id,
    // News for the others (unread marks); no message is added to the customer's conversation count.
    { changes: { ...(asked?.change ?? {}), lastActivityAt: now }, news: { at: now, by: mail.authorId } },
    [
      { ticketId: ticket._id, type: 'side_message_sent', actor, at: now, key: `side-sent:${key}`, data: { sideConversationId: sc._id, kind: sc.kind, to: mail.to.map((a) => a.address), messageId: item.messageId, opened: mail.opening } },
      ...(asked ? [{ ticketId: ticket._id, type: 'status_changed' as const, actor, at: now, key: `side-status:${key}`, data: { ...asked.statusChanged } }] : []),
    ],
  );
  await deps.refreshSla?.(ticket._id);
  await deps.afterAgentAction?.(ticket._id);
  return item;
}

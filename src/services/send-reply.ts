import type { Types } from 'mongoose';
import { AppError } from '../domain/errors.js';
import { replySubject, replyThreading } from '../domain/outbound-headers.js';
import type { TicketStatus } from '../domain/ticket-status.js';
import type { OutboxDoc } from '../store/models/outbox.js';
import { conversationTicketIds } from '../store/merged-tickets.js';
import { recordEvent } from '../store/ticket-writes.js';
import { queueMail, type QueueMailDeps } from './queue-mail.js';
import { brandingOf, type RenderEmailFn } from './render-types.js';

export interface SendReplyDeps extends QueueMailDeps {
  /** Recomputes the ticket's SLA clocks and timers after it changed. */
  refreshSla?: (ticketId: Types.ObjectId) => Promise<void>;
  /** Lays a plain-text reply out with the inbox's branding and signature (the agent-reply template). */
  render?: RenderEmailFn;
}

export interface SendReplyInput {
  ticketId: Types.ObjectId;
  authorId: Types.ObjectId;
  text: string;
  html?: string | null;
  /** The status the ticket takes with this reply; 'pending' (waiting on the customer) by default. */
  status?: Extract<TicketStatus, 'open' | 'pending' | 'solved'>;
  /** Makes a retried request (double click, network retry) queue one reply. */
  requestKey?: string | null;
}

/**
 * An agent answers a ticket: the reply is queued in the outbox, threaded to the customer's latest
 * mail (RFC 5322 §3.6.4) with the ticket token in the subject, the first response is recorded, the
 * ticket takes its new status, and the SLA timers move accordingly.
 */
export async function sendReply(deps: SendReplyDeps, input: SendReplyInput): Promise<OutboxDoc> {
  const { models } = deps;
  const ticket = await models.Ticket.findById(input.ticketId).lean();
  if (!ticket || ticket.mergedIntoId) throw new AppError('NOT_FOUND', 'Ticket not found');
  if (!input.text.trim() && !input.html?.trim()) throw new AppError('VALIDATION_FAILED', 'A reply needs text', { details: { issues: [{ path: 'text', message: 'is required' }] } });
  const inbox = await models.Inbox.findById(ticket.inboxId).lean();
  if (!inbox) throw new AppError('NOT_FOUND', 'The inbox of this ticket no longer exists');
  // The customer's own latest mail: a bounce or an out-of-office notice is nobody to answer.
  const conversation = await conversationTicketIds(models, ticket._id);
  const parent = await models.Message.findOne({ ticketId: { $in: conversation }, direction: 'inbound', 'flags.bounce': false, 'flags.autoReply': { $ne: true } }).sort({ createdAt: -1, _id: -1 }).lean();
  const threading = parent
    ? replyThreading({ messageId: parent.messageId ?? null, references: parent.references, inReplyTo: parent.inReplyTo ?? null })
    : { inReplyTo: null, references: [] };
  const from = parent?.replyTo[0] ?? parent?.from;
  const recipient = from ? { address: from.address, name: from.name ?? null } : { address: ticket.requester.email, name: ticket.requester.name ?? null };

  let mail = { text: input.text, html: input.html ?? null };
  if (!input.html && deps.render) {
    const author = await models.User.findById(input.authorId, { name: 1, email: 1 }).lean();
    const rendered = await deps.render(
      'agent-reply',
      { ticketNumber: ticket.number, ticketSubject: parent?.subject ?? ticket.subject, agentName: author?.name ?? author?.email ?? inbox.name, body: input.text },
      { branding: brandingOf(inbox) },
    );
    mail = { text: rendered.text, html: rendered.html };
  }
  const item = await queueMail(deps, {
    kind: 'agent-reply',
    inbox,
    ticket: { _id: ticket._id, number: ticket.number },
    dedupeKey: input.requestKey ? `reply:${ticket._id.toHexString()}:${input.requestKey}` : null,
    to: [recipient],
    subject: replySubject(parent?.subject ?? ticket.subject, ticket.number),
    text: mail.text,
    html: mail.html,
    storedText: input.text,
    storedHtml: input.html ?? null,
    inReplyTo: threading.inReplyTo,
    references: threading.references,
    envelopeFrom: inbox.address,
    storeAsMessage: true,
    authorId: input.authorId,
  });

  const now = deps.now();
  const status = input.status ?? 'pending';
  await models.Ticket.updateOne(
    { _id: ticket._id },
    {
      $set: {
        status,
        lastActivityAt: now,
        'sla.awaitingSince': null,
        ...(ticket.sla?.firstRespondedAt ? {} : { 'sla.firstRespondedAt': now }),
        ...(status === 'solved' ? { solvedAt: now } : {}),
      },
      $inc: { messageCount: 1 },
    },
  );
  await recordEvent(models, {
    ticketId: ticket._id,
    type: 'reply_queued',
    actor: { kind: 'user', id: input.authorId },
    at: now,
    data: { outboxId: item._id, messageId: item.messageId, status },
    key: `reply-queued:${item._id.toHexString()}`,
  });
  if (status !== ticket.status) {
    await recordEvent(models, { ticketId: ticket._id, type: 'status_changed', actor: { kind: 'user', id: input.authorId }, at: now, data: { from: ticket.status, to: status }, key: `reply-status:${item._id.toHexString()}` });
  }
  await deps.refreshSla?.(ticket._id);
  return item;
}

import type { Types } from 'mongoose';
import { AppError } from '../domain/errors.js';
import { replySubject, replyThreading } from '../domain/outbound-headers.js';
import { chosenRecipients, type RecipientChoice } from '../domain/reply-recipients.js';
import type { MailAddress } from '../domain/mail.js';
import type { TicketStatus } from '../domain/ticket-status.js';
import type { OutboxDoc } from '../store/models/outbox.js';
import { conversationTicketIds } from '../store/merged-tickets.js';
import { recordEvent } from '../store/ticket-writes.js';
import { plainAddress, recipientContext } from './propose-reply-recipients.js';
import { queueMail, type QueueMailDeps } from './queue-mail.js';
import { brandingOf, type RenderEmailFn } from './render-types.js';

export interface SendReplyDeps extends QueueMailDeps {
  /** Recomputes the ticket's SLA clocks and timers after it changed. */
  refreshSla?: (ticketId: Types.ObjectId) => Promise<void>;
  /** Lays a plain-text reply out with the inbox's branding and signature (the agent-reply template). */
  render?: RenderEmailFn;
  /**
   * Cleans the agent's HTML under the rules of customer mail before it joins the conversation (null:
   * too complex to show safely). Without it the conversation keeps the reply's text only.
   */
  sanitizeHtml?: (html: string) => string | null | Promise<string | null>;
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
  /**
   * Addresses the agent chose; a list given replaces the proposed one (domain/reply-recipients.ts).
   * Without them the reply goes to the proposal's To and Cc, never to a merely suggested address.
   */
  recipients?: RecipientChoice;
}

/** A queued reply and whom it was addressed to. */
export type SentReply = OutboxDoc & { recipients: { to: MailAddress[]; cc: MailAddress[] } };

/**
 * An agent answers a ticket: the reply is queued in the outbox, threaded to the customer's latest
 * mail (RFC 5322 §3.6.4) with the ticket token in the subject, the first response is recorded, the
 * ticket takes its new status, and the SLA timers move accordingly. It goes To the requester and Cc
 * the known participants of that mail, or to whom the agent chose; the trail records both.
 */
export async function sendReply(deps: SendReplyDeps, input: SendReplyInput): Promise<SentReply> {
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

  // Recipients: the one rule of domain/reply-recipients.ts; a new address only when the agent named it.
  const { proposal, own } = await recipientContext(models, ticket, conversation);
  const recipients = chosenRecipients(proposal, input.recipients ?? {}, own);

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
  const storedHtml = input.html && deps.sanitizeHtml ? await deps.sanitizeHtml(input.html) : null;
  if (input.html && deps.sanitizeHtml && storedHtml === null && !input.text.trim()) {
    throw new AppError('VALIDATION_FAILED', 'Reply is invalid: html: is too complex to show safely; send text as well', { details: { issues: [{ path: 'html', message: 'is too complex to show safely; send text as well' }] } });
  }
  const item = await queueMail(deps, {
    kind: 'agent-reply',
    inbox,
    ticket: { _id: ticket._id, number: ticket.number },
    dedupeKey: input.requestKey ? `reply:${ticket._id.toHexString()}:${input.requestKey}` : null,
    to: recipients.to,
    cc: recipients.cc,
    subject: replySubject(parent?.subject ?? ticket.subject, ticket.number),
    text: mail.text,
    html: mail.html,
    storedText: input.text,
    storedHtml,
    inReplyTo: threading.inReplyTo,
    references: threading.references,
    envelopeFrom: inbox.address,
    storeAsMessage: true,
    authorId: input.authorId,
  });

  // A repeated request key returns the reply queued first, with the recipients it was queued with.
  const stored = await models.Message.findOne({ messageId: item.messageId, direction: 'outbound' }, { to: 1, cc: 1 }).lean();
  const sent = stored ? { to: (stored.to ?? []).map(plainAddress), cc: (stored.cc ?? []).map(plainAddress) } : recipients;

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
      // Whoever the agent wrote to now takes part: the next customer mail may Cc them again.
      $addToSet: { participants: { $each: [...sent.to, ...sent.cc].map((a) => a.address.toLowerCase()) } },
    },
  );
  await recordEvent(models, {
    ticketId: ticket._id,
    type: 'reply_queued',
    actor: { kind: 'user', id: input.authorId },
    at: now,
    data: { outboxId: item._id, messageId: item.messageId, status, to: sent.to.map((a) => a.address), cc: sent.cc.map((a) => a.address) },
    key: `reply-queued:${item._id.toHexString()}`,
  });
  if (status !== ticket.status) {
    await recordEvent(models, { ticketId: ticket._id, type: 'status_changed', actor: { kind: 'user', id: input.authorId }, at: now, data: { from: ticket.status, to: status }, key: `reply-status:${item._id.toHexString()}` });
  }
  await deps.refreshSla?.(ticket._id);
  return { ...item, recipients: sent };
}

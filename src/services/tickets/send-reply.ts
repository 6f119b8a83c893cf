import type { Types } from 'mongoose';
import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import type { MailAddress } from '../../domain/mail.js';
import { replySubject, replyThreading } from '../../domain/outbound-headers.js';
import { chosenRecipients, MAX_CHOSEN_RECIPIENTS, type RecipientChoice } from '../../domain/reply-recipients.js';
import { checkReplyable, checkReplyBody, onAgentReply } from '../../domain/ticket.js';
import { DEFAULT_REPLY_STATUS, REPLY_STATUSES, type ReplyStatus } from '../../domain/ticket-status.js';
import type { ContactStore } from '../../store/contact-store.js';
import type { InboxStore } from '../../store/inbox-store.js';
import type { MessageStore } from '../../store/message-store.js';
import type { OutboxDoc } from '../../store/models/outbox.js';
import type { TicketStore } from '../../store/ticket-store.js';
import type { TrailStore } from '../../store/trail-store.js';
import type { UserStore } from '../../store/user-store.js';
import type { Actor } from '../access.js';
import { customerLocale } from '../ingest/customer-locale.js';
import type { AgentActionFollowUp } from '../lifecycle/plan-lifecycle.js';
import { checkReplyConflict } from './check-reply-conflict.js';
import { bouncingAddresses, plainAddress, recipientContextOf } from './propose-reply-recipients.js';
import { queueMail, type QueueMailDeps } from '../outbound/queue-mail.js';
import { brandingOf, type RenderEmailFn } from '../outbound/render-types.js';
import { parseInput } from '../validate.js';
import { workableTicket } from './visible-ticket.js';
import { replyQuote, type ReplyQuoteDeps } from './reply-quote.js';
import { withQuotedHistory } from '../../domain/quoted-history.js';
import { replyBody, type ReplyBodyDeps } from './reply-body.js';
import { mailAttachments, markUploadsUsed, MAX_UPLOAD_IDS, type MailAttachmentsDeps } from '../attachments/mail-attachments.js';

/** What replying needs: the outbox, and the SLA, layout and sanitizer steps when given. */
export interface SendReplyDeps extends QueueMailDeps, Omit<ReplyQuoteDeps, 'messages'>, MailAttachmentsDeps {
  tickets: Pick<TicketStore, 'findById' | 'conversationIds' | 'write'>;
  trail: Pick<TrailStore, 'listNewForReply'>;
  messages: QueueMailDeps['messages'] & Pick<MessageStore, 'listMailForReply' | 'findOutboundRecipients' | 'listNamedByTrail' | 'findQuotable'>;
  contacts: Pick<ContactStore, 'listBouncingEmails' | 'findLocaleByEmail'>;
  inboxes: Pick<InboxStore, 'listSenders'>;
  users: Pick<UserStore, 'findLabelById'>;
  /** Recomputes the ticket's SLA clocks and timers after it changed. */
  refreshSla?: (ticketId: Types.ObjectId) => Promise<void>;
  /** The lifecycle follow-up of an agent's change (lifecycle/plan-lifecycle.ts afterAgentAction): auto-close and reminder jobs, the snooze mark. */
  afterAgentAction?: AgentActionFollowUp;
  /** Lays a plain-text reply out with the inbox's branding and signature (the agent-reply template), in the customer's language. */
  render?: RenderEmailFn;
  /**
   * Cleans the agent's HTML under the rules of customer mail before it is stored and sent (null:
   * too complex to show safely). Without it the reply is sent and kept as text only.
   */
  sanitizeHtml?: ReplyBodyDeps['sanitizeHtml'];
  /** The text/plain version of the sanitized HTML when the agent sent HTML without text (reply-body.ts). */
  htmlToText?: ReplyBodyDeps['htmlToText'];
}

/** `POST /tickets/:id/replies`: the API's reply body. */
export const replySchema = z
  .strictObject({
    text: z.string().max(1_000_000).optional(),
    html: z.string().max(2_000_000).optional(),
    status: z.enum(REPLY_STATUSES).optional(),
    requestKey: z.string().min(1).max(100).optional(),
    /** The `at` of the newest trail entry the client saw: anything newer holds the reply (409). */
    seenUntil: z.iso.datetime().optional(),
    /** Replace the proposed To/Cc (GET /tickets/:id `replyRecipients`); a suggested address goes out only when listed here. */
    to: z.array(z.email().max(254)).min(1).max(MAX_CHOSEN_RECIPIENTS).optional(),
    cc: z.array(z.email().max(254)).max(MAX_CHOSEN_RECIPIENTS).optional(),
    /** Blind copies: in the SMTP envelope only (no Bcc header goes out), recorded for agents, never ticket participants. */
    bcc: z.array(z.email().max(254)).max(MAX_CHOSEN_RECIPIENTS).optional(),
    /** Files uploaded with `POST /uploads` (or in this request's multipart `attachments`) sent along with the reply. */
    uploadIds: z.array(z.string().max(100)).max(MAX_UPLOAD_IDS).optional(),
  })
  .refine((r) => Boolean(r.text?.trim() || r.html?.trim()), { message: 'text or html is required', path: ['text'] });

/** A reply as the use case takes it. */
export interface ReplyInput {
  text: string;
  html?: string | null;
  /** The status the ticket takes with this reply; 'pending' (waiting on the customer) by default. */
  status?: ReplyStatus;
  /** Makes a retried request (double click, network retry) queue one reply. */
  requestKey?: string | null;
  /** The `at` of the newest trail entry the agent saw: a customer mail, reply or note after it holds the reply. */
  seenUntil?: Date | null;
  /**
   * Addresses the agent chose; a list given replaces the proposed one (domain/reply-recipients.ts).
   * Without them the reply goes to the proposal's To and Cc, never to a merely suggested address.
   */
  recipients?: RecipientChoice;
  /** The agent's uploads for this ticket sent along as attachments (images in `html` are found there). */
  uploadIds?: string[];
}

/**
 * What a channel hands over: the ticket page's form, already shaped, or the API's JSON body, which
 * is judged against {@link replySchema} only after the access check (a hidden ticket is a 404).
 */
export type ReplyRequest = { form: ReplyInput } | { json: unknown };

/** A queued reply and whom it was addressed to. */
export type SentReply = OutboxDoc & { recipients: { to: MailAddress[]; cc: MailAddress[]; bcc: MailAddress[] } };

function fromJson(body: unknown): ReplyInput {
  const r = parseInput(replySchema, body, 'Reply');
  return {
    text: r.text ?? '',
    html: r.html ?? null,
    ...(r.status ? { status: r.status } : {}),
    requestKey: r.requestKey ?? null,
    seenUntil: r.seenUntil ? new Date(r.seenUntil) : null,
    ...(r.uploadIds ? { uploadIds: r.uploadIds } : {}),
    recipients: { ...(r.to ? { to: r.to } : {}), ...(r.cc ? { cc: r.cc } : {}), ...(r.bcc ? { bcc: r.bcc } : {}) },
  };
}

/**
 * An agent answers a ticket they may see (NOT_FOUND otherwise). Held with a ReplyConflictError
 * when a customer mail, or another agent's reply or note, arrived after `seenUntil`. A merged
 * ticket takes no reply (NOT_FOUND). Otherwise the reply is queued in the outbox, threaded to the
 * customer's latest mail (RFC 5322 §3.6.4) with the ticket token in the subject, and the ticket
 * takes what domain/ticket.ts onAgentReply says (status, first response, clocks); then its SLA
 * timers move. It goes To the requester and Cc the known participants of that mail, or to whom
 * the agent chose; the trail records both.
 */
export async function replyToTicket(deps: SendReplyDeps, actor: Actor, id: string, request: ReplyRequest): Promise<SentReply> {
  const ticket = await workableTicket(deps.tickets, actor, id);
  const authorId = actor.userId;
  if (!authorId) throw new AppError('FORBIDDEN', 'Only a user can reply to a ticket');
  const input = 'json' in request ? fromJson(request.json) : request.form;
  const conversation = await deps.tickets.conversationIds(ticket._id, ticket);
  if (input.text.trim() || input.html?.trim()) {
    await checkReplyConflict(deps, { ticketId: ticket._id, userId: authorId, seenUntil: input.seenUntil ?? null, conversation });
  }
  checkReplyable(ticket);
  // Nobody answers spam: a ticket in Spam takes a reply once it is marked not spam (services/spam).
  if (ticket.status === 'spam') throw new AppError('CONFLICT', 'This ticket is in Spam: mark it as not spam first', { key: 'conflict.ticketIsSpam' });
  checkReplyBody(input.text, input.html);

  const inboxes = await deps.inboxes.listSenders();
  const inbox = inboxes.find((i) => i._id.equals(ticket.inboxId));
  if (!inbox) throw new AppError('NOT_FOUND', 'The inbox of this ticket no longer exists');
  if (inbox.deletedAt || inbox.movingTo) throw new AppError('CONFLICT', 'The inbox of this ticket was deleted: its tickets are read-only', { key: 'conflict.inboxDeleted' });
  const [messages, bouncing] = await Promise.all([
    deps.messages.listMailForReply(conversation),
    bouncingAddresses(deps.contacts, ticket),
  ]);
  // The customer's own latest mail: a bounce or an out-of-office notice is nobody to answer.
  const parent = messages.findLast((m) => m.direction === 'inbound' && m.flags.bounce === false && m.flags.autoReply !== true);
  const threading = parent
    ? replyThreading({ messageId: parent.messageId ?? null, references: parent.references, inReplyTo: parent.inReplyTo ?? null })
    : { inReplyTo: null, references: [] };

  // Recipients: the one rule of domain/reply-recipients.ts; a new address only when the agent named it.
  const { proposal, own } = recipientContextOf(ticket, messages, inboxes.map((i) => i.address), bouncing);
  const recipients = chosenRecipients(proposal, input.recipients ?? {}, own);

  // The agent's HTML, sanitized: what is stored is what is sent. The text part is the agent's text, or that of the HTML.
  // The agent's uploads: attachments, and the HTML's images of them as inline `cid:` parts (which the sanitizer keeps).
  const files = await mailAttachments(deps, authorId, { ticketId: ticket._id, inboxId: ticket.inboxId }, input.uploadIds ?? [], input.html ?? null);
  const body = await replyBody(deps, { text: input.text, html: files.html });
  let mail = { text: body.text, html: body.html };
  const renders = Boolean(deps.render);
  const quotes = Boolean(deps.quoteAttribution) && inbox.quoteHistory !== false && Boolean(parent);
  // The customer's language: the one remembered from their mail, else the inbox's.
  const locale = renders || quotes ? customerLocale(null, await deps.contacts.findLocaleByEmail(ticket.requester.email), inbox.defaultLocale) : inbox.defaultLocale;
  if (renders && deps.render) {
    const author = await deps.users.findLabelById(authorId);
    const rendered = await deps.render(
      'agent-reply',
      { ticketNumber: ticket.number, ticketSubject: parent?.subject ?? ticket.subject, agentName: author?.name ?? author?.email ?? inbox.name, body: body.text, ...(body.html ? { bodyHtml: body.html } : {}) },
      { branding: brandingOf(inbox), locale },
    );
    mail = { text: rendered.text, html: rendered.html };
  }
  // The customer's previous mail quoted below the reply, as mail clients do (the inbox's quoteHistory); the conversation keeps the reply alone.
  const quote = quotes ? await replyQuote(deps, { inbox, parent, conversation, locale }) : null;
  if (quote) mail = withQuotedHistory(mail, quote);
  const item = await queueMail(deps, {
    kind: 'agent-reply',
    inbox,
    ticket: { _id: ticket._id, number: ticket.number },
    dedupeKey: input.requestKey ? `reply:${ticket._id.toHexString()}:${input.requestKey}` : null,
    to: recipients.to,
    cc: recipients.cc,
    bcc: recipients.bcc,
    subject: replySubject(parent?.subject ?? ticket.subject, ticket.number),
    text: mail.text,
    html: mail.html,
    storedText: body.text,
    storedHtml: body.html,
    ...(files.files.length ? { attachments: files.files, storedAttachments: files.refs } : {}),
    inReplyTo: threading.inReplyTo,
    references: threading.references,
    envelopeFrom: inbox.address,
    storeAsMessage: true,
    authorId,
  });

  await markUploadsUsed(deps, files, deps.now());
  // A repeated request key returns the reply queued first, with the recipients it was queued with.
  const stored = await deps.messages.findOutboundRecipients(item.messageId);
  const sent = stored ? { to: (stored.to ?? []).map(plainAddress), cc: (stored.cc ?? []).map(plainAddress), bcc: (stored.bcc ?? []).map(plainAddress) } : recipients;

  const now = deps.now();
  const status = input.status ?? DEFAULT_REPLY_STATUS;
  const { changes, statusChanged } = onAgentReply(ticket, now, status);
  const actorRef = { kind: 'user' as const, id: authorId };
  await deps.tickets.write(
    ticket._id,
    // Whoever the agent wrote to now takes part: the next customer mail may Cc them again (a blind copy does not).
    // The reply is news for everyone else (unread marks), never for its author.
    { changes, addedMessages: 1, participants: [...sent.to, ...sent.cc].map((a) => a.address.toLowerCase()), news: { at: now, by: authorId } },
    [
      {
        ticketId: ticket._id, type: 'reply_queued', actor: actorRef, at: now, key: `reply-queued:${item._id.toHexString()}`,
        data: { outboxId: item._id, messageId: item.messageId, status, to: sent.to.map((a) => a.address), cc: sent.cc.map((a) => a.address), ...(sent.bcc.length ? { bcc: sent.bcc.map((a) => a.address) } : {}) },
      },
      ...(statusChanged ? [{ ticketId: ticket._id, type: 'status_changed' as const, actor: actorRef, at: now, data: { ...statusChanged }, key: `reply-status:${item._id.toHexString()}` }] : []),
    ],
  );
  await deps.refreshSla?.(ticket._id);
  await deps.afterAgentAction?.(ticket._id);
  return { ...item, recipients: sent };
}

import type { Types } from 'mongoose';
import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import { openingTicket } from '../../domain/ingest-plan.js';
import type { MailAddress } from '../../domain/mail.js';
import { checkReplyBody, onAgentReply } from '../../domain/ticket.js';
import { DEFAULT_REPLY_STATUS, REPLY_STATUSES, type ReplyStatus } from '../../domain/ticket-status.js';
import { subjectWithToken } from '../../domain/threading.js';
import type { ContactStore } from '../../store/contact-store.js';
import type { InboxStore } from '../../store/inbox-store.js';
import type { OutboxDoc } from '../../store/models/outbox.js';
import type { TicketStore } from '../../store/ticket-store.js';
import type { UserStore } from '../../store/user-store.js';
import { canSeeInbox, notFound, parseObjectId, type Actor } from '../access.js';
import { customerLocale } from '../ingest/customer-locale.js';
import type { AgentActionFollowUp } from '../lifecycle/plan-lifecycle.js';
import { queueMail, type QueueMailDeps } from '../outbound/queue-mail.js';
import { brandingOf, type RenderEmailFn } from '../outbound/render-types.js';
import { invalidInput, inputIssue, parseInput } from '../validate.js';
import { agentStartedOrigin } from '../../domain/ticket.js';
import { mailAttachments, markUploadsUsed, MAX_UPLOAD_IDS, type MailAttachmentsDeps } from '../attachments/mail-attachments.js';
import { replyBody, type ReplyBodyDeps } from './reply-body.js';

/** At most this many Cc addresses on a new conversation. */
export const MAX_NEW_CONVERSATION_CC = 20;

/** What starting a conversation needs: the inbox, a new ticket, the outbox, and the SLA and layout steps when given. */
export interface StartConversationDeps extends QueueMailDeps, MailAttachmentsDeps, ReplyBodyDeps {
  inboxes: Pick<InboxStore, 'listSenders' | 'findDefaultTeamId'>;
  tickets: Pick<TicketStore, 'nextNumber' | 'openOnce' | 'write'>;
  contacts: Pick<ContactStore, 'findOrCreate' | 'findLocaleByEmail'>;
  users: Pick<UserStore, 'findLabelById'>;
  /** Recomputes the ticket's SLA clocks after it changed. */
  refreshSla?: (ticketId: Types.ObjectId) => Promise<void>;
  /** The lifecycle follow-up of an agent's change (auto-close and reminder jobs). */
  afterAgentAction?: AgentActionFollowUp;
  /** Lays the text out with the inbox's branding and signature (the agent-reply template), in the customer's language. */
  render?: RenderEmailFn;
}

/** `POST /tickets`: a new conversation an agent starts with a customer. */
export const startConversationSchema = z
  .strictObject({
    /** The inbox it is written from (an id). */
    inboxId: z.string().min(1).max(100),
    /** The customer: the ticket's requester. */
    to: z.email().max(254),
    cc: z.array(z.email().max(254)).max(MAX_NEW_CONVERSATION_CC).optional(),
    /** Blind copies: in the SMTP envelope only (no Bcc header), recorded for agents, never participants of the ticket. */
    bcc: z.array(z.email().max(254)).max(MAX_NEW_CONVERSATION_CC).optional(),
    subject: z.string().trim().min(1).max(998),
    /** The mail's text; may be left out when `html` is given (the text part is then made from it). */
    text: z.string().max(1_000_000).optional(),
    /** The mail as HTML (the reply editor's): sanitized like a reply's, sent with a text/plain alternative. */
    html: z.string().max(2_000_000).optional(),
    status: z.enum(REPLY_STATUSES).optional(),
    requestKey: z.string().min(1).max(100).optional(),
    /** Files uploaded for this inbox's new conversation (`POST /uploads` with `inboxId`, or multipart `attachments`), sent along. */
    uploadIds: z.array(z.string().max(100)).max(MAX_UPLOAD_IDS).optional(),
  })
  .refine((r) => Boolean(r.text?.trim() || r.html?.trim()), { message: 'is required', path: ['text'] });

/** A new conversation as the use case takes it. */
export interface StartConversationInput {
  inboxId: string;
  to: string;
  cc?: string[];
  /** Blind copies (envelope only). */
  bcc?: string[];
  subject: string;
  text: string;
  /** The editor's HTML of the same mail, or null: sanitized before it is stored or sent. */
  html?: string | null;
  /** The status the ticket takes once the mail is queued; 'pending' (waiting on the customer) by default. */
  status?: ReplyStatus;
  /** Makes a retried request (double click, network retry) open one ticket and queue one mail. */
  requestKey?: string | null;
  /** The agent's uploads for a new conversation from this inbox, sent along as attachments. */
  uploadIds?: string[];
}

/** The page's form, already shaped (checked here all the same), or the API's JSON body. */
export type StartConversationRequest = { form: StartConversationInput } | { json: unknown };

/** The ticket a conversation opened, and the mail queued for the customer. */
export interface StartedConversation {
  ticket: { id: string; number: number; status: ReplyStatus; subject: string };
  outbox: OutboxDoc;
  to: MailAddress[];
  cc: MailAddress[];
  bcc: MailAddress[];
}

const lower = (a: string) => a.trim().toLowerCase();

function inputOf(request: StartConversationRequest): StartConversationInput {
  const raw = 'json' in request ? request.json : { ...request.form, ...(request.form.requestKey ? {} : { requestKey: undefined }), html: request.form.html ?? undefined };
  const r = parseInput(startConversationSchema, raw, 'New conversation');
  return { inboxId: r.inboxId, to: r.to, cc: r.cc ?? [], bcc: r.bcc ?? [], subject: r.subject, text: r.text ?? '', html: r.html ?? null, ...(r.status ? { status: r.status } : {}), requestKey: r.requestKey ?? null, ...(r.uploadIds ? { uploadIds: r.uploadIds } : {}) };
}

/**
 * An agent starts a ticket by writing to a customer from one of their inboxes (admins: any inbox;
 * NOT_FOUND otherwise, as if it did not exist). The ticket opens with the customer as requester and
 * the inbox's default team, as a mailed-in one does; the mail is queued in the outbox like a reply,
 * with a Message-ID of our own and the `[#n]` token, so the customer's answer threads onto it.
 * Nothing is acknowledged, and the first-response clock never runs: no customer mail waits yet (the
 * mail counts as the first response, and the customer's answer starts the next-response clock).
 * A repeated `requestKey` returns the same ticket and mail.
 */
export async function startConversation(deps: StartConversationDeps, actor: Actor, request: StartConversationRequest): Promise<StartedConversation> {
  const authorId = actor.userId;
  if (!authorId) throw new AppError('FORBIDDEN', 'Only a user can start a conversation');
  const input = inputOf(request);
  const inboxId = parseObjectId(input.inboxId);
  if (!inboxId || !canSeeInbox(actor, inboxId)) throw notFound('Inbox');
  const inboxes = await deps.inboxes.listSenders();
  const inbox = inboxes.find((i) => i._id.equals(inboxId));
  if (!inbox) throw notFound('Inbox');
  if (inbox.deletedAt || inbox.movingTo) throw new AppError('CONFLICT', 'The inbox was deleted: its tickets are read-only', { key: 'conflict.inboxDeleted' });
  checkReplyBody(input.text, input.html ?? null);

  // Our own addresses are nobody to write to; an address given twice goes once.
  const own = new Set(inboxes.map((i) => lower(i.address)));
  const to = lower(input.to);
  if (own.has(to)) throw invalidInput([inputIssue('to', 'issue.recipients.ownAddress', `${to} is one of our own addresses`, { address: to })], 'New conversation');
  const cc = [...new Set((input.cc ?? []).map(lower))].filter((a) => a !== to && !own.has(a));
  const toList: MailAddress[] = [{ address: to, name: null }];
  const ccList: MailAddress[] = cc.map((address) => ({ address, name: null }));
  // Blind copies: ours refused like in To, an address already in To or Cc goes once.
  const ownBcc = (input.bcc ?? []).map(lower).find((a) => own.has(a));
  if (ownBcc) throw invalidInput([inputIssue('bcc', 'issue.recipients.ownAddress', `${ownBcc} is one of our own addresses`, { address: ownBcc })], 'New conversation');
  const bccList: MailAddress[] = [...new Set((input.bcc ?? []).map(lower))].filter((a) => a !== to && !cc.includes(a)).map((address) => ({ address, name: null }));

  // The files, checked before the ticket opens: a refused one opens nothing. Images of the agent's
  // uploads in the HTML go as inline `cid:` parts; the HTML is sanitized and given a text part as a reply's is.
  const files = await mailAttachments(deps, authorId, { ticketId: null, inboxId }, input.uploadIds ?? [], input.html ?? null);
  const body = await replyBody(deps, { text: input.text, html: files.html });
  const now = deps.now();
  const originKey = agentStartedOrigin(authorId.toHexString(), input.requestKey ?? `${now.getTime()}:${Math.random().toString(36).slice(2)}`);
  const opening = openingTicket({ from: { address: to, name: null }, sender: null, subject: input.subject }, { inboxId, participants: [to, ...cc], linkedTo: null, autoReason: null, at: now });
  const [contact, number, teamId] = await Promise.all([deps.contacts.findOrCreate(to, null), deps.tickets.nextNumber(), deps.inboxes.findDefaultTeamId(inboxId)]);
  const ticket = await deps.tickets.openOnce(originKey, { number, ...opening, teamId, requester: { contactId: contact?._id ?? null, email: to, name: null } });
  if (!ticket) throw new AppError('INTERNAL', 'The new ticket could not be opened');

  let mail = { text: body.text, html: body.html };
  if (deps.render) {
    const [author, remembered] = await Promise.all([deps.users.findLabelById(authorId), deps.contacts.findLocaleByEmail(to)]);
    const rendered = await deps.render(
      'agent-reply',
      { ticketNumber: ticket.number, ticketSubject: ticket.subject, agentName: author?.name ?? author?.email ?? inbox.name, body: body.text, ...(body.html ? { bodyHtml: body.html } : {}) },
      { branding: brandingOf(inbox), locale: customerLocale(null, remembered, inbox.defaultLocale) },
    );
    mail = { text: rendered.text, html: rendered.html };
  }
  const item = await queueMail(deps, {
    kind: 'agent-reply',
    inbox,
    ticket: { _id: ticket._id, number: ticket.number },
    dedupeKey: `started:${ticket._id.toHexString()}`,
    to: toList,
    cc: ccList,
    bcc: bccList,
    subject: subjectWithToken(ticket.subject, ticket.number),
    text: mail.text,
    html: mail.html,
    storedText: body.text,
    storedHtml: body.html,
    ...(files.files.length ? { attachments: files.files, storedAttachments: files.refs } : {}),
    inReplyTo: null,
    references: [],
    envelopeFrom: inbox.address,
    storeAsMessage: true,
    authorId,
  });

  await markUploadsUsed(deps, files, now);
  const status = input.status ?? DEFAULT_REPLY_STATUS;
  // A retry that finds the ticket already started (a double click) changes nothing more.
  if (ticket.status === 'new' && ticket.messageCount === 0) {
    const { changes, statusChanged } = onAgentReply(ticket, now, status);
    const actorRef = { kind: 'user' as const, id: authorId };
    const key = item._id.toHexString();
    await deps.tickets.write(
      ticket._id,
      { changes, addedMessages: 1, participants: [to, ...cc], news: { at: now, by: authorId } },
      [
        { ticketId: ticket._id, type: 'conversation_started', actor: actorRef, at: now, key: `started:${key}`, data: { inboxId, to: [to], cc } },
        { ticketId: ticket._id, type: 'reply_queued', actor: actorRef, at: now, key: `reply-queued:${key}`, data: { outboxId: item._id, messageId: item.messageId, status, to: [to], cc, ...(bccList.length ? { bcc: bccList.map((a) => a.address) } : {}) } },
        ...(statusChanged ? [{ ticketId: ticket._id, type: 'status_changed' as const, actor: actorRef, at: now, data: { ...statusChanged }, key: `reply-status:${key}` }] : []),
      ],
    );
    await deps.refreshSla?.(ticket._id);
    await deps.afterAgentAction?.(ticket._id);
  }
  return {
    ticket: { id: ticket._id.toHexString(), number: ticket.number, status: ticket.status === 'new' ? status : (ticket.status as ReplyStatus), subject: ticket.subject },
    outbox: item,
    to: toList,
    cc: ccList,
    bcc: bccList,
  };
}

import type { Types } from 'mongoose';
import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import type { MailAddress } from '../../domain/mail.js';
import { sideConversationText, type QuoteLabels } from '../../domain/side-conversations.js';
import { DEFAULT_FORWARD_LABELS, forwardable, forwardedText, forwardSubject, type ForwardLabels } from '../../domain/forward-mail.js';
import { checkReplyable } from '../../domain/ticket.js';
import type { BlobStore } from '../../store/blob-store.js';
import type { MessageStore } from '../../store/message-store.js';
import type { PartnerStore } from '../../store/partner-store.js';
import type { SideConversationStore } from '../../store/side-conversation-store.js';
import type { TicketStore } from '../../store/ticket-store.js';
import { parseObjectId, type Actor } from '../access.js';
import { workableTicket } from '../tickets/visible-ticket.js';
import { inputIssue, invalidInput, issueMessage, parseInput } from '../validate.js';
import { checkNotSpam, sendingInbox, sendSideMail, type SendSideMailDeps } from './send-side-mail.js';
import { toSideConversationView, type SideConversationView } from './side-conversation-view.js';

/** At most this many bytes of attachments go to a partner in one mail. */
export const MAX_SIDE_ATTACHMENT_BYTES = 20 * 1024 * 1024;

/** What opening a side conversation needs. */
export interface StartSideConversationDeps extends SendSideMailDeps {
  tickets: SendSideMailDeps['tickets'] & Pick<TicketStore, 'findById' | 'conversationIds'>;
  partners: Pick<PartnerStore, 'findById'>;
  sideConversations: SendSideMailDeps['sideConversations'] & Pick<SideConversationStore, 'open' | 'findById'>;
  messages: SendSideMailDeps['messages'] & Pick<MessageStore, 'listConversationByIds' | 'listConversation' | 'findAttachmentsWithFile' | 'listSideMessages'>;
  blobs: Pick<BlobStore, 'read'>;
}

const id = z.string().min(1).max(64);

/** `POST /tickets/:id/side-conversations`: a partner (`partnerId`) or any address (`address`, a forward), the agent's text, and what of the ticket goes along. */
export const startSideConversationSchema = z
  .strictObject({
    partnerId: id.optional(),
    address: z.string().trim().toLowerCase().pipe(z.email().max(254)).optional(),
    subject: z.string().trim().max(300).optional(),
    /** The agent's words (may be empty for a forward). */
    text: z.string().trim().max(1_000_000).default(''),
    /** Messages of the ticket's conversation quoted (as text) below the agent's words; with `forward`, forwarded (none: the whole conversation). */
    messageIds: z.array(id).max(50).optional(),
    /** Files attached to the ticket's messages (their `fileId`), sent along; with `forward` and none given, the forwarded messages' files. */
    attachmentIds: z.array(id).max(20).optional(),
    /** Forward as mail clients do: each message under a "Forwarded message" block with its From, Date, Subject, To and Cc, subject `Fwd: …`. */
    forward: z.boolean().optional(),
    requestKey: z.string().min(1).max(100).optional(),
  })
  .refine((r) => r.forward || r.text !== '', { message: issueMessage('issue.required', 'is required'), path: ['text'] })
  .refine((r) => (r.partnerId ? 1 : 0) + (r.address ? 1 : 0) === 1, { message: issueMessage('issue.partnerOrAddress', 'give exactly one of partnerId and address'), path: ['partnerId'] });

export type StartSideConversationInput = z.input<typeof startSideConversationSchema>;

/** The header lines above quoted messages, and for a forward its block's lines (English when not given). */
export type SideConversationLabels = QuoteLabels & { forward?: ForwardLabels };

const plain = (a: { address: string; name?: string | null }): MailAddress => ({ address: a.address, name: a.name ?? null });


/** A side conversation's first mail as a channel hands it over: already shaped (the page's form) or the API's JSON body. */
export type StartSideConversationRequest = { form: StartSideConversationInput } | { json: unknown };

const ids = (values: string[] | undefined, path: string): Types.ObjectId[] =>
  (values ?? []).map((v, i) => {
    const parsed = parseObjectId(v);
    if (!parsed) throw invalidInput([inputIssue(`${path}.${i}`, 'issue.notAnId', 'is not an id')], 'Side conversation');
    return parsed;
  });

async function recipientOf(deps: Pick<StartSideConversationDeps, 'partners'>, input: StartSideConversationInput): Promise<{ to: MailAddress; partnerId: Types.ObjectId | null }> {
  if (input.address) return { to: { address: input.address, name: null }, partnerId: null };
  const partnerId = parseObjectId(input.partnerId);
  const partner = partnerId ? await deps.partners.findById(partnerId) : null;
  if (!partner) throw invalidInput([inputIssue('partnerId', 'issue.partnerMissing', 'names no partner')], 'Side conversation');
  return { to: { address: partner.address, name: partner.name }, partnerId: partner._id };
}

async function attachmentsOf(deps: Pick<StartSideConversationDeps, 'messages' | 'blobs'>, fileIds: Types.ObjectId[], conversation: Types.ObjectId[]) {
  const out: Array<{ filename: string | null; contentType: string; content: Buffer }> = [];
  let total = 0;
  for (const [i, fileId] of fileIds.entries()) {
    const holder = await deps.messages.findAttachmentsWithFile(fileId, conversation);
    const ref = holder?.attachments.find((a) => a.fileId.equals(fileId));
    if (!ref) throw invalidInput([inputIssue(`attachmentIds.${i}`, 'issue.attachmentMissing', 'is not an attachment of this ticket')], 'Side conversation');
    total += ref.size;
    if (total > MAX_SIDE_ATTACHMENT_BYTES) throw invalidInput([inputIssue('attachmentIds', 'issue.attachmentsTooLarge', 'are too large together to send')], 'Side conversation');
    out.push({ filename: ref.filename ?? null, contentType: ref.contentType, content: await deps.blobs.read(fileId) });
  }
  return out;
}

/**
 * "Send to partner" / "Forward": an agent who may work the ticket (NOT_FOUND when hidden) opens a
 * side conversation with a partner or any address, writing their words above the messages of the
 * ticket they selected (quoted as text) and with the attachments they selected. One side conversation
 * and one mail per `requestKey`. With `forward`, the mail is a forward as mail clients write it
 * (domain/forward-mail.ts): the selected messages, or without any the whole conversation, each under
 * a "Forwarded message" block, their attachments unless others are chosen, the subject `Fwd: …`.
 * The mail goes out as {@link sendSideMail} says; the customer never sees it or what answers it.
 */
export async function startSideConversation(deps: StartSideConversationDeps, actor: Actor, ticketId: string, request: StartSideConversationRequest, labels: SideConversationLabels): Promise<SideConversationView> {
  const ticket = await workableTicket(deps.tickets, actor, ticketId);
  const authorId = actor.userId;
  if (!authorId) throw new AppError('FORBIDDEN', 'Only a user can write to a partner');
  const input = parseInput(startSideConversationSchema, 'json' in request ? request.json : request.form, 'Side conversation');
  checkReplyable(ticket);
  checkNotSpam(ticket);
  const inbox = await sendingInbox(deps, ticket);
  const conversation = await deps.tickets.conversationIds(ticket._id, ticket);
  const { to, partnerId } = await recipientOf(deps, input);
  // One of our own inboxes is nobody to forward to: the mail would come back in as a customer's.
  if ((await deps.inboxes.listSenders()).some((i) => i.address.toLowerCase() === to.address.toLowerCase())) {
    throw invalidInput([inputIssue(partnerId ? 'partnerId' : 'address', 'issue.recipients.ownAddress', `${to.address} is one of our own addresses`, { address: to.address })], 'Side conversation');
  }
  const messageIds = ids(input.messageIds, 'messageIds');
  // A forward without messages named carries the whole conversation, oldest first.
  const whole = input.forward && messageIds.length === 0;
  const quoted = whole
    ? (await deps.messages.listConversation(conversation)).filter(forwardable)
    : (await deps.messages.listConversationByIds(conversation, messageIds)).filter((m) => m.direction !== 'note');
  if (!whole && quoted.length !== new Set(messageIds.map(String)).size) throw invalidInput([inputIssue('messageIds', 'issue.messageMissing', 'names a message that is not mail of this ticket')], 'Side conversation');
  if (whole && quoted.length === 0) throw invalidInput([inputIssue('messageIds', 'issue.messageMissing', 'the ticket has no mail to forward')], 'Side conversation');
  // A forward takes its messages' files unless the caller chose which.
  const fileIds = input.forward && input.attachmentIds === undefined
    ? quoted.flatMap((m) => m.attachments.filter((a) => !a.inline).map((a) => a.fileId))
    : ids(input.attachmentIds, 'attachmentIds');
  const attachments = await attachmentsOf(deps, fileIds, conversation);
  const subject = input.subject || (input.forward ? forwardSubject((quoted.length === 1 ? quoted[0]!.subject : null) || ticket.subject) : ticket.subject);

  const now = deps.now();
  const sc = await deps.sideConversations.open({
    ticketId: ticket._id,
    inboxId: ticket.inboxId,
    kind: partnerId ? 'partner' : 'forward',
    partnerId,
    subject: subject.slice(0, 300),
    to: [to],
    participants: [to.address.toLowerCase()],
    createdBy: authorId,
    requestKey: input.requestKey ? `${ticket._id.toHexString()}:${input.requestKey}` : null,
    lastMessageAt: now,
  });
  const text = input.forward
    ? forwardedText(input.text ?? '', quoted.map((m) => ({ from: m.from ? plain(m.from) : null, date: m.date ?? m.createdAt, subject: m.subject ?? null, to: m.to.map(plain), cc: m.cc.map(plain), text: m.text ?? '' })), labels.forward ?? DEFAULT_FORWARD_LABELS)
    : sideConversationText(input.text ?? '', quoted.map((m) => ({ from: m.from?.address ?? null, date: m.createdAt, subject: m.subject ?? null, text: m.text ?? '' })), labels);
  await sendSideMail(deps, {
    ticket, sideConversation: sc, inbox, authorId, to: sc.to.map((a) => ({ address: a.address, name: a.name ?? null })), text, inReplyTo: null, references: [],
    // The opening mail of a side conversation is queued once, however often the request is retried.
    dedupeKey: `side-open:${sc._id.toHexString()}`,
    attachments, opening: true,
  });
  const [stored, messages] = await Promise.all([deps.sideConversations.findById(sc._id), deps.messages.listSideMessages([sc._id])]);
  return toSideConversationView(stored ?? sc, messages, partnerId ? to.name ?? null : null);
}

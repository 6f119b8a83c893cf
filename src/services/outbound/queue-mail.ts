import { Types } from 'mongoose';
import { ourMessageId, type Signer } from '../../domain/message-ids.js';
import { automatedHeaders } from '../../domain/outbound-headers.js';
import type { MailAddress } from '../../domain/mail.js';
import type { ComposeMail, JobScheduler } from '../ports.js';
import type { MessageStore } from '../../store/message-store.js';
import type { OutboxKind } from '../../domain/outbox.js';
import type { OutboxDoc } from '../../store/models/outbox.js';
import type { OutboxStore } from '../../store/outbox-store.js';
import type { BlobStore } from '../../store/blob-store.js';
import type { AttachmentRef } from '../../store/models/message.js';

export const DELIVER_JOB = 'deliver-outbox';

/**
 * Composed mail larger than this is kept in the blob store (GridFS) rather than in its outbox document,
 * which MongoDB caps at 16 MB: a mail with 25 MB of attachments is about 34 MB once encoded.
 */
export const OUTBOX_INLINE_RAW_MAX_BYTES = 4 * 1024 * 1024;

export interface QueueMailDeps {
  outbox: Pick<OutboxStore, 'findByDedupeKey' | 'findById' | 'insert'>;
  messages: Pick<MessageStore, 'addOutboundOnce'>;
  scheduler: JobScheduler;
  compose: ComposeMail;
  sign: Signer;
  now: () => Date;
  /** Where a large composed mail is kept (see OUTBOX_INLINE_RAW_MAX_BYTES); without it every mail stays in its document. */
  outboxBlobs?: Pick<BlobStore, 'put'>;
  /** Overrides OUTBOX_INLINE_RAW_MAX_BYTES (tests). */
  outboxInlineRawMaxBytes?: number;
}

export interface QueueMailInput {
  kind: OutboxKind;
  inbox: { _id: Types.ObjectId; address: string; displayName?: string | null; name: string };
  ticket: { _id: Types.ObjectId; number: number } | null;
  /** One queued mail per key, however often this is called (a retried job, a double click). */
  dedupeKey: string | null;
  to: MailAddress[];
  cc?: MailAddress[];
  /** Blind copies: added to the SMTP envelope and recorded on the stored message, never written into the mail's headers. */
  bcc?: MailAddress[];
  /** The From of the mail when it is not the inbox's own address (the instance's notification address). */
  from?: MailAddress | null;
  /** Where answers go, when not to From (a notification's signed reply address). */
  replyTo?: MailAddress[];
  subject: string;
  text: string;
  html?: string | null;
  inReplyTo?: string | null;
  references?: string[];
  headers?: Record<string, string>;
  /** '' sends with the null envelope sender (RFC 3834 §3.3), for automated mail. */
  envelopeFrom: string;
  /** Customer-facing mail becomes part of the conversation; notifications to agents do not. */
  storeAsMessage: boolean;
  /** What the conversation shows when it differs from the mail (the agent's words without the email layout). */
  storedText?: string;
  storedHtml?: string | null;
  authorId?: Types.ObjectId | null;
  /** The unique part of the Message-ID, from the outbox item's id (hex); the item's id itself by default. */
  messageIdPart?: (outboxId: string) => string;
  /** The side conversation the mail belongs to: stored marked, never part of the customer's conversation. */
  sideConversationId?: Types.ObjectId;
  attachments?: Array<{ filename: string | null; contentType: string; content: Buffer; cid?: string }>;
  /** The attachments the stored message lists (their files already in GridFS), shown on the trail. */
  storedAttachments?: AttachmentRef[];
}

/** Kinds of mail a person writes (not automated: counted, searchable). */
const PERSON_KINDS: readonly OutboxKind[] = ['agent-reply', 'side-conversation'];

/**
 * Writes a mail to the outbox (the commit point) with a Message-ID of our own domain that names the
 * ticket, adds it to the conversation when it is customer-facing, and schedules its delivery.
 */
export async function queueMail(deps: QueueMailDeps, input: QueueMailInput): Promise<OutboxDoc> {
  const { outbox } = deps;
  if (input.dedupeKey) {
    const existing = await outbox.findByDedupeKey(input.dedupeKey);
    if (existing) return finish(deps, input, existing);
  }
  const _id = new Types.ObjectId();
  const domain = input.inbox.address.split('@')[1] ?? 'localhost';
  const messageId = ourMessageId(input.ticket?.number ?? 0, input.messageIdPart ? input.messageIdPart(_id.toHexString()) : _id.toHexString(), domain, deps.sign);
  const date = deps.now();
  const from = input.from ?? { address: input.inbox.address, name: input.inbox.displayName ?? input.inbox.name };
  const raw = await deps.compose({
    from,
    to: input.to,
    cc: input.cc ?? [],
    ...(input.replyTo?.length ? { replyTo: input.replyTo } : {}),
    subject: input.subject,
    text: input.text,
    html: input.html ?? null,
    messageId,
    inReplyTo: input.inReplyTo ?? null,
    references: input.references ?? [],
    date,
    headers: input.headers ?? {},
    ...(input.attachments?.length ? { attachments: input.attachments } : {}),
  });
  // A large mail's bytes go to GridFS under a key of this item, so a retried queueing reuses them.
  const maxInline = deps.outboxInlineRawMaxBytes ?? OUTBOX_INLINE_RAW_MAX_BYTES;
  const rawBlob = deps.outboxBlobs && raw.length > maxInline ? await deps.outboxBlobs.put(raw, { filename: `outbox-${_id.toHexString()}.eml`, contentType: 'message/rfc822', key: `outbox:${_id.toHexString()}`, fresh: true }) : null;
  const doc = {
    _id,
    kind: input.kind,
    inboxId: input.inbox._id,
    ticketId: input.ticket?._id ?? null,
    messageId,
    subject: input.subject,
    envelope: { from: input.envelopeFrom, to: [...input.to, ...(input.cc ?? []), ...(input.bcc ?? [])].map((a) => a.address) },
    ...(rawBlob ? { raw: Buffer.alloc(0), rawBlobId: rawBlob.id } : { raw }),
    state: 'pending' as const,
    ...(input.dedupeKey ? { dedupeKey: input.dedupeKey } : {}),
  };
  try {
    await outbox.insert(doc);
  } catch (err) {
    if ((err as { code?: number }).code !== 11000 || !input.dedupeKey) throw err;
    return finish(deps, input, (await outbox.findByDedupeKey(input.dedupeKey))!);
  }
  return finish(deps, input, (await outbox.findById(_id))!);
}

/**
 * Queues mail the system writes on its own to a user or customer outside any conversation (alerts,
 * password links, surveys, digests, notifications): marked `Auto-Submitted: auto-generated` and sent
 * with the null envelope sender (RFC 3834 §3.3) so that no auto-responder answers it, never stored on a ticket.
 */
export function queueAutomatedMail(deps: QueueMailDeps, input: Omit<QueueMailInput, 'headers' | 'envelopeFrom' | 'storeAsMessage'>): Promise<OutboxDoc> {
  return queueMail(deps, { ...input, headers: automatedHeaders('auto-generated', input.inbox.address), envelopeFrom: '', storeAsMessage: false });
}

/** Adds a customer-facing mail to its conversation (idempotent) and schedules its delivery. */
async function finish(deps: QueueMailDeps, input: QueueMailInput, item: OutboxDoc): Promise<OutboxDoc> {
  if (input.storeAsMessage && input.ticket) {
    const at = item.createdAt;
    await deps.messages.addOutboundOnce({
      ticketId: input.ticket._id,
      inboxId: input.inbox._id,
      direction: 'outbound',
      messageId: item.messageId,
      inReplyTo: input.inReplyTo ?? null,
      references: input.references ?? [],
      threadKeys: [item.messageId.toLowerCase(), ...(input.references ?? []).map((r) => r.toLowerCase())],
      subject: item.subject,
      from: { address: input.inbox.address, name: input.inbox.displayName ?? input.inbox.name },
      to: input.to,
      cc: input.cc ?? [],
      ...(input.bcc?.length ? { bcc: input.bcc } : {}),
      date: at,
      text: input.storedText ?? input.text,
      html: input.storedText !== undefined ? (input.storedHtml ?? null) : (input.html ?? null),
      authorId: input.authorId ?? null,
      delivery: { state: 'pending', at },
      flags: { autoSubmitted: !PERSON_KINDS.includes(input.kind), bounce: false },
      ...(input.sideConversationId ? { sideConversationId: input.sideConversationId } : {}),
      ...(input.storedAttachments?.length ? { attachments: input.storedAttachments } : {}),
    });
  }
  if (item.state === 'pending') await deps.scheduler.schedule(DELIVER_JOB, { key: item._id.toHexString() });
  return item;
}

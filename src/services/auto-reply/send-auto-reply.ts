import type { Types } from 'mongoose';
import type { Logger } from 'pino';
import { autoReplyRecipient, shouldAutoReply } from '../../domain/auto-reply-policy.js';
import type { ParsedMail } from '../../domain/mail.js';
import { automatedHeaders, replyThreading } from '../../domain/outbound-headers.js';
import type { BlobStore } from '../../store/blob-store.js';
import type { ContactStore } from '../../store/contact-store.js';
import type { InboxStore } from '../../store/inbox-store.js';
import type { MessageStore } from '../../store/message-store.js';
import type { OutboxStore } from '../../store/outbox-store.js';
import type { TicketStore } from '../../store/ticket-store.js';
import type { TrailStore } from '../../store/trail-store.js';
import { customerLocale, detectLocale, ownWords } from '../ingest/customer-locale.js';
import { queueMail, type QueueMailDeps } from '../outbound/queue-mail.js';
import { brandingOf, type RenderEmailFn } from '../outbound/render-types.js';
import { autoReplyOverride } from './auto-reply-overrides.js';
import { autoReplyArticles, type AutoReplyArticlesDeps } from './auto-reply-articles.js';
import { replyText } from '../../domain/reply-text.js';

export const AUTO_REPLY_JOB = 'auto-reply';


export interface AutoReplyDeps extends QueueMailDeps, Pick<AutoReplyArticlesDeps, 'kbArticles' | 'publicUrl'> {
  tickets: Pick<TicketStore, 'mergeRootOf' | 'findById'>;
  trail: Pick<TrailStore, 'record'>;
  messages: QueueMailDeps['messages'] & Pick<MessageStore, 'findById'>;
  outbox: QueueMailDeps['outbox'] & Pick<OutboxStore, 'existsWithDedupeKey' | 'findLastAutoReplyTo' | 'countAutoRepliesSince'>;
  contacts: Pick<ContactStore, 'findBounceByEmail' | 'findLocaleByEmail'>;
  inboxes: Pick<InboxStore, 'findById' | 'listAddresses'>;
  blobs: BlobStore;
  parse: (raw: Buffer) => Promise<ParsedMail>;
  render: RenderEmailFn;
  logger: Logger;
  settings: { windowSeconds: number; hourlyCap: number; maxMailAgeSeconds: number };
}

/**
 * Acknowledges a new ticket's first mail, unless RFC 3834 and our limits say not to (automated or list
 * mail, bounces, loops, our own addresses, a bouncing recipient, a recipient answered within the
 * window, the inbox's hourly cap, an old mail from a backlog import, or a ticket in Spam). Either way the decision is
 * recorded on the ticket's trail. Idempotent per received mail. The acknowledgement is written in
 * the customer's language: the mail's own, else the one remembered for them, else the inbox's
 * default; with the inbox's own subject and text for that language, if it has them.
 */
export async function sendAutoReply(deps: AutoReplyDeps, messageDocId: Types.ObjectId): Promise<'queued' | 'suppressed' | 'skipped'> {
  const message = await deps.messages.findById(messageDocId);
  if (!message || message.direction !== 'inbound' || !message.raw) return 'skipped';
  const [ticket, inbox] = await Promise.all([
    deps.tickets.mergeRootOf(message.ticketId).then((id) => deps.tickets.findById(id)),
    deps.inboxes.findById(message.inboxId),
  ]);
  if (!ticket || !inbox) return 'skipped';
  const now = deps.now();
  const key = `auto-reply:${messageDocId.toHexString()}`;
  const suppress = async (reason: string) => {
    await deps.trail.record({ ticketId: ticket._id, type: 'auto_reply_suppressed', actor: { kind: 'system', label: 'auto-reply' }, at: now, data: { reason, messageId: messageDocId }, key });
    deps.logger.debug({ ticket: ticket.number, reason }, 'auto-reply suppressed');
    return 'suppressed' as const;
  };

  const mail = await deps.parse(await deps.blobs.read(message.raw.fileId));
  const recipient = autoReplyRecipient(mail);
  // A run cut short after the outbox write: that decision was made, so finish it (the checks below
  // would now see our own queued mail as the last auto-reply to this sender and suppress it).
  const decided = await deps.outbox.existsWithDedupeKey(key);
  // A ticket in Spam (a blocked sender, or marked before this job ran) is never acknowledged.
  if (!decided && ticket.status === 'spam') return suppress('spam');
  const received = message.createdAt ?? now;
  if (!decided && (now.getTime() - received.getTime()) / 1000 > deps.settings.maxMailAgeSeconds) return suppress('old-mail');
  const [own, contact, last, sentThisHour, remembered] = await Promise.all([
    deps.inboxes.listAddresses().then((rows) => new Set(rows.map((r) => r.address))),
    recipient ? deps.contacts.findBounceByEmail(recipient) : null,
    // This mail's own acknowledgement never counts against it: a run of the same job at the same time
    // (a lock lost under load, then taken again) may have queued it since `decided` was read.
    recipient ? deps.outbox.findLastAutoReplyTo(recipient, key) : null,
    deps.outbox.countAutoRepliesSince(inbox._id, new Date(now.getTime() - 3600_000), key),
    deps.contacts.findLocaleByEmail(ticket.requester.email),
  ]);
  const decision = shouldAutoReply({
    mail,
    enabled: inbox.autoReply?.enabled ?? true,
    ownAddresses: own,
    loopId: inbox.address,
    recipientBouncing: contact?.bounce?.bouncing ?? false,
    lastAutoReplyToSenderAt: last?.createdAt ?? null,
    windowSeconds: deps.settings.windowSeconds,
    sentThisHourForInbox: sentThisHour,
    hourlyCap: deps.settings.hourlyCap,
    now,
  });
  if (!decided && !decision.send) return suppress(decision.reason);
  if (!recipient) return suppress('no-recipient');

  const locale = customerLocale(detectLocale(ownWords(mail)), remembered, inbox.defaultLocale);
  const override = autoReplyOverride(inbox, locale);
  // Help center articles that may answer the mail, in the customer's language (never in the way of the acknowledgement).
  const articles = await autoReplyArticles(deps, inbox, { subject: ticket.subject, body: replyText(mail), writer: mail.from?.name ?? ticket.requester.name ?? null }, locale);
  const rendered = await deps.render(
    'auto-reply',
    { ticketNumber: ticket.number, ticketSubject: ticket.subject, customerName: mail.from?.name ?? ticket.requester.name ?? null, articles },
    { branding: brandingOf(inbox), subject: override.subject, template: override.template, locale },
  );
  const threading = replyThreading({ messageId: message.messageId ?? null, references: message.references, inReplyTo: message.inReplyTo ?? null });
  await queueMail(deps, {
    kind: 'auto-reply',
    inbox,
    ticket: { _id: ticket._id, number: ticket.number },
    dedupeKey: key,
    to: [{ address: recipient, name: mail.replyTo[0]?.name ?? mail.from?.name ?? null }],
    subject: rendered.subject,
    text: rendered.text,
    html: rendered.html,
    inReplyTo: threading.inReplyTo,
    references: threading.references,
    headers: automatedHeaders('auto-replied', inbox.address),
    envelopeFrom: '',
    storeAsMessage: true,
  });
  return 'queued';
}

import type { Types } from 'mongoose';
import type { Logger } from 'pino';
import { autoReplyRecipient, shouldAutoReply } from '../../domain/auto-reply-policy.js';
import type { ParsedMail } from '../../domain/mail.js';
import { automatedHeaders, replyThreading } from '../../domain/outbound-headers.js';
import type { BlobStore } from '../../store/blob-store.js';
import { mergeRootOf, recordEvent } from '../../store/ticket-writes.js';
import { queueMail, type QueueMailDeps } from '../outbound/queue-mail.js';
import { brandingOf, type RenderEmailFn } from '../outbound/render-types.js';

export const AUTO_REPLY_JOB = 'auto-reply';


export interface AutoReplyDeps extends QueueMailDeps {
  blobs: BlobStore;
  parse: (raw: Buffer) => Promise<ParsedMail>;
  render: RenderEmailFn;
  logger: Logger;
  settings: { windowSeconds: number; hourlyCap: number; maxMailAgeSeconds: number };
}

/**
 * Acknowledges a new ticket's first mail, unless RFC 3834 and our limits say not to (automated or list
 * mail, bounces, loops, our own addresses, a bouncing recipient, a recipient answered within the
 * window, the inbox's hourly cap, or an old mail from a backlog import). Either way the decision is
 * recorded on the ticket's trail. Idempotent per received mail.
 */
export async function sendAutoReply(deps: AutoReplyDeps, messageDocId: Types.ObjectId): Promise<'queued' | 'suppressed' | 'skipped'> {
  const { models } = deps;
  const message = await models.Message.findById(messageDocId).lean();
  if (!message || message.direction !== 'inbound' || !message.raw) return 'skipped';
  const [ticket, inbox] = await Promise.all([
    mergeRootOf(models, message.ticketId).then((id) => models.Ticket.findById(id).lean()),
    models.Inbox.findById(message.inboxId).lean(),
  ]);
  if (!ticket || !inbox) return 'skipped';
  const now = deps.now();
  const key = `auto-reply:${messageDocId.toHexString()}`;
  const suppress = async (reason: string) => {
    await recordEvent(models, { ticketId: ticket._id, type: 'auto_reply_suppressed', actor: { kind: 'system', label: 'auto-reply' }, at: now, data: { reason, messageId: messageDocId }, key });
    deps.logger.debug({ ticket: ticket.number, reason }, 'auto-reply suppressed');
    return 'suppressed' as const;
  };

  const mail = await deps.parse(await deps.blobs.read(message.raw.fileId));
  const recipient = autoReplyRecipient(mail);
  // A run cut short after the outbox write: that decision was made, so finish it (the checks below
  // would now see our own queued mail as the last auto-reply to this sender and suppress it).
  const decided = await models.Outbox.exists({ dedupeKey: key });
  const received = message.createdAt ?? now;
  if (!decided && (now.getTime() - received.getTime()) / 1000 > deps.settings.maxMailAgeSeconds) return suppress('old-mail');
  const [own, contact, last, sentThisHour] = await Promise.all([
    models.Inbox.find({}, { address: 1 }).lean().then((rows) => new Set(rows.map((r) => r.address))),
    recipient ? models.Contact.findOne({ email: recipient }, { bounce: 1 }).lean() : null,
    recipient ? models.Outbox.findOne({ kind: 'auto-reply', 'envelope.to': recipient }, { createdAt: 1 }).sort({ createdAt: -1 }).lean() : null,
    models.Outbox.countDocuments({ kind: 'auto-reply', inboxId: inbox._id, createdAt: { $gte: new Date(now.getTime() - 3600_000) } }),
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

  const rendered = await deps.render(
    'auto-reply',
    { ticketNumber: ticket.number, ticketSubject: ticket.subject, customerName: mail.from?.name ?? ticket.requester.name ?? null },
    { branding: brandingOf(inbox), subject: inbox.autoReply?.subject ?? null, template: inbox.autoReply?.template ?? null },
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

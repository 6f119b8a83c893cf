import type { Types } from 'mongoose';
import type { BounceReport } from '../domain/bounce.js';
import { ticketNumberFromMessageId, type Signer } from '../domain/message-ids.js';
import type { Models } from '../store/models/index.js';
import { mergeRootOf, recordEvent } from '../store/ticket-writes.js';

/** The ticket of the message a bounce reports on: by its Message-ID, stored or encoded in our id. */
export async function ticketOfBouncedMessage(deps: { models: Models; sign: Signer }, report: BounceReport): Promise<Types.ObjectId | null> {
  const original = report.originalMessageId;
  if (!original) return null;
  const stored = await deps.models.Message.findOne({ messageId: original }, { ticketId: 1 }).lean();
  if (stored) return mergeRootOf(deps.models, stored.ticketId);
  const number = ticketNumberFromMessageId(original, deps.sign);
  if (number === null) return null;
  const ticket = await deps.models.Ticket.findOne({ number }, { _id: 1 }).lean();
  return ticket ? mergeRootOf(deps.models, ticket._id) : null;
}

/**
 * Records a stored bounce on its ticket's trail and marks permanently failing recipients as bouncing,
 * so no further mail (and no auto-reply) goes to them. Never changes the ticket's status.
 */
export async function recordBounce(
  deps: { models: Models },
  opts: { ticketId: Types.ObjectId; messageDocId: Types.ObjectId; report: BounceReport; at: Date },
): Promise<void> {
  const { report, at } = opts;
  if (report.permanent) {
    for (const r of report.recipients) {
      // A report can mix recipients that failed with ones only delayed (RFC 3464 §2.3.3 Action).
      if (!r.address || (r.action !== null && r.action !== 'failed')) continue;
      await deps.models.Contact.updateOne(
        { email: r.address.toLowerCase() },
        { $set: { 'bounce.bouncing': true, 'bounce.lastBounceAt': at, 'bounce.reason': (r.diagnostic ?? report.reason).slice(0, 500) } },
        { upsert: true },
      );
    }
  }
  await recordEvent(deps.models, {
    ticketId: opts.ticketId,
    type: 'bounce_received',
    actor: { kind: 'system', label: 'mailer-daemon' },
    at,
    data: { kind: report.kind, permanent: report.permanent, reason: report.reason, recipients: report.recipients, messageId: opts.messageDocId },
    key: `bounce:${opts.messageDocId.toHexString()}`,
  });
}

/**
 * Records an automatic reply (out of office, vacation notice) to one of our mails on its ticket's
 * trail as what it is. Like a bounce it changes nothing else: no status, no reopening, no SLA clock
 * and no acknowledgement, since no person wrote it (RFC 3834 §2); unlike a bounce it marks nobody
 * as unreachable.
 */
export async function recordAutoReply(
  deps: { models: Models },
  opts: { ticketId: Types.ObjectId; messageDocId: Types.ObjectId; report: BounceReport; at: Date },
): Promise<void> {
  const from = opts.report.recipients[0]?.address ?? null;
  await recordEvent(deps.models, {
    ticketId: opts.ticketId,
    type: 'auto_reply_received',
    actor: { kind: 'contact', label: from },
    at: opts.at,
    data: { from, subject: opts.report.recipients[0]?.diagnostic ?? null, messageId: opts.messageDocId },
    key: `auto-reply-received:${opts.messageDocId.toHexString()}`,
  });
}

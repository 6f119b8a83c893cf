import { Types } from 'mongoose';
import { mailerReport, type MailFacts } from '../../domain/ingest-classify.js';
import type { NotificationTag } from '../../domain/notification-reply.js';
import { replyText } from '../../domain/reply-text.js';
import { canSeeTicket } from '../access.js';
import { notifyMentions } from '../notifications/notify-mentions.js';
import type { ClassifiedMail } from './ingest-look-up.js';
import type { IngestDeps, IngestResult } from './ingest-ports.js';
import { quarantineMail } from './quarantine-mail.js';

/** Why a mail sent to a notification's Reply-To was set aside: it is never a customer's message. */
export const NOTIFICATION_REPLY_REFUSED = 'NOTIFICATION_REPLY_REFUSED';

/** The key that makes an answer one note however often it is fetched: its Message-ID, else its content. */
const noteKeyOf = (m: ClassifiedMail) => `mail-note:${m.mail.messageId ? m.mail.messageId.toLowerCase() : `hash:${m.contentHash}`}`;

/**
 * An agent answering a notification by mail (to its signed Reply-To): the new text of the answer
 * (the quoted mail cut off, see src/domain/reply-text.ts) becomes an internal note by that agent on
 * the notification's ticket (the one it was merged into, if so), on the trail, once per Message-ID;
 * the people it mentions are told. It must come from the notification's own recipient, an active
 * user who may still see the ticket, and be written by a person. Anything else carrying a tag (a bad
 * signature, another sender, a disabled user, an unknown notification, an automatic reply) is
 * quarantined with the reason: never a customer's message, never a ticket.
 */
export async function fileNotificationReply(deps: IngestDeps, m: ClassifiedMail, tag: NotificationTag, facts: MailFacts): Promise<IngestResult> {
  const refuse = async (detail: string): Promise<IngestResult> => {
    await quarantineMail(deps, { inboxId: m.inboxId, raw: m.raw, contentHash: m.contentHash, reason: NOTIFICATION_REPLY_REFUSED, detail, source: m.source, subject: m.mail.subject, from: facts.sender });
    deps.logger.info({ inboxId: m.inboxId, detail }, 'mail to a notification address refused');
    return { outcome: 'quarantined', reason: NOTIFICATION_REPLY_REFUSED };
  };
  if (tag.kind === 'forged') return refuse(`the notification address ${tag.address} has no valid signature`);
  const automated = facts.autoReason ?? mailerReport(m.mail)?.reason ?? null;
  if (automated) return refuse(`an automatic mail (${automated}) answered a notification`);
  const notification = await deps.notifications.findById(new Types.ObjectId(tag.notificationId));
  if (!notification) return refuse(`notification ${tag.notificationId} is unknown`);
  const user = await deps.users.findById(notification.userId);
  if (!user || user.disabled) return refuse(`the recipient of notification ${tag.notificationId} is disabled or deleted`);
  if (facts.sender !== user.email.toLowerCase()) return refuse(`the sender ${facts.sender ?? 'unknown'} is not the recipient of notification ${tag.notificationId}`);
  const ticket = await deps.tickets.findById(await deps.tickets.mergeRootOf(notification.ticketId));
  const teamIds = ticket ? await deps.teams.listIdsOfMember(user._id) : [];
  if (!ticket || !canSeeTicket({ userId: user._id, role: user.role, inboxIds: user.inboxIds, teamIds }, ticket)) {
    return refuse(`the recipient of notification ${tag.notificationId} may no longer see its ticket`);
  }
  const text = replyText(m.mail);
  if (!text) return refuse(`the answer to notification ${tag.notificationId} holds no text of its own`);
  const at = deps.now();
  const { note, created } = await deps.tickets.addNoteOnce({ ticketId: ticket._id, inboxId: ticket.inboxId, text, authorId: user._id, at, key: noteKeyOf(m), via: 'email' });
  // Run again on a retry too: a crash between the note and its notifications must not lose them (each is keyed by the note).
  if (deps.scheduler) await notifyMentions({ ...deps, scheduler: deps.scheduler }, { ticket, note, authorId: user._id });
  deps.logger.debug({ ticketId: ticket._id, messageDocId: note._id, created }, 'notification answered by mail');
  return created ? { outcome: 'note', ticketId: ticket._id, messageDocId: note._id } : { outcome: 'duplicate', ticketId: ticket._id };
}
